"""Hostile clients against the backend and the frontend, on loopback. Each test is one attack that
once worked (a 500, an out-of-memory, an echoed secret, a session that outlived its logout...)
and now must fail closed with a 4xx that names the limit and echoes nothing.

The backend trusts X-Forwarded-For from 127.0.0.1 (FORWARDED_ALLOW_IPS), as it trusts the
frontend in a deployment: each test speaks as its own client address (TEST-NET ranges), so the
per-client sign-in throttle of one test does not spill into the next."""

from __future__ import annotations

import concurrent.futures
import itertools
import json
import subprocess
import time
import unicodedata
import urllib.parse
import uuid
from typing import Any

import pytest
import seclib
from seclib import json_of, peak_rss_kib, request

_addresses = (f"198.51.100.{i}" for i in itertools.count(1))


def client() -> dict[str, str]:
    """Headers that make the next requests come from a client address of their own."""
    return {"X-Forwarded-For": next(_addresses)}


def register(api: str, email: str | None = None, password: str = "a long passphrase 1") -> dict[str, Any]:
    email = email or f"u-{uuid.uuid4().hex[:10]}@example.com"
    status, _, body = request("POST", f"{api}/api/auth/register", {"email": email, "password": password},
                              headers=client())
    assert status == 201, (status, body[:300])
    out = json_of(body)
    return {"id": out["user"]["id"], "token": out["access_token"], "email": email, "password": password}


def auth(user: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {user['token']}", **client()}


# --- 1. bodies ------------------------------------------------------------------------------------


def test_a_60_mb_login_body_is_refused_before_it_is_read(stack: dict[str, Any]) -> None:
    api, pid = stack["api"], stack["backend"].proc.pid
    host, port = urllib.parse.urlsplit(api).hostname, urllib.parse.urlsplit(api).port
    assert host and port
    before = peak_rss_kib(pid)
    t0 = time.monotonic()
    status, body = seclib.stream_body(host, port, "/api/auth/login", 60 * 1024 * 1024, headers=client())
    declared = time.monotonic() - t0
    assert status == 413 and b"MAX_REQUEST_BODY_BYTES" in body, (status, body[:200])
    status, body = seclib.stream_body(host, port, "/api/auth/login", 60 * 1024 * 1024, headers=client(),
                                      declare_length=False)
    assert status == 413 and b"xxxx" not in body, (status, body[:200])
    growth = peak_rss_kib(pid) - before
    print(f"\n60 MB login body: 413 in {declared:.2f} s (declared length) and while streaming (chunked); "
          f"backend peak memory +{growth / 1024:.1f} MiB (VmHWM {before / 1024:.0f} -> {peak_rss_kib(pid) / 1024:.0f} MiB)")
    assert growth < 16 * 1024, f"the backend's peak memory grew {growth / 1024:.0f} MiB"


def test_a_10_mb_task_description_is_refused_and_not_echoed(stack: dict[str, Any]) -> None:
    user = register(stack["api"])
    api = urllib.parse.urlsplit(stack["api"])
    assert api.hostname and api.port
    for declare in (True, False):
        status, body = seclib.stream_body(api.hostname, api.port, f"/api/{user['id']}/tasks", 10 * 1024 * 1024,
                                          headers=auth(user), declare_length=declare,
                                          prefix=b'{"title": "t", "description": "')
        assert status == 413 and b"xxxx" not in body and len(body) < 300, (status, body[:200])


def test_a_body_that_never_finishes_gets_408(stack: dict[str, Any]) -> None:
    api = urllib.parse.urlsplit(stack["api"])
    assert api.hostname and api.port
    t0 = time.monotonic()
    status, body = seclib.stream_body(api.hostname, api.port, "/api/auth/login", 600, chunk=50, pause=1.0,
                                      headers=client())
    took = time.monotonic() - t0
    assert status == 408 and b"BODY_READ_TIMEOUT_SECONDS" in body, (status, body)
    assert took < 15, f"408 after {took:.1f} s (BODY_READ_TIMEOUT_SECONDS is 10)"


# --- 2. sign-in: memory under a burst, throttling -----------------------------------------------------


def test_20_concurrent_wrong_logins_stay_within_the_chart_memory_and_are_throttled(stack: dict[str, Any]) -> None:
    api, pid = stack["api"], stack["backend"].proc.pid
    user = register(api)
    before = peak_rss_kib(pid)

    def wrong(_: int) -> tuple[int, dict[str, str]]:
        status, headers, _ = request("POST", f"{api}/api/auth/login",
                                     {"email": user["email"], "password": "wrong password 0"}, headers=client())
        return status, headers

    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        results = list(pool.map(wrong, range(20)))
    growth = peak_rss_kib(pid) - before
    statuses = sorted(s for s, _ in results)
    print(f"\n20 concurrent wrong logins: {statuses.count(401)} x 401, {statuses.count(429)} x 429; "
          f"backend peak memory +{growth / 1024:.1f} MiB (VmHWM {peak_rss_kib(pid) / 1024:.0f} MiB; chart limit 512 MiB)")
    assert set(statuses) <= {401, 429} and statuses.count(429) >= 10, statuses
    assert all(h.get("retry-after", "").isdigit() for s, h in results if s == 429)
    assert growth < 150 * 1024, f"the backend's peak memory grew {growth / 1024:.0f} MiB"
    # the account stays locked for the right password too, until the window passes
    status, headers, _ = request("POST", f"{api}/api/auth/login",
                                 {"email": user["email"], "password": user["password"]}, headers=client())
    assert status == 429 and int(headers["retry-after"]) > 0


def test_one_client_is_throttled_across_accounts_and_sign_ups(stack: dict[str, Any]) -> None:
    api, me = stack["api"], client()
    statuses = [request("POST", f"{api}/api/auth/login", {"email": f"nobody{i}@example.com", "password": "x" * 9},
                        headers=me)[0] for i in range(31)]
    assert statuses[:30] == [401] * 30 and statuses[30] == 429, statuses
    # account enumeration through sign-up answers (409) is throttled the same way
    status, headers, _ = request("POST", f"{api}/api/auth/register",
                                 {"email": "someone@example.com", "password": "a long passphrase 1"}, headers=me)
    assert status == 429 and headers["retry-after"].isdigit()


# --- 4. input that cannot be stored or shown ----------------------------------------------------------


def test_lone_surrogates_are_a_422_naming_the_field_never_a_500(stack: dict[str, Any]) -> None:
    api = stack["api"]
    user = register(api)
    raw_title = b'{"title": "bad \\ud800 title"}'
    cases = [
        ("POST", f"{api}/api/auth/login", b'{"email": "a\\ud800@example.com", "password": "hunter2-secret"}', client()),
        ("POST", f"{api}/api/{user['id']}/tasks", raw_title, auth(user)),
        ("POST", f"{api}/api/{user['id']}/chat", b'{"message": "add \\udfff now"}', auth(user)),
    ]
    for method, url, raw, headers in cases:
        status, _, body = request(method, url, raw=raw, headers={**headers, "Content-Type": "application/json"})
        assert status == 422, (url, status, body[:300])
        detail = json_of(body)["detail"]
        assert detail and all({"loc", "msg", "type"} >= set(d) for d in detail)
        assert b"hunter2" not in body and b"input" not in body


def test_validation_errors_never_echo_the_input(stack: dict[str, Any]) -> None:
    status, _, body = request("POST", f"{stack['api']}/api/auth/register",
                              {"email": "not-an-email", "password": "hunter2-hunter2"}, headers=client())
    assert status == 422 and b"hunter2" not in body and b"not-an-email" not in body


# --- 5. a token whose account is gone --------------------------------------------------------------------


def test_a_deleted_account_gets_401_and_its_data_stays_out_of_the_logs(stack: dict[str, Any]) -> None:
    api = stack["api"]
    user = register(api)
    subprocess.run(["psql", stack["pg"].url, "-qc", f"DELETE FROM users WHERE id = '{user['id']}'"], check=True,
                   capture_output=True, timeout=30)
    secret_title = f"private-{uuid.uuid4().hex}"
    status, _, _ = request("POST", f"{api}/api/{user['id']}/tasks", {"title": secret_title}, headers=auth(user))
    assert status == 401
    status, _, _ = request("POST", f"{api}/api/{user['id']}/chat", {"message": f"add {secret_title}"},
                           headers=auth(user))
    assert status == 401
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "add_task", "arguments": {"title": secret_title}}}
    status, _, body = request("POST", f"{api}/mcp", call, headers={
        **auth(user), "Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-06-18"})
    assert status == 200 and b"no longer exists" in body, (status, body[:300])
    time.sleep(0.5)
    assert secret_title not in stack["backend"].log_path.read_text(errors="replace")


# --- sessions and accounts -----------------------------------------------------------------------------------


def test_a_token_is_refused_after_logout_by_rest_and_mcp(stack: dict[str, Any]) -> None:
    api = stack["api"]
    user = register(api)
    assert request("GET", f"{api}/api/{user['id']}/tasks", headers=auth(user))[0] == 200
    assert request("POST", f"{api}/api/auth/logout", headers=auth(user))[0] == 204
    assert request("GET", f"{api}/api/{user['id']}/tasks", headers=auth(user))[0] == 401
    ping = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    assert request("POST", f"{api}/mcp", ping, headers={**auth(user), "Accept": "application/json, text/event-stream"})[0] == 401


def test_one_account_per_address_however_it_is_typed(stack: dict[str, Any]) -> None:
    api = stack["api"]
    base = f"jos{uuid.uuid4().hex[:6]}"
    nfc = unicodedata.normalize("NFC", f"{base}é@example.com")
    register(api, nfc)
    for other in (unicodedata.normalize("NFD", nfc), nfc.upper(), unicodedata.normalize("NFKC", nfc).replace("o", "ｏ", 1)):
        status, _, _ = request("POST", f"{api}/api/auth/register", {"email": other, "password": "a long passphrase 2"},
                               headers=client())
        assert status == 409, other


def test_lists_come_in_pages(stack: dict[str, Any]) -> None:
    api = stack["api"]
    user = register(api)
    for i in range(3):
        request("POST", f"{api}/api/{user['id']}/tasks", {"title": f"t{i}"}, headers=auth(user))
    status, _, body = request("GET", f"{api}/api/{user['id']}/tasks?limit=2&offset=1", headers=auth(user))
    assert status == 200 and [t["title"] for t in json_of(body)] == ["t1", "t2"]
    assert request("GET", f"{api}/api/{user['id']}/tasks?limit=100000", headers=auth(user))[0] == 422


# --- the frontend ------------------------------------------------------------------------------------------------


def test_a_cross_site_form_cannot_sign_a_user_out_and_logout_ends_the_token(stack: dict[str, Any]) -> None:
    web, api = stack["web"], stack["api"]
    user = register(api)
    status, headers, _ = request("POST", f"{web}/api/session/login", {"email": user["email"], "password": user["password"]},
                                 headers={"Origin": web})
    assert status == 200
    token = next(c.split(";")[0].split("=", 1)[1] for c in headers["set-cookie"].split("\n") if c.startswith("todo_token="))
    cookie = f"todo_token={token}"
    form = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    status, headers, _ = request("POST", f"{web}/api/session/logout", raw=b"x=1",
                                 headers={**form, "Origin": "https://evil.example"})
    assert status == 403 and "set-cookie" not in headers
    status, _, _ = request("POST", f"{web}/api/session/logout", raw=b"", headers={"Cookie": cookie, "Origin": web})
    assert status == 204
    time.sleep(0.2)
    assert request("GET", f"{api}/api/{user['id']}/tasks", headers={"Authorization": f"Bearer {token}"})[0] == 401


def test_pages_carry_the_security_headers(stack: dict[str, Any]) -> None:
    _, headers, _ = request("GET", f"{stack['web']}/signin")
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_no_redirect_is_built_from_the_clients_host_header(stack: dict[str, Any]) -> None:
    for base, path in ((stack["api"], "/api/x/tasks/"), (stack["web"], "/")):
        status, headers, _ = request("GET", base + path, headers={"Host": "evil.example"})
        assert "evil.example" not in headers.get("location", ""), (base, status, headers.get("location"))


def test_the_frontend_passes_on_only_the_address_its_nearest_proxy_saw(stack: dict[str, Any]) -> None:
    """A client writing its own X-Forwarded-For entries cannot pick the throttle's key: 31 sign-ins
    whose chains differ but end with the same address (what an ingress appends) hit the limit."""
    web = stack["web"]
    statuses = []
    for i in range(31):
        status, _, _ = request("POST", f"{web}/api/session/login", {"email": f"n{i}@example.com", "password": "x" * 9},
                               headers={"Origin": web, "X-Forwarded-For": f"203.0.113.{i}, 192.0.2.77"})
        statuses.append(status)
    assert statuses[-1] == 429 and statuses[:30].count(401) == 30, statuses


def test_the_api_docs_load_their_scripts_with_integrity_hashes(stack: dict[str, Any]) -> None:
    status, _, body = request("GET", f"{stack['api']}/docs")
    assert status == 200
    assert body.count(b'integrity="sha384-') == 2 and b"swagger-ui-dist@5." in body


# --- 8. hostile model output ---------------------------------------------------------------------------------


def _tool_call(name: str, arguments: str) -> dict[str, Any]:
    return {"tool_calls": [{"id": "c1", "type": "function", "function": {"name": name, "arguments": arguments}}],
            "content": None}


@pytest.mark.parametrize(
    "first",
    [
        _tool_call("add_task", '{"title": ' + "[" * 5000 + "]" * 5000 + "}"),  # nesting: RecursionError once
        _tool_call("add_task", '{"title": "bad \\ud800 title"}'),  # a lone surrogate: 500 once
        _tool_call("add_task", '{"title": "' + "t" * 100000 + '"}'),  # huge arguments
        {"content": "x" * (20 * 1024 * 1024)},  # a 20 MB reply: stored and returned whole once
    ],
    ids=["nested-arguments", "surrogate-title", "huge-arguments", "20-mb-reply"],
)
def test_hostile_model_output_gives_a_bounded_answer_not_a_500(stack: dict[str, Any], first: dict[str, Any]) -> None:
    rounds = iter([first, {"content": "done"}])
    stack["model"].reply = lambda body: seclib.completion(next(rounds, {"content": "done"}))
    user = register(stack["llm_api"])
    status, _, body = request("POST", f"{stack['llm_api']}/api/{user['id']}/chat", {"message": "add something"},
                              headers=auth(user), timeout=60)
    assert status == 200, (status, body[:300])
    reply = json_of(body)
    assert len(reply["response"]) <= 8000 + 60 and len(body) < 64 * 1024
    for call in reply["tool_calls"]:
        assert "error" in call["result"], call
    tasks = json_of(request("GET", f"{stack['llm_api']}/api/{user['id']}/tasks", headers=auth(user))[2])
    assert tasks == []
    json.dumps(reply, ensure_ascii=False).encode("utf-8")


# --- 7. a database that stops answering ------------------------------------------------------------------------


def test_a_hung_database_gives_503_quickly_and_ready_answers_in_time(log_dir: Any) -> None:
    """The database's processes stopped (SIGSTOP), not gone: its kernel still accepts and acknowledges,
    so only a deadline measured by the backend ends a request (DB_STATEMENT_TIMEOUT_SECONDS, 5 s)."""
    pg = seclib.PgTemp()
    backend = None
    try:
        seclib.migrate(pg.url, log_dir)
        backend, api = seclib.start_backend(pg.url, log_dir, name="backend-hung-db")
        user = register(api)
        for pid in pg.pids():
            subprocess.run(["kill", "-STOP", str(pid)], check=True)
        try:
            t0 = time.monotonic()  # a request holding a connection when the server stops answering
            status_tasks, headers, _ = request("GET", f"{api}/api/{user['id']}/tasks", headers=auth(user), timeout=60)
            first = time.monotonic() - t0
            t0 = time.monotonic()
            status, _, _ = request("GET", f"{api}/ready", timeout=30)
            ready = time.monotonic() - t0
            t0 = time.monotonic()
            status_next = request("GET", f"{api}/api/{user['id']}/tasks", headers=auth(user), timeout=60)[0]
            after = time.monotonic() - t0
        finally:
            for pid in pg.pids():
                subprocess.run(["kill", "-CONT", str(pid)], check=False)
        print(f"\nhung database: /ready 503 in {ready:.2f} s; a task read 503 in {first:.1f} s, the next in {after:.2f} s")
        assert status == 503 and ready < 3
        assert status_tasks == 503 and headers["retry-after"].isdigit() and first < 20
        assert status_next == 503 and after < 1
        backend.wait(f"{api}/ready", deadline=60)
    finally:
        if backend:
            backend.stop()
        pg.destroy()

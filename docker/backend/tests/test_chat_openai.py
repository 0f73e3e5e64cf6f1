"""The openai provider against a fake OpenAI-compatible server started by the test."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import register

Reply = Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]


def completion(message: dict[str, Any], finish: str = "stop") -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "fake-model",
        "choices": [{"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def tool_call(call_id: str, name: str, args: dict[str, Any]) -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}


class FakeOpenAI:
    """Answers POST /v1/chat/completions with whatever `self.reply` says; records requests."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.reply: Reply = lambda body: (200, completion({"content": "hello"}))
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(body)
                fake.headers.append({k.lower(): v for k, v in self.headers.items()})
                status, payload = fake.reply(body)
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    f = FakeOpenAI()
    try:
        yield f
    finally:
        f.close()


@pytest.fixture
def openai_client(app_factory: Callable[..., TestClient], fake: FakeOpenAI) -> TestClient:
    return app_factory(
        chat_provider="openai",
        openai_api_key="sk-test-key-not-real",
        openai_base_url=fake.url,
        openai_model="fake-model",
        openai_timeout_seconds=1.0,
    )


def test_tool_calls_then_final_answer(openai_client: TestClient, fake: FakeOpenAI) -> None:
    user = register(openai_client)

    def reply(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if body["messages"][-1]["role"] == "user":
            calls = [tool_call("c1", "add_task", {"title": "Buy milk"}), tool_call("c2", "list_tasks", {})]
            return 200, completion({"content": None, "tool_calls": calls}, "tool_calls")
        return 200, completion({"content": "Added Buy milk. You have 1 task."})

    fake.reply = reply
    r = openai_client.post(f"/api/{user.id}/chat", headers=user.headers, json={"message": "add buy milk"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["response"] == "Added Buy milk. You have 1 task."
    assert [c["tool"] for c in body["tool_calls"]] == ["add_task", "list_tasks"]
    task_id = body["tool_calls"][0]["result"]["task_id"]
    assert body["tool_calls"][0]["result"] == {"task_id": task_id, "status": "created", "title": "Buy milk"}
    # the second request carried the tool results back, with tools offered and the configured model
    assert len(fake.requests) == 2
    second = fake.requests[1]
    assert second["model"] == "fake-model"
    assert {t["function"]["name"] for t in second["tools"]} == {
        "add_task",
        "list_tasks",
        "complete_task",
        "delete_task",
        "update_task",
    }
    tool_msgs = [m for m in second["messages"] if m["role"] == "tool"]
    assert [m["tool_call_id"] for m in tool_msgs] == ["c1", "c2"]
    assert json.loads(tool_msgs[0]["content"])["status"] == "created"
    assert fake.headers[0]["authorization"] == "Bearer sk-test-key-not-real"
    # history: the next turn sends the stored conversation
    fake.reply = lambda b: (200, completion({"content": "ok"}))
    openai_client.post(
        f"/api/{user.id}/chat",
        headers=user.headers,
        json={"message": "thanks", "conversation_id": body["conversation_id"]},
    )
    sent = [(m["role"], m["content"]) for m in fake.requests[-1]["messages"][1:]]
    assert sent == [("user", "add buy milk"), ("assistant", "Added Buy milk. You have 1 task."), ("user", "thanks")]


def test_the_tool_loop_is_bounded(openai_client: TestClient, fake: FakeOpenAI) -> None:
    user = register(openai_client)
    fake.reply = lambda b: (200, completion({"content": None, "tool_calls": [tool_call("c", "list_tasks", {})]}))
    r = openai_client.post(f"/api/{user.id}/chat", headers=user.headers, json={"message": "loop forever"})
    assert r.status_code == 200
    assert len(fake.requests) == 5
    assert len(r.json()["tool_calls"]) == 5


def test_foreign_task_and_bad_arguments_are_reported_to_the_model(openai_client: TestClient, fake: FakeOpenAI) -> None:
    user = register(openai_client)

    def reply(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if body["messages"][-1]["role"] == "user":
            calls = [
                tool_call("c1", "complete_task", {"task_id": 987654}),
                {"id": "c2", "type": "function", "function": {"name": "add_task", "arguments": "{not json"}},
                tool_call("c3", "no_such_tool", {}),
            ]
            return 200, completion({"content": None, "tool_calls": calls}, "tool_calls")
        return 200, completion({"content": "done"})

    fake.reply = reply
    body = openai_client.post(f"/api/{user.id}/chat", headers=user.headers, json={"message": "x"}).json()
    results = [c["result"] for c in body["tool_calls"]]
    assert results[0] == {"error": "Task 987654 not found"}
    assert "error" in results[1] and "error" in results[2]


@pytest.mark.parametrize("status", [500, 401, 429])
def test_api_errors_give_a_friendly_reply(
    openai_client: TestClient, fake: FakeOpenAI, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    user = register(openai_client)
    fake.reply = lambda b: (status, {"error": {"message": "boom", "type": "server_error"}})
    r = openai_client.post(f"/api/{user.id}/chat", headers=user.headers, json={"message": "hi"})
    assert r.status_code == 200
    assert "unavailable" in r.json()["response"]
    assert any(rec.getMessage() == "chat provider failed" for rec in caplog.records)
    assert "sk-test-key-not-real" not in caplog.text
    # the exchange is still stored
    cid = r.json()["conversation_id"]
    msgs = openai_client.get(f"/api/{user.id}/conversations/{cid}/messages", headers=user.headers).json()
    assert len(msgs) == 2


def test_a_timeout_gives_a_friendly_reply(openai_client: TestClient, fake: FakeOpenAI) -> None:
    user = register(openai_client)

    def slow(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        time.sleep(3)
        return 200, completion({"content": "too late"})

    fake.reply = slow
    r = openai_client.post(f"/api/{user.id}/chat", headers=user.headers, json={"message": "hi"})
    assert r.status_code == 200
    assert "unavailable" in r.json()["response"]


def test_openai_provider_needs_a_key(database_url: str) -> None:
    from app.agent.provider import make_provider
    from tests.conftest import make_settings

    with pytest.raises(ValueError, match="OPENAI_API_KEY"):
        make_provider(make_settings(database_url, chat_provider="openai"))


def test_the_chat_holds_no_database_connection_while_the_model_answers(
    app_factory: Callable[..., TestClient], fake: FakeOpenAI, database_url: str
) -> None:
    """With a pool of one connection, the task API still answers while a chat waits for the
    model, and no connection of the app sits idle in a transaction meanwhile."""
    import psycopg

    release = threading.Event()

    def slow(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        release.wait(20)
        return 200, completion({"content": "done"})

    fake.reply = slow
    client = app_factory(
        chat_provider="openai",
        openai_api_key="sk-test-key-not-real",
        openai_base_url=fake.url,
        openai_timeout_seconds=30.0,
        db_pool_size=1,
        db_timeout_seconds=1.0,
    )
    user = register(client)
    tasks_url = f"/api/{user.id}/tasks"
    result: dict[str, Any] = {}

    def chat() -> None:
        result["r"] = client.post(f"/api/{user.id}/chat", headers=user.headers, json={"message": "hello"})

    thread = threading.Thread(target=chat)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not fake.requests:
            assert time.monotonic() < deadline, "the chat never reached the model"
            time.sleep(0.05)
        assert client.post(tasks_url, headers=user.headers, json={"title": "meanwhile"}).status_code == 201
        assert [t["title"] for t in client.get(tasks_url, headers=user.headers).json()] == ["meanwhile"]
        with psycopg.connect(database_url) as conn:
            waiting = conn.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE application_name = 'todo-backend' AND state = 'idle in transaction'"
            ).fetchone()
        assert waiting == (0,)
    finally:
        release.set()
        thread.join(30)
    assert result["r"].status_code == 200 and result["r"].json()["response"] == "done"

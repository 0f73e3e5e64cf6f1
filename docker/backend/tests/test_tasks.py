"""The six task endpoints: CRUD, the status filter, validation, and isolation between users."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import User


def create(client: TestClient, user: User, title: str, description: str | None = None) -> dict:
    r = client.post(f"/api/{user.id}/tasks", headers=user.headers, json={"title": title, "description": description})
    assert r.status_code == 201, r.text
    return r.json()


def test_create_then_get_returns_the_task(client: TestClient, alice: User) -> None:
    task = create(client, alice, "  Buy milk  ", "2 litres")
    assert task["title"] == "Buy milk"
    assert task["description"] == "2 litres"
    assert task["completed"] is False
    assert task["user_id"] == alice.id
    assert set(task) == {"id", "user_id", "title", "description", "completed", "created_at", "updated_at"}
    r = client.get(f"/api/{alice.id}/tasks/{task['id']}", headers=alice.headers)
    assert r.status_code == 200 and r.json() == task


def test_list_filters_by_status(client: TestClient, alice: User) -> None:
    a = create(client, alice, "a")
    b = create(client, alice, "b")
    client.patch(f"/api/{alice.id}/tasks/{b['id']}/complete", headers=alice.headers)

    def ids(status: str | None) -> list[int]:
        params = {"status": status} if status else {}
        r = client.get(f"/api/{alice.id}/tasks", headers=alice.headers, params=params)
        assert r.status_code == 200
        return [t["id"] for t in r.json()]

    assert ids(None) == [a["id"], b["id"]]
    assert ids("all") == [a["id"], b["id"]]
    assert ids("pending") == [a["id"]]
    assert ids("completed") == [b["id"]]
    r = client.get(f"/api/{alice.id}/tasks", headers=alice.headers, params={"status": "bogus"})
    assert r.status_code == 422


def test_update_changes_the_given_fields(client: TestClient, alice: User) -> None:
    task = create(client, alice, "old", "desc")
    r = client.put(f"/api/{alice.id}/tasks/{task['id']}", headers=alice.headers, json={"title": "new"})
    assert r.status_code == 200
    assert r.json()["title"] == "new" and r.json()["description"] == "desc"
    r = client.put(
        f"/api/{alice.id}/tasks/{task['id']}",
        headers=alice.headers,
        json={"description": "other", "completed": True},
    )
    assert r.json()["description"] == "other" and r.json()["completed"] is True
    assert r.json()["updated_at"] >= task["updated_at"]


def test_patch_complete_toggles(client: TestClient, alice: User) -> None:
    task = create(client, alice, "toggle me")
    url = f"/api/{alice.id}/tasks/{task['id']}/complete"
    assert client.patch(url, headers=alice.headers).json()["completed"] is True
    assert client.patch(url, headers=alice.headers).json()["completed"] is False


def test_delete_removes_the_task(client: TestClient, alice: User) -> None:
    task = create(client, alice, "bye")
    r = client.delete(f"/api/{alice.id}/tasks/{task['id']}", headers=alice.headers)
    assert r.status_code == 204 and r.content == b""
    assert client.get(f"/api/{alice.id}/tasks/{task['id']}", headers=alice.headers).status_code == 404
    assert client.delete(f"/api/{alice.id}/tasks/{task['id']}", headers=alice.headers).status_code == 404


def test_validation_errors_are_422(client: TestClient, alice: User) -> None:
    url = f"/api/{alice.id}/tasks"
    for body in ({"title": ""}, {"title": "   "}, {"title": "x" * 201}, {"title": "ok", "description": "d" * 1001}, {}):
        assert client.post(url, headers=alice.headers, json=body).status_code == 422, body
    assert (
        client.post(url, headers=alice.headers, json={"title": "x" * 200, "description": "d" * 1000}).status_code == 201
    )
    task = create(client, alice, "valid")
    assert client.put(f"{url}/{task['id']}", headers=alice.headers, json={"title": ""}).status_code == 422
    assert client.get(f"{url}/0", headers=alice.headers).status_code == 422
    assert client.get(f"{url}/abc", headers=alice.headers).status_code == 422


def test_another_users_task_is_404_never_403(client: TestClient, alice: User, bob: User) -> None:
    task = create(client, alice, "private")
    base = f"/api/{bob.id}/tasks/{task['id']}"
    assert client.get(base, headers=bob.headers).status_code == 404
    assert client.put(base, headers=bob.headers, json={"title": "hijack"}).status_code == 404
    assert client.patch(base + "/complete", headers=bob.headers).status_code == 404
    assert client.delete(base, headers=bob.headers).status_code == 404
    assert client.get(f"/api/{bob.id}/tasks", headers=bob.headers).json() == []
    missing = client.get(f"/api/{bob.id}/tasks/2000000000", headers=bob.headers)
    assert missing.json() == client.get(base, headers=bob.headers).json()
    # alice's task is untouched
    r = client.get(f"/api/{alice.id}/tasks/{task['id']}", headers=alice.headers)
    assert r.json()["title"] == "private" and r.json()["completed"] is False


def test_health_needs_no_database_and_ready_checks_it(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    r = client.get("/ready")
    assert r.status_code == 200 and r.json()["database"] == "ok"


def test_openapi_docs_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    for path in (
        "/api/auth/register",
        "/api/auth/login",
        "/api/{user_id}/tasks",
        "/api/{user_id}/tasks/{task_id}",
        "/api/{user_id}/tasks/{task_id}/complete",
        "/api/{user_id}/chat",
        "/api/{user_id}/conversations",
        "/api/{user_id}/conversations/{conversation_id}/messages",
        "/health",
        "/ready",
    ):
        assert path in spec["paths"], path


def test_responses_carry_a_request_id(client: TestClient) -> None:
    assert len(client.get("/health").headers["x-request-id"]) == 32
    assert client.get("/health", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"

"""Accounts and tokens: register, login, 401 without a valid token, 403 across users."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
from fastapi.testclient import TestClient

from tests.conftest import JWT_SECRET, User, register


def test_register_returns_a_token_and_the_user(client: TestClient) -> None:
    r = client.post("/api/auth/register", json={"email": "New.Person@Example.com", "password": "longenough1"})
    assert r.status_code == 201
    body = r.json()
    assert body["token_type"] == "bearer"
    assert body["user"]["email"] == "new.person@example.com"
    assert jwt.decode(body["access_token"], JWT_SECRET, algorithms=["HS256"])["sub"] == body["user"]["id"]
    assert "password" not in r.text and "hash" not in r.text


def test_register_twice_with_the_same_email_is_409(client: TestClient, alice: User) -> None:
    r = client.post("/api/auth/register", json={"email": alice.email.upper(), "password": "whatever12"})
    assert r.status_code == 409


def test_register_rejects_a_bad_email_or_short_password(client: TestClient) -> None:
    assert client.post("/api/auth/register", json={"email": "nope", "password": "longenough1"}).status_code == 422
    assert client.post("/api/auth/register", json={"email": "a@b.co", "password": "short"}).status_code == 422
    assert client.post("/api/auth/register", json={}).status_code == 422


def test_login_with_the_right_password_returns_a_token(client: TestClient, alice: User) -> None:
    r = client.post("/api/auth/login", json={"email": alice.email, "password": "correct-horse-1"})
    assert r.status_code == 200
    assert r.json()["user"]["id"] == alice.id


def test_login_with_a_wrong_password_or_unknown_email_is_401(client: TestClient, alice: User) -> None:
    assert client.post("/api/auth/login", json={"email": alice.email, "password": "wrong-pass"}).status_code == 401
    r = client.post("/api/auth/login", json={"email": "ghost@example.com", "password": "whatever12"})
    assert r.status_code == 401


def test_passwords_are_stored_hashed_with_argon2(client: TestClient, alice: User, database_url: str) -> None:
    import psycopg

    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT password_hash FROM users WHERE id = %s", (alice.id,)).fetchone()
    assert row is not None
    stored = row[0]
    assert stored.startswith("$argon2id$") and "correct-horse-1" not in stored


def test_no_token_is_401(client: TestClient, alice: User) -> None:
    r = client.get(f"/api/{alice.id}/tasks")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"


def test_a_bad_or_expired_token_is_401(client: TestClient, alice: User) -> None:
    bad = {"Authorization": "Bearer not-a-jwt"}
    assert client.get(f"/api/{alice.id}/tasks", headers=bad).status_code == 401
    wrong_key = jwt.encode({"sub": alice.id, "exp": datetime.now(UTC) + timedelta(hours=1)}, "k" * 40, "HS256")
    assert client.get(f"/api/{alice.id}/tasks", headers={"Authorization": f"Bearer {wrong_key}"}).status_code == 401
    expired = jwt.encode({"sub": alice.id, "exp": datetime.now(UTC) - timedelta(minutes=1)}, JWT_SECRET, "HS256")
    assert client.get(f"/api/{alice.id}/tasks", headers={"Authorization": f"Bearer {expired}"}).status_code == 401
    none_alg = jwt.encode({"sub": alice.id, "exp": datetime.now(UTC) + timedelta(hours=1)}, "", "none")
    assert client.get(f"/api/{alice.id}/tasks", headers={"Authorization": f"Bearer {none_alg}"}).status_code == 401


def test_a_path_user_id_that_is_not_the_token_subject_is_403(client: TestClient, alice: User, bob: User) -> None:
    for method, path in [
        ("GET", "tasks"),
        ("POST", "tasks"),
        ("GET", "tasks/1"),
        ("PUT", "tasks/1"),
        ("DELETE", "tasks/1"),
        ("PATCH", "tasks/1/complete"),
        ("POST", "chat"),
        ("GET", "conversations"),
        ("GET", "conversations/1/messages"),
    ]:
        r = client.request(method, f"/api/{bob.id}/{path}", headers=alice.headers, json={"title": "x", "message": "x"})
        assert r.status_code == 403, (method, path, r.status_code)


def test_token_expiry_follows_jwt_expire_minutes(app_factory) -> None:
    client = app_factory(jwt_expire_minutes=5)
    user = register(client)
    claims = jwt.decode(user.token, JWT_SECRET, algorithms=["HS256"])
    assert claims["exp"] - claims["iat"] == 300

"""Chat with the local provider: the phrases it must understand, persistence, statelessness."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import User, register


def say(client: TestClient, user: User, message: str, conversation_id: int | None = None) -> dict:
    body: dict = {"message": message}
    if conversation_id is not None:
        body["conversation_id"] = conversation_id
    r = client.post(f"/api/{user.id}/chat", headers=user.headers, json=body)
    assert r.status_code == 200, r.text
    return r.json()


def tasks(client: TestClient, user: User) -> list[dict]:
    return client.get(f"/api/{user.id}/tasks", headers=user.headers).json()


def add(client: TestClient, user: User, title: str) -> int:
    r = client.post(f"/api/{user.id}/tasks", headers=user.headers, json={"title": title})
    return int(r.json()["id"])


@pytest.mark.parametrize(
    ("message", "title"),
    [
        ("Add a task to buy groceries", "Buy groceries"),
        ("add task: call the plumber", "Call the plumber"),
        ("Please create a new task called 'Water the plants'", "Water the plants"),
        ("I need to remember to pay bills", "Pay bills"),
        ("Remind me to book the dentist.", "Book the dentist"),
        ("Add walk the dog to my todo list", "Walk the dog"),
    ],
)
def test_add_phrases_create_a_task(client: TestClient, alice: User, message: str, title: str) -> None:
    reply = say(client, alice, message)
    [call] = reply["tool_calls"]
    assert call["tool"] == "add_task"
    assert call["result"]["status"] == "created" and call["result"]["title"] == title
    assert [t["title"] for t in tasks(client, alice)] == [title]
    assert title in reply["response"]


def test_list_phrases_use_the_right_status(client: TestClient, alice: User) -> None:
    a = add(client, alice, "Buy groceries")
    b = add(client, alice, "Pay bills")
    client.patch(f"/api/{alice.id}/tasks/{b}/complete", headers=alice.headers)
    cases = {
        "Show me all my tasks": ("all", {a, b}),
        "list my tasks": ("all", {a, b}),
        "What's pending?": ("pending", {a}),
        "which tasks are still pending": ("pending", {a}),
        "What have I completed?": ("completed", {b}),
        "show completed tasks": ("completed", {b}),
    }
    for message, (status, ids) in cases.items():
        reply = say(client, alice, message)
        [call] = reply["tool_calls"]
        assert call["tool"] == "list_tasks" and call["args"] == {"status": status}, message
        assert {t["id"] for t in call["result"]} == ids, message


@pytest.mark.parametrize("message", ["Mark task {tid} as complete", "complete task {tid}", "task #{tid} is done"])
def test_mark_task_n_as_complete(client: TestClient, alice: User, message: str) -> None:
    tid = add(client, alice, "Report")
    reply = say(client, alice, message.format(tid=tid))
    assert reply["tool_calls"] == [
        {
            "tool": "complete_task",
            "args": {"task_id": tid},
            "result": {"task_id": tid, "status": "completed", "title": "Report"},
        }
    ]
    assert reply["response"] == f'Marked task {tid} "Report" as done.'
    assert tasks(client, alice)[0]["completed"] is True


def test_completing_a_done_task_again_changes_nothing(client: TestClient, alice: User) -> None:
    tid = add(client, alice, "Report")
    say(client, alice, f"complete task {tid}")
    reply = say(client, alice, f"task #{tid} is done")
    assert reply["tool_calls"] == []
    assert reply["response"] == f'Task {tid} "Report" was already done.'


def test_delete_by_title_words(client: TestClient, alice: User) -> None:
    add(client, alice, "Buy groceries")
    meeting = add(client, alice, "Prepare the team meeting agenda")
    reply = say(client, alice, "Delete the meeting task")
    assert reply["tool_calls"] == [
        {
            "tool": "delete_task",
            "args": {"task_id": meeting},
            "result": {"task_id": meeting, "status": "deleted", "title": "Prepare the team meeting agenda"},
        }
    ]
    assert [t["title"] for t in tasks(client, alice)] == ["Buy groceries"]


def test_delete_by_title_asks_when_ambiguous_or_unknown(client: TestClient, alice: User) -> None:
    add(client, alice, "Meeting with Ann")
    add(client, alice, "Meeting with Bo")
    reply = say(client, alice, "remove the meeting task")
    assert reply["tool_calls"] == [] and "Which one" in reply["response"]
    reply = say(client, alice, "delete the dentist task")
    assert reply["tool_calls"] == [] and "couldn't find" in reply["response"]
    assert len(tasks(client, alice)) == 2


def test_delete_task_n(client: TestClient, alice: User) -> None:
    tid = add(client, alice, "Old")
    reply = say(client, alice, f"delete task {tid}")
    assert reply["tool_calls"][0]["result"]["status"] == "deleted"
    assert tasks(client, alice) == []


def test_change_task_title(client: TestClient, alice: User) -> None:
    tid = add(client, alice, "Call mom")
    reply = say(client, alice, f"Change task {tid} to 'Call mom tonight'")
    assert reply["tool_calls"][0]["tool"] == "update_task"
    assert reply["tool_calls"][0]["result"] == {"task_id": tid, "status": "updated", "title": "Call mom tonight"}
    assert tasks(client, alice)[0]["title"] == "Call mom tonight"
    say(client, alice, f'rename task {tid} to "Call dad"')
    assert tasks(client, alice)[0]["title"] == "Call dad"


def test_missing_or_foreign_task_is_task_n_not_found(client: TestClient, alice: User, bob: User) -> None:
    tid = add(client, alice, "Alice's")
    for message in (f"Mark task {tid} as complete", f"delete task {tid}", f"change task {tid} to 'x'"):
        reply = say(client, bob, message)
        assert reply["tool_calls"][0]["result"] == {"error": f"Task {tid} not found"}
        assert f"Task {tid} not found" in reply["response"]
    assert tasks(client, alice)[0]["title"] == "Alice's"


def test_unknown_input_gets_a_helpful_answer_and_changes_nothing(client: TestClient, alice: User) -> None:
    reply = say(client, alice, "what is the meaning of life")
    assert reply["tool_calls"] == [] and "Add a task to buy groceries" in reply["response"]
    reply = say(client, alice, "hello")
    assert reply["tool_calls"] == [] and '"help"' in reply["response"]
    reply = say(client, alice, "asdfgh")  # a short phrase: offered as a task, never added unasked
    assert reply["tool_calls"] == [] and reply["response"].startswith('Should I add "Asdfgh" as a new task?')
    assert tasks(client, alice) == []


def test_conversation_history_is_stored_and_listed(client: TestClient, alice: User, bob: User) -> None:
    first = say(client, alice, "Add a task to buy groceries")
    cid = first["conversation_id"]
    second = say(client, alice, "Show me all my tasks", cid)
    assert second["conversation_id"] == cid
    convs = client.get(f"/api/{alice.id}/conversations", headers=alice.headers).json()
    assert [c["id"] for c in convs] == [cid]
    msgs = client.get(f"/api/{alice.id}/conversations/{cid}/messages", headers=alice.headers).json()
    assert [m["role"] for m in msgs] == ["user", "assistant", "user", "assistant"]
    assert msgs[0]["content"] == "Add a task to buy groceries"
    assert msgs[1]["tool_calls"][0]["tool"] == "add_task"
    assert msgs[2]["tool_calls"] is None
    # bob sees neither the conversation nor its messages, and cannot post into it
    assert client.get(f"/api/{bob.id}/conversations", headers=bob.headers).json() == []
    assert client.get(f"/api/{bob.id}/conversations/{cid}/messages", headers=bob.headers).status_code == 404
    r = client.post(f"/api/{bob.id}/chat", headers=bob.headers, json={"message": "hi", "conversation_id": cid})
    assert r.status_code == 404


def test_chat_validation(client: TestClient, alice: User) -> None:
    url = f"/api/{alice.id}/chat"
    assert client.post(url, headers=alice.headers, json={"message": ""}).status_code == 422
    assert client.post(url, headers=alice.headers, json={}).status_code == 422
    assert client.post(url, headers=alice.headers, json={"message": "x" * 4001}).status_code == 422
    r = client.post(url, headers=alice.headers, json={"message": "hi", "conversation_id": 999999})
    assert r.status_code == 404


def test_conversation_continues_on_another_app_instance(app_factory: Callable[..., TestClient]) -> None:
    one, two = app_factory(), app_factory()
    user = register(one)
    first = say(one, user, "Add a task to buy groceries")
    second = say(two, user, "What's pending?", first["conversation_id"])
    assert second["conversation_id"] == first["conversation_id"]
    assert [t["title"] for t in second["tool_calls"][0]["result"]] == ["Buy groceries"]
    msgs = one.get(f"/api/{user.id}/conversations/{first['conversation_id']}/messages", headers=user.headers).json()
    assert len(msgs) == 4


def test_tool_effects_are_stored_with_the_conversation_even_when_the_reply_fails(
    client: TestClient, alice: User
) -> None:
    """A provider that fails after a tool call: the request fails, and the stored conversation
    still lists the change the tool made (committed together), under a placeholder reply."""
    from app.agent.base import AgentReply, Tools
    from app.api.routes.chat import PENDING_REPLY

    class FailsAfterOneTool:
        def reply(self, tools: Tools, history: list[dict[str, str]], message: str) -> AgentReply:
            tools.call("add_task", {"title": "Made before the failure"})
            raise RuntimeError("the model went away")

    app = cast(FastAPI, client.app)
    working = app.state.provider
    app.state.provider = FailsAfterOneTool()
    try:
        with pytest.raises(RuntimeError, match="the model went away"):  # the client saw a 500
            client.post(f"/api/{alice.id}/chat", headers=alice.headers, json={"message": "add something"})
    finally:
        app.state.provider = working
    [task] = tasks(client, alice)
    assert task["title"] == "Made before the failure"
    [conv] = client.get(f"/api/{alice.id}/conversations", headers=alice.headers).json()
    msgs = client.get(f"/api/{alice.id}/conversations/{conv['id']}/messages", headers=alice.headers).json()
    assert [m["role"] for m in msgs] == ["user", "assistant"]
    assert msgs[1]["content"] == PENDING_REPLY
    [call] = msgs[1]["tool_calls"]
    assert call["tool"] == "add_task" and call["result"]["task_id"] == task["id"]


def test_every_interface_refuses_a_title_over_the_one_limit(client: TestClient, alice: User) -> None:
    from app.agent.tools import TOOL_SPECS
    from app.schemas import TITLE_MAX_LENGTH
    from tests.test_mcp import call

    longest, too_long = "x" * TITLE_MAX_LENGTH, "x" * (TITLE_MAX_LENGTH + 1)
    url = f"/api/{alice.id}/tasks"
    assert client.post(url, headers=alice.headers, json={"title": too_long}).status_code == 422
    assert client.post(url, headers=alice.headers, json={"title": longest}).status_code == 201
    assert call(client, alice, "add_task", title=too_long) == {
        "error": f"title must be at most {TITLE_MAX_LENGTH} characters"
    }
    assert call(client, alice, "add_task", title=longest)["status"] == "created"
    add_spec = next(s for s in TOOL_SPECS if s["function"]["name"] == "add_task")
    assert (
        f"1-{TITLE_MAX_LENGTH} characters" in add_spec["function"]["parameters"]["properties"]["title"]["description"]
    )

"""The `local` chat provider: deterministic, offline. The planner (app/agent/planner) reads the
message; this module only runs the calls it plans through the shared task tools and reports them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.agent.base import AgentReply
from app.agent.planner import TaskView, plan, result_line
from app.agent.tools import call_tool, list_tasks


class LocalProvider:
    def reply(self, db: Session, user_id: str, history: list[dict[str, str]], message: str) -> AgentReply:
        tasks = [TaskView(t["id"], t["title"], t["description"], t["completed"]) for t in list_tasks(db, user_id)]
        steps = plan(message, history, tasks)
        before = {t.id: t for t in tasks}
        calls: list[dict[str, Any]] = []
        lines: list[str] = []
        for call in steps.calls:
            result = call_tool(db, user_id, call.tool, call.args)
            calls.append({"tool": call.tool, "args": call.args, "result": result})
            lines.append(result_line(call.tool, call.args, result, before, call.focus))
        return AgentReply("\n".join([*lines, *steps.say]), calls)

"""The `local` chat provider: deterministic, offline. The planner (app/agent/planner) reads the
message; this module only runs the calls it plans through the shared task tools and reports them."""

from __future__ import annotations

from typing import Any

from app.agent.base import AgentReply, Tools
from app.agent.planner import TaskView, plan, result_line


class LocalProvider:
    def reply(self, tools: Tools, history: list[dict[str, str]], message: str) -> AgentReply:
        tasks = [TaskView(t["id"], t["title"], t["description"], t["completed"]) for t in tools.list_tasks()]
        steps = plan(message, history, tasks)
        before = {t.id: t for t in tasks}
        calls: list[dict[str, Any]] = []
        lines: list[str] = []
        for call in steps.calls:
            result = tools.call(call.tool, call.args)
            calls.append({"tool": call.tool, "args": call.args, "result": result})
            lines.append(result_line(call.tool, call.args, result, before, call.focus))
        return AgentReply("\n".join([*lines, *steps.say]), calls)

"""The local provider's planner: a message, the conversation so far and the user's tasks in; tool
calls (or a question) out. Pure and deterministic: no database, no network, no model."""

from app.agent.planner.match import TaskView
from app.agent.planner.plan import Call, Plan, plan
from app.agent.planner.wording import result_line

__all__ = ["Call", "Plan", "TaskView", "plan", "result_line"]

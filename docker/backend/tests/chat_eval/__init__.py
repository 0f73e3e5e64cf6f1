"""The chat evaluation: everyday messages (cases.yaml) run through the real API, each against a
fresh account, scored by their effect on the task list (`make chat-eval`, tests/test_chat_eval.py)."""

"""`make chat-eval`: runs the evaluation set against a private PostgreSQL and prints the scores.

    python -m tests.chat_eval [--provider local|openai] [--intent NAME] [--case TEXT] [--quiet]

Exits 0 when the bar is met (>= 90 % right, no wrong write), 1 when it is not, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from fastapi.testclient import TestClient

from app.main import create_app
from tests.chat_eval.cases import CaseError, load_cases
from tests.chat_eval.report import failures, passed, scores, table
from tests.chat_eval.runner import run_cases
from tests.conftest import make_settings, migrated_pg


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.chat_eval", description=__doc__.splitlines()[0])
    parser.add_argument("--provider", choices=("local", "openai"), default="local", help="chat provider to evaluate")
    parser.add_argument("--intent", action="append", default=[], help="only cases of this intent (repeatable)")
    parser.add_argument("--case", default="", help="only cases whose id contains this text")
    parser.add_argument("--quiet", action="store_true", help="list the failed cases without the replies")
    args = parser.parse_args(argv)

    if args.provider == "openai" and not os.environ.get("OPENAI_API_KEY"):
        print("chat-eval: --provider openai needs OPENAI_API_KEY in the environment", file=sys.stderr)
        return 2
    try:
        cases = load_cases()
    except CaseError as exc:
        print(f"chat-eval: {exc}", file=sys.stderr)
        return 2
    known = {c.intent for c in cases}
    unknown = [i for i in args.intent if i not in known]
    if unknown:
        print(f"chat-eval: unknown intent {unknown[0]!r}; known: {', '.join(sorted(known))}", file=sys.stderr)
        return 2
    cases = [c for c in cases if (not args.intent or c.intent in args.intent) and args.case in c.id]
    if not cases:
        print("chat-eval: no case matches the filters", file=sys.stderr)
        return 2

    # Warnings and errors only, in one line each (the app's request log would bury the report).
    logging.basicConfig(level=logging.WARNING, format="chat-eval: %(levelname)s %(name)s: %(message)s")
    print(f"chat-eval: {len(cases)} cases against the {args.provider} provider (private PostgreSQL)", flush=True)
    with migrated_pg() as pg:
        app = create_app(make_settings(pg.url, chat_provider=args.provider))
        with TestClient(app) as client:
            results = run_cases(client, cases)
    details = failures(results, with_replies=not args.quiet)
    if details:
        print(details)
    print(table(results))
    return 0 if passed(scores(results)[1]) else 1


if __name__ == "__main__":
    sys.exit(main())

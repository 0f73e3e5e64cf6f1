"""python3 -m chaos run|native|report|soak: see `python3 -m chaos --help` and docs/chaos.md."""

from __future__ import annotations

import argparse
import sys

from chaos import native, report, scenarios, soak


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m chaos", description=__doc__)
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, mod, summary in (
        ("run", scenarios, "the chaos scenarios against the running stack (make chaos-test)"),
        ("native", native, "the same scenarios against a stack started on this machine (make chaos-native)"),
        ("report", report, "rebuild a chaos run's HTML from its report.json (make chaos-report)"),
        ("soak", soak, "steady use for a long time: memory, errors and latency over time (make soak)"),
    ):
        p = sub.add_parser(
            name, help=summary, description=mod.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        mod.add_arguments(p)
        p.set_defaults(func=mod.main)
    args = ap.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())

"""Scores evaluation results: accuracy per intent and overall, wrong writes, and the misses explained."""

from __future__ import annotations

from dataclasses import dataclass

from tests.chat_eval.judge import MISS, RIGHT, WRONG_WRITE
from tests.chat_eval.runner import CaseResult

MIN_ACCURACY = 0.90


@dataclass(frozen=True)
class Score:
    name: str
    cases: int
    right: int
    wrong_writes: int
    misses: int

    @property
    def accuracy(self) -> float:
        return self.right / self.cases if self.cases else 0.0


def score(name: str, results: list[CaseResult]) -> Score:
    outcomes = [r.outcome for r in results]
    return Score(name, len(results), outcomes.count(RIGHT), outcomes.count(WRONG_WRITE), outcomes.count(MISS))


def scores(results: list[CaseResult]) -> tuple[list[Score], Score]:
    """Per intent, in the order the intents first appear, then overall."""
    intents = list(dict.fromkeys(r.case.intent for r in results))
    per_intent = [score(i, [r for r in results if r.case.intent == i]) for i in intents]
    return per_intent, score("overall", results)


def passed(overall: Score) -> bool:
    return overall.cases > 0 and overall.wrong_writes == 0 and overall.accuracy >= MIN_ACCURACY


def table(results: list[CaseResult]) -> str:
    per_intent, overall = scores(results)
    lines = [f"{'intent':<14}{'cases':>6}{'right':>7}{'wrong writes':>14}{'other misses':>14}{'accuracy':>10}"]
    for s in [*per_intent, overall]:
        if s is overall:
            lines.append("-" * len(lines[0]))
        lines.append(f"{s.name:<14}{s.cases:>6}{s.right:>7}{s.wrong_writes:>14}{s.misses:>14}{s.accuracy:>9.1%}")
    messages = sum(len(r.case.turns) for r in results)
    lines.append(
        f"{overall.cases} cases ({messages} messages): {overall.accuracy:.1%} right, "
        f"{overall.wrong_writes} wrong writes (the bar: >= {MIN_ACCURACY:.0%} right, 0 wrong writes)"
    )
    return "\n".join(lines)


def failures(results: list[CaseResult], with_replies: bool = True) -> str:
    """Every case that was not right: what was said, what went wrong, and what the assistant answered."""
    blocks = []
    for r in results:
        if r.outcome == RIGHT:
            continue
        lines = [f"{r.outcome.upper()}: {r.case.id} ({r.case.intent})"]
        for t in r.turns:
            lines.append(f"  > {t.message}")
            lines += [f"    - {reason}" for reason in t.verdict.reasons]
            if with_replies:
                lines += [f"    < {line}" for line in t.reply.splitlines()[:6]]
        blocks.append("\n".join(lines))
    return "\n".join(blocks)

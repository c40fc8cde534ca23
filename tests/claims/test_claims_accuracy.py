"""Accuracy of the claim checker on articles written for the tests, against hand-written gold."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from jakguide.claims import check_text
from jakguide.kb.base import Knowledge

ARTICLES = Path(__file__).parent / "articles"


@dataclass
class Score:
    predicted: int = 0
    gold: int = 0
    correct: int = 0
    predicted_false: int = 0
    correct_false: int = 0
    unexpected: list[str] | None = None

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 1.0

    @property
    def false_precision(self) -> float:
        return self.correct_false / self.predicted_false if self.predicted_false else 1.0


def gold(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ARTICLES / f"{name}.gold.yaml").read_text())
    return data


def key(c: dict[str, Any]) -> tuple[str, str | None, str]:
    return (c["agent"], c["condition"], c["kind"])


def score(names: list[str], kb: Knowledge) -> Score:
    """Claims matched as a multiset of (agent, condition, kind, verdict) per article."""
    s = Score(unexpected=[])
    assert s.unexpected is not None
    for name in names:
        g = gold(name)
        expected = Counter((*key(c), c["verdict"]) for c in g["claims"])
        text = (ARTICLES / f"{name}.txt").read_text()
        report = check_text(text, kb, g["region"])
        s.gold += len(g["claims"])
        for c in report.claims:
            item = (c.agent, c.condition, c.kind, c.verdict)
            s.predicted += 1
            ok = expected[item] > 0
            if ok:
                expected[item] -= 1
            s.correct += ok
            if c.verdict == "false":
                s.predicted_false += 1
                s.correct_false += ok
            if not ok:
                s.unexpected.append(f"{name}: {item} ({c.text[:60]!r})")
    return s


DOCUMENTED = (82, 82, 86)  # predicted, correct, gold claims
ALL = sorted(p.name.removesuffix(".gold.yaml") for p in ARTICLES.glob("*.gold.yaml"))


def test_precision_on_false_is_one(kb: Knowledge) -> None:
    """No claim in the test articles is judged false when the knowledge says otherwise."""
    s = score(ALL, kb)
    assert s.predicted_false > 0
    assert s.false_precision == 1.0, s.unexpected


def test_precision_and_recall_as_documented(kb: Knowledge) -> None:
    """The numbers docs/claim-checker.md states (update both together)."""
    s = score(ALL, kb)
    assert s.unexpected == []
    assert (s.predicted, s.correct, s.gold) == DOCUMENTED, (s.predicted, s.correct, s.gold)
    doc = (Path(__file__).parents[2] / "docs" / "claim-checker.md").read_text()
    assert f"precision {s.precision:.2f}" in doc
    assert f"recall {s.recall:.2f}" in doc


def test_every_gold_claim_not_marked_missed_is_found(kb: Knowledge) -> None:
    for name in ALL:
        g = gold(name)
        report = check_text((ARTICLES / f"{name}.txt").read_text(), kb, g["region"])
        found = {(c.agent, c.condition, c.kind) for c in report.claims}
        for c in g["claims"]:
            if not c.get("missed"):
                assert key(c) in found, (name, c)

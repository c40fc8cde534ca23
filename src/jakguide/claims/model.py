"""What the claim checker returns: one ``Claim`` per agent and condition a statement names."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Verdict = Literal["true", "false", "partly-true", "not-checkable"]
VERDICTS: tuple[Verdict, ...] = ("true", "false", "partly-true", "not-checkable")
CLASS = "class"

# What the checker looks for, stated in every JSON output so that silence is interpretable.
KINDS: dict[str, str] = {
    "approval": "an agent (or the class) is / is not approved, licensed or indicated for a "
    "condition, or 'used for' it; lists, negation, hedges, table rows and 'These include ...'",
    "first-approved": "an agent is 'the first' or 'the only' one approved for a condition "
    "(false only if it was never approved for it)",
    "selectivity": "the kinases an agent inhibits (JAK1, JAK2, JAK3, TYK2) as labelled",
    "route": "taken by mouth / applied to the skin / injected",
    "frequency": "once daily / twice daily / once or twice daily",
    "dose": "a dose in mg named next to an agent",
    "onset": "how soon it works (always not-checkable: the knowledge holds no onset)",
    "boxed-warning": "an agent or the class carries a boxed warning (US)",
    "side-effect": "'side effects of X include A, B and C' (a term the knowledge does not hold "
    "is not-checkable, never false)",
    "pregnancy": "safe in pregnancy / avoid in pregnancy, against the region's label",
    "monitoring": "blood tests / no blood tests needed / cholesterol, blood counts, liver tests",
}
NOT_LOOKED_FOR = "interactions, contraindications and efficacy figures are not extracted yet"
DISCLAIMER = (
    "Checks statements against the regulators' labels as held in the jakguide knowledge; "
    "not medical advice and not a substitute for clinical judgement."
)


@dataclass(frozen=True)
class Evidence:
    fact: str
    source: dict[str, str]


@dataclass(frozen=True)
class Claim:
    text: str
    start: int
    end: int
    agent: str
    condition: str | None
    kind: str
    verdict: Verdict
    evidence: list[Evidence] = field(default_factory=list)
    correction: str | None = None
    region: str = "US"
    asserted: str = ""  # what the text says, e.g. "approved", "not approved", "once daily"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Report:
    claims: list[Claim]
    region: str
    knowledge_version: str

    def summary(self) -> dict[str, Any]:
        by_verdict = {v: sum(c.verdict == v for c in self.claims) for v in VERDICTS}
        by_kind: dict[str, int] = {}
        for c in self.claims:
            by_kind[c.kind] = by_kind.get(c.kind, 0) + 1
        return {
            "region": self.region,
            "knowledge_version": self.knowledge_version,
            "claims": len(self.claims),
            "verdicts": by_verdict,
            "kinds": by_kind,
            "kinds_checked": KINDS,
            "not_looked_for": NOT_LOOKED_FOR,
            "disclaimer": DISCLAIMER,
        }

    def as_dict(self) -> dict[str, Any]:
        return {"claims": [c.as_dict() for c in self.claims], "summary": self.summary()}

"""Treat-to-target and response review points, as data plus small pure functions.

The assessment engine calls :func:`review_points` (when to review, no patient data needed) and
:func:`treat_to_target` (is the target met at the review?). Both return findings-like dicts
(``rule``, ``kind``, ``severity``, ``message``, ``facts``, ``sources``) in the shape of the
engine's findings. Only published thresholds are used:

* Plaque psoriasis, NPF treatment targets (Armstrong et al. 2017): assess at 3 months after
  initiation; acceptable response BSA <= 3 % or BSA improvement >= 75 %; target BSA <= 1 %;
  in maintenance evaluate every 6 months with target BSA <= 1 %.
* Axial SpA (ASAS-EULAR 2022, Ramiro et al. 2023; NICE TA383): assess response after at
  least 12 weeks; the ASDAS improvement thresholds are those of Machado 2011 (>= 1.1
  clinically important, >= 2.0 major).

Drug-label review points (e.g. "no benefit after 24 weeks") live in the knowledge base and are
read by the engine, not here.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from jakguide.instruments import asdas
from jakguide.instruments._exact import check_number, fmt, percent_change
from jakguide.instruments.errors import InstrumentInputError
from jakguide.instruments.model import SourceRef
from jakguide.instruments.sources import cite

__all__ = [
    "AXSPA_CONDITIONS",
    "PSORIASIS_CONDITIONS",
    "REVIEW_POINTS",
    "ReviewPoint",
    "add_months",
    "review_points",
    "treat_to_target",
]

# NPF treatment targets, Armstrong 2017: "The most preferred time for evaluating patient
# response after starting new therapies was at 3 months. The acceptable response at 3 months
# postinitiation was either BSA 3% or less or BSA improvement 75% or more from baseline. The
# target response at 3 months postinitiation was BSA 1% or less. During the maintenance
# period, evaluation every 6 months was most preferred."
NPF_FIRST_REVIEW_MONTHS = 3
NPF_MAINTENANCE_REVIEW_MONTHS = 6
NPF_TARGET_BSA_PERCENT = Fraction(1)
NPF_ACCEPTABLE_BSA_PERCENT = Fraction(3)
NPF_ACCEPTABLE_IMPROVEMENT_PERCENT = Fraction(75)

# Axial SpA: response assessed "after at least 12 weeks" (ASAS-EULAR 2022 algorithm, wording
# not verified verbatim); NICE TA383 (verified): "assessed 12 weeks after the start of treatment".
AXSPA_FIRST_REVIEW_WEEKS = 12

BSA_PERCENT_MAX = Fraction(100)  # BSA is a percentage of body surface
MONTHS_PER_YEAR = 12  # calendar arithmetic, not a clinical number
DAYS_PER_WEEK = 7  # calendar arithmetic, not a clinical number

PSORIASIS_CONDITIONS: tuple[str, ...] = ("plaque-psoriasis",)
AXSPA_CONDITIONS: tuple[str, ...] = (
    "ankylosing-spondylitis",
    "non-radiographic-axial-spondyloarthritis",
    "axial-spondyloarthritis",
)

_NPF_SOURCES: tuple[SourceRef, ...] = (
    cite("armstrong-2017", "abstract: treatment targets at 3 months and in maintenance"),
)
_AXSPA_SOURCES: tuple[SourceRef, ...] = (
    cite("ramiro-2023", "treatment algorithm: assess response after at least 12 weeks"),
    cite("nice-ta383", "recommendations: response assessed 12 weeks after the start of treatment"),
    cite("machado-2011", "ASDAS improvement: >= 1.1 clinically important, >= 2.0 major"),
)


@dataclass(frozen=True)
class ReviewPoint:
    """When to review the response to a new systemic treatment, and against what."""

    id: str
    conditions: tuple[str, ...]
    instrument: str
    message: str
    sources: tuple[SourceRef, ...]
    after_months: int | None = None
    after_weeks: int | None = None
    repeat_months: int | None = None
    verified: bool = True
    note: str = ""


REVIEW_POINTS: tuple[ReviewPoint, ...] = (
    ReviewPoint(
        id="npf-bsa-3-months",
        conditions=PSORIASIS_CONDITIONS,
        instrument="bsa",
        message=(
            f"Assess response {NPF_FIRST_REVIEW_MONTHS} months after starting a new therapy:"
            f" target BSA <= {fmt(NPF_TARGET_BSA_PERCENT)}%; acceptable BSA <="
            f" {fmt(NPF_ACCEPTABLE_BSA_PERCENT)}% or >="
            f" {fmt(NPF_ACCEPTABLE_IMPROVEMENT_PERCENT)}% BSA improvement from baseline"
            " (NPF treatment targets)."
        ),
        sources=_NPF_SOURCES,
        after_months=NPF_FIRST_REVIEW_MONTHS,
    ),
    ReviewPoint(
        id="npf-bsa-maintenance",
        conditions=PSORIASIS_CONDITIONS,
        instrument="bsa",
        message=(
            f"In maintenance, evaluate every {NPF_MAINTENANCE_REVIEW_MONTHS} months: target"
            f" BSA <= {fmt(NPF_TARGET_BSA_PERCENT)}% (NPF treatment targets)."
        ),
        sources=_NPF_SOURCES,
        after_months=NPF_FIRST_REVIEW_MONTHS + NPF_MAINTENANCE_REVIEW_MONTHS,
        repeat_months=NPF_MAINTENANCE_REVIEW_MONTHS,
        note="Scheduling assumption: maintenance starts after the 3-month assessment, so the"
        " first maintenance evaluation falls at 9 months (NPF states only 'every 6 months').",
    ),
    ReviewPoint(
        id="axspa-response-12-weeks",
        conditions=AXSPA_CONDITIONS,
        instrument="asdas",
        message=(
            f"Assess the response to a b/tsDMARD after at least {AXSPA_FIRST_REVIEW_WEEKS}"
            " weeks (ASAS-EULAR 2022; NICE TA383): an ASDAS fall of >= 1.1 is a clinically"
            " important improvement, >= 2.0 a major improvement (Machado 2011)."
        ),
        sources=_AXSPA_SOURCES,
        after_weeks=AXSPA_FIRST_REVIEW_WEEKS,
        verified=False,
        note="The ASAS-EULAR algorithm wording was not verified verbatim; NICE TA383 (verified)"
        " also assesses response at 12 weeks.",
    ),
)


def add_months(day: date, months: int) -> date:
    """Same day ``months`` calendar months later, clamped to the month's last day."""
    index = day.year * MONTHS_PER_YEAR + day.month - 1 + months
    year, month0 = divmod(index, MONTHS_PER_YEAR)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def _first_due(point: ReviewPoint, start: date) -> date:
    if point.after_weeks is not None:
        return start + timedelta(days=point.after_weeks * DAYS_PER_WEEK)
    return add_months(start, point.after_months or 0)


def _schedule(point: ReviewPoint, start: date, as_of: date) -> dict[str, Any]:
    due = _first_due(point, start)
    if point.repeat_months:
        steps = 0
        while add_months(due, point.repeat_months * (steps + 1)) <= as_of:
            steps += 1
        due = add_months(due, point.repeat_months * steps)
    status = "due" if as_of >= due else "upcoming"
    return {"due_from": due.isoformat(), "status": status}


def _finding(
    rule: str,
    message: str,
    sources: tuple[SourceRef, ...],
    *,
    severity: str = "info",
    kind: str = "response",
    facts: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "rule": f"instruments.targets.{rule}",
        "kind": kind,
        "severity": severity,
        "message": message,
        "facts": facts or [],
        "sources": [dict(s) for s in sources],
    }


def review_points(
    condition: str, *, start: date | None = None, as_of: date | None = None
) -> list[dict[str, Any]]:
    """Response review points for ``condition`` as findings-like dicts.

    With ``start`` (treatment start) and ``as_of`` each finding also has ``due_from`` (ISO
    date; for repeating points the latest occurrence on or before ``as_of``, else the first)
    and ``status`` (``upcoming`` or ``due``). Conditions without a published review point
    return an empty list.
    """
    out: list[dict[str, Any]] = []
    for point in REVIEW_POINTS:
        if condition not in point.conditions:
            continue
        facts = [f"instrument={point.instrument}", f"verified={str(point.verified).lower()}"]
        if point.after_weeks is not None:
            facts.append(f"review_after_weeks={point.after_weeks}")
        if point.after_months is not None:
            facts.append(f"review_after_months={point.after_months}")
        if point.repeat_months is not None:
            facts.append(f"repeat_every_months={point.repeat_months}")
        if point.note:
            facts.append(f"note={point.note}")
        finding = _finding(point.id, point.message, point.sources, facts=facts)
        if start is not None:
            finding.update(_schedule(point, start, as_of or date.today()))
        out.append(finding)
    return out


def _bsa(value: Any, field: str) -> Fraction:
    return check_number(value, field, Fraction(0), BSA_PERCENT_MAX, unit="%")


def _psoriasis(
    baseline: Any, current: Any, start: date | None, as_of: date | None
) -> list[dict[str, Any]]:
    now = _bsa(current, "current")
    base = None if baseline is None else _bsa(baseline, "baseline")
    findings: list[dict[str, Any]] = []
    if start is not None and as_of is not None:
        due = add_months(start, NPF_FIRST_REVIEW_MONTHS)
        if as_of < due:
            findings.append(
                _finding(
                    "npf-bsa-3-months",
                    f"Before the NPF assessment point ({NPF_FIRST_REVIEW_MONTHS} months after"
                    f" initiation, {due.isoformat()}): the BSA below is provisional.",
                    _NPF_SOURCES,
                    facts=[f"due_from={due.isoformat()}"],
                )
            )
    facts = [f"bsa_current={fmt(now)}"]
    pct = None if base is None else percent_change(base, now)
    if base is not None:
        facts.append(f"bsa_baseline={fmt(base)}")
    if pct is not None:
        facts.append(f"bsa_improvement_percent={fmt(pct)}")
    target = now <= NPF_TARGET_BSA_PERCENT
    acceptable: bool | None
    if now <= NPF_ACCEPTABLE_BSA_PERCENT or (
        pct is not None and pct >= NPF_ACCEPTABLE_IMPROVEMENT_PERCENT
    ):
        acceptable = True
    elif pct is None:
        acceptable = None  # above 3 % and the improvement criterion cannot be assessed
    else:
        acceptable = False
    if target:
        findings.append(
            _finding(
                "npf-bsa-target",
                f"BSA {fmt(now)}% meets the NPF target (BSA <= {fmt(NPF_TARGET_BSA_PERCENT)}%);"
                f" in maintenance evaluate every {NPF_MAINTENANCE_REVIEW_MONTHS} months.",
                _NPF_SOURCES,
                facts=facts,
            )
        )
    elif acceptable:
        findings.append(
            _finding(
                "npf-bsa-acceptable",
                f"BSA {fmt(now)}% is an NPF acceptable response (BSA <="
                f" {fmt(NPF_ACCEPTABLE_BSA_PERCENT)}% or >="
                f" {fmt(NPF_ACCEPTABLE_IMPROVEMENT_PERCENT)}% improvement) but above the target"
                f" BSA <= {fmt(NPF_TARGET_BSA_PERCENT)}%.",
                _NPF_SOURCES,
                facts=facts,
            )
        )
    elif acceptable is False:
        findings.append(
            _finding(
                "npf-bsa-not-acceptable",
                f"BSA {fmt(now)}% is neither the NPF target (BSA <="
                f" {fmt(NPF_TARGET_BSA_PERCENT)}%) nor an acceptable response (BSA <="
                f" {fmt(NPF_ACCEPTABLE_BSA_PERCENT)}% or >="
                f" {fmt(NPF_ACCEPTABLE_IMPROVEMENT_PERCENT)}% improvement from baseline).",
                _NPF_SOURCES,
                severity="warning",
                facts=facts,
            )
        )
    else:
        reason = "baseline BSA is 0" if base is not None else "baseline BSA is missing"
        findings.append(
            _finding(
                "npf-bsa-baseline-needed",
                f"BSA {fmt(now)}% is above the NPF target and above"
                f" {fmt(NPF_ACCEPTABLE_BSA_PERCENT)}%; the >="
                f" {fmt(NPF_ACCEPTABLE_IMPROVEMENT_PERCENT)}% improvement criterion cannot be"
                f" assessed ({reason}).",
                _NPF_SOURCES,
                severity="warning",
                kind="missing-data",
                facts=facts,
            )
        )
    return findings


def _axspa(
    baseline: Any, current: Any, start: date | None, as_of: date | None
) -> list[dict[str, Any]]:
    findings: list[dict[str, Any]] = []
    early = False
    if start is not None and as_of is not None:
        due = start + timedelta(days=AXSPA_FIRST_REVIEW_WEEKS * DAYS_PER_WEEK)
        early = as_of < due
        if early:
            findings.append(
                _finding(
                    "axspa-response-12-weeks",
                    f"Response is assessed after at least {AXSPA_FIRST_REVIEW_WEEKS} weeks"
                    f" ({due.isoformat()}); a change before then is provisional.",
                    _AXSPA_SOURCES,
                    facts=[f"due_from={due.isoformat()}", "verified=false"],
                )
            )
    if baseline is None:
        raise InstrumentInputError("baseline", None, "the baseline ASDAS (value or inputs)")
    result = asdas.response(baseline, current)
    delta = Fraction(repr(result.delta))
    facts = [
        f"asdas_baseline={result.baseline!r}",
        f"asdas_current={result.current!r}",
        f"asdas_delta={result.delta!r}",
    ]
    if result.major:
        message, severity = f"ASDAS fell by {fmt(delta)}: major improvement (>= 2.0).", "info"
    elif result.clinically_important:
        message = f"ASDAS fell by {fmt(delta)}: clinically important improvement (>= 1.1)."
        severity = "info"
    else:
        message = (
            f"ASDAS change {fmt(delta)} is below a clinically important improvement (>= 1.1)"
            + (" at the response assessment." if not early else ".")
        )
        severity = "info" if early else "warning"
    findings.append(
        _finding("axspa-asdas-response", message, _AXSPA_SOURCES, severity=severity, facts=facts)
    )
    return findings


def treat_to_target(
    condition: str,
    *,
    baseline: Any = None,
    current: Any = None,
    start: date | None = None,
    as_of: date | None = None,
) -> list[dict[str, Any]]:
    """Compare a follow-up assessment with the published target for ``condition``.

    Plaque psoriasis: ``baseline``/``current`` are BSA percentages (baseline optional).
    Axial SpA: they are ASDAS values, Scores or inputs (see the ``asdas`` response).
    With ``start`` and ``as_of`` an assessment before the review point is flagged as
    provisional. Conditions without a published target return an empty list.
    """
    if condition in PSORIASIS_CONDITIONS:
        return _psoriasis(baseline, current, start, as_of)
    if condition in AXSPA_CONDITIONS:
        return _axspa(baseline, current, start, as_of)
    return []

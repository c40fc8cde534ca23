"""ASAS response criteria: ASAS20, ASAS40 and ASAS partial remission (axial SpA).

Four domains on 0-10: patient global, pain (spinal/total back pain), function (BASFI) and
inflammation (mean of BASDAI questions 5 and 6).

* ASAS20 (Anderson et al. 2001): improvement of >= 20 % **and** >= 1 unit in at least three
  domains, and no worsening of >= 20 % **and** >= 1 unit in the remaining domain.
* ASAS40 (Brandt et al. 2004): improvement of >= 40 % **and** >= 2 units in at least three
  domains, and **no worsening at all** in the remaining domain.
* Partial remission (Anderson 2001): every domain "not above 2", i.e. <= 2 (some secondary
  tables say "below 2"; the original wording is followed).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from jakguide.instruments._common import output_number
from jakguide.instruments._exact import Reader, percent_change, to_float
from jakguide.instruments.errors import InstrumentInputError
from jakguide.instruments.model import Response, cite
from jakguide.instruments.spec import Example, ResponseDoc

__all__ = ["DOMAINS", "NAME", "RESPONSE_DOC", "response"]

NAME = "asas"

DOMAINS: tuple[tuple[str, str], ...] = (
    ("patient_global", "patient global assessment, 0-10"),
    ("pain", "spinal/total back pain, 0-10"),
    ("function", "BASFI, 0-10"),
    ("inflammation", "mean of BASDAI questions 5 and 6, 0-10"),
)
_DOMAIN_KEYS = tuple(k for k, _ in DOMAINS)

# Each domain is scored 0-10 (Anderson 2001: "range 0-10").
ASAS_DOMAIN_MIN = Fraction(0)
ASAS_DOMAIN_MAX = Fraction(10)

# ASAS20, Anderson 2001: ">=20% and >=1 unit (range 0-10) in at least three of the four
# domains, and no worsening of >=20% and >=1 unit in the remaining fourth domain".
ASAS20_PERCENT = Fraction(20)
ASAS20_UNITS = Fraction(1)
ASAS20_WORSENING_PERCENT = Fraction(20)
ASAS20_WORSENING_UNITS = Fraction(1)
# ASAS40, Brandt 2004: ">=40% and >=2 units in at least three of the four domains, and no
# worsening in the remaining fourth domain".
ASAS40_PERCENT = Fraction(40)
ASAS40_UNITS = Fraction(2)
ASAS_IMPROVED_DOMAINS_REQUIRED = 3
# Partial remission, Anderson 2001: each domain "not above 2 units" (<= 2).
ASAS_PARTIAL_REMISSION_MAX = Fraction(2)

SOURCES = (
    cite("anderson-2001", "ASAS20 and partial remission definitions"),
    cite("brandt-2004", "ASAS40 definition"),
)


def _domains(raw: Any, field: str) -> dict[str, Fraction]:
    if not isinstance(raw, Mapping):
        raise InstrumentInputError(
            field, raw, "a mapping of patient_global, pain, function and inflammation (0-10)"
        )
    reader = Reader(raw, prefix=f"{field}.")
    values = {k: reader.number(k, ASAS_DOMAIN_MIN, ASAS_DOMAIN_MAX) for k in _DOMAIN_KEYS}
    reader.finish(_DOMAIN_KEYS)
    return values


def _worsened20(base: Fraction, now: Fraction) -> bool:
    if now - base < ASAS20_WORSENING_UNITS:
        return False
    pct = percent_change(base, now)
    # From a baseline of 0 any rise is an unbounded percentage, so only the unit test decides.
    return pct is None or -pct >= ASAS20_WORSENING_PERCENT


def response(baseline: Any, current: Any) -> Response:
    """Evaluate ASAS20, ASAS40 and partial remission from the four ASAS domains."""
    base = _domains(baseline, "baseline")
    now = _domains(current, "current")
    domains: dict[str, dict[str, Any]] = {}
    not_evaluable: dict[str, str] = {}
    improved20 = improved40 = 0
    any_worsened20 = any_worsened = False
    for key in _DOMAIN_KEYS:
        b, c = base[key], now[key]
        change = b - c
        pct = percent_change(b, c)
        i20 = pct is not None and pct >= ASAS20_PERCENT and change >= ASAS20_UNITS
        i40 = pct is not None and pct >= ASAS40_PERCENT and change >= ASAS40_UNITS
        w20 = _worsened20(b, c)
        improved20 += int(i20)
        improved40 += int(i40)
        any_worsened20 |= w20
        any_worsened |= c > b
        if pct is None:
            not_evaluable[f"domains.{key}.percent_improvement"] = (
                f"baseline {key} is 0: a percentage improvement is undefined; the domain"
                " counts as not improved"
            )
        domains[key] = {
            "baseline": to_float(b),
            "current": to_float(c),
            "improvement": to_float(change),
            "percent_improvement": output_number(pct),
            "improved_20": i20,
            "improved_40": i40,
            "worsened_20": w20,
        }
    results = {
        "asas20": improved20 >= ASAS_IMPROVED_DOMAINS_REQUIRED and not any_worsened20,
        "asas40": improved40 >= ASAS_IMPROVED_DOMAINS_REQUIRED and not any_worsened,
        "partial_remission": all(v <= ASAS_PARTIAL_REMISSION_MAX for v in now.values()),
        "domains_improved_20": improved20,
        "domains_improved_40": improved40,
        "domains": domains,
    }
    return Response(
        instrument=NAME,
        baseline={k: to_float(v) for k, v in base.items()},
        current={k: to_float(v) for k, v in now.items()},
        results=results,
        not_evaluable=not_evaluable,
        sources=SOURCES,
    )


_EXAMPLE: dict[str, Any] = {
    "baseline": {"patient_global": 6, "pain": 7, "function": 5, "inflammation": 6},
    "current": {"patient_global": 4, "pain": 5, "function": 3.5, "inflammation": 6.5},
}


RESPONSE_DOC = ResponseDoc(
    shown_as=(
        ("asas20", "ASAS20"),
        ("asas40", "ASAS40"),
        ("partial_remission", "ASAS partial remission"),
    ),
    title="ASAS response criteria (ASAS20, ASAS40, partial remission)",
    summary="Short-term improvement in axial spondyloarthritis across four domains.",
    inputs="baseline and current: mappings of " + ", ".join(f"{k} ({m})" for k, m in DOMAINS) + ".",
    criteria=(
        ("improved_20 (per domain)", "improvement >= 20 % and >= 1 unit"),
        ("improved_40 (per domain)", "improvement >= 40 % and >= 2 units"),
        ("worsened_20 (per domain)", "worsening >= 20 % and >= 1 unit"),
        ("asas20", "at least 3 domains improved_20 and no domain worsened_20"),
        ("asas40", "at least 3 domains improved_40 and no domain worse than baseline"),
        ("partial_remission", "every current domain <= 2"),
    ),
    policies=(
        "Both the percentage and the unit condition must hold, for improvement and for"
        " worsening: a 0.5-unit or a 15 % worsening does not disqualify ASAS20.",
        "A domain with baseline 0 cannot improve by a percentage: it counts as not improved"
        " (reported in not_evaluable); a rise from 0 counts as a >= 20 % worsening when it is"
        " >= 1 unit. This convention is not from the publications.",
        "Partial remission uses <= 2 ('not above 2', Anderson 2001); exactly 2 qualifies.",
    ),
    examples=(
        Example(
            "ASAS20 but not ASAS40",
            _EXAMPLE,
            "Computed: 3 domains improved >= 20 %; inflammation"
            " +0.5 is below the worsening threshold",
        ),
    ),
    sources=SOURCES,
)

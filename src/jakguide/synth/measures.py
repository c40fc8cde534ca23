"""The screening measures of docs/scan.md "Measures", counted from one patient's dated facts.

The generator counts its truth with this from what it wrote; the scan counts the same in SQL
from the files. Both read the specification from ``knowledge/measures.yaml`` (``MeasureSpec``).
Dates are proleptic ordinals (``date.toordinal()``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from jakguide.dates import MONTHS_PER_YEAR
from jakguide.kb.measures import MeasureSpec
from jakguide.kb.schema_measures import Measure


def months_before(day: int, months: int) -> int:
    """``day - months`` calendar months, the day clamped to the month's end (as DuckDB, Spark)."""
    d = dt.date.fromordinal(day)
    total = d.year * 12 + d.month - 1 - months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(d.day, last)).toordinal()


@dataclass
class Facts:
    """What counts for the measures, as written to the files."""

    birth: int
    condition: str = "unknown"  # the labelled condition a reader finds (by SNOMED CT code)
    region: str = "unknown"  # the country written
    exposures: list[tuple[int, str]] = field(default_factory=list)  # (date, ingredient)
    tests: list[tuple[int, str, str]] = field(default_factory=list)  # (date, item, result)
    known: list[tuple[int, str]] = field(default_factory=list)  # (onset, history item)
    # JAK exposure as documented: (agent, first day, last day: as_of while taken, else the last
    # record written); events written as Conditions: (onset, history item)
    jak_courses: list[tuple[str, int, int]] = field(default_factory=list)
    events: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Count:
    numerator: int = 0
    denominator: int = 0
    exclusions: int = 0


def _excepted(f: Facts, m: Measure, index: int, spec: MeasureSpec) -> bool:
    ex = m.exception
    if ex is None:
        return False
    if ex.positive is not None and ex.treated_by is not None:
        treated = spec.sets[ex.treated_by]
        positive = any(i == ex.positive and r == "positive" and d <= index for d, i, r in f.tests)
        return positive and any(ing in treated and d <= index for d, ing in f.exposures)
    return any(k in ex.known and d <= index for d, k in f.known)


def _met(f: Facts, m: Measure, index: int, spec: MeasureSpec) -> bool:
    start = months_before(index, spec.screening.window_months)
    return all(any(i == t and start <= d <= index for d, i, _ in f.tests) for t in m.tests)


def outcomes(f: Facts, spec: MeasureSpec) -> list[tuple[str, str, bool, bool]]:
    """(measure id, index agent, excepted, met) for each measure whose denominator holds the
    patient; the index agent is the first by name of the set's drugs taken on the index day."""
    scr = spec.screening
    adult_on = months_before(f.birth, -scr.adult_years * MONTHS_PER_YEAR)
    out = []
    for m in scr.measures:
        in_set = spec.sets[m.index_set]
        days = [d for d, ing in f.exposures if ing in in_set]
        if not days:
            continue
        index = min(days)
        if adult_on > index:
            continue
        if m.washout_set is not None:
            washout = months_before(index, scr.washout_months)
            before = spec.sets[m.washout_set]
            if any(washout <= d < index and ing in before for d, ing in f.exposures):
                continue
        agent = min(ing for d, ing in f.exposures if d == index and ing in in_set)
        if m.all_of:
            parts = [scr.measure(p) for p in m.all_of]
            met = all(_excepted(f, p, index, spec) or _met(f, p, index, spec) for p in parts)
            out.append((m.id, agent, False, met))
            continue
        excepted = _excepted(f, m, index, spec)
        out.append((m.id, agent, excepted, (not excepted) and _met(f, m, index, spec)))
    return out


def count(
    f: Facts,
    spec: MeasureSpec,
    totals: dict[str, Count],
    strata: dict[str, dict[str, dict[str, Count]]] | None = None,
) -> None:
    """Add one patient to ``totals`` (measure id -> Count) and, when given, to ``strata``
    (dimension -> measure id -> stratum -> Count; dimensions agent, condition, region)."""
    for mid, agent, excepted, met in outcomes(f, spec):
        cells = [totals[mid]]
        if strata is not None:
            for dim, key in (("agent", agent), ("condition", f.condition), ("region", f.region)):
                cells.append(strata[dim].setdefault(mid, {}).setdefault(key, Count()))
        for c in cells:
            c.denominator += 1
            c.exclusions += excepted
            c.numerator += met


@dataclass
class Exposure:
    """One agent's exposure and events of special interest (docs/scan.md)."""

    patients: int = 0
    exposure_days: int = 0
    categories: dict[str, dict[str, int]] = field(default_factory=dict)


def count_esi(f: Facts, spec: MeasureSpec, totals: dict[str, Exposure]) -> None:
    """Add one patient's JAK exposure and the events after each start to ``totals`` (agent ->
    Exposure): an event counts when its onset is after the start and on or before the end."""
    category_of = {item: cat.id for cat in spec.events for item in cat.history}
    for agent, start, end in f.jak_courses:
        e = totals.setdefault(
            agent, Exposure(categories={c.id: {"patients": 0, "events": 0} for c in spec.events})
        )
        e.patients += 1
        e.exposure_days += end - start
        hit: set[str] = set()
        for onset, item in f.events:
            cat = category_of.get(item)
            if cat is not None and start < onset <= end:
                e.categories[cat]["events"] += 1
                hit.add(cat)
        for cat in hit:
            e.categories[cat]["patients"] += 1

"""Mayo score and partial Mayo score (ulcerative colitis) and the labels' remission and response.

Four subscores, each 0-3: stool frequency, rectal bleeding, endoscopy (Mayo endoscopic
subscore) and physician global assessment (Schroeder et al. 1987). The full Mayo score is their
sum (0-12); the partial Mayo score leaves out endoscopy (0-9; Lewis et al. 2008).

Categories. Full Mayo: remission <= 2 with no subscore > 1; mild 3-5; moderate 6-10; severe
11-12 (as tabulated in D'Haens et al. 2007; other tables put moderate at 6-9). Partial Mayo:
remission < 2, mild 2-4, moderate 5-7, severe > 7 (Lewis 2008 as tabulated by secondary sources).
Both sets are conventions seen in secondary tables and are marked so in the docs.

Responses, as the labels' trials define them:
- ``mayo`` (full Mayo; tofacitinib OCTAVE, Sandborn et al. 2017): remission = total <= 2, no
  subscore > 1 and rectal bleeding 0; clinical response = a fall of >= 3 points and >= 30 % from
  baseline with a fall in rectal bleeding of >= 1 or a rectal bleeding subscore of 0 or 1;
  endoscopic improvement = endoscopy 0 or 1.
- ``modified-mayo`` (stool frequency + rectal bleeding + endoscopy, 0-9; upadacitinib U-ACHIEVE,
  Danese et al. 2022): remission = stool frequency <= 1 and not above baseline, rectal bleeding 0,
  endoscopy <= 1 without friability; clinical response = a fall of >= 2 points and >= 30 % with a
  fall in rectal bleeding of >= 1 or a rectal bleeding subscore <= 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from jakguide.instruments._exact import Reader, check_number, percent_change, to_float
from jakguide.instruments.errors import InstrumentInputError
from jakguide.instruments.model import Band, Response, Score, band_rule, cite, classify
from jakguide.instruments.spec import Example, InputSpec, InstrumentDoc, ResponseDoc

__all__ = [
    "DOC",
    "MODIFIED_RESPONSE_DOC",
    "NAME",
    "PARTIAL_DOC",
    "PARTIAL_NAME",
    "RESPONSE_DOC",
    "categorize",
    "categorize_partial",
    "modified_response",
    "response",
    "score",
    "score_partial",
]

NAME = "mayo"
PARTIAL_NAME = "partial-mayo"
MODIFIED_NAME = "modified-mayo"

SUBSCORES: tuple[tuple[str, str], ...] = (
    ("stool_frequency", "0 normal, 1 1-2/day more than normal, 2 3-4 more, 3 >= 5 more"),
    (
        "rectal_bleeding",
        "0 none, 1 streaks < half the time, 2 obvious most of the time, 3 blood alone",
    ),
    ("endoscopy", "0 normal/inactive, 1 mild, 2 moderate, 3 severe (Mayo endoscopic subscore)"),
    ("physician_global", "0 normal, 1 mild, 2 moderate, 3 severe"),
)
# Schroeder 1987: four subscores 0-3; full score 0-12, partial (no endoscopy) 0-9.
SUBSCORE_MAX = Fraction(3)
MAYO_MIN = Fraction(0)
MAYO_MAX = Fraction(12)
PARTIAL_MAX = Fraction(9)
# Remission rules: total <= 2 and no subscore > 1 (both Mayo responses and the remission state).
REMISSION_TOTAL_MAX = Fraction(2)
REMISSION_SUBSCORE_MAX = Fraction(1)

BANDS: tuple[Band, ...] = (
    Band("remission", Fraction(2), True, "remission (and no subscore above 1)"),
    Band("mild", Fraction(5), True, "mild"),
    Band("moderate", Fraction(10), True, "moderate"),
    Band("severe", None, True, "severe"),
)
PARTIAL_BANDS: tuple[Band, ...] = (
    Band("remission", Fraction(2), False, "remission"),
    Band("mild", Fraction(4), True, "mild"),
    Band("moderate", Fraction(7), True, "moderate"),
    Band("severe", None, True, "severe"),
)

# OCTAVE (Sandborn 2017): response = fall >= 3 points and >= 30 %; U-ACHIEVE (Danese 2022): >= 2.
MAYO_RESPONSE_POINTS = Fraction(3)
MODIFIED_RESPONSE_POINTS = Fraction(2)
RESPONSE_PERCENT = Fraction(30)
BLEEDING_FALL = Fraction(1)
BLEEDING_RESPONSE_MAX = Fraction(1)

_FULL_KEYS = tuple(k for k, _ in SUBSCORES)
_PARTIAL_KEYS = ("stool_frequency", "rectal_bleeding", "physician_global")
_MODIFIED_SUBSCORES = ("stool_frequency", "rectal_bleeding", "endoscopy")
_MODIFIED_KEYS = (*_MODIFIED_SUBSCORES, "endoscopic_friability")
_BOOLEAN_TEXT = {"true": True, "false": False}

SOURCES = (
    cite("schroeder-1987", "Mayo score subscores"),
    cite("dhaens-2007", "Mayo score activity categories (secondary table)"),
)
PARTIAL_SOURCES = (
    cite("lewis-2008", "partial Mayo score (no endoscopy)"),
    cite("schroeder-1987", "Mayo score subscores"),
)
RESPONSE_SOURCES = (cite("sandborn-2017-octave", "remission and clinical response (Mayo)"),)
MODIFIED_RESPONSE_SOURCES = (
    cite("danese-2022-u-achieve", "remission and clinical response (adapted Mayo)"),
)


def _subscores(inputs: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Fraction]:
    reader = Reader(inputs)
    values = {k: reader.number(k, Fraction(0), SUBSCORE_MAX, integer=True) for k in keys}
    reader.finish(keys)
    return values


def _remission_state(values: Mapping[str, Fraction]) -> bool:
    total = sum(values.values(), Fraction(0))
    return total <= REMISSION_TOTAL_MAX and max(values.values()) <= REMISSION_SUBSCORE_MAX


def score(**inputs: Any) -> Score:
    """Full Mayo score: the four subscores (0-3 each) summed, 0-12."""
    values = _subscores(inputs, _FULL_KEYS)
    total = sum(values.values(), Fraction(0))
    category = classify(total, BANDS)
    notes: tuple[str, ...] = ()
    if category == "remission" and not _remission_state(values):
        category = "mild"
        notes = ("Total <= 2 but a subscore is above 1: not remission; categorized as mild.",)
    return Score(
        instrument=NAME,
        value=int(total),
        category=category,
        components={k: int(v) for k, v in values.items()},
        sources=SOURCES,
        notes=notes,
    )


def score_partial(**inputs: Any) -> Score:
    """Partial Mayo score: stool frequency, rectal bleeding and physician global, 0-9."""
    values = _subscores(inputs, _PARTIAL_KEYS)
    total = sum(values.values(), Fraction(0))
    return Score(
        instrument=PARTIAL_NAME,
        value=int(total),
        category=classify(total, PARTIAL_BANDS),
        components={k: int(v) for k, v in values.items()},
        sources=PARTIAL_SOURCES,
    )


def categorize(value: object) -> str:
    """Category of a full Mayo total (0-12); remission also needs no subscore above 1."""
    return classify(check_number(value, "value", MAYO_MIN, MAYO_MAX, integer=True), BANDS)


def categorize_partial(value: object) -> str:
    """Category of a partial Mayo total (0-9)."""
    return classify(
        check_number(value, "value", MAYO_MIN, PARTIAL_MAX, integer=True), PARTIAL_BANDS
    )


def _pair(
    baseline: Any, current: Any, keys: tuple[str, ...]
) -> tuple[dict[str, Fraction], dict[str, Fraction]]:
    for field, value in (("baseline", baseline), ("current", current)):
        if not isinstance(value, Mapping):
            raise InstrumentInputError(field, value, "the subscores: " + ", ".join(keys))
    return _subscores(baseline, keys), _subscores(current, keys)


def _clinical_response(
    base: Mapping[str, Fraction], now: Mapping[str, Fraction], points: Fraction
) -> tuple[bool | None, Fraction | None]:
    base_total = sum(base.values(), Fraction(0))
    now_total = sum(now.values(), Fraction(0))
    pct = percent_change(base_total, now_total)
    if pct is None:
        return None, None
    bleeding_ok = (
        base["rectal_bleeding"] - now["rectal_bleeding"] >= BLEEDING_FALL
        or now["rectal_bleeding"] <= BLEEDING_RESPONSE_MAX
    )
    met = base_total - now_total >= points and pct >= RESPONSE_PERCENT and bleeding_ok
    return met, pct


def response(baseline: Any, current: Any) -> Response:
    """Full Mayo remission, clinical response and endoscopic improvement (OCTAVE definitions)."""
    base, now = _pair(baseline, current, _FULL_KEYS)
    met, pct = _clinical_response(base, now, MAYO_RESPONSE_POINTS)
    not_evaluable = {} if met is not None else {"clinical_response": "baseline Mayo score is 0"}
    return Response(
        instrument=NAME,
        baseline=int(sum(base.values(), Fraction(0))),
        current=int(sum(now.values(), Fraction(0))),
        results={
            "percent_improvement": None if pct is None else to_float(pct),
            "clinical_remission": _remission_state(now) and now["rectal_bleeding"] == 0,
            "clinical_response": met,
            "endoscopic_improvement": now["endoscopy"] <= REMISSION_SUBSCORE_MAX,
        },
        not_evaluable=not_evaluable,
        sources=RESPONSE_SOURCES,
    )


def _modified(value: Mapping[str, Any]) -> tuple[dict[str, Fraction], bool | None]:
    data = dict(value)
    friability = data.pop("endoscopic_friability", None)
    if isinstance(friability, str) and friability.strip().lower() in _BOOLEAN_TEXT:
        friability = _BOOLEAN_TEXT[friability.strip().lower()]
    if friability is not None and not isinstance(friability, bool):
        raise InstrumentInputError("endoscopic_friability", friability, "true, false or null")
    return _subscores(data, _MODIFIED_SUBSCORES), friability


def modified_response(baseline: Any, current: Any) -> Response:
    """Adapted (modified) Mayo remission and clinical response (U-ACHIEVE definitions)."""
    for field, value in (("baseline", baseline), ("current", current)):
        if not isinstance(value, Mapping):
            raise InstrumentInputError(field, value, "the subscores: " + ", ".join(_MODIFIED_KEYS))
    base, _ = _modified(baseline)
    now, friability = _modified(current)
    met, pct = _clinical_response(base, now, MODIFIED_RESPONSE_POINTS)
    not_evaluable: dict[str, str] = {}
    if met is None:
        not_evaluable["clinical_response"] = "baseline adapted Mayo score is 0"
    endoscopy_ok: bool | None
    if now["endoscopy"] == 0:
        endoscopy_ok = True
    elif now["endoscopy"] > REMISSION_SUBSCORE_MAX:
        endoscopy_ok = False
    else:
        endoscopy_ok = None if friability is None else not friability
    symptoms_ok = (
        now["stool_frequency"] <= REMISSION_SUBSCORE_MAX
        and now["stool_frequency"] <= base["stool_frequency"]
        and now["rectal_bleeding"] == 0
    )
    remission: bool | None = False if not symptoms_ok or endoscopy_ok is False else endoscopy_ok
    if remission is None:
        not_evaluable["clinical_remission"] = (
            "endoscopy subscore 1: remission needs to know whether friability was present"
        )
    return Response(
        instrument=MODIFIED_NAME,
        baseline=int(sum(base.values(), Fraction(0))),
        current=int(sum(now.values(), Fraction(0))),
        results={
            "percent_improvement": None if pct is None else to_float(pct),
            "clinical_remission": remission,
            "clinical_response": met,
        },
        not_evaluable=not_evaluable,
        sources=MODIFIED_RESPONSE_SOURCES,
    )


_FULL_EXAMPLE = {"stool_frequency": 2, "rectal_bleeding": 2, "endoscopy": 2, "physician_global": 2}

DOC = InstrumentDoc(
    title="Mayo score (ulcerative colitis)",
    summary="Ulcerative colitis activity from symptoms, endoscopy and the physician's view.",
    formula="Mayo = stool_frequency + rectal_bleeding + endoscopy + physician_global (0-3 each)",
    value_range="integer 0-12",
    inputs=tuple(InputSpec(k, "integer 0-3", text) for k, text in SUBSCORES),
    categories=tuple(
        (band.label, f"{rule} ({band.description})")
        for band, rule in zip(BANDS, band_rule(BANDS, "Mayo", MAYO_MIN), strict=True)
    ),
    policies=(
        "A total <= 2 with a subscore above 1 is not remission: it is categorized as mild.",
        "The activity bands are a convention of secondary tables (some put moderate at 6-9).",
    ),
    examples=(Example("Moderate activity", _FULL_EXAMPLE, "Computed: 8 (moderate)"),),
    sources=SOURCES,
)

PARTIAL_DOC = InstrumentDoc(
    title="Partial Mayo score (ulcerative colitis, no endoscopy)",
    summary="The three non-invasive Mayo subscores.",
    formula="partial Mayo = stool_frequency + rectal_bleeding + physician_global (0-3 each)",
    value_range="integer 0-9",
    inputs=tuple(InputSpec(k, "integer 0-3", text) for k, text in SUBSCORES if k in _PARTIAL_KEYS),
    categories=tuple(
        (band.label, f"{rule} ({band.description})")
        for band, rule in zip(
            PARTIAL_BANDS, band_rule(PARTIAL_BANDS, "partial Mayo", MAYO_MIN), strict=True
        )
    ),
    policies=("The activity bands are a convention of secondary tables.",),
    examples=(
        Example(
            "Mild activity",
            {"stool_frequency": 1, "rectal_bleeding": 1, "physician_global": 1},
            "Computed: 3 (mild)",
        ),
    ),
    sources=PARTIAL_SOURCES,
)

RESPONSE_DOC = ResponseDoc(
    shown_as=(
        ("clinical_response", "Mayo clinical response"),
        ("clinical_remission", "Mayo clinical remission"),
        ("endoscopic_improvement", "Mayo endoscopic improvement"),
    ),
    title="Mayo remission and response (full Mayo)",
    summary="Clinical remission, clinical response and endoscopic improvement, as in OCTAVE.",
    inputs="baseline and current: the four Mayo subscores (mappings).",
    criteria=(
        ("clinical_remission", "current total <= 2, no subscore > 1, rectal bleeding 0"),
        (
            "clinical_response",
            "fall >= 3 points and >= 30 %, with rectal bleeding falling by >= 1 or <= 1",
        ),
        ("endoscopic_improvement", "current endoscopy subscore 0 or 1"),
    ),
    policies=("A baseline total of 0 makes clinical_response null, with the reason.",),
    examples=(
        Example(
            "Response without remission",
            {
                "baseline": _FULL_EXAMPLE,
                "current": {
                    "stool_frequency": 1,
                    "rectal_bleeding": 1,
                    "endoscopy": 1,
                    "physician_global": 1,
                },
            },
            "Computed: response true, remission false",
        ),
    ),
    sources=RESPONSE_SOURCES,
)

MODIFIED_RESPONSE_DOC = ResponseDoc(
    shown_as=(
        ("clinical_response", "adapted Mayo clinical response"),
        ("clinical_remission", "adapted Mayo clinical remission"),
        ("endoscopic_improvement", "adapted Mayo endoscopic improvement"),
    ),
    title="Adapted (modified) Mayo remission and response",
    summary="Remission and response on stool frequency, rectal bleeding and endoscopy (0-9).",
    inputs="baseline and current: stool_frequency, rectal_bleeding, endoscopy (0-3 each) and,"
    " for the current visit, endoscopic_friability (true/false) when endoscopy is 1.",
    criteria=(
        (
            "clinical_remission",
            "stool frequency <= 1 and not above baseline, rectal bleeding 0,"
            " endoscopy 0, or 1 without friability",
        ),
        (
            "clinical_response",
            "fall >= 2 points and >= 30 %, with rectal bleeding falling by >= 1 or <= 1",
        ),
    ),
    policies=("Endoscopy 1 with friability not recorded makes remission null, with the reason.",),
    examples=(
        Example(
            "Remission",
            {
                "baseline": {"stool_frequency": 3, "rectal_bleeding": 2, "endoscopy": 3},
                "current": {
                    "stool_frequency": 1,
                    "rectal_bleeding": 0,
                    "endoscopy": 1,
                    "endoscopic_friability": False,
                },
            },
            "Computed: remission true, response true",
        ),
    ),
    sources=MODIFIED_RESPONSE_SOURCES,
)

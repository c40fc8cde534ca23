"""VASI (Vitiligo Area Scoring Index): facial F-VASI and total-body T-VASI, and their responses.

VASI = sum over body regions of (area in hand units) x (residual depigmentation), where one
hand unit (the patient's palm with the fingers) is about 1 % of the body surface and the
residual depigmentation is one of 100 % (no pigment), 90 % (specks of pigment), 75 %
(depigmented area exceeds pigmented), 50 % (equal), 25 % (pigmented exceeds depigmented),
10 % (specks of depigmentation) or 0 % (Hamzavi et al. 2004). T-VASI sums the regions head and
neck, hands, upper extremities (without the hands), trunk, lower extremities (without the feet)
and feet; F-VASI scores the face alone. The ruxolitinib cream trials (TRuE-V 1 and 2, Rosmarin
et al. 2022) had F-VASI75 (>= 75 % improvement) at week 24 as primary endpoint and T-VASI50 as
a key secondary endpoint. No severity bands are published: ``category`` is ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from jakguide.instruments._common import assessment_value, output_number
from jakguide.instruments._exact import Reader, percent_change, to_float
from jakguide.instruments.errors import InstrumentInputError
from jakguide.instruments.model import Response, Score, cite
from jakguide.instruments.spec import Example, InputSpec, InstrumentDoc, ResponseDoc

__all__ = [
    "FACE_DOC",
    "FACE_NAME",
    "FACE_RESPONSE_DOC",
    "TOTAL_DOC",
    "TOTAL_NAME",
    "TOTAL_RESPONSE_DOC",
    "categorize",
    "face_response",
    "score_face",
    "score_total",
    "total_response",
]

FACE_NAME = "f-vasi"
TOTAL_NAME = "t-vasi"

# Hamzavi 2004: the residual depigmentation levels, in percent.
DEPIGMENTATION_LEVELS: tuple[Fraction, ...] = tuple(
    Fraction(p) for p in (0, 10, 25, 50, 75, 90, 100)
)
PERCENT = Fraction(100)  # depigmentation is a percentage of the area
# One hand unit is about 1 % of the body surface (Hamzavi 2004): the whole body is 100 units,
# the plausibility bound on any region and on the total (not a cut-off).
HAND_UNITS_MAX = Fraction(100)
VASI_MIN = Fraction(0)

FACE_REGIONS: tuple[tuple[str, str], ...] = (("face", "the face"),)
TOTAL_REGIONS: tuple[tuple[str, str], ...] = (
    ("head_neck", "head and neck"),
    ("hands", "hands"),
    ("upper_extremities", "upper extremities without the hands"),
    ("trunk", "trunk"),
    ("lower_extremities", "lower extremities without the feet"),
    ("feet", "feet"),
)

# TRuE-V (Rosmarin 2022): F-VASI75 primary, T-VASI50 key secondary; 50/75/90 reported.
VASI_50_PERCENT = Fraction(50)
VASI_75_PERCENT = Fraction(75)
VASI_90_PERCENT = Fraction(90)

SOURCES = (cite("hamzavi-2004-vasi", "VASI hand units and depigmentation levels"),)
FACE_SOURCES = (
    *SOURCES,
    cite("rosmarin-2022-true-v", "F-VASI (face) in the ruxolitinib cream trials"),
)
TOTAL_SOURCES = (
    *SOURCES,
    cite("rosmarin-2022-true-v", "T-VASI (total body) in the ruxolitinib cream trials"),
)
FACE_RESPONSE_SOURCES = (cite("rosmarin-2022-true-v", "F-VASI75 at week 24 (primary endpoint)"),)
TOTAL_RESPONSE_SOURCES = (cite("rosmarin-2022-true-v", "T-VASI50 at week 24 (key secondary)"),)

_LEVELS_TEXT = ", ".join(str(int(p)) for p in DEPIGMENTATION_LEVELS)


def _keys(regions: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    return tuple(f"{r}_{part}" for r, _ in regions for part in ("hand_units", "depigmentation"))


def _compute(
    inputs: Mapping[str, Any], regions: tuple[tuple[str, str], ...]
) -> tuple[Fraction, dict[str, Any]]:
    reader = Reader(inputs)
    total = Fraction(0)
    units = Fraction(0)
    parts: dict[str, Any] = {}
    for region, _ in regions:
        area = reader.number(f"{region}_hand_units", Fraction(0), HAND_UNITS_MAX)
        level = reader.number(f"{region}_depigmentation", Fraction(0), PERCENT, unit="%")
        if level not in DEPIGMENTATION_LEVELS:
            raise InstrumentInputError(
                reader.name(f"{region}_depigmentation"), to_float(level), f"one of {_LEVELS_TEXT}"
            )
        units += area
        total += area * level / PERCENT
        parts[region] = to_float(area * level / PERCENT)
    if units > HAND_UNITS_MAX:
        raise InstrumentInputError(
            "hand_units", to_float(units), "a total of at most 100 hand units (the whole body)"
        )
    reader.finish(_keys(regions))
    return total, parts


def _face(inputs: Mapping[str, Any]) -> Fraction:
    return _compute(inputs, FACE_REGIONS)[0]


def _total(inputs: Mapping[str, Any]) -> Fraction:
    return _compute(inputs, TOTAL_REGIONS)[0]


def _score(name: str, inputs: Mapping[str, Any], regions: tuple[tuple[str, str], ...]) -> Score:
    value, parts = _compute(inputs, regions)
    return Score(
        instrument=name,
        value=to_float(value),
        category=None,
        components=parts,
        sources=FACE_SOURCES if name == FACE_NAME else TOTAL_SOURCES,
        notes=("VASI has no published severity bands; it tracks change.",),
    )


def score_face(**inputs: Any) -> Score:
    """F-VASI: facial hand units x residual depigmentation."""
    return _score(FACE_NAME, inputs, FACE_REGIONS)


def score_total(**inputs: Any) -> Score:
    """T-VASI: the sum over six body regions."""
    return _score(TOTAL_NAME, inputs, TOTAL_REGIONS)


def categorize(value: object) -> str:
    """VASI has no published bands: always an error."""
    raise InstrumentInputError(
        "instrument", "vasi", "an instrument with published categories; VASI has none"
    )


def _response(name: str, baseline: Any, current: Any) -> Response:
    prefix = name.replace("-", "_")
    kwargs: dict[str, Any] = {
        "instruments": (name,),
        "low": VASI_MIN,
        "high": HAND_UNITS_MAX,
        "scorer": _face if name == FACE_NAME else _total,
    }
    base = assessment_value(baseline, "baseline", **kwargs)
    now = assessment_value(current, "current", **kwargs)
    pct = percent_change(base, now)
    results: dict[str, Any] = {"percent_improvement": output_number(pct)}
    not_evaluable: dict[str, str] = {}
    for cut in (VASI_50_PERCENT, VASI_75_PERCENT, VASI_90_PERCENT):
        key = f"{prefix}{int(cut)}"
        results[key] = None if pct is None else pct >= cut
        if pct is None:
            not_evaluable[key] = f"baseline {name.upper()} is 0: no depigmentation to improve"
    return Response(
        instrument=name,
        baseline=to_float(base),
        current=to_float(now),
        results=results,
        not_evaluable=not_evaluable,
        sources=FACE_RESPONSE_SOURCES if name == FACE_NAME else TOTAL_RESPONSE_SOURCES,
    )


def face_response(baseline: Any, current: Any) -> Response:
    """F-VASI50/75/90 from the percentage improvement."""
    return _response(FACE_NAME, baseline, current)


def total_response(baseline: Any, current: Any) -> Response:
    """T-VASI50/75/90 from the percentage improvement."""
    return _response(TOTAL_NAME, baseline, current)


def _inputs(regions: tuple[tuple[str, str], ...]) -> tuple[InputSpec, ...]:
    out: list[InputSpec] = []
    for region, text in regions:
        out.append(InputSpec(f"{region}_hand_units", "number 0-100", f"vitiligo on {text}"))
        out.append(
            InputSpec(
                f"{region}_depigmentation",
                f"one of {_LEVELS_TEXT} %",
                f"residual depigmentation on {text}",
            )
        )
    return tuple(out)


_POLICIES = (
    "One depigmentation level per region: the level that best describes the region's patches.",
    "Hand units are bounded by the whole body (100 units), a plausibility check.",
)

FACE_DOC = InstrumentDoc(
    title="F-VASI - facial Vitiligo Area Scoring Index",
    summary="Vitiligo on the face: area in hand units weighted by residual depigmentation.",
    formula="F-VASI = face hand units x depigmentation / 100",
    value_range="0 up to the facial hand units (about 0-3)",
    inputs=_inputs(FACE_REGIONS),
    categories=(("(none)", "No severity bands are published; F-VASI tracks change."),),
    policies=_POLICIES,
    examples=(
        Example(
            "Facial vitiligo",
            {"face_hand_units": "0.8", "face_depigmentation": 75},
            "Computed: 0.8 x 0.75 = 0.6",
        ),
    ),
    sources=FACE_SOURCES,
)

TOTAL_DOC = InstrumentDoc(
    title="T-VASI - total Vitiligo Area Scoring Index",
    summary="Vitiligo over the whole body: hand units weighted by depigmentation, summed.",
    formula="T-VASI = sum over head/neck, hands, upper extremities, trunk, lower extremities"
    " and feet of hand units x depigmentation / 100",
    value_range="0-100",
    inputs=_inputs(TOTAL_REGIONS),
    categories=(("(none)", "No severity bands are published; T-VASI tracks change."),),
    policies=_POLICIES,
    examples=(
        Example(
            "Hands and face",
            {
                "head_neck_hand_units": 1,
                "head_neck_depigmentation": 90,
                "hands_hand_units": 2,
                "hands_depigmentation": 50,
                "upper_extremities_hand_units": 0,
                "upper_extremities_depigmentation": 0,
                "trunk_hand_units": 0,
                "trunk_depigmentation": 0,
                "lower_extremities_hand_units": 0,
                "lower_extremities_depigmentation": 0,
                "feet_hand_units": 0,
                "feet_depigmentation": 0,
            },
            "Computed: 0.9 + 1.0 = 1.9",
        ),
    ),
    sources=TOTAL_SOURCES,
)


# A documented example: 1.2 -> 0.3 is a 75 % improvement.
_RESPONSE_EXAMPLE = {"baseline": "1.2", "current": "0.3"}
_RESPONSE_EXAMPLE_RESULT = "Computed: 75 %: true"


def _response_doc(name: str, sources: Any) -> ResponseDoc:
    label, prefix = name.upper(), name.replace("-", "_")
    return ResponseDoc(
        shown_as=tuple(
            (f"{prefix}{int(cut)}", f"{label}{int(cut)}")
            for cut in (VASI_50_PERCENT, VASI_75_PERCENT, VASI_90_PERCENT)
        ),
        title=f"{label} response ({label}50, {label}75, {label}90)",
        summary=f"Percentage improvement of {label} from baseline.",
        inputs=f"baseline and current: a {label} value, a {name} Score, {{'value': x}}, or the"
        " inputs.",
        criteria=(
            ("percent_improvement", "(baseline - current) / baseline * 100, exact"),
            *(
                (f"{prefix}{int(cut)}", f"percent_improvement >= {int(cut)}")
                for cut in (VASI_50_PERCENT, VASI_75_PERCENT, VASI_90_PERCENT)
            ),
        ),
        policies=("A baseline of 0 makes every criterion null, with the reason.",),
        examples=(
            Example(f"{label}{int(VASI_75_PERCENT)}", _RESPONSE_EXAMPLE, _RESPONSE_EXAMPLE_RESULT),
        ),
        sources=sources,
    )


FACE_RESPONSE_DOC = _response_doc(FACE_NAME, FACE_RESPONSE_SOURCES)
TOTAL_RESPONSE_DOC = _response_doc(TOTAL_NAME, TOTAL_RESPONSE_SOURCES)

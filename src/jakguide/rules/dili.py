"""Liver enzymes above a guideline's multiple of the upper limit: evaluate for drug-induced liver
injury (policy 22). Its own module because both the lab rules and the one-story rules use it."""

from __future__ import annotations

from decimal import Decimal

from jakguide.kb.schema import Citation
from jakguide.kb.schema_guidelines import StoryTiming
from jakguide.model import SourceRef
from jakguide.rules.base import source_ref
from jakguide.rules.context import Context, LabPoint

DILI = "dili-evaluation"


def timing(ctx: Context, guideline: str) -> tuple[StoryTiming, Citation] | None:
    g = ctx.kb.guidelines.get(guideline)
    if g is None or g.timing is None:
        return None
    return g.timing, g.source


def dili_trigger(ctx: Context, point: LabPoint) -> tuple[str, list[SourceRef]] | None:
    """The evaluate message when ``point`` is above the guideline's multiple of the upper
    limit of normal (the record's limit is not carried, so the guideline's default is used)."""
    found = timing(ctx, DILI)
    if found is None:
        return None
    t, source = found
    if t.uln_multiple is None or t.upper_limits is None or point.analyte not in t.upper_limits:
        return None
    uln = t.upper_limits[point.analyte]
    if point.value <= t.uln_multiple * uln:
        return None
    times = (point.value / uln).quantize(Decimal("0.1"))
    g = ctx.kb.guidelines[DILI]
    message = (
        f"{point.analyte.upper()} {point.value.normalize():f} {point.unit} ({point.date}) is "
        f"{times:f}x the upper limit of normal ({uln:f} {point.unit}; trigger above "
        f"{t.uln_multiple:f}x). {g.text}"
    )
    return message, [source_ref(ctx.kb, source)]

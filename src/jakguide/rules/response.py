"""Review points and treatment response for a patient on therapy.

Label review points (e.g. "no benefit after 24 weeks: consider stopping") are raised as
"review due at week N" findings from the therapy start date; they come from the knowledge base.
"""

from __future__ import annotations

from jakguide.kb.schema import Monograph, RegionLabel
from jakguide.model import Finding
from jakguide.rules.base import make
from jakguide.rules.context import Context
from jakguide.rules.dates import add_weeks


def review_findings(
    ctx: Context, mono: Monograph, label: RegionLabel, condition: str | None
) -> list[Finding]:
    therapy = ctx.patient.therapy
    if therapy is None:
        return []
    out: list[Finding] = []
    for rp in label.review_points:
        if rp.conditions is not None and condition not in rp.conditions:
            continue
        due = add_weeks(therapy.start_date, rp.week)
        if ctx.as_of >= due:
            out.append(
                make(
                    ctx.kb,
                    f"response.review.{rp.id}",
                    "response",
                    "warning",
                    f"Review due at week {rp.week} ({due}): {rp.text}",
                    [rp.source],
                    [f"started {therapy.start_date}", f"week {rp.week} = {due}"],
                )
            )
        else:
            out.append(
                make(
                    ctx.kb,
                    f"response.review.{rp.id}",
                    "response",
                    "info",
                    f"Review at week {rp.week} ({due}): {rp.text}",
                    [rp.source],
                    [f"started {therapy.start_date}"],
                )
            )
    return out

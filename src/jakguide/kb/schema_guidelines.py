"""Schema of ``knowledge/guidelines.yaml``: recommendations beyond the labels.

Each guideline has prose (``text``) and one ``source``. A response guideline may also carry its
numbers as data (``targets``): when to review, the target and acceptable values, the improvement
cut-offs. The rules read them there (``jakguide.rules.targets``), so a number is written once, in
the knowledge, next to the quote it comes from; no rule or message restates it.
"""

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from jakguide.kb.schema import Citation, Strict

__all__ = [
    "Guideline",
    "GuidelineFile",
    "Interval",
    "ResponseTargets",
    "StoryTiming",
    "Threshold",
]

PositiveInt = Annotated[int, Field(gt=0)]


class Interval(Strict):
    """A span of calendar time after an event: ``weeks`` or ``months`` (exactly one)."""

    weeks: PositiveInt | None = None
    months: PositiveInt | None = None

    @model_validator(mode="after")
    def _one(self) -> "Interval":
        if (self.weeks is None) == (self.months is None):
            raise ValueError("give exactly one of weeks, months")
        return self

    def text(self) -> str:
        """``"12 weeks"`` / ``"3 months"``."""
        return f"{self.weeks} weeks" if self.weeks is not None else f"{self.months} months"


class Threshold(Strict):
    """A limit a value is compared with: ``at_most`` or ``at_least`` (exactly one), inclusive."""

    at_most: Decimal | None = None
    at_least: Decimal | None = None

    @model_validator(mode="after")
    def _one(self) -> "Threshold":
        if (self.at_most is None) == (self.at_least is None):
            raise ValueError("give exactly one of at_most, at_least")
        return self

    @property
    def limit(self) -> Decimal:
        value = self.at_most if self.at_most is not None else self.at_least
        assert value is not None  # the validator guarantees one
        return value


class ResponseTargets(Strict):
    """The numbers of a response guideline, as the rules read them.

    ``rule`` names the findings built from the entry (``response.target.<rule>-...``); entries
    with the same ``rule`` and ``review_after`` make one review point citing each of them.
    ``name`` is how messages name the guideline. ``instrument`` is the measure the numbers apply
    to (``bsa``, ``asdas``) and ``unit`` its unit. ``review_after``: when the response is assessed
    after a start; ``then_every``: the interval of maintenance evaluations after that.
    ``target`` and ``acceptable`` compare the current value; ``acceptable_improvement_percent``
    the relative improvement from baseline (an alternative acceptable response).
    ``clinically_important_decrease`` and ``major_decrease`` compare the fall from baseline
    (baseline - current). ``criterion`` names a response criterion of the measure's published
    definition (``eular_moderate_or_good``), judged at ``review_after``. ``review_note`` and
    ``then_every_note`` record a reading or scheduling assumption, shown with the review point.
    """

    rule: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]
    name: str
    instrument: str
    unit: str = ""
    review_after: Interval | None = None
    then_every: Interval | None = None
    target: Threshold | None = None
    acceptable: Threshold | None = None
    acceptable_improvement_percent: Threshold | None = None
    clinically_important_decrease: Threshold | None = None
    major_decrease: Threshold | None = None
    criterion: str | None = None
    review_note: str | None = None
    then_every_note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "ResponseTargets":
        if self.then_every is not None and self.review_after is None:
            raise ValueError("then_every needs review_after")
        if self.then_every is not None and self.then_every.months is None:
            raise ValueError("then_every is given in months")
        if self.major_decrease is not None and self.clinically_important_decrease is None:
            raise ValueError("major_decrease needs clinically_important_decrease")
        if self.criterion is not None and self.review_after is None:
            raise ValueError("criterion needs review_after (when it is judged)")
        return self


class StoryTiming(Strict):
    """The numbers of a screening, vaccination, monitoring or policy guideline that date an item
    against the therapy start or a result (``jakguide.rules.story``). Each is optional; a rule
    reads only the one it needs and names the guideline it came from."""

    # a confirmatory recheck: due within this many days of the first abnormal result (<= 2 weeks)
    recheck_within_days: Annotated[int, Field(gt=0, le=14)] | None = None
    # a live vaccine counts as given before the start only this long before it
    before_start: Interval | None = None
    # repeat this screening during therapy at this interval
    repeat_every: Interval | None = None
    # evaluate when a result is above this multiple of the upper limit of normal ...
    uln_multiple: Annotated[Decimal, Field(gt=0)] | None = None
    # ... with these upper limits (canonical unit) when the record gives none
    upper_limits: dict[str, Annotated[Decimal, Field(gt=0)]] | None = None


class Guideline(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]
    topic: Literal["screening", "monitoring", "response", "vaccination", "renal-function", "policy"]
    text: str
    conditions: list[str] | None = None
    source: Citation
    targets: ResponseTargets | None = None
    timing: StoryTiming | None = None

    @model_validator(mode="after")
    def _targets_are_response(self) -> "Guideline":
        if self.targets is not None and self.topic != "response":
            raise ValueError("targets belong to a guideline of topic response")
        return self


class GuidelineFile(Strict):
    guidelines: list[Guideline]

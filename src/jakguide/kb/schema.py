"""Pydantic schema of the knowledge base.

Every model forbids unknown keys so that a typo in a YAML file is an error, not a silently
ignored fact. Every fact a rule can read carries a ``source`` (a ``Citation``). Numbers are in the
unit the model names; lab thresholds carry their UCUM unit and are converted on load.

The predicate language (``When``) lets the knowledge say *when* an adjustment, contraindication
or finding applies without any clinical number living in code.
"""

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

import jakguide.model as _model

Region = Literal["US", "EU"]
REGIONS: tuple[Region, ...] = ("US", "EU")


class Strict(BaseModel):
    """Base for every knowledge model: unknown keys are errors, instances are immutable.

    Validators are built on first use (``defer_build``): a CLI run that reads the knowledge
    snapshot (``jakguide.cli.snapshot``) never validates a knowledge file, so it skips the build.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# --------------------------------------------------------------------------- sources


class Citation(Strict):
    """Where a fact comes from: a ``sources.yaml`` id, the section, and optionally a quote.

    ``verified: false`` marks a fact that could not be checked against a copy of the label; the
    rules never use it silently (they say so, and apply the conservative value). ``verified_on``
    records the day a verified fact was last checked against the cited text. ``relayed_by`` names
    a secondary source (a monograph, summary or review) that reported the label's content when
    the label text itself could not be read; such a fact is kept ``verified: false``.
    """

    doc: str
    section: str
    quote: str | None = None
    verified: bool = True
    verified_on: dt.date | None = None
    relayed_by: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _relayed_is_unverified(self) -> "Citation":
        if self.relayed_by is not None and self.verified:
            raise ValueError("a fact relayed by a secondary source must be verified: false")
        return self


# What a source is. A label copy read on a third-party host is still the regulator's label
# document: its authority says what it stands for, ``read_via`` says which copy was read.
Authority = Literal[
    "regulator-label",  # the label the regulator approved (FDA PI, EMA SmPC/PL), any copy
    "manufacturer-label",  # the marketing-authorisation holder's own label material (HCP pages)
    "other-country-label",  # a label of another regulator (GB, SG, TH, HK, AU, IL, ...)
    "regulator-communication",  # referral outcome, DHPC, safety communication, EPAR page
    "monograph",  # compendium or secondary drug monograph (Medscape, Drugs.com, LactMed, MPR)
    "publication",  # journal article, trial report, review, patent
    "guideline",  # clinical or regulatory guideline
    "news",  # press release, news report
    "local-policy",  # jakguide's own documented policy
    "terminology",  # code systems and reference data (SNOMED CT, RxNorm, LOINC, UCUM)
]
LABEL_AUTHORITIES: frozenset[str] = frozenset({"regulator-label", "manufacturer-label"})
_DOCUMENT_AUTHORITIES = LABEL_AUTHORITIES | {"other-country-label"}


class LabelDocument(Strict):
    """The regulator document a label source stands for (the revision is the source's)."""

    regulator: Literal[
        "FDA", "EMA", "MHRA", "HSA", "TGA", "Thai FDA", "DoH HK", "MoH IL", "NPRA", "SFDA"
    ]
    kind: Literal["prescribing-information", "smpc", "package-leaflet", "medication-guide"]
    application: Annotated[str, Field(pattern=r"^(NDA|BLA) [0-9]{6}$")] | None = None
    set_id: (
        Annotated[
            str, Field(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
        ]
        | None
    ) = None
    product_number: Annotated[str, Field(pattern=r"^EU/1/[0-9]{2}/[0-9]{3,4}$")] | None = None

    def reference(self) -> str:
        """``FDA prescribing information, NDA 214958, set id ...`` (what a reviewer looks up)."""
        parts = [f"{self.regulator} {self.kind.replace('-', ' ')}"]
        if self.application:
            parts.append(self.application)
        if self.product_number:
            parts.append(self.product_number)
        if self.set_id:
            parts.append(f"DailyMed set id {self.set_id}")
        return ", ".join(parts)

    def url(self) -> str | None:
        """The regulator's own page for the document, where its identifiers give one."""
        if self.set_id:
            return f"https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid={self.set_id}"
        return None


ReadViaKind = Literal["regulator", "manufacturer", "third-party", "archive", "summary"]


class ReadVia(Strict):
    """The copy of a document that was actually read."""

    url: str | None = None
    what: str  # e.g. "PrescriberPoint copy of the PI (Dosage and Administration)"
    kind: ReadViaKind


class SourceDocument(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")]
    title: str
    publisher: str
    authority: Authority
    region: Region | None = None
    document: LabelDocument | None = None  # labels: the regulator document it stands for
    read_via: ReadVia | None = None  # the copy read, when it is not the document itself
    revision: dt.date | None = None  # of the document (for a label: the label revision)
    revision_note: str | None = None
    superseded_by: str | None = None  # id of a source holding a later revision of this document
    year: int | None = None  # publication year, shown in short citations
    accessed: dt.date | None = None
    url: str | None = None  # the document itself (non-label sources)
    note: str | None = None

    @model_validator(mode="after")
    def _label_names_its_document(self) -> "SourceDocument":
        if self.authority in _DOCUMENT_AUTHORITIES and self.document is None:
            raise ValueError(f"authority {self.authority!r} needs the regulator document")
        if self.authority not in _DOCUMENT_AUTHORITIES and self.document is not None:
            raise ValueError(f"authority {self.authority!r} has no regulator document")
        if self.read_via is not None and self.url is not None:
            raise ValueError("give the copy read under read_via.url, not url")
        if self.authority in _DOCUMENT_AUTHORITIES and self.url is not None:
            raise ValueError("a label's copy goes under read_via, not url")
        return self

    @property
    def is_label(self) -> bool:
        """A regulator or manufacturer label document (a fact that sets status may cite it)."""
        return self.authority in LABEL_AUTHORITIES

    def reference(self) -> str:
        """How the guide and the pages name the document (never a copy's address)."""
        base = self.document.reference() if self.document else self.publisher
        if self.revision is not None:
            base += f", revised {self.revision:%m/%Y}"
        return base

    def cite_url(self) -> str | None:
        """The address to print: the regulator's page for a label, else the document's own."""
        if self.document is not None:
            return self.document.url()
        return self.url


# --------------------------------------------------------------------------- deny list

# Hosts that are never sources: pre-production servers, raw IP addresses and shops. A label
# copy on such a host cannot be cited; find the regulator's or the manufacturer's copy instead.
DENIED_HOST_LABELS = frozenset({"stage", "staging", "uat", "sit", "test", "dev"})
DENIED_HOST_SUFFIXES = ("dev", "staging")  # e.g. mimsdev.com: a development copy of MIMS
_SUFFIX_MIN_TOKEN = 4  # "dev" alone is caught as a label; "mimsdev" by its suffix
DENIED_SHOPS = frozenset(
    {
        "otc-online-store.com",  # online pharmacy shop
        "laoslucius.com",  # online shop for generic medicines
        "nahdionline.com",  # online pharmacy shop
    }
)
_URL = re.compile(r"https?://([^/\s\"'<>)]+)[^\s\"'<>)]*", re.IGNORECASE)
_IPV4 = re.compile(r"^[0-9]{1,3}(\.[0-9]{1,3}){3}$")


def denied_host(host: str) -> str | None:
    """Why ``host`` may not be a source, or None when it may."""
    host = host.lower().rstrip(".")
    if host.startswith("["):  # an IPv6 literal
        return "a raw IP address"
    host = host.split(":")[0]
    if _IPV4.match(host):
        return "a raw IP address"
    for shop in DENIED_SHOPS:
        if host == shop or host.endswith("." + shop):
            return "a shop site"
    for label in host.split("."):
        for token in label.split("-"):
            if token in DENIED_HOST_LABELS or (
                len(token) >= _SUFFIX_MIN_TOKEN and token.endswith(DENIED_HOST_SUFFIXES)
            ):
                return f"a pre-production host ({token!r})"
    return None


_BARE_HOST = re.compile(
    r"(?<![@/\w.-])((?:[a-z0-9-]+\.)+(?:com|net|org|gov|sg|uk|eu|info|de|it|au|ir|site|md))\b",
    re.IGNORECASE,
)


def denied_urls(text: str) -> list[tuple[str, str]]:
    """Every (address, reason) in ``text`` whose host is denied (with or without a scheme)."""
    out = []
    for m in _URL.finditer(text):
        why = denied_host(m.group(1))
        if why:
            out.append((m.group(0), why))
    for m in _BARE_HOST.finditer(_URL.sub(" ", text)):
        why = denied_host(m.group(1))
        if why:
            out.append((m.group(1), why))
    return out


class SourceFile(Strict):
    sources: list[SourceDocument]


class KnowledgeIndex(Strict):
    version: str
    release_date: dt.date
    labels_checked_as_of: dt.date
    regions: dict[Region, str]
    note: str | None = None


# --------------------------------------------------------------------------- reference data


class Condition(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]
    name: str
    snomed: list[str]
    synonyms: list[str] = []
    group: Literal["skin", "joint", "axial", "bowel", "hair", "vascular", "other"]
    instruments: list[str] = []
    source: Citation


class ConditionFile(Strict):
    conditions: list[Condition]


Route = Literal[
    "oral",
    "intravenous",
    "subcutaneous",
    "intramuscular",
    "topical",
    "inhaled",
    "ophthalmic",
    "intranasal",
    "rectal",
    "transdermal",
    "other",
]


class ClassMember(Strict):
    ingredient: str  # lowercase INN
    rxnorm: str | None = None  # RxNorm ingredient (IN) code; None where it could not be confirmed
    note: str | None = None


class DrugClass(Strict):
    """An interaction or therapy class. Members count only when taken by ``routes``."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]
    name: str
    kind: Literal["interaction", "therapy"]
    routes: list[Route] = ["oral", "intravenous"]
    members: list[ClassMember]
    includes: list[str] = []  # other class ids whose members also belong here
    source: Citation


class DrugClassFile(Strict):
    classes: list[DrugClass]


class ProductCode(Strict):
    """An RxNorm clinical or branded drug (SCD/SBD/...) mapped to its ingredient(s)."""

    rxnorm: str
    tty: Literal[
        "IN", "PIN", "MIN", "BN", "SCD", "SBD", "SCDC", "SBDC", "GPCK", "BPCK", "SCDF", "SBDF"
    ]
    name: str
    ingredients: list[str]  # lowercase INNs
    route: Route | None = None
    source: Citation


class NameEntry(Strict):
    """How people write one ingredient: brands by region, misspellings, synonyms, RxNorm codes.

    ``kind: non-drug`` marks an entry that is not a medicine (a device, a therapy, a food) so a
    medication list naming it gives a warning only. Resolution is exact (case-insensitive); fuzzy
    matching only ever suggests.
    """

    inn: Annotated[str, Field(pattern=r"^[a-z0-9 -]+$")]
    kind: Literal["medicine", "non-drug"] = "medicine"
    route: Route | None = None  # the usual route when the name alone says it (e.g. a cream)
    brands: dict[Region, list[str]] = {}
    misspellings: list[str] = []
    synonyms: list[str] = []
    rxnorm: list[str] = []  # ingredient (IN) or brand-name (BN) codes
    brands_source: dict[Region, Citation] = {}  # where each region's brand names were read
    source: Citation  # the ingredient, its misspellings and synonyms

    @model_validator(mode="after")
    def _brands_cited(self) -> "NameEntry":
        uncited = sorted(r for r, b in self.brands.items() if b and r not in self.brands_source)
        if uncited:
            raise ValueError(f"brands for {', '.join(uncited)} need brands_source")
        return self


class ProductCodeFile(Strict):
    products: list[ProductCode]
    names: list[NameEntry] = []


class UnitConversion(Strict):
    """``canonical = value * factor`` (an exact decimal string keeps factors honest)."""

    unit: str  # UCUM
    factor: Annotated[str, Field(pattern=r"^[0-9]+(\.[0-9]+)?(E-?[0-9]+)?$")]
    aliases: list[str] = []  # non-UCUM spellings seen in records, e.g. "cells/mm3"
    # Plausible as entered in this unit (inclusive); default: the canonical range converted. A
    # narrower range here catches unit slips (1.8 /uL typed for 1.8 10*9/L); cite its basis.
    plausible: tuple[float, float] | None = None
    source: Citation | None = None  # required unless factor is 1 or a pure SI prefix change


class Analyte(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]
    name: str
    loinc: list[str]
    canonical_unit: str
    units: list[UnitConversion]
    plausible: tuple[float, float]  # canonical unit, inclusive; outside = impossible input
    plausible_source: Citation | None = None  # required when a unit narrows its plausible range
    # Which direction is worse, for same-day results that disagree (the rule uses the worse).
    worse: Literal["low", "high"] | None = None
    note: str | None = None
    source: Citation

    @model_validator(mode="after")
    def _canonical_listed(self) -> "Analyte":
        if self.canonical_unit not in {u.unit for u in self.units}:
            raise ValueError(f"canonical_unit {self.canonical_unit!r} is not in units")
        if any(u.plausible is not None for u in self.units) and self.plausible_source is None:
            raise ValueError("a unit's own plausible range needs plausible_source")
        return self


class AnalyteFile(Strict):
    analytes: list[Analyte]


# --------------------------------------------------------------------------- predicates


class NumberRange(Strict):
    """A numeric band. Bounds omitted are open. Inclusivity is explicit, as labels state it."""

    gte: float | None = None
    gt: float | None = None
    lte: float | None = None
    lt: float | None = None


# The patient vocabulary is the domain model's; the knowledge refers to the same items.
HistoryItem = _model.HistoryItem
HepaticClass = Literal["none", "child-pugh-a", "child-pugh-b", "child-pugh-c"]
RenalMeasure = Literal["creatinine-clearance", "egfr"]


class RenalBand(NumberRange):
    measure: RenalMeasure
    dialysis: bool | None = None  # true: applies to patients on dialysis / ESRD


class Pharmacogenomics(Strict):
    """A metaboliser phenotype. ``known_or_suspected: true`` follows labels that apply the rule
    only to patients *known or suspected* to have the phenotype: an unknown status then does not
    match. Otherwise (e.g. "determine genotype before starting") unknown is missing data."""

    gene: Literal["cyp2c9", "cyp2c19", "cyp3a4", "cyp2d6"]
    phenotypes: list[Literal["poor", "intermediate", "normal", "rapid", "ultrarapid"]]
    known_or_suspected: bool = False


class When(Strict):
    """A condition on the patient. All given keys must hold (AND); ``any_of`` is an OR."""

    renal: RenalBand | None = None
    hepatic: list[HepaticClass] | None = None
    classes: list[str] | None = None  # any current systemic medicine in any of these classes
    all_classes: list[str] | None = None  # at least one medicine in each of these classes
    age_years: NumberRange | None = None
    weight_kg: NumberRange | None = None
    history: list[HistoryItem] | None = None
    active_infection: bool | None = None
    active_serious_infection: bool | None = None
    pregnancy: bool | None = None
    breastfeeding: bool | None = None
    hypersensitivity: bool | None = None  # allergy to this drug recorded
    pharmacogenomics: Pharmacogenomics | None = None
    risk_group: bool | None = None  # EMA Art. 20 risk group (see RiskGroups)
    any_of: list["When"] | None = None


# --------------------------------------------------------------------------- drug monograph


class Form(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]  # e.g. ir-tablet, xr-tablet, oral-solution
    name: str
    route: Route
    strengths: list[str]  # as labelled, e.g. "5 mg", "1 mg/mL", "1.5%"
    source: Citation


Phase = Literal["induction", "maintenance", "single", "escalation"]


class Regimen(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]
    phase: Phase
    form: str  # Form.id
    dose_mg: float | None = None  # null for topicals
    per_day: int
    duration_weeks: int | None = None
    text: str
    preferred: bool = False
    when: When | None = None  # only for patients matching (e.g. weight band)
    note: str | None = None
    source: Citation


class Population(Strict):
    min_age_years: float | None = None
    max_age_years: float | None = None
    min_weight_kg: float | None = None
    text: str | None = None


PriorOutcome = Literal["inadequate-response", "intolerance", "loss-of-response", "other"]


class Prerequisite(Strict):
    """Prior therapy the label requires: ``min_count`` agents from any of ``classes``."""

    text: str
    classes: list[str]  # drug class ids (kind: therapy)
    outcomes: list[PriorOutcome]
    min_count: int = 1
    source: Citation


class DiseaseRequirement(Strict):
    """Disease features the label requires (severity, candidacy, objective inflammation)."""

    text: str
    severity: list[Literal["mild", "moderate", "severe"]] | None = None
    candidate_for_any: list[Literal["systemic", "phototherapy", "topical"]] | None = None
    objective_inflammation: bool | None = None
    source: Citation


class Indication(Strict):
    condition: str
    text: str
    population: Population
    prerequisites: list[Prerequisite] = []
    disease: DiseaseRequirement | None = None
    regimens: list[Regimen]
    source: Citation


Action = Literal[
    "replace-regimen",  # use ``regimen`` instead of the indication's regimens
    "max-dose",  # cap at ``regimen`` (higher regimens removed)
    "not-recommended",
    "contraindicated",
    "avoid",  # coadministration not recommended
    "caution",  # monitor / use with caution
    "no-change",  # explicit "no adjustment" so absence is not confused with silence
    "info",
]


class Adjustment(Strict):
    """A label row that adjusts dose or use when ``when`` holds (renal, hepatic, interaction, ...).

    A ``regimen`` without its own ``source`` inherits the row's ``source``: the dose and the row
    come from the same place in the label, so the knowledge states the citation once.
    """

    id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]
    kind: Literal["renal", "hepatic", "interaction", "age", "pharmacogenomic", "weight", "other"]
    when: When
    conditions: list[str] | None = None  # only for these indications; None = all
    phases: list[Phase] | None = None  # max-dose caps only regimens of these phases; None = all
    action: Action
    regimen: Regimen | None = None
    text: str
    source: Citation

    @model_validator(mode="before")
    @classmethod
    def _regimen_inherits_source(cls, data: Any) -> Any:
        """A regimen without its own ``source`` cites its adjustment's (the same label row)."""
        if isinstance(data, dict) and "source" in data:
            regimen = data.get("regimen")
            if isinstance(regimen, dict) and "source" not in regimen:
                return {**data, "regimen": {**regimen, "source": data["source"]}}
        return data

    @model_validator(mode="after")
    def _regimen_for_dose_actions(self) -> "Adjustment":
        if self.action in ("replace-regimen", "max-dose") and self.regimen is None:
            raise ValueError(f"action {self.action!r} needs a regimen")
        return self


class Contraindication(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]
    when: When
    severity: Literal["contraindicated", "not-recommended"] = "contraindicated"
    text: str
    source: Citation


class BoxedWarning(Strict):
    title: str
    text: str
    singled_out_text: str
    singled_out_min_age_years: float
    singled_out_min_cv_risk_factors: int
    source: Citation


class RiskGroups(Strict):
    """EMA 2023 Article 20 measures: use only if no suitable alternative in these patients."""

    text: str
    min_age_years: float
    smoking: list[Literal["current", "former-long-term", "former"]]
    cv_risk: bool = True
    malignancy_risk: bool = True
    vte_risk: bool = True
    lower_dose: list[Adjustment] = []  # product-specific lower dose, per indication
    source: Citation


LabContext = Literal["initiation", "on-therapy", "both"]
LabAction = Literal["do-not-start", "continue", "recheck", "interrupt", "discontinue"]


class LabRule(Strict):
    """A label threshold. ``requires`` names the confirmation the label asks for.

    ``value``/``upper`` are in ``unit`` (UCUM) and converted to the analyte's canonical unit when
    the knowledge loads. ``comparator: drop-gt`` means a fall from baseline larger than ``value``.
    ``first_action`` is what to do on a first abnormal result when ``requires`` is set.
    """

    id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]
    analyte: str
    context: LabContext
    comparator: Literal["lt", "lte", "gt", "gte", "between", "drop-gt"]
    value: float
    upper: float | None = None  # for "between" (inclusive both ends unless stated in text)
    unit: str
    action: LabAction
    requires: Literal["confirmed", "persistent"] | None = None
    first_action: LabAction | None = None
    until: str | None = None
    conditions: list[str] | None = None  # only in these indications
    text: str
    source: Citation


class MonitoringItem(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]
    analyte: str
    baseline: bool
    first_from_weeks: int | None = None  # first check after start, window from ...
    first_to_weeks: int | None = None  # ... to (weeks after start)
    every_months: int | None = None  # then every N months; None = per guidelines / routine
    text: str
    source: Citation


ScreeningItemId = Literal[
    "tb",
    "hbsag",
    "anti-hbc",
    "hbv-dna",
    "hcv",
    "hiv",
    "zoster-vaccine",
    "pregnancy-test",
    "live-vaccines",
    "immunizations",
    "lipids",
]


class ScreeningItem(Strict):
    item: ScreeningItemId
    text: str
    on_positive: str | None = None
    blocks_start_on_positive: bool = False
    source: Citation


class Reproduction(Strict):
    pregnancy: Literal["contraindicated", "avoid", "not-recommended", "caution"]
    pregnancy_text: str
    contraception_text: str | None = None
    contraception_weeks_after_last_dose: float | None = None
    lactation: Literal["contraindicated", "avoid", "not-recommended", "caution"] | None = None
    lactation_text: str | None = None
    source: Citation


class ResponseMeasure(Strict):
    """The response criterion of a recorded instrument: ``instrument`` as recorded (``easi``,
    ``salt``, ``mayo``), ``response`` when it is not the instrument's default definition
    (``modified-mayo``), ``criterion`` as the response reports it (``easi75``, ``salt_le_20``,
    ``clinical_response``). A trial endpoint's measure is cited by the trial entry."""

    instrument: str
    response: str | None = None
    criterion: str


class CitedMeasure(ResponseMeasure):
    """A measure judging a label's review point, with where the label's trials name it."""

    source: Citation
    note: str | None = None


class ReviewPoint(Strict):
    """A label's review point ("no benefit after N weeks: consider stopping"). ``measure``
    names the criterion the label's trials judged benefit by, when the record can show it."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]
    conditions: list[str] | None = None
    week: int
    text: str
    source: Citation
    measure: CitedMeasure | None = None


class Note(Strict):
    """A sourced fact no rule reads (shown in monographs and guides)."""

    topic: str
    text: str
    source: Citation


class KnownRevision(Strict):
    """A label revision known (e.g. from Drugs@FDA or openFDA "recent major changes") but whose
    text was not read: facts citing the sections it changed rest on a superseded revision."""

    revision: dt.date  # the 1st of the month when only the month is known
    sections: list[Annotated[str, Field(pattern=r"^[0-9]+(\.[0-9]+)*$|^boxed-warning$")]]
    text: str
    source: Citation


class LabelRevisions(Strict):
    """The label revision the region's facts were read from, and later ones not yet read."""

    read: dt.date | None  # None: the copies read are undated (see the label source)
    note: str | None = None
    later: list[KnownRevision] = []


class RegionLabel(Strict):
    label: str  # sources.yaml id of the label document
    revisions: LabelRevisions | None = None
    brands: list[str]
    indications: list[Indication]
    adjustments: list[Adjustment] = []
    contraindications: list[Contraindication] = []
    boxed_warning: BoxedWarning | None = None
    risk_groups: RiskGroups | None = None
    labs: list[LabRule] = []
    monitoring: list[MonitoringItem] = []
    screening: list[ScreeningItem] = []
    reproduction: Reproduction | None = None
    review_points: list[ReviewPoint] = []
    notes: list[Note] = []


class AdverseReaction(Strict):
    term: str
    frequency_percent: float | None = None
    comparator_percent: float | None = None
    frequency_text: str | None = None  # e.g. "very common (>= 1/10)"
    population: str
    region: Region | None = None
    source: Citation


class TrialArm(Strict):
    arm: str
    percent: float
    n: int | None = None


class EfficacyResult(Strict):
    """A trial result as the label or its publication reports it; ``measure`` maps the endpoint
    to a recorded instrument's criterion, so a patient's score can be checked at the same week."""

    condition: str
    trial: str
    endpoint: str
    week: int
    arms: list[TrialArm]
    population: str | None = None
    source: Citation
    measure: ResponseMeasure | None = None


class Target(Strict):
    text: str  # selectivity as labelled / published
    kinases: list[Literal["JAK1", "JAK2", "JAK3", "TYK2", "TEC"]]
    source: Citation


class Monograph(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z]+$")]
    inn: str
    rxnorm: str | None = None  # RxNorm ingredient code; None where it could not be confirmed
    atc: str | None = None
    codes_source: Citation
    target: Target
    forms: list[Form]
    regions: dict[Region, RegionLabel]
    adverse_reactions: list[AdverseReaction] = []
    efficacy: list[EfficacyResult] = []
    notes: list[Note] = []

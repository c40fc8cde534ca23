"""Assessment pages: a form (or a FHIR Bundle / native patient upload) -> the results page.

The form builds a native patient (``docs/patient-format.md``) and calls the same engine as
``jakguide assess`` and ``POST /api/assess``; the results page shows the same JSON document as
HTML: options with status and regimen, findings with their sources on demand, the pre-treatment
screening checklist and the monitoring plan with dates.

Absent is not empty here too: a list left blank and not ticked "reviewed" is unknown (the
engine then says which data it needs); ticking "reviewed" with nothing else means "none".
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, get_args

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from jakguide.adapters.native import check_day
from jakguide.engine import assess
from jakguide.errors import InputError
from jakguide.kb.base import Knowledge
from jakguide.model import (
    AssessRequest,
    CvRiskFactor,
    HepaticImpairment,
    HistoryItem,
    Pregnancy,
    PriorOutcome,
    ScreeningItemId,
    ScreeningResult,
    Sex,
    Smoking,
)
from jakguide.web.api.stateless import assessment_json
from jakguide.web.deps import KbDep
from jakguide.web.pages.common import (
    REGIONS,
    ClinDep,
    FormDep,
    check_csrf,
    condition_name,
    form_str,
    page_context,
    page_day,
    page_router,
    render_html,
    status_rank,
)

router = page_router()

LAB_ANALYTES = (
    "lymphocytes",
    "neutrophils",
    "hemoglobin",
    "platelets",
    "alt",
    "ast",
    "egfr",
    "creatinine-clearance",
    "ldl-cholesterol",
    "crp",
)
PRIOR_ROWS = 3
MAX_UPLOAD = 1024 * 1024


@dataclass
class Choices:
    """Value sets of the form's selects, from the domain model's literals."""

    sex: tuple[str, ...] = get_args(Sex)
    pregnancy: tuple[str, ...] = get_args(Pregnancy)
    yes_no: tuple[str, ...] = ("unknown", "yes", "no")
    smoking: tuple[str, ...] = get_args(Smoking)
    hepatic: tuple[str, ...] = get_args(HepaticImpairment)
    history: tuple[str, ...] = get_args(HistoryItem)
    cv: tuple[str, ...] = get_args(CvRiskFactor)
    outcomes: tuple[str, ...] = get_args(PriorOutcome)
    screening: tuple[str, ...] = get_args(ScreeningItemId)
    results: tuple[str, ...] = get_args(ScreeningResult)
    severity: tuple[str, ...] = ("mild", "moderate", "severe")
    candidate: tuple[str, ...] = ("systemic", "phototherapy", "topical")


CHOICES = Choices()


@dataclass
class Built:
    """A native patient built from the form, and the form fields of its list entries."""

    data: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)  # "labs[0]" -> form field


def _number(
    form: FormData, name: str, errors: dict[str, str], lo: float, hi: float
) -> float | None:
    raw = form_str(form, name, 40)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        errors[name] = f"Enter a number (got {raw!r})."
        return None
    if not lo <= value <= hi:
        errors[name] = f"Enter a number from {lo:g} to {hi:g} (got {raw})."
        return None
    return value


def _date(form: FormData, name: str, errors: dict[str, str], default: dt.date | None) -> Any:
    raw = form_str(form, name, 20)
    if not raw:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors[name] = f"Enter a date as YYYY-MM-DD (got {raw!r})."
        return default


def _choice(form: FormData, name: str, allowed: tuple[str, ...], errors: dict[str, str]) -> str:
    raw = form_str(form, name, 60)
    if raw and raw not in allowed:
        errors[name] = f"Choose one of the listed values (got {raw!r})."
        return ""
    return raw


def _ticked(form: FormData, name: str, allowed: tuple[str, ...]) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str) and v in allowed]


def _list_or_unknown(items: list[Any], reviewed: bool) -> list[Any] | None:
    """Absent is not empty: nothing entered and not reviewed is unknown."""
    return items if items or reviewed else None


def patient_from_form(form: FormData, kb: Knowledge, day: dt.date) -> Built:
    """The native patient the form describes (errors keyed by form field name)."""
    b = Built()
    d, e = b.data, b.errors
    age = _number(form, "age_years", e, 0, 130)
    if age is not None:
        d["age_years"] = age
    birth = _date(form, "birth_date", e, None)
    if birth is not None:
        d["birth_date"] = birth.isoformat()
    for name, allowed in (
        ("sex", CHOICES.sex),
        ("pregnancy", CHOICES.pregnancy),
        ("breastfeeding", CHOICES.yes_no),
        ("smoking", CHOICES.smoking),
        ("hepatic_impairment", CHOICES.hepatic),
    ):
        value = _choice(form, name, allowed, e)
        if value:
            d[name] = value
    dialysis = _choice(form, "on_dialysis", CHOICES.yes_no, e)
    if dialysis in ("yes", "no"):
        d["on_dialysis"] = dialysis == "yes"
    weight = _number(form, "weight_kg", e, 0.5, 700)
    if weight is not None:
        d["measurements"] = [{"kind": "weight_kg", "value": weight, "date": day.isoformat()}]
    d["conditions"] = [form_str(form, "condition", 100)]

    for name, allowed in (("history", CHOICES.history), ("cv_risk_factors", CHOICES.cv)):
        items = _ticked(form, name, allowed)
        known = _list_or_unknown(items, bool(form.get(f"{name}_reviewed")))
        if known is not None:
            d[name] = known
    infection = _choice(form, "infection", ("", "none", "serious", "not-serious"), e)
    if infection == "none":
        d["active_infections"] = []
    elif infection:
        d["active_infections"] = [{"name": "active infection", "serious": infection == "serious"}]

    meds = [line.strip() for line in form_str(form, "medications", 4000).splitlines()]
    known = _list_or_unknown([m for m in meds if m], bool(form.get("medications_reviewed")))
    if known is not None:
        d["medications"] = known
        for i in range(len(known)):
            b.paths[f"medications[{i}]"] = "medications"

    allergies = [line.strip() for line in form_str(form, "allergies", 2000).splitlines()]
    known = _list_or_unknown(
        [{"drug": a} for a in allergies if a], bool(form.get("allergies_reviewed"))
    )
    if known is not None:
        d["allergies"] = known
        for i in range(len(known)):
            b.paths[f"allergies[{i}]"] = "allergies"

    prior: list[dict[str, str]] = []
    for i in range(PRIOR_ROWS):
        drug = form_str(form, f"prior_drug_{i}", 100).lower()
        outcome = _choice(form, f"prior_outcome_{i}", CHOICES.outcomes, e)
        if drug and not outcome:
            e[f"prior_outcome_{i}"] = "Choose how this therapy ended."
        elif drug:
            b.paths[f"prior_therapies[{len(prior)}]"] = f"prior_drug_{i}"
            prior.append({"drug": drug, "outcome": outcome})
    known = _list_or_unknown(prior, bool(form.get("prior_reviewed")))
    if known is not None:
        d["prior_therapies"] = known

    labs: list[dict[str, Any]] = []
    for analyte in LAB_ANALYTES:
        key = f"lab_{analyte}"
        number = _number(form, f"{key}_value", e, -1e12, 1e12)
        unit = form_str(form, f"{key}_unit", 50)
        when = _date(form, f"{key}_date", e, day)
        if number is not None:
            b.paths[f"labs[{len(labs)}]"] = f"{key}_value"
            labs.append(
                {"analyte": analyte, "value": number, "unit": unit, "date": when.isoformat()}
            )
    if labs:
        d["labs"] = labs

    screening: list[dict[str, Any]] = []
    for item in CHOICES.screening:
        result = _choice(form, f"scr_{item}", CHOICES.results, e)
        when = _date(form, f"scr_{item}_date", e, None)
        if result:
            b.paths[f"screening[{len(screening)}]"] = f"scr_{item}"
            row: dict[str, Any] = {"item": item, "result": result}
            if when is not None:
                row["date"] = when.isoformat()
            screening.append(row)
    if screening:
        d["screening"] = screening

    disease: dict[str, Any] = {}
    for name, hi in (("pasi", 72.0), ("bsa_percent", 100.0), ("dlqi", 30.0)):
        number = _number(form, name, e, 0, hi)
        if number is not None:
            disease[name] = number
    severity = _choice(form, "severity", CHOICES.severity, e)
    if severity:
        disease["severity"] = severity
    candidate = _ticked(form, "candidate_for", CHOICES.candidate)
    if candidate:
        disease["candidate_for"] = candidate
    inflammation = {}
    for name in ("crp_elevated", "mri"):
        flag = _choice(form, name, CHOICES.yes_no, e)
        if flag in ("yes", "no"):
            inflammation[name] = flag == "yes"
    if inflammation:
        disease["objective_inflammation"] = inflammation
    if disease:
        d["disease"] = disease
    return b


def _field_of(built: Built, path: str) -> str:
    """The form field an error path (``labs[1].unit``) belongs to."""
    for prefix, name in built.paths.items():
        if path == prefix or path.startswith(prefix + "."):
            return name
    top = path.split(".", 1)[0].split("[", 1)[0]
    return {"disease": path.rsplit(".", maxsplit=1)[-1], "measurements": "weight_kg"}.get(top, top)


def results_context(kb: Knowledge, out: dict[str, Any]) -> dict[str, Any]:
    """What the results template needs from an assessment document."""
    options = sorted(out["options"], key=lambda o: (status_rank(o["status"]), o["drug"]))
    counts: dict[str, int] = {}
    for option in options:
        counts[option["status"]] = counts.get(option["status"], 0) + 1
    return {
        "result": out,
        "options": options,
        "counts": counts,
        "condition_label": condition_name(kb, out["condition"]),
        "derived": derived_inputs(options),
        "not_derived": derived_inputs(options, blocked=True),
    }


NOT_DERIVED = "derive.not-derived."


def derived_inputs(options: list[dict[str, Any]], blocked: bool = False) -> list[dict[str, Any]]:
    """The inputs the record settles without their being entered (``derive.*`` findings), once
    each, with the agents whose rules used them: the page shows what was derived and from what,
    as the CLI's "Derived from other recorded data" block does. With ``blocked``, the inputs a
    recorded value kept from being derived (``derive.not-derived.*``) instead."""
    found: dict[str, dict[str, Any]] = {}
    for option in options:
        for f in option["findings"]:
            rule = f["rule"]
            if not rule.startswith("derive.") or rule.startswith(NOT_DERIVED) != blocked:
                continue
            for fact in f["facts"]:
                entry = found.setdefault(
                    fact, {"fact": fact, "rule": f["rule"], "sources": [], "drugs": []}
                )
                if option["drug"] not in entry["drugs"]:
                    entry["drugs"].append(option["drug"])
                for s in f["sources"]:
                    if s not in entry["sources"]:
                        entry["sources"].append(s)
    return list(found.values())


def _form_context(kb: Knowledge, day: dt.date, values: dict[str, Any]) -> dict[str, Any]:
    units = {a: [u.unit for u in found.units] for a in LAB_ANALYTES if (found := kb.analyte(a))}
    return {
        "choices": CHOICES,
        "conditions": sorted(kb.conditions.values(), key=lambda c: c.name),
        "regions": REGIONS,
        "lab_analytes": [(a, kb.analyte(a)) for a in LAB_ANALYTES],
        "units": units,
        "prior_rows": range(PRIOR_ROWS),
        "day": day,
        "values": values,
    }


MULTI = ("history", "cv_risk_factors", "candidate_for")


def _values(form: FormData) -> dict[str, Any]:
    """Submitted values to refill the form with (lists for the checkbox groups)."""
    out: dict[str, Any] = {key: form_str(form, key, 4000) for key in form if key not in MULTI}
    for key in MULTI:
        out[key] = [v for v in form.getlist(key) if isinstance(v, str)]
    return out


@router.get("/assess")
def assess_form(request: Request, clin: ClinDep, kb: KbDep, as_of: str | None = None) -> Response:
    day = page_day(request, clin.actor, as_of)
    ctx = _form_context(kb, day, {"as_of": day.isoformat(), "region": "US"})
    return render_html(
        kb,
        "assess_form.html.j2",
        page_context(clin, "assess", "Assess a patient", errors={}, **ctx),
    )


def _upload(form: FormData) -> UploadFile | None:
    file = form.get("patient_file")
    if isinstance(file, UploadFile) and file.filename:
        return file
    return None


@router.post("/assess")
def assess_submit(request: Request, clin: ClinDep, form: FormDep, kb: KbDep) -> Response:
    check_csrf(form, clin)
    errors: dict[str, str] = {}
    day = page_day(request, clin.actor, None)
    raw_day = form_str(form, "as_of", 20)
    if raw_day:
        try:
            day = check_day(dt.date.fromisoformat(raw_day), "as_of")
        except ValueError:
            errors["as_of"] = f"Enter a date as YYYY-MM-DD (got {raw_day!r})."
        except InputError as exc:
            errors["as_of"] = f"Enter {exc.reason} (got {raw_day!r})."
    region = form_str(form, "region", 4) or "US"
    if region not in REGIONS:
        errors["region"] = "Choose US or EU."
        region = "US"
    condition = form_str(form, "condition", 100)
    if condition not in kb.conditions:
        errors["condition"] = "Choose the condition to assess."
    upload = _upload(form)
    warnings: list[str] = []
    built = Built()
    patient = None
    if upload is not None:
        patient, warnings = _read_upload(upload, kb, day, errors)
    else:
        built = patient_from_form(form, kb, day)
        errors.update(built.errors)
    if not errors and upload is None:
        from jakguide.adapters.native import patient_from_data

        try:
            patient = patient_from_data(built.data, kb)
        except InputError as exc:
            errors[_field_of(built, exc.field)] = f"{exc.reason} (got {exc.value!r})."
    if not errors and patient is not None:
        try:
            result = assess(
                patient, AssessRequest(condition=condition, region=region, as_of=day), kb
            )
        except InputError as exc:
            errors[_field_of(built, exc.field)] = str(exc)
        else:
            out = assessment_json(result, warnings)
            return render_html(
                kb,
                "assess_results.html.j2",
                page_context(
                    clin,
                    "assess",
                    "Assessment results",
                    patient_id=None,
                    source="upload" if upload is not None else "form",
                    save_data=save_payload(built.data) if upload is None else None,
                    **results_context(kb, out),
                ),
            )
    ctx = _form_context(kb, day, _values(form))
    return render_html(
        kb,
        "assess_form.html.j2",
        page_context(clin, "assess", "Assess a patient", errors=errors, **ctx),
        status=422,
    )


def save_payload(data: dict[str, Any]) -> str:
    """The patient the form described, as native JSON for "save to a new record" (re-checked
    like an upload when it comes back)."""
    return json.dumps(data, default=str, sort_keys=True)


def _read_upload(
    upload: UploadFile, kb: Knowledge, day: dt.date, errors: dict[str, str]
) -> tuple[Any, list[str]]:
    from jakguide.adapters.native import load_patient_data, parse_text

    data = upload.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        errors["patient_file"] = "The file is larger than 1 MiB."
        return None, []
    try:
        text = data.decode("utf-8")
        loaded = load_patient_data(parse_text(text, "file"), kb, day, "file")
    except UnicodeDecodeError:
        errors["patient_file"] = "The file is not UTF-8 text (JSON or YAML)."
        return None, []
    except InputError as exc:
        errors["patient_file"] = str(exc)
        return None, []
    return loaded.patient, loaded.warnings


__all__ = ["derived_inputs", "results_context", "router"]

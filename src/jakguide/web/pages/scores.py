"""Score entry forms: PASI (four regions), BASDAI, ASDAS-CRP, DLQI item scores, DAPSA, BASFI,
and a form for every other labelled condition's instrument, built from its declared inputs.

Why the fields come from the instruments' own input descriptions: the accepted ranges ("integer
0-4", "number 0-10") and meanings are declared once in ``jakguide.instruments``; the form, its
browser-side limits and the messages next to each field are derived from them, and the score is
then computed by the instrument itself (whose error names the offending item, shown next to that
item). DLQI: item scores only, with the copyright notice; the questionnaire text is never shown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from jakguide.instruments import DLQI_NOTICE, InstrumentInputError, score
from jakguide.instruments import asdas as asdas_mod
from jakguide.instruments import easi as easi_mod
from jakguide.instruments import hecsi as hecsi_mod
from jakguide.instruments import vasi as vasi_mod
from jakguide.instruments.registry import get_instrument
from jakguide.instruments.viga import VIGA_NOTICE
from jakguide.store.records import Records
from jakguide.store.schemas import ScoreIn
from jakguide.web.deps import KbDep, SessionDep
from jakguide.web.pages.common import (
    ClinDep,
    FormDep,
    PageError,
    check_csrf,
    form_str,
    page_context,
    page_day,
    page_router,
    render_html,
)

router = page_router()

PASI_REGIONS = (
    ("head", "Head"),
    ("upper_limbs", "Upper limbs"),
    ("trunk", "Trunk"),
    ("lower_limbs", "Lower limbs"),
)
CRP_UNITS = (("mg/L", "crp_mg_l"), ("mg/dL", "crp_mg_dl"))
DLQI_NOT_RELEVANT_FROM = 3  # items 3-10 accept "not relevant" (Finlay & Khan 1994)
FORM_TITLES: tuple[tuple[str, str], ...] = (
    ("pasi", "PASI"),
    ("dlqi", "DLQI"),
    ("dapsa", "DAPSA"),
    ("basdai", "BASDAI"),
    ("asdas-crp", "ASDAS-CRP"),
    ("basfi", "BASFI"),
    ("asdas-esr", "ASDAS-ESR"),
    ("das28-crp", "DAS28-CRP"),
    ("das28-esr", "DAS28-ESR"),
    ("cdai", "CDAI"),
    ("sdai", "SDAI"),
    ("easi", "EASI"),
    ("viga-ad", "vIGA-AD"),
    ("salt", "SALT"),
    ("mayo", "Mayo"),
    ("partial-mayo", "Partial Mayo"),
    ("hbi", "HBI"),
    ("hecsi", "HECSI"),
    ("f-vasi", "F-VASI"),
    ("t-vasi", "T-VASI"),
    ("jadas-27", "JADAS-27"),
    ("cjadas-10", "cJADAS-10"),
    ("gca-sustained-remission", "GCA sustained remission"),
    ("niaid-os", "NIAID ordinal scale"),
)
# Inputs named <group>_<item> shown as one fieldset per group (regions, hand locations).
FORM_GROUPS: dict[str, tuple[tuple[str, str], ...]] = {
    "easi": tuple((r, r.replace("_", " ").capitalize()) for r in easi_mod.REGIONS),
    "hecsi": tuple((k, text.capitalize()) for k, text in hecsi_mod.LOCATIONS),
    "t-vasi": tuple((k, text.capitalize()) for k, text in vasi_mod.TOTAL_REGIONS),
}
NOTICES = {"viga-ad": VIGA_NOTICE}
SELECT_UP_TO = 9  # presentation: whole-number inputs with at most this many values are a select
_ACCEPTED = re.compile(r"(integer|number) (\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)")
_AT_LEAST = re.compile(r"(integer|number) >= (\d+(?:\.\d+)?)")
_ONE_OF = re.compile(r"one of ([\d, ]+)")
_YES_NO = (("false", "no"), ("true", "yes"))


@dataclass(frozen=True)
class FormField:
    """One input of a score form (``name`` is the instrument's input name, dotted for PASI)."""

    name: str
    label: str
    integer: bool = False
    low: float | None = None
    high: float | None = None
    choices: tuple[tuple[str, str], ...] = ()  # (value, text) of a select
    required: bool = True
    group: str = ""
    hint: str = ""

    @property
    def step(self) -> str:
        return "1" if self.integer else "any"


def _range(accepted: str) -> tuple[bool, float | None, float | None]:
    """Type and limits from an instrument's "accepted" text (first alternative)."""
    first = accepted.split("|", maxsplit=1)[0].strip()
    if m := _ACCEPTED.match(first):
        return m.group(1) == "integer", float(m.group(2)), float(m.group(3))
    if m := _AT_LEAST.match(first):
        return m.group(1) == "integer", float(m.group(2)), None
    return False, None, None


def _spec_fields(instrument: str) -> dict[str, Any]:
    return {i.name.split("|")[0].strip(): i for i in get_instrument(instrument).doc.inputs}


def _numeric(instrument: str, name: str, label: str, group: str = "") -> FormField:
    spec = _spec_fields(instrument)[name]
    integer, low, high = _range(spec.accepted)
    return FormField(name, label, integer, low, high, group=group, hint=spec.accepted)


def _crp(instrument: str) -> list[FormField]:
    spec = next(i for i in get_instrument(instrument).doc.inputs if "crp" in i.name)
    integer, low, high = _range(spec.accepted)
    return [
        FormField("crp", "C-reactive protein", integer, low, high, hint=spec.description),
        FormField("crp_unit", "CRP unit", choices=tuple((u, u) for u, _ in CRP_UNITS)),
    ]


def _pasi_fields() -> list[FormField]:
    out = []
    for key, title in PASI_REGIONS:
        for part in ("erythema", "induration", "desquamation"):
            spec = _spec_fields("pasi")[f"{key}.{part}"]
            integer, low, high = _range(spec.accepted)
            grades = tuple((str(v), str(v)) for v in range(int(low or 0), int(high or 0) + 1))
            out.append(
                FormField(f"{key}.{part}", part.capitalize(), True, low, high, grades, True, title)
            )
        area = next(
            i for i in get_instrument("pasi").doc.inputs if i.name.startswith(f"{key}.area")
        )
        integer, low, high = _range(area.accepted.split("|")[1])
        out.append(
            FormField(
                f"{key}.area_percent", "Area involved (%)", integer, low, high, group=title,
                hint="percentage of the region; converted to the area score with the PASI bands",
            )
        )  # fmt: skip
    out.append(
        FormField(
            "bsa_percent",
            "Body surface area involved (%)",
            False,
            0,
            100,
            required=False,
            hint="optional; kept as a psoriasis-severity score (rule of tens) for the BSA plot",
        )
    )
    return out


def _items(instrument: str, count: int, label: str) -> list[FormField]:
    spec = _spec_fields(instrument)
    out = []
    for i in range(1, count + 1):
        item = spec[f"q{i}"]
        integer, low, high = _range(item.accepted)
        text = f"{label} {i}" + (f": {item.description}" if label == "Question" else "")
        out.append(FormField(f"q{i}", text, integer, low, high, hint=item.accepted))
    return out


def _dlqi_fields() -> list[FormField]:
    out = []
    for i in range(1, 11):
        choices = [("", "not answered"), *((str(v), str(v)) for v in range(4))]
        if i >= DLQI_NOT_RELEVANT_FROM:
            choices.append(("not-relevant", "not relevant"))
        out.append(FormField(f"q{i}", f"Item {i} score", True, 0, 3, tuple(choices), False))
    return out


def _generic_fields(instrument: str) -> list[FormField]:
    """A form from the instrument's declared inputs: short whole-number ranges, listed values and
    yes/no as selects, other numbers as inputs with their limits, CRP with its unit."""
    doc = get_instrument(instrument).doc
    groups = FORM_GROUPS.get(instrument, ())
    out: list[FormField] = []
    for spec in doc.inputs:
        name = spec.name.split("|")[0].strip()
        if "crp" in name:
            out += _crp(instrument)
            continue
        key, title = next(((k, t) for k, t in groups if name.startswith(k + "_")), ("", ""))
        label = name.removeprefix(key + "_").replace("_", " ") if key else spec.description
        hint = spec.description if key else spec.accepted
        integer, low, high = _range(spec.accepted)
        choices: tuple[tuple[str, str], ...] = ()
        if spec.accepted == "true or false":
            choices = _YES_NO
        elif m := _ONE_OF.match(spec.accepted):
            choices = tuple((v.strip(), v.strip()) for v in m.group(1).split(","))
        elif integer and low is not None and high is not None and high - low < SELECT_UP_TO:
            values = range(int(low), int(high) + 1)
            texts = [t for _, t in doc.categories]
            named = len(doc.inputs) == 1 and len(texts) == len(values)
            choices = tuple((str(v), texts[i] if named else str(v)) for i, v in enumerate(values))
        label = label[:1].upper() + label[1:]
        out.append(FormField(name, label, integer, low, high, choices, True, title, hint))
    return out


def forms_for(instruments: Sequence[str]) -> list[tuple[str, str, bool]]:
    """Every form as (instrument, title, listed): the instruments the patient's conditions list
    first, in the knowledge's order, then the rest."""
    titles = dict(FORM_TITLES)
    first = [i for i in dict.fromkeys(instruments) if i in titles]
    rest = [k for k, _ in FORM_TITLES if k not in first]
    return [(k, titles[k], True) for k in first] + [(k, titles[k], False) for k in rest]


def form_fields(instrument: str) -> list[FormField]:
    """The fields of a score form (KeyError for an instrument without a form)."""
    builders: dict[str, Callable[[], list[FormField]]] = {
        "pasi": _pasi_fields,
        "basdai": lambda: _items("basdai", 6, "Question"),
        "basfi": lambda: _items("basfi", 10, "Item"),
        "dlqi": _dlqi_fields,
        "asdas-crp": lambda: [
            _numeric("asdas-crp", k, get_instrument("asdas-crp").doc.inputs[n].description)
            for n, k in enumerate(
                ("back_pain", "morning_stiffness_duration", "patient_global",
                 "peripheral_pain_swelling")
            )
        ] + _crp("asdas-crp"),
        "dapsa": lambda: [
            _numeric("dapsa", "tender_joints", "Tender joints (68)"),
            _numeric("dapsa", "swollen_joints", "Swollen joints (66)"),
            _numeric("dapsa", "patient_global", "Patient global (0-10)"),
            _numeric("dapsa", "pain", "Patient pain (0-10)"),
            *_crp("dapsa"),
        ],
    }  # fmt: skip
    if instrument not in builders:
        _title(instrument)  # 404 for an instrument without a form
        return _generic_fields(instrument)
    return builders[instrument]()


@dataclass
class Parsed:
    inputs: dict[str, Any]
    errors: dict[str, str]
    extra: dict[str, float]


def parse_fields(instrument: str, form: FormData) -> Parsed:
    """Form values -> instrument inputs; per-field messages for missing or out-of-range values."""
    fields = form_fields(instrument)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for f in fields:
        raw = form_str(form, f.name, 40)
        if f.choices:
            allowed = [v for v, _ in f.choices]
            if raw not in allowed or (f.required and raw == ""):
                errors[f.name] = "Choose one of the listed values."
                continue
            values[f.name] = raw
            continue
        if raw == "":
            if f.required:
                errors[f.name] = f"Enter a value ({f.hint})."
            continue
        try:
            number = float(raw)
        except ValueError:
            errors[f.name] = f"Enter a number, not {raw!r}."
            continue
        if f.integer and not number.is_integer():
            errors[f.name] = "Enter a whole number."
        elif (f.low is not None and number < f.low) or (f.high is not None and number > f.high):
            upper = f"{f.high:g}" if f.high is not None else "or more"
            errors[f.name] = f"Enter a value from {f.low:g} to {upper} (got {raw})."
        else:
            values[f.name] = int(number) if f.integer else number
    return Parsed(_inputs(instrument, values), errors, _extra(values))


def _extra(values: dict[str, Any]) -> dict[str, float]:
    return {"bsa_percent": values["bsa_percent"]} if "bsa_percent" in values else {}


def _inputs(instrument: str, values: dict[str, Any]) -> dict[str, Any]:
    if instrument == "dlqi":
        answers: list[Any] = []
        for i in range(1, 11):
            raw = values.get(f"q{i}", "")
            answers.append(None if raw == "" else raw if raw == "not-relevant" else int(raw))
        return {"answers": answers}
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in ("crp", "crp_unit", "bsa_percent"):
            continue
        if "." in key:
            region, part = key.split(".", 1)
            out.setdefault(region, {})[part] = int(value) if part != "area_percent" else value
        elif isinstance(value, str) and value.isdigit():
            out[key] = int(value)  # a select's whole number
        else:
            out[key] = value
    if "crp" in values:
        unit = dict(CRP_UNITS).get(values.get("crp_unit", "mg/L"), "crp_mg_l")
        out[unit] = values["crp"]
    return out


def field_of_error(exc: InstrumentInputError) -> str:
    """The form field an instrument error belongs to."""
    name = exc.field
    if name.startswith("answers."):
        return name.split(".", 1)[1]
    if name.startswith("crp"):
        return "crp"
    if name.endswith(".area"):
        return name + "_percent"
    return name


def check_score(instrument: str, parsed: Parsed) -> float | None:
    """Score the parsed inputs; an instrument error is added next to its field."""
    if parsed.errors:
        return None
    try:
        return float(score(instrument, **parsed.inputs).value)
    except InstrumentInputError as exc:
        parsed.errors[field_of_error(exc)] = f"{exc.accepted} (got {exc.value!r})"
        return None


def asdas_prefill(
    records: Records, patient_id: str, when: dt.date
) -> tuple[dict[str, str], list[str]]:
    """ASDAS values the record already holds for ``when``: the BASDAI questions ASDAS shares
    (``asdas.FROM_BASDAI``) from a BASDAI entered with its items that day, and that day's CRP in
    mg/L; with a note per value saying where it came from. The clinician can change them."""
    values: dict[str, str] = {}
    notes: list[str] = []
    basdai = [s for s in _basdai_with_items(records, patient_id) if s.date == when]
    if basdai:
        inputs = basdai[-1].inputs
        taken = []
        for item, question in asdas_mod.FROM_BASDAI.items():
            if inputs.get(question) is not None:
                values[item] = f"{float(inputs[question]):g}"
                taken.append(f"{item.replace('_', ' ')} (question {question.removeprefix('q')})")
        if taken:
            notes.append(f"From the BASDAI of {when.isoformat()}: {', '.join(taken)}.")
    mg_l = dict(CRP_UNITS)  # the form's CRP units; the stored lab is in its canonical unit
    crp = [
        lab
        for lab in records.list_rows(patient_id, "labs")
        if lab.analyte == "crp" and lab.date == when and lab.unit in mg_l
    ]
    if crp:
        lab = crp[-1]
        values["crp"], values["crp_unit"] = f"{lab.value:g}", lab.unit
        entered = (
            f" (entered as {lab.value_entered:g} {lab.unit_entered})"
            if lab.unit_entered != lab.unit
            else ""
        )
        notes.append(
            f"CRP {lab.value:g} {lab.unit} from the lab result of {when.isoformat()}{entered}."
        )
    return values, notes


def _basdai_with_items(records: Records, patient_id: str) -> list[Any]:
    rows = records.list_rows(patient_id, "scores")
    return [s for s in rows if s.instrument == "basdai" and s.inputs]


def latest_basdai_day(records: Records, patient_id: str, day: dt.date) -> dt.date | None:
    """The last day on or before ``day`` with a BASDAI entered with its items (an ASDAS for
    that day can be pre-filled from it)."""
    days = [s.date for s in _basdai_with_items(records, patient_id) if s.date <= day]
    return max(days, default=None)


def _title(instrument: str) -> str:
    found = dict(FORM_TITLES).get(instrument)
    if found is None:
        raise PageError(
            404,
            "No such form",
            "Score forms: " + ", ".join(k for k, _ in FORM_TITLES) + ".",
        )
    return found


def _render(
    clin: Any,
    kb: Any,
    pid: str,
    label: str,
    instrument: str,
    day: dt.date,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
    prefilled: Sequence[str] = (),
    offer: dt.date | None = None,
) -> Response:
    title = _title(instrument)
    fields = form_fields(instrument)
    groups: dict[str, list[FormField]] = {}
    for f in fields:
        groups.setdefault(f.group, []).append(f)
    return render_html(
        kb,
        "score_form.html.j2",
        page_context(
            clin,
            "patients",
            f"{title} for {label}",
            pid=pid,
            label=label,
            instrument=instrument,
            form_title=title,
            doc=get_instrument(instrument).doc,
            groups=groups,
            values=values,
            errors=errors,
            day=day,
            notice=DLQI_NOTICE if instrument == "dlqi" else None,
            other_notice=NOTICES.get(instrument),
            prefilled=prefilled,
            offer=offer,
        ),
        status=status,
    )


@router.get("/patients/{patient_id}/scores/new")
def score_form(
    request: Request,
    patient_id: str,
    clin: ClinDep,
    session: SessionDep,
    kb: KbDep,
    instrument: str = "pasi",
    as_of: str | None = None,
    date: str | None = None,
) -> Response:
    _title(instrument)
    records = Records(session, clin.actor, kb)
    row = records.get_patient(patient_id)
    day = page_day(request, clin.actor, as_of)
    when = day
    if date:
        try:
            when = dt.date.fromisoformat(date)
        except ValueError as exc:
            raise PageError(
                400, "Bad date", f"date: {date!r} is not a date; accepted: YYYY-MM-DD."
            ) from exc
    values = {"crp_unit": CRP_UNITS[0][0], "date": when.isoformat()}
    notes: list[str] = []
    offer = None
    if instrument == asdas_mod.NAME_CRP:
        found, notes = asdas_prefill(records, patient_id, when)
        values.update(found)
        if not found:  # nothing that day: offer the last day with a BASDAI and its items
            offer = latest_basdai_day(records, patient_id, day)
    session.commit()
    return _render(
        clin, kb, patient_id, row.label, instrument, day, values, {}, prefilled=notes, offer=offer
    )


@router.post("/patients/{patient_id}/scores/new")
def score_submit(
    request: Request,
    patient_id: str,
    clin: ClinDep,
    form: FormDep,
    session: SessionDep,
    kb: KbDep,
    instrument: str = "pasi",
) -> Response:
    check_csrf(form, clin)
    title = _title(instrument)
    records = Records(session, clin.actor, kb)
    row = records.get_patient(patient_id)
    day = page_day(request, clin.actor, None)
    values = {k: form_str(form, k, 40) for k in form if k != "csrf_token"}
    parsed = parse_fields(instrument, form)
    when = day
    raw_date = form_str(form, "date", 20)
    try:
        when = dt.date.fromisoformat(raw_date) if raw_date else day
    except ValueError:
        parsed.errors["date"] = "Enter a date as YYYY-MM-DD."
    value = check_score(instrument, parsed)
    if value is None:
        session.commit()
        return _render(clin, kb, patient_id, row.label, instrument, day, values, parsed.errors, 422)
    records.add_row(
        patient_id, "scores", ScoreIn(instrument=instrument, date=when, inputs=parsed.inputs)
    )
    if instrument == "pasi" and "bsa_percent" in parsed.extra:
        severity = {"bsa_percent": parsed.extra["bsa_percent"], "pasi": value}
        records.add_row(
            patient_id,
            "scores",
            ScoreIn(instrument="psoriasis-severity", date=when, inputs=severity),
        )
    session.commit()
    shown = f"{value:.2f}".rstrip("0").rstrip(".")
    query = urlencode({"added": f"{title} {shown} on {when.isoformat()}", "as_of": day})
    return RedirectResponse(f"/patients/{patient_id}?{query}#visits-h", status_code=303)

"""The forms of a record's dated rows: which inputs each kind has, how a stored row fills them
and how a submitted form becomes the API's body for that kind.

Why one table for every kind: the add, edit and delete pages (``rows``, ``edit``) and the
record page's lists treat labs, therapies, screening ... alike; only the inputs differ. Bodies
are the REST API's own models (``store.schemas``), so a form cannot store what the API refuses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from jakguide.errors import InputError
from jakguide.kb.base import Knowledge
from jakguide.kb.names import names
from jakguide.model import PriorOutcome, ScreeningItemId, ScreeningResult
from jakguide.store.schemas import (
    ConditionIn,
    LabIn,
    MeasurementIn,
    MedicationIn,
    ScreeningIn,
    TherapyIn,
)
from jakguide.web.pages.human import label, unit_text

__all__ = [
    "ROW_KINDS",
    "Field",
    "RowList",
    "errors_of",
    "forms_for",
    "input_error_key",
    "medicine_names",
    "row_body",
    "row_fields",
    "row_lists",
    "row_summary",
    "row_values",
]


@dataclass(frozen=True)
class Field:
    """One input of a form: name, label, kind (text, date, number, select), options."""

    name: str
    label: str
    kind: str = "text"
    options: tuple[tuple[str, str], ...] = ()  # (value, shown)
    hint: str = ""
    groups: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()  # select with optgroups
    datalist: str = ""  # id of a <datalist> offering completions

    def offers(self, value: str) -> bool:
        """Whether the select lists ``value`` (a stored or typed value it does not list is
        shown as its own option, so that opening a form never changes a value silently)."""
        listed = {v for v, _ in self.options}
        listed |= {v for _, group in self.groups for v, _ in group}
        return value in listed


# URL segment -> what one row is called on the pages.
ROW_KINDS = {
    "labs": "lab result",
    "conditions": "condition",
    "therapies": "therapy",
    "medications": "medicine",
    "screening": "screening result",
    "measurements": "measurement",
}

# Which results fit which screening item: a test has a result, a vaccination or a panel is done.
_DONE_ITEMS = frozenset({"zoster-vaccine", "immunizations", "live-vaccines", "lipids"})


def _fits(item: str, result: str) -> bool:
    if item in _DONE_ITEMS:
        return result in ("done", "unknown")
    if result == "ltbi-treated":
        return item == "tb"
    return result in ("negative", "positive", "indeterminate", "unknown")


def _screening_groups() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    out = []
    for item in get_args(ScreeningItemId):
        fits = tuple(
            (f"{item}:{r}", f"{label(item)}: {label(r).lower()}")
            for r in get_args(ScreeningResult)
            if _fits(item, r)
        )
        out.append((label(item), fits))
    return tuple(out)


def medicine_names(kb: Knowledge) -> list[str]:
    """The medicine names the knowledge knows (INNs and brands), for name completion."""
    table = names(kb)
    return sorted(n for n, alias in table.aliases.items() if alias.kind == "medicine")


def _units(kb: Knowledge) -> tuple[tuple[str, str], ...]:
    seen = sorted({u.unit for a in kb.analytes.values() for u in a.units}, key=str.lower)
    return (("", "The test's usual unit"), *((u, unit_text(u)) for u in seen))


_OUTCOMES = (("", "Still taking it"), *((o, label(o)) for o in get_args(PriorOutcome)))


def row_fields(kind: str, kb: Knowledge) -> tuple[Field, ...]:
    if kind == "labs":
        analytes = tuple(sorted(((a.id, a.name) for a in kb.analytes.values()), key=lambda p: p[1]))
        return (
            Field("analyte", "Test", "select", analytes),
            Field("value", "Value", "number"),
            Field("unit", "Unit", "select", _units(kb), hint="As on the report."),
            Field("date", "Date", "date"),
        )
    if kind == "conditions":
        conditions = tuple(
            sorted(((c.id, c.name) for c in kb.conditions.values()), key=lambda p: p[1])
        )
        return (Field("condition", "Condition", "select", conditions),)
    if kind == "therapies":
        return (
            Field("drug", "Medicine", datalist="medicine-names", hint="Name or brand."),
            Field("dose_mg", "Dose (mg)", "number"),
            Field("per_day", "Doses a day", "number"),
            Field("start_date", "Started", "date"),
            Field("stop_date", "Stopped", "date", hint="Leave empty if still taking it."),
            Field("stop_reason", "Why stopped", "select", _OUTCOMES),
        )
    if kind == "medications":
        return (
            Field("drug", "Medicine", datalist="medicine-names", hint="Name or brand."),
            Field("dose", "Dose", hint="As prescribed, e.g. 500 mg twice a day."),
            Field("start_date", "Started", "date"),
            Field("stop_date", "Stopped", "date"),
        )
    if kind == "screening":
        return (
            Field("finding", "Test and result", "select", groups=_screening_groups()),
            Field("date", "Date", "date"),
        )
    return (
        Field("kind", "Measurement", "select", tuple((k, label(k)) for k in _MEASURES)),
        Field("value", "Value", "number"),
        Field("date", "Date", "date"),
    )  # fmt: skip


_MEASURES = ("weight_kg", "height_cm")
_TIMES = {1: "once", 2: "twice"}


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _iso(day: dt.date | None) -> str:
    return "" if day is None else day.isoformat()


def row_values(kind: str, row: Any) -> dict[str, str]:
    """A stored row as the form's values."""
    if kind == "labs":
        return {
            "analyte": row.analyte,
            "value": _num(row.value_entered),
            "unit": row.unit_entered,
            "date": _iso(row.date),
        }
    if kind == "conditions":
        return {"condition": row.condition}
    if kind == "therapies":
        return {
            "drug": row.drug,
            "dose_mg": _num(row.dose_mg),
            "per_day": "" if row.per_day is None else str(row.per_day),
            "start_date": _iso(row.start_date),
            "stop_date": _iso(row.stop_date),
            "stop_reason": row.stop_reason or "",
        }
    if kind == "medications":
        return {
            "drug": row.drug,
            "dose": row.dose or "",
            "start_date": _iso(row.start_date),
            "stop_date": _iso(row.stop_date),
        }
    if kind == "screening":
        return {"finding": f"{row.item}:{row.result}", "date": _iso(row.date)}
    return {"kind": row.kind, "value": _num(row.value), "date": _iso(row.date)}


def row_summary(kind: str, row: Any, kb: Knowledge) -> str:
    """One line a person reads for a stored row (names, units as people write them)."""
    if kind == "labs":
        found = kb.analyte(row.analyte)
        name = found.name if found is not None else label(row.analyte)
        return f"{name} {row.value_entered:g} {unit_text(row.unit_entered)}"
    if kind == "conditions":
        found_c = kb.conditions.get(row.condition)
        return found_c.name if found_c is not None else label(row.condition)
    if kind == "therapies":
        dose = f" {row.dose_mg:g} mg" if row.dose_mg is not None else ""
        times = f" {_TIMES.get(row.per_day, f'{row.per_day} times')} a day" if row.per_day else ""
        stop = f", stopped ({label(row.stop_reason).lower()})" if row.stop_reason else ""
        if row.stop_reason is None and row.stop_date is not None:
            stop = ", stopped"
        return f"{row.drug}{dose}{times}{stop}"
    if kind == "medications":
        return f"{row.drug}{' ' + row.dose if row.dose else ''}"
    if kind == "screening":
        return f"{label(row.item)}: {label(row.result).lower()}"
    return f"{label(row.kind)}: {row.value:g}"


def errors_of(exc: ValidationError, names_: tuple[str, ...]) -> dict[str, str]:
    """Pydantic's errors keyed by the form's field (others on the whole form)."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        where = str(err["loc"][0]) if err["loc"] else ""
        key = where if where in names_ else "_form"
        message = str(err["msg"]).removeprefix("Value error, ")
        errors.setdefault(key, f"{message}.")
    return errors


def input_error_key(exc: InputError, fields: tuple[Field, ...], kind: str) -> str:
    """The form field an engine-side input error is about (a lab's unit by default)."""
    found = next((f.name for f in fields if exc.field.endswith(f.name)), None)
    return found or ("unit" if kind == "labs" else "_form")


def _day(raw: str, name: str, errors: dict[str, str]) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors[name] = "Enter a date as YYYY-MM-DD."
        return None


def _number(raw: str, name: str, errors: dict[str, str], whole: bool = False) -> float | None:
    if not raw:
        return None
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        errors[name] = "Enter a whole number (e.g. 2)." if whole else "Enter a number (e.g. 1.2)."
        return None
    if whole and not value.is_integer():
        errors[name] = "Enter a whole number (e.g. 2)."
        return None
    return value


def _need(values: dict[str, str], name: str, errors: dict[str, str], what: str) -> None:
    if not values.get(name):
        errors.setdefault(name, f"Enter {what}.")


def _drug(kb: Knowledge, text: str) -> str:
    """A medicine name as typed, resolved to its INN when the knowledge knows it."""
    alias = names(kb).exact(text)
    return alias.inn if alias is not None else text.strip().lower()


def _lab_body(kb: Knowledge, values: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    day = _day(values["date"], "date", errors)
    _need(values, "date", errors, "the date of the result")
    value = _number(values["value"], "value", errors)
    _need(values, "value", errors, "the value as reported")
    unit = values["unit"]
    if not unit:
        found = kb.analyte(values["analyte"])
        unit = found.canonical_unit if found is not None else ""
    return {"analyte": values["analyte"], "value": value, "unit": unit, "date": day}


def _build(kind: str, kb: Knowledge, values: dict[str, str], errors: dict[str, str]) -> Any:
    if kind == "labs":
        return LabIn, _lab_body(kb, values, errors)
    if kind == "conditions":
        return ConditionIn, {"condition": values["condition"]}
    if kind == "therapies":
        _need(values, "drug", errors, "the medicine's name")
        _need(values, "start_date", errors, "the date it was started")
        per_day = _number(values["per_day"], "per_day", errors, whole=True)
        return TherapyIn, {
            "drug": _drug(kb, values["drug"]),
            "dose_mg": _number(values["dose_mg"], "dose_mg", errors),
            "per_day": None if per_day is None else int(per_day),
            "start_date": _day(values["start_date"], "start_date", errors),
            "stop_date": _day(values["stop_date"], "stop_date", errors),
            "stop_reason": values["stop_reason"] or None,
        }
    if kind == "medications":
        _need(values, "drug", errors, "the medicine's name")
        return MedicationIn, {
            "drug": values["drug"],
            "dose": values["dose"] or None,
            "start_date": _day(values["start_date"], "start_date", errors),
            "stop_date": _day(values["stop_date"], "stop_date", errors),
        }
    if kind == "screening":
        item, _, result = values["finding"].partition(":")
        if not _fits(item, result):
            errors["finding"] = "Choose a test and result from the list."
        return ScreeningIn, {
            "item": item,
            "result": result,
            "date": _day(values["date"], "date", errors),
        }
    _need(values, "value", errors, "the value")
    return MeasurementIn, {
        "kind": values["kind"],
        "value": _number(values["value"], "value", errors),
        "date": _day(values["date"], "date", errors),
    }


def row_body(
    kind: str, kb: Knowledge, values: dict[str, str], errors: dict[str, str]
) -> BaseModel | None:
    """The API body for a submitted form, or None with ``errors`` filled (field -> message)."""
    model, data = _build(kind, kb, values, errors)
    if errors:
        return None
    try:
        body: BaseModel = model.model_validate(data)
    except ValidationError as exc:
        errors.update(errors_of(exc, tuple(values)))
        return None
    return body


@dataclass(frozen=True)
class RowList:
    """One kind of row as the record page lists it, with its add action and edit links."""

    kind: str
    title: str
    add: str  # the add action's words, e.g. "Add a lab result"
    items: tuple[tuple[str, dt.date | None, str], ...]  # (summary, date, edit link)


_TITLES = {
    "conditions": "Conditions",
    "therapies": "Therapies, current and earlier",
    "medications": "Other medicines",
    "labs": "Lab results",
    "screening": "Screening and vaccinations",
    "measurements": "Measurements",
}


def row_lists(kb: Knowledge, rows: dict[str, list[Any]], pid: str) -> list[RowList]:
    """Every kind of row the assessment reads, newest first, each with its add action."""
    out = []
    for kind, title in _TITLES.items():
        items = []
        for row in rows.get(kind, []):
            day = getattr(row, "date", None) or getattr(row, "start_date", None)
            items.append((row_summary(kind, row, kb), day, f"/patients/{pid}/{kind}/{row.id}/edit"))
        items.sort(key=lambda it: it[1] or dt.date.min, reverse=True)
        out.append(RowList(kind, title, f"Add a {ROW_KINDS[kind]}", tuple(items)))
    return out


def forms_for(
    kb: Knowledge, conditions: list[str], titles: tuple[tuple[str, str], ...]
) -> list[tuple[str, str]]:
    """The score forms (or questionnaires) that fit the patient's conditions, as the knowledge
    lists each condition's instruments; every form when no condition is recorded."""
    if not conditions:
        return list(titles)
    fit = {i for c in conditions if (found := kb.conditions.get(c)) for i in found.instruments}
    return [(key, title) for key, title in titles if key in fit]

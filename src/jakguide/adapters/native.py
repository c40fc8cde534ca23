"""Reading a patient from a native file (YAML/JSON), a FHIR Bundle, or a Bulk Data export.

Native files are strict: an unknown key, an impossible value or an unknown unit is an
``InputError`` naming the field. FHIR input is lenient (see docs/fhir-mapping.md): what cannot be
used is reported in warnings and, where a rule needs it, becomes missing data.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from jakguide.engine import validate_patient
from jakguide.errors import InputError
from jakguide.kb.base import Knowledge
from jakguide.kb.loader import SAFE_LOADER, load_yaml
from jakguide.model import Patient


@dataclass(frozen=True)
class LoadedPatient:
    patient: Patient
    source: str  # "native" | "fhir-bundle" | "fhir-ndjson"
    warnings: list[str] = field(default_factory=list)


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<patient>"


def patient_from_data(data: Any, kb: Knowledge) -> Patient:
    """Validate native patient data strictly (schema, ids, units, plausible values)."""
    if not isinstance(data, dict):
        raise InputError("<patient>", type(data).__name__, "a patient must be a mapping of fields")
    try:
        patient = Patient.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
        value = err.get("input")
        msg = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
        raise InputError(_loc(loc), value, msg) from None
    validate_patient(patient, kb)
    return patient


@dataclass(frozen=True)
class DocumentLimits:
    """What a document (native patient, FHIR Bundle) may hold; checked before anything reads it.

    Why: a few hundred bytes of YAML aliases expand to billions of nodes, a deeply nested JSON
    document exhausts the stack, a 5,000-digit integer costs quadratic time to convert. Each
    limit is far above what a patient record needs (a 10,000-Observation Bundle has ~300,000
    values at depth 9).
    """

    max_depth: int = 64
    max_items: int = 2_000_000
    max_int: int = 2**63 - 1
    max_string_chars: int = 1_000_000


LIMITS = DocumentLimits()
# C0 controls other than tab, line feed and carriage return; DEL; UTF-16 surrogate code points
# (a lone surrogate cannot be encoded as UTF-8: stored, it breaks every page that shows it).
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


_SURROGATES = range(0xD800, 0xE000)


class DocumentLimitError(InputError):
    """A document over one of the :class:`DocumentLimits` (``limit`` names it).

    ``too_large`` tells the web layer to answer 413 (too many items) rather than 422.
    """

    def __init__(
        self, field: str, value: object, reason: str, limit: str, too_large: bool = False
    ) -> None:
        super().__init__(field, value, reason)
        self.limit = limit
        self.too_large = too_large


def bad_char(text: str) -> str | None:
    """A description of the first character text must not hold, else None."""
    found = _BAD_CHARS.search(text)
    if found is None:
        return None
    code = ord(found.group())
    kind = "a lone surrogate" if code in _SURROGATES else "a control character"
    return f"{kind} (U+{code:04X}) at character {found.start()}"


def _path(name: str, parts: tuple[object, ...]) -> str:
    out = name
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def check_document(data: Any, name: str, limits: DocumentLimits = LIMITS) -> None:
    """Refuse a parsed document over the limits, or holding text no store can keep.

    Linear and iterative (no recursion); the error names the path, e.g. ``body.labs[2].unit``.

    Raises:
        DocumentLimitError: too deep, too many items, an integer out of range, a non-finite
            number, a string too long or with a lone surrogate or a control character.
    """
    items = 0
    stack: list[tuple[Any, int, tuple[object, ...]]] = [(data, 1, ())]
    while stack:
        node, depth, path = stack.pop()
        if depth > limits.max_depth:
            raise DocumentLimitError(
                _path(name, path[: limits.max_depth]),
                f"nesting deeper than {limits.max_depth}",
                f"documents may nest at most {limits.max_depth} levels (max_depth)",
                "max_depth",
            )
        if isinstance(node, dict):
            items += len(node)
            for key, value in node.items():
                if isinstance(key, str):
                    _check_str(key, name, path, limits)
                if isinstance(value, dict | list):
                    stack.append((value, depth + 1, (*path, key)))
                else:
                    _check_scalar(value, name, (*path, key), limits)
        elif isinstance(node, list):
            items += len(node)
            for i, value in enumerate(node):
                if isinstance(value, dict | list):
                    stack.append((value, depth + 1, (*path, i)))
                else:
                    _check_scalar(value, name, (*path, i), limits)
        else:
            _check_scalar(node, name, path, limits)
        if items > limits.max_items:
            raise DocumentLimitError(
                name,
                f"more than {limits.max_items} values",
                f"documents may hold at most {limits.max_items} values (max_items)",
                "max_items",
                too_large=True,
            )


def _check_str(text: str, name: str, path: tuple[object, ...], limits: DocumentLimits) -> None:
    if len(text) > limits.max_string_chars:
        raise DocumentLimitError(
            _path(name, path),
            f"{len(text)} characters",
            f"a text value may hold at most {limits.max_string_chars} characters",
            "max_string_chars",
        )
    problem = bad_char(text)
    if problem is not None:
        raise DocumentLimitError(
            _path(name, path),
            text[:40].encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace"),
            f"text holds {problem}; send valid Unicode text without control characters",
            "unicode",
        )


def _check_scalar(value: Any, name: str, path: tuple[object, ...], limits: DocumentLimits) -> None:
    if isinstance(value, str):
        _check_str(value, name, path, limits)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if abs(value) > limits.max_int:
            raise DocumentLimitError(
                _path(name, path),
                f"an integer of {len(str(abs(value))) if abs(value) < 10**4000 else 'over 4000'}"
                " digits",
                f"integers must lie within +/-{limits.max_int} (max_int)",
                "max_int",
            )
    elif isinstance(value, float) and not math.isfinite(value):
        raise DocumentLimitError(
            _path(name, path), str(value), "numbers must be finite", "finite_numbers"
        )


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > len(str(LIMITS.max_int)):
        raise DocumentLimitError(
            "body",
            f"an integer of {len(text.lstrip('-'))} digits",
            f"integers must lie within +/-{LIMITS.max_int} (max_int)",
            "max_int",
        )
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise DocumentLimitError(
            "body", text[:40], "the number is out of range (finite numbers only)", "finite_numbers"
        )
    return value


def _parse_constant(text: str) -> Any:
    raise DocumentLimitError(
        "body", text, "NaN and Infinity are not JSON numbers", "finite_numbers"
    )


def parse_json(text: str, name: str, limits: DocumentLimits = LIMITS) -> Any:
    """JSON to plain data within ``limits`` (see :func:`check_document`).

    Raises:
        InputError: malformed JSON (line and column); DocumentLimitError over a limit.
    """
    try:
        data = json.loads(
            text,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_parse_constant,
        )
    except json.JSONDecodeError as exc:
        raise InputError(
            name, f"line {exc.lineno} column {exc.colno}", f"invalid JSON: {exc.msg}"
        ) from None
    except RecursionError:
        raise DocumentLimitError(
            name,
            f"nesting deeper than {limits.max_depth}",
            f"documents may nest at most {limits.max_depth} levels (max_depth)",
            "max_depth",
        ) from None
    except DocumentLimitError as exc:
        exc.field = name
        raise
    check_document(data, name, limits)
    return data


def parse_yaml(text: str, name: str, limits: DocumentLimits = LIMITS) -> Any:
    """YAML to plain data; aliases are refused and depth and size checked *before* the document
    is built (an alias bomb never expands).

    Raises:
        InputError: malformed YAML; DocumentLimitError for an alias or a limit.
    """
    depth = items = 0
    try:
        for event in yaml.parse(text, Loader=SAFE_LOADER):
            if isinstance(event, yaml.AliasEvent):
                mark = event.start_mark
                raise DocumentLimitError(
                    name,
                    f"*{event.anchor} at line {mark.line + 1}" if mark else f"*{event.anchor}",
                    "YAML aliases (*name) are not accepted; write the value out",
                    "yaml_aliases",
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                items += 1
                if depth > limits.max_depth:
                    raise DocumentLimitError(
                        name,
                        f"nesting deeper than {limits.max_depth}",
                        f"documents may nest at most {limits.max_depth} levels (max_depth)",
                        "max_depth",
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.ScalarEvent):
                items += 1
            if items > limits.max_items:
                raise DocumentLimitError(
                    name,
                    f"more than {limits.max_items} values",
                    f"documents may hold at most {limits.max_items} values (max_items)",
                    "max_items",
                    too_large=True,
                )
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "?"
        raise InputError(name, where, f"invalid YAML: {getattr(exc, 'problem', exc)}") from None
    except ValueError as exc:  # e.g. an integer beyond Python's 4,300-digit conversion limit
        raise DocumentLimitError(name, "a number", f"cannot be read: {exc}", "max_int") from None
    except RecursionError:
        raise DocumentLimitError(
            name, "nesting", "the document is nested too deeply", "max_depth"
        ) from None
    check_document(data, name, limits)
    return data


def parse_text(text: str, name: str, limits: DocumentLimits = LIMITS) -> Any:
    """JSON or YAML (a JSON document is valid YAML, but JSON errors read better from json)."""
    stripped = text.lstrip()
    if stripped.startswith("{") or stripped.startswith("["):
        return parse_json(text, name, limits)
    return parse_yaml(text, name, limits)


#: Dates every door accepts (records, as_of, uploads); calendar arithmetic on dates far outside
#: a lifetime overflows, and no record holds them.
MIN_DAY = dt.date(1900, 1, 1)
MAX_DAY = dt.date(2200, 12, 31)


def check_day(day: dt.date, field: str) -> dt.date:
    """``day`` if within MIN_DAY..MAX_DAY, else an InputError naming the field."""
    if not MIN_DAY <= day <= MAX_DAY:
        raise InputError(
            field, day.isoformat(), f"a date from {MIN_DAY.isoformat()} to {MAX_DAY.isoformat()}"
        )
    return day


def check_dates(model: BaseModel, name: str) -> None:
    """Every date in a validated patient within MIN_DAY..MAX_DAY (the first one outside is an
    InputError naming its path, e.g. ``body.labs[2].date``)."""
    stack: list[tuple[Any, str]] = [(model, name)]
    while stack:
        node, path = stack.pop()
        if isinstance(node, BaseModel):
            for key in type(node).model_fields:
                stack.append((getattr(node, key), f"{path}.{key}"))
        elif isinstance(node, list | tuple):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(node))
        elif isinstance(node, dict):
            stack.extend((v, f"{path}.{k}") for k, v in node.items())
        elif isinstance(node, dt.date):
            check_day(node.date() if isinstance(node, dt.datetime) else node, path)


def load_patient_data(
    data: Any, kb: Knowledge, as_of: dt.date, name: str = "<input>"
) -> LoadedPatient:
    """Native patient data or a FHIR Bundle (detected by ``resourceType``)."""
    check_day(as_of, "as_of")
    if isinstance(data, dict) and "resourceType" in data:
        from jakguide.adapters.fhir import read_bundle

        fp = read_bundle(data, kb, as_of)
        check_dates(fp.patient, name)
        return LoadedPatient(fp.patient, "fhir-bundle", list(fp.warnings))
    patient = patient_from_data(data, kb)
    check_dates(patient, name)
    return LoadedPatient(patient, "native")


def load_patient_file(path: Path, kb: Knowledge, as_of: dt.date) -> LoadedPatient:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("PATIENT", str(path), "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("PATIENT", str(path), f"cannot read: {exc}") from None
    return load_patient_data(parse_text(text, str(path)), kb, as_of, str(path))


def load_patient_ndjson(
    folder: Path, patient_id: str, kb: Knowledge, as_of: dt.date
) -> LoadedPatient:
    if not folder.is_dir():
        raise InputError("--ndjson", str(folder), "not a folder")
    from jakguide.adapters.fhir import read_ndjson

    fp = read_ndjson(folder, patient_id, kb, as_of)
    return LoadedPatient(fp.patient, "fhir-ndjson", list(fp.warnings))

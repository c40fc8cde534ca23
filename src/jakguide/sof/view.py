"""ViewDefinition: parse and validate the JSON (SQL on FHIR v2 and the current ballot).

Pydantic checks the shape at the boundary; the result is a tree of small frozen dataclasses
whose nodes remember their JSON path (``select[0].column[2]``) for error messages. Ballot fields
(``url``, ``identifier`` as an array, ``name``, ``title``, ``status``, ``fhirVersion``, ...) are
accepted and ignored by the compiler.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from jakguide.sof import fhirpath as fp
from jakguide.sof.errors import ViewError

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class _Column(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    name: str
    path: str
    type: str | None = None
    collection: bool | None = None
    description: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError("a column name starts with a letter and has only letters, digits, _")
        return value


class _Select(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    column: list[_Column] | None = None
    select: list[_Select] | None = None
    forEach: str | None = None  # noqa: N815 (FHIR spelling)
    forEachOrNull: str | None = None  # noqa: N815
    repeat: list[str] | None = None
    unionAll: list[_Select] | None = None  # noqa: N815


class _Where(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    path: str
    description: str | None = None


class _Constant(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    name: str


class _View(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    resource: str
    select: list[_Select] = Field(min_length=1)
    where: list[_Where] | None = None
    constant: list[_Constant] | None = None
    resourceType: str | None = None  # noqa: N815


@dataclass(frozen=True)
class Column:
    """One output column."""

    name: str
    path: fp.Node
    source: str
    type: str | None
    collection: bool
    at: str


@dataclass(frozen=True)
class Select:
    """A select node."""

    columns: tuple[Column, ...]
    selects: tuple[Select, ...]
    union_all: tuple[Select, ...]
    for_each: fp.Node | None
    or_null: bool
    repeat: tuple[fp.Node, ...]
    at: str


@dataclass(frozen=True)
class Constant:
    """A named constant with its FHIR type (``valueString`` -> ``string``)."""

    name: str
    type: str
    value: object


@dataclass(frozen=True)
class View:
    """A validated ViewDefinition."""

    resource: str
    selects: tuple[Select, ...]
    where: tuple[tuple[fp.Node, str], ...]
    constants: tuple[Constant, ...]
    name: str | None

    def columns(self) -> list[str]:
        """Output column names in order."""
        return [c.name for c in _node_columns(self.selects)]


def _node_columns(nodes: tuple[Select, ...]) -> list[Column]:
    out: list[Column] = []
    for node in nodes:
        out.extend(node.columns)
        out.extend(_node_columns(node.selects))
        if node.union_all:
            out.extend(_node_columns(node.union_all[:1]))
    return out


def _loc(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not part.startswith(("function-", "list[", "str", "bool")):
            text += ("." if text else "") + part
    return text


def _parse_path(src: str, at: str) -> fp.Node:
    try:
        return fp.parse(src)
    except ViewError as err:
        raise ViewError(err.reason, at, src) from err


def _select(raw: dict[str, Any], at: str) -> Select:
    for_each = raw.get("forEach")
    or_null = raw.get("forEachOrNull")
    if for_each is not None and or_null is not None:
        raise ViewError("forEach and forEachOrNull cannot be used together", at)
    iterate = for_each if for_each is not None else or_null
    where = f"{at}.forEach" if for_each is not None else f"{at}.forEachOrNull"
    repeat = tuple(
        _parse_path(p, f"{at}.repeat[{i}]") for i, p in enumerate(raw.get("repeat") or [])
    )
    if repeat and iterate is not None:
        raise ViewError("repeat cannot be combined with forEach or forEachOrNull", at)
    columns = tuple(
        Column(
            name=c["name"],
            path=_parse_path(c["path"], f"{at}.column[{i}].path"),
            source=c["path"],
            type=c.get("type"),
            collection=bool(c.get("collection")),
            at=f"{at}.column[{i}]",
        )
        for i, c in enumerate(raw.get("column") or [])
    )
    return Select(
        columns=columns,
        selects=tuple(
            _select(s, f"{at}.select[{i}]") for i, s in enumerate(raw.get("select") or [])
        ),
        union_all=tuple(
            _select(s, f"{at}.unionAll[{i}]") for i, s in enumerate(raw.get("unionAll") or [])
        ),
        for_each=_parse_path(iterate, where) if iterate is not None else None,
        or_null=or_null is not None,
        repeat=repeat,
        at=at,
    )


def _constant(raw: dict[str, Any], at: str) -> Constant:
    values = [(k, v) for k, v in raw.items() if k.startswith("value") and k != "value"]
    if len(values) != 1:
        raise ViewError(
            "a constant needs exactly one value[x] (valueString, valueInteger, ...)", at
        )
    key, value = values[0]
    suffix = key.removeprefix("value")
    ftype = suffix[0].lower() + suffix[1:]
    return Constant(raw["name"], ftype, value)


def load_view(data: object) -> View:
    """Validate a ViewDefinition (parsed JSON); errors name the JSON path."""
    if not isinstance(data, dict):
        raise ViewError("a ViewDefinition is a JSON object", "$")
    try:
        _View.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        raise ViewError(first["msg"], _loc(tuple(first["loc"])) or "$") from None
    rtype = data.get("resourceType")
    if rtype is not None and rtype != "ViewDefinition":
        raise ViewError("expected resourceType 'ViewDefinition'", "resourceType", rtype)
    selects = tuple(_select(s, f"select[{i}]") for i, s in enumerate(data["select"]))
    where = tuple(
        (_parse_path(w["path"], f"where[{i}].path"), f"where[{i}].path")
        for i, w in enumerate(data.get("where") or [])
    )
    constants = tuple(
        _constant(c, f"constant[{i}]") for i, c in enumerate(data.get("constant") or [])
    )
    view = View(data["resource"], selects, where, constants, data.get("name"))
    _check_names(view)
    return view


def _check_names(view: View) -> None:
    seen: dict[str, str] = {}
    for col in _node_columns(view.selects):
        if col.name in seen:
            raise ViewError(f"column name {col.name!r} is already used at {seen[col.name]}", col.at)
        seen[col.name] = col.at


def read_view(path: Path) -> View:
    """Read and validate a ViewDefinition file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise ViewError(f"cannot read the file: {err}", str(path)) from None
    except json.JSONDecodeError as err:
        raise ViewError(f"not valid JSON: {err.msg} (line {err.lineno})", str(path)) from None
    return load_view(data)


_Select.model_rebuild()

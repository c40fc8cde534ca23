"""Generate ``fhir_r4_elements.json``: element names, types and cardinality of FHIR R4(B).

Run: ``python -m jakguide.sof.gen_elements``. The source is the ``fhir.resources`` package
(BSD licence; its R4B models are generated from the HL7 FHIR R4B StructureDefinitions, whose
element names and types for resources, data types and backbone elements are those of R4 for
every element the views use). The runtime never imports ``fhir.resources``: it reads the JSON.

Output shape: ``{type: {element: [type, is_array]}}``; a choice element ``value[x]`` is listed
as ``"value": ["[x]", [type, ...]]`` next to its concrete names (``valueQuantity``, ...).
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import typing
from pathlib import Path
from typing import Any

OUT = Path(__file__).with_name("fhir_r4_elements.json")

_PRIMITIVE_NAMES = frozenset(
    [
        "base64Binary",
        "boolean",
        "canonical",
        "code",
        "date",
        "dateTime",
        "decimal",
        "id",
        "instant",
        "integer",
        "integer64",
        "markdown",
        "oid",
        "positiveInt",
        "string",
        "time",
        "unsignedInt",
        "uri",
        "url",
        "uuid",
        "xhtml",
    ]
)
_PRIMITIVE = {
    bool: "boolean",
    int: "integer",
    float: "decimal",
    str: "string",
}


def _type_name(annotation: Any) -> tuple[str, bool]:
    """(FHIR type name, is_array) of a pydantic field annotation."""
    is_array = False
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    while origin is typing.Union or (
        origin is not None and str(origin) == "<class 'types.UnionType'>"
    ):
        inner = [a for a in args if a is not type(None)]
        annotation = inner[0]
        args = typing.get_args(annotation)
        origin = typing.get_origin(annotation)
    if origin in (list, typing.List):  # noqa: UP006
        is_array = True
        annotation = args[0]
        args = typing.get_args(annotation)
        origin = typing.get_origin(annotation)
        while origin is typing.Union:
            annotation = next(a for a in args if a is not type(None))
            args = typing.get_args(annotation)
            origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        meta = annotation.__metadata__
        for m in meta:
            name = type(m).__name__
            name = name[0].lower() + name[1:]
            if name in _PRIMITIVE_NAMES:
                return name, is_array
        annotation = args[0]
    if getattr(annotation, "__name__", "") == "UUID":
        return "uuid", is_array
    if annotation in _PRIMITIVE:
        return _PRIMITIVE[annotation], is_array
    name = getattr(annotation, "__name__", str(annotation))
    if name.endswith("Type"):
        name = name[: -len("Type")]
    return name, is_array


def generate() -> dict[str, dict[str, Any]]:
    """Walk every R4B model and collect its elements."""
    r4b_models = importlib.import_module("fhir.resources.R4B")

    table: dict[str, dict[str, Any]] = {}
    for mod in pkgutil.iter_modules(r4b_models.__path__):
        if mod.name.startswith(("tests", "fhirtypes")):
            continue
        module = importlib.import_module(f"fhir.resources.R4B.{mod.name}")
        for obj in vars(module).values():
            fields = getattr(obj, "model_fields", None)
            if not isinstance(obj, type) or fields is None or obj.__module__ != module.__name__:
                continue
            elements: dict[str, Any] = {}
            for field in fields.values():
                extra = field.json_schema_extra or {}
                if not isinstance(extra, dict) or not extra.get("element_property"):
                    continue
                alias = field.alias
                tname, is_array = _type_name(field.annotation)
                elements[alias] = [tname, is_array]
                base = extra.get("one_of_many")
                if isinstance(base, str):
                    entry = elements.setdefault(base, ["[x]", []])
                    entry[1].append(alias[len(base) :])
            table[obj.__name__] = elements
    return dict(sorted(table.items()))


def main() -> None:
    """Write the table next to this module."""
    table = generate()
    OUT.write_text(json.dumps(table, separators=(",", ":"), sort_keys=True) + "\n")
    print(f"{len(table)} types -> {OUT}")


if __name__ == "__main__":
    main()

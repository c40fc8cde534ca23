"""Fact inventories over the loaded knowledge: unsourced and unverified facts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from jakguide.kb.base import Knowledge
from jakguide.kb.schema import Citation, UnitConversion


def _walk(obj: Any, path: str) -> Iterator[tuple[str, Any]]:
    yield path, obj
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _walk(getattr(obj, name), f"{path}.{name}" if path else name)
    elif isinstance(obj, (list, tuple)):
        for i, item in enumerate(obj):
            yield from _walk(item, f"{path}[{i}]")
    elif isinstance(obj, dict):
        for key, item in obj.items():
            yield from _walk(item, f"{path}.{key}" if path else str(key))


def _files(kb: Knowledge) -> Iterator[tuple[str, Any]]:
    for drug_id, mono in sorted(kb.drugs.items()):
        split = (kb.folder / "drugs" / drug_id).is_dir()
        yield (f"drugs/{drug_id}/" if split else f"drugs/{drug_id}.yaml"), mono
    yield "conditions.yaml", list(kb.conditions.values())
    yield "drug_classes.yaml", list(kb.classes.values())
    yield "products.yaml", list(kb.products.values())
    yield "analytes.yaml", list(kb.analytes.values())
    yield "guidelines.yaml", list(kb.guidelines.values())


def unsourced_facts(kb: Knowledge) -> list[dict[str, Any]]:
    """Facts a rule can read that carry no source (must be empty in a release)."""
    rows: list[dict[str, Any]] = []
    for file, root in _files(kb):
        for path, obj in _walk(root, ""):
            if isinstance(obj, UnitConversion) and obj.source is None and obj.factor != "1":
                rows.append({"file": file, "path": path, "fact": f"factor {obj.factor}"})
            elif (
                isinstance(obj, BaseModel)
                and not isinstance(obj, UnitConversion)
                and "source" in type(obj).model_fields
                and obj.source is None  # type: ignore[attr-defined]
            ):
                rows.append({"file": file, "path": path, "fact": type(obj).__name__})
    return rows


def unverified_facts(kb: Knowledge) -> list[dict[str, Any]]:
    """Facts kept with ``verified: false``, with what they rest on."""
    rows: list[dict[str, Any]] = []
    for file, root in _files(kb):
        for path, obj in _walk(root, ""):
            if isinstance(obj, Citation) and not obj.verified:
                rows.append(
                    {
                        "file": file,
                        "path": path.rsplit(".", 1)[0],
                        "doc": obj.doc,
                        "section": obj.section,
                        "note": obj.note,
                    }
                )
    return rows

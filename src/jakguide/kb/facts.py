"""Fact inventories over the loaded knowledge: unsourced and unverified facts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, get_args

from pydantic import BaseModel

from jakguide.kb.base import Knowledge
from jakguide.kb.schema import (
    Adjustment,
    Authority,
    Citation,
    Contraindication,
    DiseaseRequirement,
    Indication,
    LabRule,
    Prerequisite,
    Regimen,
    Reproduction,
    RiskGroups,
    ScreeningItem,
    UnitConversion,
)


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


# Facts that can change an option's status or its dose: they must cite a label document.
_DECISION_TYPES: tuple[type[BaseModel], ...] = (
    Indication,
    Regimen,
    Prerequisite,
    DiseaseRequirement,
    Adjustment,
    Contraindication,
    RiskGroups,
    LabRule,
    Reproduction,
)


def decision_facts(kb: Knowledge) -> Iterator[tuple[str, str, Citation]]:
    """(drug, path, citation) of every monograph fact that can change a status or a dose."""
    for drug_id, mono in sorted(kb.drugs.items()):
        for region, label in mono.regions.items():
            for path, obj in _walk(label, f"regions.{region}"):
                if isinstance(obj, _DECISION_TYPES) or (
                    isinstance(obj, ScreeningItem) and obj.blocks_start_on_positive
                ):
                    yield drug_id, path, obj.source  # type: ignore[attr-defined]


def decision_facts_off_label(kb: Knowledge) -> list[dict[str, Any]]:
    """Status- or dose-changing facts whose source is not a regulator or manufacturer label."""
    rows: list[dict[str, Any]] = []
    for drug_id, path, cit in decision_facts(kb):
        doc = kb.sources.get(cit.doc)
        if doc is None or not doc.is_label:
            rows.append(
                {
                    "drug": drug_id,
                    "path": path,
                    "doc": cit.doc,
                    "authority": doc.authority if doc else None,
                }
            )
    return rows


def _all_citations(kb: Knowledge) -> Iterator[Citation]:
    for _file, root in _files(kb):
        for _path, obj in _walk(root, ""):
            if isinstance(obj, Citation):
                yield obj
    for statement in kb.guide.values():
        for _path, obj in _walk(statement, ""):
            if isinstance(obj, Citation):
                yield obj


def authority_counts(kb: Knowledge) -> list[dict[str, Any]]:
    """Sources and citations per authority (every authority listed, in schema order)."""
    sources: dict[str, int] = dict.fromkeys(get_args(Authority), 0)
    citations: dict[str, int] = dict.fromkeys(get_args(Authority), 0)
    for doc in kb.sources.values():
        sources[doc.authority] += 1
    for cit in _all_citations(kb):
        cited = kb.sources.get(cit.doc)
        if cited is not None:
            citations[cited.authority] += 1
    return [{"authority": a, "sources": sources[a], "citations": citations[a]} for a in sources]

"""Plain-data views of the knowledge for listings (CLI, REST API and pages share them)."""

from __future__ import annotations

from typing import Any

from jakguide.errors import UnknownIdError
from jakguide.kb.base import Knowledge
from jakguide.kb.schema import Monograph, Region, RegionLabel

_FREQUENCY = {1: "once daily", 2: "twice daily"}


def approved_conditions(label: RegionLabel) -> list[str]:
    """Condition ids with a verified indication, label order, no repeats."""
    return list(dict.fromkeys(i.condition for i in label.indications if i.source.verified))


def frequency(mono: Monograph, label: RegionLabel) -> str:
    """How often it is taken, over the maintenance regimens of every form (e.g. IR and XR)."""
    regimens = [r for i in label.indications for r in i.regimens]
    maintenance = [r for r in regimens if r.phase in ("maintenance", "single")] or regimens
    per_day = sorted({r.per_day for r in maintenance})
    return " or ".join(_FREQUENCY.get(n, f"{n} times daily") for n in per_day)


def drug_rows(kb: Knowledge, region: Region | str, condition: str | None) -> list[dict[str, Any]]:
    if condition is not None and condition not in kb.conditions:
        raise UnknownIdError(
            "--condition",
            condition,
            "unknown condition; accepted: " + ", ".join(sorted(kb.conditions)),
        )
    rows = []
    for mono in kb.marketed(region):  # type: ignore[arg-type]
        label = mono.regions[region]  # type: ignore[index]
        approved = approved_conditions(label)
        if condition is not None and condition not in approved:
            continue
        routes = sorted({f.route for f in mono.forms})
        rows.append(
            {
                "drug": mono.id,
                "targets": list(mono.target.kinases),
                "route": " / ".join(routes),
                "frequency": frequency(mono, label),
                "approved_conditions": approved,
                "boxed_warning": label.boxed_warning.title if label.boxed_warning else None,
            }
        )
    return rows


def monograph_dict(kb: Knowledge, inn: str, region: str | None) -> dict[str, Any]:
    mono = kb.require_drug(inn, "INN")
    if region is not None and region not in mono.regions:
        raise UnknownIdError(
            "--region",
            region,
            f"{inn} is not marketed there; marketed in: {', '.join(sorted(mono.regions))}",
        )
    data = mono.model_dump(mode="json", exclude_none=True)
    if region is not None:
        data["regions"] = {region: data["regions"][region]}
    cited = sorted(
        {c["doc"] for c in _citations(data)}
        | {c["relayed_by"] for c in _citations(data) if c.get("relayed_by")}
    )
    data["knowledge_version"] = kb.version
    data["sources"] = [
        kb.sources[d].model_dump(mode="json", exclude_none=True) for d in cited if d in kb.sources
    ]
    return data


def _citations(obj: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(obj, dict):
        if "doc" in obj and "section" in obj:
            found.append(obj)
        for v in obj.values():
            found += _citations(v)
    elif isinstance(obj, list):
        for v in obj:
            found += _citations(v)
    return found

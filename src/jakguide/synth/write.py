"""Write synthetic records: one native YAML file, or one FHIR R4 Bundle (JSON), per patient."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import yaml

from jakguide.kb.base import Knowledge

SynthFormat = Literal["native", "fhir"]


def write_records(
    records: list[dict[str, Any]], out: Path, fmt: SynthFormat, kb: Knowledge
) -> list[Path]:
    """Write each record to ``out`` (created if needed); returns the files written, in order."""
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for record in records:
        if fmt == "native":
            path = out / f"{record['id']}.yaml"
            text = yaml.safe_dump(record, sort_keys=False, allow_unicode=True)
        else:
            from jakguide.adapters.fhir.write import patient_to_bundle
            from jakguide.adapters.native import patient_from_data

            bundle = patient_to_bundle(patient_from_data(record, kb), kb)
            path = out / f"{record['id']}.json"
            text = json.dumps(bundle, indent=1, ensure_ascii=False) + "\n"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths

"""Build the FHIR twins of native vignettes (run as a script to regenerate tests/cases_fhir/).

A twin is the vignette's patient restricted to the fields the FHIR mapping carries
(docs/fhir-mapping.md), written as an R4 Bundle by ``patient_to_bundle``. The committed bundles are
then read back by the adapter in ``test_fhir_vignettes.py`` and must give the same assessment as
the restricted native patient.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from vignettes import CASES, load_case

HERE = Path(__file__).parent
OUT = HERE / "cases_fhir"
# Fields the FHIR mapping does not carry (docs/fhir-mapping.md, "Not mapped").
NOT_CARRIED = (
    "age_years",
    "reproductive_potential",
    "breastfeeding",
    "hepatic_impairment",
    "pharmacogenomics",
    "disease",
    "scores",
    "on_dialysis",
)
# Empty lists read back as absent through FHIR; these are dropped when empty. (An absent
# medication list cannot be written beside prior therapies: their MedicationStatements make the
# list "reviewed".)
EMPTY_IS_ABSENT = ("labs", "screening", "measurements", "prior_therapies")
TWINS = [
    "indication/us-as-tnf-ir-eligible.yaml",
    "indication/us-as-no-tnf-blocker-not-indicated.yaml",
    "indication/us-ra-tnf-ir-eligible.yaml",
    "interactions/us-ketoconazole-oral.yaml",
    "interactions/us-ketoconazole-shampoo-topical.yaml",
    "interactions/us-unidentified-medicine.yaml",
    "interactions/us-rifampin.yaml",
    "interactions/us-medications-empty-reviewed.yaml",
    "renal/us-tofacitinib-cockcroft-gault-moderate.yaml",
    "renal/us-tofacitinib-egfr-not-used-for-crcl.yaml",
    "labs/us-lymphocytes-045-before-start.yaml",
    "boxed-warning/us-as-age-55-former-smoker.yaml",
    "risk-group/eu-as-age-67.yaml",
    "screening/us-tb-positive.yaml",
    "pregnancy/eu-as-pregnant-contraindicated.yaml",
]


def restrict(patient: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in patient.items() if k not in NOT_CARRIED}
    for key in EMPTY_IS_ABSENT:
        if out.get(key) == []:
            del out[key]
    return out


def twin_cases() -> list[tuple[str, dict[str, Any]]]:
    cases = []
    for name in TWINS:
        path = CASES / name
        if path.exists():
            cases.append((name, load_case(path)))
    return cases


def main() -> int:
    from jakguide.adapters.fhir import patient_to_bundle
    from jakguide.adapters.native import patient_from_data
    from jakguide.kb.base import bundled_knowledge

    kb = bundled_knowledge()
    OUT.mkdir(exist_ok=True)
    for name, case in twin_cases():
        patient = patient_from_data(restrict(case["patient"]), kb)
        bundle = patient_to_bundle(patient, kb)
        target = OUT / (name.replace("/", "__").removesuffix(".yaml") + ".json")
        target.write_text(json.dumps(bundle, indent=1, sort_keys=True, default=str) + "\n")
        print(target.relative_to(HERE))
    return 0


if __name__ == "__main__":
    sys.exit(main())

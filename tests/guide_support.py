"""Guide test support: complete synthetic patients, guides built from them, and an HTML reader.

``complete_patient`` records everything the rules ask for (labs, screening, prior therapies,
disease features), so that a drug approved for the condition comes out ``eligible`` or
``caution``; tests change single fields to reach other statuses.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from jakguide.adapters.native import patient_from_data
from jakguide.guide import Guide, GuideRequest, build_guide, guide_html
from jakguide.kb.base import Knowledge
from jakguide.model import Patient

AS_OF = dt.date(2026, 11, 21)
LAB_DAY = "2026-11-01"

BASE: dict[str, Any] = {
    "id": "guide-test",
    "birth_date": "1986-03-14",
    "sex": "female",
    "reproductive_potential": True,
    "pregnancy": "not-pregnant",
    "breastfeeding": "no",
    "smoking": "never",
    "measurements": [{"kind": "weight_kg", "value": 70, "date": LAB_DAY}],
    "history": [],
    "active_infections": [],
    "cv_risk_factors": [],
    "hepatic_impairment": "none",
    "on_dialysis": False,
    "allergies": [],
    "pharmacogenomics": {"cyp2c9": "normal", "cyp2c19": "normal", "cyp3a4": "normal"},
    "medications": [],
    "prior_therapies": [
        {"drug": "methotrexate", "outcome": "inadequate-response"},
        {"drug": "adalimumab", "outcome": "inadequate-response"},
        {"drug": "etanercept", "outcome": "inadequate-response"},
        {"drug": "naproxen", "outcome": "inadequate-response"},
        {"drug": "ibuprofen", "outcome": "inadequate-response"},
        {"drug": "ustekinumab", "outcome": "inadequate-response"},
        {"drug": "dupilumab", "outcome": "inadequate-response"},
        {"drug": "tacrolimus", "outcome": "inadequate-response"},
        {"drug": "ciclosporin", "outcome": "inadequate-response"},
        {"drug": "mesalazine", "outcome": "inadequate-response"},
        {"drug": "infliximab", "outcome": "inadequate-response"},
    ],
    "labs": [
        {"analyte": "lymphocytes", "value": 1.8, "unit": "10*9/L", "date": LAB_DAY},
        {"analyte": "neutrophils", "value": 4.1, "unit": "10*9/L", "date": LAB_DAY},
        {"analyte": "hemoglobin", "value": 13.2, "unit": "g/dL", "date": LAB_DAY},
        {"analyte": "platelets", "value": 250, "unit": "10*9/L", "date": LAB_DAY},
        {"analyte": "alt", "value": 22, "unit": "U/L", "date": LAB_DAY},
        {"analyte": "ast", "value": 25, "unit": "U/L", "date": LAB_DAY},
        {"analyte": "creatinine", "value": 0.8, "unit": "mg/dL", "date": LAB_DAY},
        {"analyte": "creatinine-clearance", "value": 105, "unit": "mL/min", "date": LAB_DAY},
        {"analyte": "egfr", "value": 102, "unit": "mL/min/{1.73_m2}", "date": LAB_DAY},
        {"analyte": "ldl-cholesterol", "value": 110, "unit": "mg/dL", "date": LAB_DAY},
        {"analyte": "triglycerides", "value": 120, "unit": "mg/dL", "date": LAB_DAY},
        {"analyte": "crp", "value": 12, "unit": "mg/L", "date": LAB_DAY},
    ],
    "screening": [
        {"item": "tb", "result": "negative", "date": "2026-10-20"},
        {"item": "hbsag", "result": "negative", "date": "2026-10-20"},
        {"item": "anti-hbc", "result": "negative", "date": "2026-10-20"},
        {"item": "hcv", "result": "negative", "date": "2026-10-20"},
        {"item": "hiv", "result": "negative", "date": "2026-10-20"},
        {"item": "pregnancy-test", "result": "negative", "date": "2026-11-01"},
        {"item": "zoster-vaccine", "result": "done", "date": "2026-09-01"},
    ],
    "disease": {
        "pasi": 18,
        "bsa_percent": 15,
        "dlqi": 14,
        "severity": "severe",
        "candidate_for": ["systemic", "phototherapy"],
        "objective_inflammation": {"crp_elevated": True, "mri": True},
    },
}


def patient_data(condition: str, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["conditions"] = [condition]
    data.update(changes)
    return data


def complete_patient(kb: Knowledge, condition: str, **changes: Any) -> Patient:
    return patient_from_data(patient_data(condition, **changes), kb)


def guide_for(
    kb: Knowledge, patient: Patient, drug: str, condition: str, region: str = "US"
) -> Guide:
    request = GuideRequest(drug=drug, condition=condition, region=region, as_of=AS_OF)
    return build_guide(patient, request, kb)


def html_for(kb: Knowledge, patient: Patient, drug: str, condition: str, region: str = "US") -> str:
    return guide_html(guide_for(kb, patient, drug, condition, region))


def approved_pairs(kb: Knowledge) -> list[tuple[str, str, str]]:
    """(drug, condition, region) for every indication in the knowledge."""
    pairs = []
    for mono in kb.drugs.values():
        for region, label in mono.regions.items():
            for cond in dict.fromkeys(i.condition for i in label.indications):
                pairs.append((mono.id, cond, region))
    return sorted(pairs)


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""  # all text inside, footnote numbers included
    words: str = ""  # the text without footnote numbers (<sup>)
    links: list[str] = field(default_factory=list)  # footnote hrefs inside (sup.fn a)
    in_main: bool = False
    in_sources: bool = False


class GuideParser(HTMLParser):
    """Collects every element with its text, and what it sits in."""

    VOID = frozenset({"meta", "link", "br", "img", "hr", "input", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[Element] = []
        self.elements: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = Element(tag, {k: v or "" for k, v in attrs})
        el.in_main = any(e.tag == "main" for e in self.stack)
        el.in_sources = any(e.attrs.get("id") == "sources" for e in self.stack)
        self.elements.append(el)
        if tag not in self.VOID:
            self.stack.append(el)
        if tag == "a" and el.attrs.get("href", "").startswith("#fn-"):
            in_fn = any(e.tag == "sup" and "fn" in e.attrs.get("class", "") for e in self.stack)
            if in_fn:
                for e in self.stack:
                    if "data-statement" in e.attrs:
                        e.links.append(el.attrs["href"])

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        in_sup = any(e.tag == "sup" for e in self.stack)
        for e in self.stack:
            e.text += data
            if not in_sup:
                e.words += data


def parse(html: str) -> list[Element]:
    p = GuideParser()
    p.feed(html)
    p.close()
    return p.elements


def statements(html: str) -> list[Element]:
    return [e for e in parse(html) if "data-statement" in e.attrs]


def footnotes(html: str) -> dict[str, Element]:
    return {
        e.attrs["id"]: e
        for e in parse(html)
        if e.tag == "li" and e.attrs.get("id", "").startswith("fn-")
    }


def values(html: str) -> list[Element]:
    return [e for e in parse(html) if "value" in e.attrs.get("class", "").split()]

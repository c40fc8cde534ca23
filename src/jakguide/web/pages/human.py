"""Text for people: units as people write them and labels for the record's coded words.

Why one module: a page must never show a UCUM code (``10*9/L``) or a slug (``tb-active``); the
data and the API keep the codes, and every page that shows one to a person asks this module.
Condition, analyte and drug names come from the knowledge; the words below are the model's own
coded choices (``model.HistoryItem``, ``model.ScreeningItemId`` ...), spelled out.
"""

from __future__ import annotations

import re

__all__ = ["label", "unit_text"]

_BRACES = re.compile(r"\{([^}]*)\}")

# The record's coded choices, as a clinic writes them (keys are model literals).
_LABELS = {
    "vte": "Venous thromboembolism (DVT or PE)",
    "myocardial-infarction": "Heart attack (myocardial infarction)",
    "stroke": "Stroke",
    "malignancy": "Cancer (malignancy)",
    "serious-infection": "Serious infection",
    "herpes-zoster": "Shingles (herpes zoster)",
    "diverticulitis": "Diverticulitis",
    "gi-perforation": "Gastrointestinal perforation",
    "tb-active": "Active tuberculosis",
    "tb-latent": "Latent tuberculosis",
    "hbv-active": "Active hepatitis B",
    "hcv-active": "Active hepatitis C",
    "interstitial-lung-disease": "Interstitial lung disease",
    "heart-failure": "Heart failure",
    "cirrhosis": "Cirrhosis",
    "chronic-liver-disease": "Chronic liver disease",
    "menopause": "Menopause",
    "hysterectomy": "Hysterectomy",
    "bilateral-oophorectomy": "Both ovaries removed",
    "bilateral-salpingectomy": "Both fallopian tubes removed",
    "end-stage-renal-disease": "End-stage kidney disease",
    "hypertension": "High blood pressure",
    "diabetes": "Diabetes",
    "dyslipidemia": "Abnormal blood lipids",
    "obesity": "Obesity",
    "family-history-premature-cad": "Family history of early heart disease",
    "chronic-kidney-disease": "Chronic kidney disease",
    "atherosclerotic-cvd": "Atherosclerotic cardiovascular disease",
    "other": "Other",
    "inadequate-response": "Did not work well enough",
    "intolerance": "Not tolerated",
    "loss-of-response": "Stopped working",
    "tb": "Tuberculosis test",
    "hbsag": "Hepatitis B surface antigen",
    "anti-hbc": "Hepatitis B core antibody",
    "hbv-dna": "Hepatitis B DNA",
    "hcv": "Hepatitis C antibody",
    "hiv": "HIV test",
    "zoster-vaccine": "Shingles vaccine",
    "pregnancy-test": "Pregnancy test",
    "lipids": "Lipid panel",
    "immunizations": "Immunizations up to date",
    "live-vaccines": "Live vaccines given",
    "negative": "Negative",
    "positive": "Positive",
    "indeterminate": "Indeterminate",
    "ltbi-treated": "Latent TB, treated",
    "done": "Done",
    "unknown": "Unknown",
    "weight_kg": "Weight (kg)",
    "height_cm": "Height (cm)",
    "none": "None",
    "child-pugh-a": "Child-Pugh A",
    "child-pugh-b": "Child-Pugh B",
    "child-pugh-c": "Child-Pugh C",
    "never": "Never",
    "former": "Former",
    "current": "Current",
    "female": "Female",
    "male": "Male",
    "pregnant": "Pregnant",
    "not-pregnant": "Not pregnant",
    "yes": "Yes",
    "no": "No",
}


def label(code: str) -> str:
    """A coded choice as a person writes it; an unlisted code is spelled out, never shown raw."""
    found = _LABELS.get(code)
    if found is not None:
        return found
    words = code.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def unit_text(ucum: str) -> str:
    """A UCUM unit as people write it: ``10*9/L`` -> ``10^9/L``, ``mL/min/{1.73_m2}`` ->
    ``mL/min/1.73 m2``; the code itself stays in the data."""
    text = ucum.replace("10*", "10^")
    text = _BRACES.sub(lambda m: m.group(1).replace("_", " "), text)
    return "%" if text == "%" else text

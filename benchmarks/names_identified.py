"""Share of active medications identified on the vendored Synthea samples (issue 10).

Reads every active MedicationRequest in ``tests/data/synthea-*`` (code and display as exported)
and counts how many the knowledge identifies, before issue 10 (RxNorm product code, then an
ingredient name in the text) and now (``kb.names``: codes, INNs, brands, misspellings,
synonyms, whole words in text). Fuzzy suggestions never count as identified.
Run: `python benchmarks/names_identified.py [--list]`.
"""

from __future__ import annotations

import argparse
import atexit
import json
import shutil
import tempfile
from collections import Counter
from pathlib import Path

from jakguide.kb.base import Knowledge, load_knowledge
from jakguide.kb.loader import default_knowledge_dir
from jakguide.kb.names import resolve, resolve_ingredients

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


# How a rheumatology or dermatology clinic list types the common co-medications (brands, short
# names, common misspellings); one entry per class named in issue 10.
TYPED = [
    "Humira 40 mg pen", "Enbrel", "Cosentyx", "Stelara", "Otezla", "Trexall", "MTX 15 mg weekly",
    "Plaquenil 200mg", "Arava", "Azulfidine EN", "prednisone 5mg", "Medrol dose pack",
    "Deltasone", "Aleve", "Advil PRN", "Celebrex 200", "Mobic", "Lipitor 20", "Crestor",
    "Zocor", "Norvasc", "Lisinopril 10", "Cozaar", "HCTZ", "Toprol XL", "Prilosec",
    "Nexium", "Protonix", "Eliquis 5 mg BID", "Xarelto", "Coumadin", "Plavix", "baby aspirin",
    "Tylenol", "folic acid 1mg", "Vitamin D3", "Fosamax", "Synthroid", "Glucophage",
]  # fmt: skip


def medications(status: str | None) -> list[tuple[str | None, str]]:
    out = []
    for path in sorted(DATA.glob("synthea-*/MedicationRequest*.ndjson")):
        for line in path.read_text().splitlines():
            res = json.loads(line)
            if status is not None and res.get("status") != status:
                continue
            concept = res.get("medicationCodeableConcept") or {}
            code = next(
                (c.get("code") for c in concept.get("coding", []) if c.get("system") == RXNORM),
                None,
            )
            display = concept.get("text") or next(
                (c.get("display") for c in concept.get("coding", []) if c.get("display")), ""
            )
            out.append((code, display))
    return out


def knowledge_without_names() -> Knowledge:
    """The bundled knowledge with the issue-10 names table taken out (the "before" baseline)."""
    src = default_knowledge_dir()
    tmp = Path(tempfile.mkdtemp(prefix="jakguide-names-"))
    atexit.register(shutil.rmtree, tmp, True)
    shutil.copytree(src, tmp / "knowledge")
    products = tmp / "knowledge" / "products.yaml"
    text = products.read_text()
    products.write_text(text[: text.index("\nnames:\n")] + "\n")
    return load_knowledge(tmp / "knowledge")


def before(kb: Knowledge, code: str | None, text: str) -> bool:
    """The identification used before issue 10 (rules.context at 5edb2a3), without kb.names."""
    if code and kb.ingredients_for_code(code):
        return True
    return text.lower() in kb.ingredient_names or bool(kb.ingredients_in_text(text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--list", action="store_true", help="List the entries not identified.")
    args = parser.parse_args()
    kb = load_knowledge()
    old = knowledge_without_names()
    rows = [
        ("active MedicationRequests, code and text", medications("active"), True),
        ("active MedicationRequests, text only (as typed)", medications("active"), False),
        ("distinct medicines (any status), text only", sorted(set(medications(None))), False),
        ("co-medications typed as a clinic types them", [(None, t) for t in TYPED], False),
    ]
    print("| set | n | identified before issue 10 | identified now |")
    print("|---|---:|---:|---:|")
    missed: Counter[str] = Counter()
    for title, meds, with_code in rows:
        was = now = 0
        for code, text in meds:
            c = code if with_code else None
            was += before(old, c, text)
            ok = bool(resolve_ingredients(kb, text, c)) or resolve(kb, text, c).identified
            now += ok
            if not ok and not with_code:
                missed[text] += 1
        n = len(meds)
        print(f"| {title} | {n} | {was} ({was / n:.0%}) | {now} ({now / n:.0%}) |")
    if args.list:
        for text in sorted(missed):
            print(f"  not identified: {text}")


if __name__ == "__main__":
    main()

"""Needs-data report: how many options are `needs-data` on ordinary clinic records, and why.

Assesses synthetic clinic records (``jakguide synth``) for their condition in the US and the EU and
splits the `needs-data` options by the missing input named in their findings: for each input, the
options it holds back (among other inputs) and the options it alone holds back (fix that input and
the option leaves `needs-data`). Also reports the share of active medications identified.

Run (records generated in memory, with this checkout's ``jakguide.synth``):
    python benchmarks/needs_data.py [--patients 1000] [--seed 1] [--as-of 2026-11-21] [--json FILE]
Run on written records, with any checkout's engine (e.g. main before a change):
    jakguide synth --patients 1000 --seed 1 --as-of 2026-11-21 --out /tmp/synth
    PYTHONPATH=/path/to/checkout/src python benchmarks/needs_data.py --records /tmp/synth
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from jakguide.adapters.native import patient_from_data
from jakguide.engine import assess
from jakguide.kb.base import Knowledge, bundled_knowledge
from jakguide.model import AssessRequest, Finding, Region
from jakguide.rules.context import Context

sys.path.insert(0, str(Path(__file__).parent))
from settleable import settles  # a sibling script module

AS_OF = "2026-11-21"
SHOWN_CASES = 20  # settle-able options listed by name in the report
REGIONS: tuple[Region, ...] = ("US", "EU")
_PAREN = re.compile(r"\s*\([^()]*\)")
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^Not recorded: (.+?)\. "), "{}"),
    (re.compile(r"^Not recorded: (.+?)\.$"), "{}"),
    (re.compile(r"^Needed to confirm the labelled population: (.+?)\."), "{}"),
    (re.compile(r"^(\w+ status) not recorded"), "{}"),
    (re.compile(r"^(Prior therapies) are not recorded"), "{}"),
)


# Inputs a clinic rarely records as such, though other recorded data often settle them (issue 10,
# "Implied is known"). Whether this record settles one is decided per option by settleable.py.
IMPLIED = frozenset(
    {
        "hepatic impairment",
        "dialysis status",
        "breastfeeding status",
        "pregnancy status",
        "disease severity",
        "candidacy for systemic therapy or phototherapy",
        "objective signs of inflammation",
    }
)
_LABS = (
    ("Labs needed before starting", "lab before starting: {}"),
    ("No result on record for labs", "lab on therapy: {}"),
)
_RENAL = "creatinine clearance, or serum creatinine with age, weight and sex"


def inputs_of(finding: Finding, kb: Knowledge) -> set[str]:
    """The missing inputs a needs-data finding names (its rule id when the wording is new)."""
    for start, form in _LABS:  # analyte names hold commas: match them by name
        if finding.message.startswith(start):
            listed = finding.message.split(": ", 1)[1]
            return {form.format(a.id) for a in kb.analytes.values() if a.name in listed}
    text = _PAREN.sub("", _PAREN.sub("", finding.message))
    if _RENAL in text:
        return {"creatinine clearance (or creatinine with age, weight and sex)"}
    for pattern, form in _PATTERNS:
        m = pattern.search(text)
        if m:
            return {form.format(part.strip()).lower() for part in m.group(1).split(", ")}
    return {f"rule {finding.rule}"}


def load_records(args: argparse.Namespace) -> list[dict[str, Any]]:
    if args.records is not None:
        files = sorted(Path(args.records).glob("*.yaml"))
        return [yaml.safe_load(f.read_text(encoding="utf-8")) for f in files]
    from jakguide.synth import records

    return records(args.patients, args.seed, dt.date.fromisoformat(args.as_of))


def measure(records: list[dict[str, Any]], kb: Knowledge, as_of: dt.date) -> dict[str, Any]:
    options = 0
    needs = 0
    by_status: collections.Counter[str] = collections.Counter()
    among: collections.Counter[str] = collections.Counter()
    only: collections.Counter[str] = collections.Counter()
    implied_only = 0
    settleable_only = 0
    unsettled: collections.Counter[str] = collections.Counter()
    settleable_cases: list[str] = []
    priors_total = 0
    priors_identified = 0
    meds_total = 0
    meds_identified = 0
    for record in records:
        patient = patient_from_data(record, kb)
        ctx = Context(patient, kb, as_of)
        for prior in patient.prior_therapies or []:
            priors_total += 1
            priors_identified += prior.drug.lower() in kb.ingredient_names
        for med in ctx.medications or []:
            meds_total += 1
            meds_identified += bool(med.ingredients)
        for region in REGIONS:
            request = AssessRequest(
                condition=record["conditions"][0],
                region=region,
                as_of=as_of,
            )
            for option in assess(patient, request, kb).options:
                label = kb.label(option.drug, region)
                if label is None or not any(
                    i.condition == request.condition for i in label.indications
                ):
                    continue  # not labelled for the condition: not a choice for this patient
                options += 1
                by_status[option.status] += 1
                if option.status != "needs-data":
                    continue
                needs += 1
                missing: set[str] = set()
                for f in option.findings:
                    if f.status == "needs-data":
                        missing |= inputs_of(f, kb)
                among.update(missing)
                if len(missing) == 1:
                    only.update(missing)
                if not (missing and missing <= IMPLIED):
                    continue
                implied_only += 1
                ctx = Context(patient, kb, as_of)
                verdicts = {
                    name: settles(name, ctx, request.condition, option.drug, region)
                    for name in sorted(missing)
                }
                if all(ok for ok, _ in verdicts.values()):
                    settleable_only += 1
                    if len(settleable_cases) < SHOWN_CASES:
                        why = "; ".join(f"{k}: {w}" for k, (_, w) in verdicts.items())
                        settleable_cases.append(f"{record.get('id')} {region} {option.drug}: {why}")
                else:
                    unsettled.update(f"{k}: {w}" for k, (ok, w) in verdicts.items() if not ok)
    return {
        "patients": len(records),
        "as_of": str(as_of),
        "knowledge_version": kb.version,
        "options": options,
        "needs_data": needs,
        "needs_data_only_implied": implied_only,
        "needs_data_only_settleable": settleable_only,
        "settleable_cases": settleable_cases,
        "not_settled_because": dict(unsettled.most_common()),
        "by_status": dict(by_status.most_common()),
        "inputs": [
            {"input": name, "among": n, "only": only.get(name, 0)}
            for name, n in among.most_common()
        ],
        "medications": {"active": meds_total, "identified": meds_identified},
        "prior_therapies": {"recorded": priors_total, "identified": priors_identified},
    }


def pct(n: int, d: int) -> str:
    return f"{100 * n / d:.1f} %" if d else "-"


def table(result: dict[str, Any], top: int) -> str:
    n = result["options"]
    lines = [
        f"{result['patients']} records, as of {result['as_of']}, knowledge "
        f"{result['knowledge_version']}, US and EU: {n} options labelled for the "
        f"patient's condition, "
        f"{result['needs_data']} needs-data ({pct(result['needs_data'], n)})",
        "",
        "| missing input | needs-data options naming it | ... and nothing else |",
        "|---|---|---|",
    ]
    for row in result["inputs"][:top]:
        lines.append(
            f"| {row['input']} | {row['among']} ({pct(row['among'], n)}) "
            f"| {row['only']} ({pct(row['only'], n)}) |"
        )
    meds = result["medications"]
    priors = result["prior_therapies"]
    implied = result["needs_data_only_implied"]
    lines += [
        "",
        f"needs-data only for inputs other data often settle ({', '.join(sorted(IMPLIED))}): "
        f"{implied} ({pct(implied, n)})",
        f"needs-data only for inputs this record's other data settle (settleable.py; "
        f"the target is 0): {result['needs_data_only_settleable']} "
        f"({pct(result['needs_data_only_settleable'], n)})",
        *[f"  {c}" for c in result["settleable_cases"]],
        "why the record does not settle the rest (options; an option may count under several):",
        *[f"  {k}: {v}" for k, v in result["not_settled_because"].items()],
        "statuses: " + ", ".join(f"{k} {v}" for k, v in result["by_status"].items()),
        f"active medications identified: {meds['identified']} of {meds['active']} "
        f"({pct(meds['identified'], meds['active'])})",
        f"prior therapies identified by name: {priors['identified']} of {priors['recorded']} "
        f"({pct(priors['identified'], priors['recorded'])})",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--patients", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--as-of", default=AS_OF)
    ap.add_argument("--records", help="folder of native records (from jakguide synth)")
    ap.add_argument("--top", type=int, default=20, help="rows of the table")
    ap.add_argument("--json", help="also write the full result to this file")
    args = ap.parse_args(argv)
    kb = bundled_knowledge()
    result = measure(load_records(args), kb, dt.date.fromisoformat(args.as_of))
    print(table(result, args.top))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Rewrite each vignette's patient as its smallest difference from the closest base patient.

Run from anywhere: ``python tests/rebase_vignettes.py`` (``--check`` only reports). For every
vignette it takes the patient the vignette describes today (whole, or base plus differences, as
``vignettes.load_case`` reads it), tries every base in ``tests/cases/_bases/`` and keeps the one
whose difference takes the fewest lines; a list is given whole, or as ``remove``/``add`` edits
when that is shorter. Only the vignette's ``base:`` and ``patient:`` lines are rewritten.

Before writing, each new text is read back with ``load_case`` and must give exactly the same
case as before (every value with its type, every list in its order); otherwise nothing is
written and the script fails. Re-run it after adding or changing a base.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from vignettes import BASES, CASES, base_names, base_patient, load_case, matches, merge

# Fields that name a list entry, tried first when writing a ``remove`` pattern.
IDENTIFYING = ("analyte", "item", "drug", "kind", "name", "instrument")


def canon(value: Any) -> Any:
    """A form in which equal means identical: types kept (1 != 1.0 != True), keys unordered."""
    if isinstance(value, dict):
        return ("map", tuple(sorted((k, canon(v)) for k, v in value.items())))
    if isinstance(value, list):
        return ("list", tuple(canon(v) for v in value))
    return (type(value).__name__, value)


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(
        data, sort_keys=False, default_flow_style=None, width=100, allow_unicode=True
    )


def lines(value: Any) -> int:
    """Lines of YAML, a line over 100 characters counting twice (or more)."""
    return sum(1 + len(line) // 100 for line in dump({"x": value}).splitlines())


def pattern_for(entry: Any, kept: list[Any]) -> Any:
    """The shortest pattern that matches ``entry`` and no entry in ``kept``."""
    if not isinstance(entry, dict):
        return entry
    keys = [k for k in IDENTIFYING if k in entry] + [k for k in entry if k not in IDENTIFYING]
    for key in keys:
        pattern = {key: entry[key]}
        if not any(matches(k, pattern) for k in kept):
            return pattern
    return entry


def list_edit(base: list[Any], target: list[Any]) -> dict[str, Any] | None:
    """``remove``/``add`` edits turning ``base`` into ``target``, if they can."""
    wanted = [canon(t) for t in target]
    kept = [b for b in base if canon(b) in wanted]
    removed = [b for b in base if canon(b) not in wanted]
    if [canon(k) for k in kept] != wanted[: len(kept)]:
        return None
    patterns: list[Any] = []
    for entry in removed:
        pattern = pattern_for(entry, kept)
        if canon(pattern) not in [canon(p) for p in patterns]:
            patterns.append(pattern)
    edit: dict[str, Any] = {}
    if patterns:
        edit["remove"] = patterns
    if target[len(kept) :]:
        edit["add"] = target[len(kept) :]
    return edit or None


def difference(base: dict[str, Any], target: dict[str, Any]) -> dict[str, Any]:
    """The changes that ``vignettes.merge`` turns from ``base`` into ``target``."""
    changes: dict[str, Any] = {}
    for key, value in target.items():
        if key in base and canon(base[key]) == canon(value):
            continue
        old = base.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            changes[key] = difference(old, value)
        elif isinstance(old, list) and isinstance(value, list):
            edit = list_edit(old, value)
            shorter = edit is not None and lines(edit) < lines(value)
            changes[key] = edit if shorter else value
        else:
            changes[key] = value
    for key in base:
        if key not in target:
            changes[key] = None
    return changes


def closest(patient: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The base whose difference from ``patient`` takes the fewest lines, among the bases with
    the same conditions and sex when there are some (for the reader; first name on a tie)."""
    best: tuple[tuple[int, int], str, dict[str, Any]] | None = None
    for name in base_names():
        base = base_patient(name)
        unlike = sum(base.get(k) != patient.get(k) for k in ("conditions", "sex"))
        changes = difference(base, patient)
        score = (unlike, lines(changes) if changes else 0)
        if best is None or score < best[0]:
            best = (score, name, changes)
    assert best is not None, f"no base patient in {BASES}"
    return best[1], best[2]


def rewrite(text: str, name: str, changes: dict[str, Any]) -> str:
    """``text`` with its top-level ``base:`` and ``patient:`` blocks replaced."""
    out: list[str] = []
    skipping = written = False
    for line in text.splitlines(keepends=True):
        if line[:1].strip():  # a top-level key
            skipping = line.startswith(("base:", "patient:"))
            if skipping and not written:
                out.append(f"base: {name}\n")
                if changes:
                    out.append(dump({"patient": changes}))
                written = True
        if not skipping:
            out.append(line)
    return "".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report; write nothing")
    args = parser.parse_args(argv)
    before = after = 0
    used: Counter[str] = Counter()
    for path in sorted(p for p in CASES.rglob("*.yaml") if BASES not in p.parents):
        text = path.read_text()
        case = load_case(path)
        name, changes = closest(case["patient"])
        new = rewrite(text, name, changes)
        with tempfile.TemporaryDirectory() as tmp:
            written = Path(tmp) / path.name
            written.write_text(new)
            again = load_case(written)
        again_patient = merge(base_patient(name), changes)
        same = canon(again) == canon({**case, "base": name}) and canon(again_patient) == canon(
            case["patient"]
        )
        if not same:
            print(f"{path}: the rewritten vignette reads back differently; nothing written")
            return 1
        before += len(text.splitlines())
        after += len(new.splitlines())
        used[name] += 1
        if not args.check and new != text:
            path.write_text(new)
    base_lines = sum(len(p.read_text().splitlines()) for p in BASES.glob("*.yaml"))
    print(f"vignette lines: {before} -> {after} (+ {base_lines} in {len(used)} bases used)")
    for name in base_names():
        print(f"  {name}: {used[name]} vignettes")
    return 0


if __name__ == "__main__":
    sys.exit(main())

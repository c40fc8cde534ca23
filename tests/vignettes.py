"""Vignette files: a case may name a base patient and state only how its patient differs.

A vignette (``tests/cases/<concept>/<name>.yaml``) holds ``description``, ``as_of``, ``request``
(or ``labs_request``), ``patient`` and ``expect`` (or ``error``). With ``base: <name>``, its
``patient`` is applied to the whole patient in ``tests/cases/_bases/<name>.yaml``:

- a mapping merges into the base's mapping key by key, recursively
  (``disease: {severity: mild}`` keeps the base's other disease fields);
- ``null`` deletes the key, so "absent = unknown" stays expressible (``birth_date: null``);
- any other value replaces the base's value; a list replaces the base's whole list;
- a list of the base may instead be edited with a mapping of ``remove`` and/or ``add``:
  ``remove`` drops the base's entries that match one of its patterns (a scalar matches an equal
  entry; a mapping matches each entry that has all its fields with these values), and every
  pattern must match at least one entry; ``add`` then appends its entries in order.

A base is a whole patient and names no base of its own. ``load_case`` returns the case with
the merged patient (and its ``base`` key, for the record).
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml

CASES = Path(__file__).parent / "cases"
BASES = CASES / "_bases"
LIST_EDITS = frozenset({"add", "remove"})


class VignetteError(ValueError):
    """A vignette names an unknown base, or its differences do not apply to the base."""


def vignette_paths() -> list[Path]:
    """Every vignette, sorted; base patients are not vignettes."""
    return sorted(p for p in CASES.rglob("*.yaml") if BASES not in p.parents)


def base_names() -> list[str]:
    return sorted(p.stem for p in BASES.glob("*.yaml"))


def base_patient(name: str) -> dict[str, Any]:
    """A copy of the base patient called ``name``."""
    return copy.deepcopy(_base(name))


def _base(name: object) -> dict[str, Any]:
    if not isinstance(name, str) or name not in base_names():
        known = ", ".join(base_names())
        raise VignetteError(f"base: {name!r} is not a base patient in {BASES} (known: {known})")
    return _read_base(name)


@functools.cache
def _read_base(name: str) -> dict[str, Any]:
    path = BASES / f"{name}.yaml"
    data = yaml.safe_load(path.read_text())
    if not isinstance(data, dict):
        raise VignetteError(f"{path}: a base patient must be a mapping of patient fields")
    if "base" in data:
        raise VignetteError(f"{path}: base: a base patient names no base of its own")
    return data


def merge(base: dict[str, Any], changes: dict[str, Any], where: str = "patient") -> dict[str, Any]:
    """``base`` with ``changes`` applied (see the module docstring); neither is modified."""
    out = copy.deepcopy(base)
    for key, change in changes.items():
        at = f"{where}.{key}"
        if change is None:
            if key not in out:
                raise VignetteError(f"{at}: null deletes a key, but the base has no {key!r}")
            del out[key]
        elif isinstance(change, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], change, at)
        elif isinstance(change, dict) and isinstance(out.get(key), list):
            out[key] = edit_list(out[key], change, at)
        else:
            out[key] = copy.deepcopy(change)
    return out


def edit_list(base: list[Any], edit: dict[str, Any], where: str) -> list[Any]:
    """``base`` without the entries ``edit["remove"]`` matches, then ``edit["add"]`` appended."""
    unknown = sorted(set(edit) - LIST_EDITS)
    if unknown or not edit:
        raise VignetteError(
            f"{where}: {unknown or edit}: a list is replaced by a list, or edited with a mapping "
            "of 'remove' and/or 'add'"
        )
    remove, add = edit.get("remove", []), edit.get("add", [])
    if not isinstance(remove, list) or not isinstance(add, list):
        raise VignetteError(f"{where}: 'remove' and 'add' each take a list")
    for i, pattern in enumerate(remove):
        if not any(matches(entry, pattern) for entry in base):
            raise VignetteError(f"{where}.remove[{i}]: {pattern!r} matches no entry of the base")
    kept = [e for e in base if not any(matches(e, pattern) for pattern in remove)]
    return kept + copy.deepcopy(add)


def matches(entry: Any, pattern: Any) -> bool:
    """A mapping pattern matches an entry holding all its fields; a scalar, an equal entry."""
    if isinstance(pattern, dict):
        return isinstance(entry, dict) and all(
            k in entry and entry[k] == v for k, v in pattern.items()
        )
    return bool(entry == pattern)


def load_case(path: Path) -> dict[str, Any]:
    """The vignette at ``path``; with ``base``, its patient merged onto the base patient."""
    data = yaml.safe_load(path.read_text())
    if not isinstance(data, dict):
        raise VignetteError(f"{path}: a vignette is a mapping")
    if "base" in data:
        changes = data.get("patient") or {}
        if not isinstance(changes, dict):
            raise VignetteError(f"{path}: patient: with a base, the patient is a mapping")
        try:
            data["patient"] = merge(_base(data["base"]), changes)
        except VignetteError as exc:
            raise VignetteError(f"{path}: {exc}") from None
    return data

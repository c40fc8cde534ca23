"""The repository stands on its own: no file reads outside it, and the lock covers every dependency.

A fresh clone plus the README's two commands must work (issue 9): test data is vendored under
tests/data, and `make install` installs the versions pinned in constraints.txt (`make lock`).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "constraints.txt"
CODE_SUFFIXES = {".py", ".sh", ".toml", ".yaml", ".yml", ".cfg", ".ini", ".json", ".j2", ".html"}
# Paths that lead out of a clone: the machine's shared folder, a sibling checkout, or a
# pathlib walk to a folder named "shared". Built in pieces so this file does not match itself.
OUTSIDE = re.compile(
    "|".join(
        [
            "/" + "work/",
            r"\.\./" + "shared",
            r"parents\[\d+\]\s*/\s*['\"]" + "shared",
            r"['\"]" + "shared" + r"['\"]\s*/\s*['\"]data",
        ]
    )
)
# Path(__file__)[.resolve()].parents[N] or .parent.parent...: must stay inside the clone.
FILE_PARENTS = re.compile(r"Path\(__file__\)(?:\.resolve\(\))?\.parents\[(\d+)\]")
FILE_PARENT_CHAIN = re.compile(r"Path\(__file__\)(?:\.resolve\(\))?((?:\.parent)+)\b")


def _code_files() -> list[Path]:
    """Code and configuration of the clone (src, tests, benchmarks, .ci, Makefile, pyproject)."""
    files = [ROOT / "Makefile", ROOT / "pyproject.toml"]
    for top in ("src", "tests", "benchmarks", ".ci"):
        for path in (ROOT / top).rglob("*"):
            rel = path.relative_to(ROOT)
            if not path.is_file() or "vendor" in rel.parts or rel.parts[:2] == ("tests", "data"):
                continue  # vendored assets and data are not ours to read paths from
            if path.suffix in CODE_SUFFIXES or top == ".ci":
                files.append(path)
    return sorted(files)


def test_no_file_points_outside_the_repository() -> None:
    files = _code_files()
    assert len(files) > 50, "the scan found too few files"
    problems = []
    for path in files:
        rel = path.relative_to(ROOT)
        text = path.read_text("utf-8", errors="replace")
        for n, line in enumerate(text.splitlines(), start=1):
            if OUTSIDE.search(line):
                problems.append(f"{rel}:{n}: {line.strip()}")
            depth = len(rel.parts) - 1  # folders between the clone's root and the file
            ups = [int(m) + 1 for m in FILE_PARENTS.findall(line)]
            ups += [chain.count(".parent") for chain in FILE_PARENT_CHAIN.findall(line)]
            if any(up > depth + 1 for up in ups):  # depth + 1 parents: the clone's root
                problems.append(f"{rel}:{n}: climbs above the repository: {line.strip()}")
    assert not problems, "\n".join(problems)


def test_the_check_finds_a_path_outside() -> None:
    for line in (
        'DATA = Path("/' + 'work/shared/data")',
        "see ../" + "shared/data",
        "Path(__file__)" + '.parents[2] / "sha' + 'red" / "data"',
    ):
        assert OUTSIDE.search(line), line


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    for extra in project.get("optional-dependencies", {}).values():
        reqs += [Requirement(r) for r in extra]
    return reqs


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for raw in LOCK.read_text("utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep, f"constraints.txt: not an exact pin: {line!r}"
            pins[canonicalize_name(name)] = version
    return pins


def test_the_lock_pins_every_dependency_within_its_range() -> None:
    """After adding or changing a dependency in pyproject.toml, run `make lock` and commit."""
    pins = _pins()
    problems = []
    for req in _declared():
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue  # only for another platform or Python
        version = pins.get(canonicalize_name(req.name))
        if version is None:
            problems.append(f"{req.name}: not in constraints.txt")
        elif not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req.name}=={version} is outside {req}")
    assert not problems, "run `make lock`: " + "; ".join(problems)


@pytest.mark.parametrize("target", ["install", "lock", "system", "run", "test"])
def test_the_makefile_has_the_documented_targets(target: str) -> None:
    makefile = (ROOT / "Makefile").read_text("utf-8")
    assert re.search(rf"^{target}:", makefile, re.MULTILINE), target
    assert f"make {target}" in (ROOT / "README.md").read_text("utf-8"), target

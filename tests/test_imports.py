"""The house's import rules, read from the code with ``ast``: no cycles, and the floors hold.

Every ``import`` / ``from ... import`` of a jakguide module counts: at module level, inside
functions and under ``TYPE_CHECKING``. A package's ``__init__`` is its own node, and
``from a.b import c`` counts as importing ``a.b.c`` when ``c`` is a module (else ``a.b``).

The floors, the door exceptions and the third-party libraries each floor may not import are read
from the tables in ``docs/architecture.md``, so the picture there cannot drift from the code.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
SRC = ROOT / "src"
PACKAGE = SRC / "jakguide"
ARCHITECTURE = ROOT / "docs" / "architecture.md"


# --------------------------------------------------------------------------- the module graph


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int


def _resolve_relative(module: str, is_package: bool, level: int, name: str | None) -> str:
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join([*base, *([name] if name else [])])


def _imports(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """Every imported module name (jakguide or not) with its line."""
    known = modules()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _resolve_relative(module, is_package, node.level, node.module)
            else:
                base = node.module or ""
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                yield (candidate if candidate in known else base), node.lineno


@cache
def all_imports() -> tuple[Edge, ...]:
    return tuple(
        Edge(module, target, line)
        for module, path in modules().items()
        for target, line in _imports(module, path)
    )


@cache
def graph() -> dict[str, set[str]]:
    known = modules()
    edges: dict[str, set[str]] = {m: set() for m in known}
    for edge in all_imports():
        if edge.target in known and edge.target != edge.source:
            edges[edge.source].add(edge.target)
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component (Tarjan), each as a closed path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return [_a_cycle(edges, component) for component in components]


def _a_cycle(edges: dict[str, set[str]], component: list[str]) -> list[str]:
    start = component[0]
    inside = set(component)
    parent: dict[str, str] = {}
    queue = [start]
    while queue:  # breadth-first: the shortest way back to the start
        v = queue.pop(0)
        for w in sorted(edges[v] & inside):
            if w == start:
                path = [v]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                return [*reversed(path), start]
            if w not in parent:
                parent[w] = v
                queue.append(w)
    raise AssertionError(component)  # pragma: no cover - a component always closes


def test_the_walker_sees_every_kind_of_import(tmp_path: Path) -> None:
    code = (
        "from typing import TYPE_CHECKING\n"
        "import jakguide.errors\n"
        "from jakguide import model\n"
        "from jakguide.kb.base import Knowledge\n"
        "from . import dates\n"
        "if TYPE_CHECKING:\n"
        "    from jakguide.units import to_canonical\n"
        "def f() -> None:\n"
        "    from jakguide.rules import base\n"
    )
    path = tmp_path / "probe.py"
    path.write_text(code)
    found = {name for name, _ in _imports("jakguide.probe", path)}
    assert {
        "jakguide.errors",
        "jakguide.model",
        "jakguide.kb.base",
        "jakguide.dates",
        "jakguide.units",
        "jakguide.rules.base",
    } <= found


def test_cycles_are_found_and_printed() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(edges) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles() -> None:
    cycles = _cycles(graph())
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


# --------------------------------------------------------------------------- the floors


@dataclass(frozen=True)
class Floor:
    level: int
    name: str
    members: tuple[str, ...]
    forbidden: tuple[str, ...]


_ROW = re.compile(r"^\|\s*(\d+)\s+([\w-]+)\s*\|(.*)\|(.*)\|\s*$")
_CODE = re.compile(r"`([^`]+)`")


def _section(title: str) -> list[str]:
    lines = ARCHITECTURE.read_text(encoding="utf-8").splitlines()
    start = lines.index(title) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    return lines[start:end]


@cache
def floors() -> tuple[Floor, ...]:
    found = []
    for line in _section("## Floors"):
        match = _ROW.match(line)
        if match:
            level, name, members, forbidden = match.groups()
            found.append(
                Floor(
                    int(level), name, tuple(_CODE.findall(members)), tuple(_CODE.findall(forbidden))
                )
            )
    return tuple(found)


@cache
def door_exceptions() -> frozenset[tuple[str, str]]:
    """``a -> b`` lines in the section "Doors and their exceptions"."""
    pairs = set()
    for line in _section("## Doors and their exceptions"):
        match = re.match(r"^- `(\w+)` -> `(\w+)`", line)
        if match:
            pairs.add((match.group(1), match.group(2)))
    return frozenset(pairs)


def floor_of(module: str) -> tuple[Floor, str]:
    """The floor of a jakguide module and the member (package or module) that puts it there."""
    best: tuple[Floor, str] | None = None
    for floor in floors():
        for member in floor.members:
            full = "jakguide" if member == "jakguide" else f"jakguide.{member}"
            hit = module == full or (member != "jakguide" and module.startswith(full + "."))
            if hit and (best is None or len(member) > len(best[1])):
                best = (floor, member)
    assert best is not None, f"{module} is on no floor: add it to docs/architecture.md"
    return best


def test_the_floor_table_is_read() -> None:
    names = [f.name for f in floors()]
    assert names == ["vocabulary", "knowledge", "kb", "core", "adapters", "doors"]
    assert [f.level for f in floors()] == list(range(len(names)))
    assert ("cli", "web") in door_exceptions()


def test_every_module_is_on_a_floor() -> None:
    for module in modules():
        floor_of(module)


def test_no_module_imports_a_higher_floor() -> None:
    wrong = []
    for edge in all_imports():
        if edge.target not in modules():
            continue
        (low, _), (high, _) = floor_of(edge.source), floor_of(edge.target)
        if high.level > low.level:
            wrong.append(
                f"{edge.source}:{edge.line} ({low.name}) imports {edge.target} ({high.name})"
            )
    assert not wrong, "\n".join(wrong)


def test_doors_import_no_other_door_except_the_documented_ones() -> None:
    doors = {f for f in floors() if f.name == "doors"}
    wrong = []
    for edge in all_imports():
        if edge.target not in modules():
            continue
        (src_floor, src), (dst_floor, dst) = floor_of(edge.source), floor_of(edge.target)
        crossing = src_floor in doors and dst_floor in doors and src != dst
        if crossing and (src, dst) not in door_exceptions():
            wrong.append(f"{edge.source}:{edge.line} imports {edge.target}")
    assert not wrong, "\n".join(wrong)


def test_floors_import_no_forbidden_library() -> None:
    wrong = []
    for edge in all_imports():
        top = edge.target.split(".")[0]
        if top == "jakguide" or top in sys.stdlib_module_names:
            continue
        floor, _ = floor_of(edge.source)
        if top in floor.forbidden:
            wrong.append(f"{edge.source}:{edge.line} ({floor.name}) imports {edge.target}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("library", ["fastapi", "sqlalchemy", "weasyprint", "fhir", "uvicorn"])
def test_the_core_forbids_the_heavy_libraries(library: str) -> None:
    core = next(f for f in floors() if f.name == "core")
    assert library in core.forbidden

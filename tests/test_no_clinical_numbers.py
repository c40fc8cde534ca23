"""Thresholds live in the knowledge base: rule code holds no clinical number.

A number in rules/ or the engine may only appear in a module-level UPPER_CASE constant (a named,
cited formula constant such as Cockcroft-Gault's), or be 0, 1 or -1 (counting and indexing).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parent.parent / "src" / "jakguide"
FILES = [
    *sorted((SRC / "rules").glob("*.py")),
    SRC / "engine.py",
    *(SRC / "scan" / m for m in ("rules.py", "measures.py", "tables.py", "run.py")),  # the SQL
]
ALLOWED = {0, 1, -1}


def _named_constant_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in tree.body:
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        if targets and all(isinstance(t, ast.Name) and t.id.isupper() for t in targets):
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_unnamed_number_in_rule_code(path: Path) -> None:
    tree = ast.parse(path.read_text())
    named = _named_constant_lines(tree)
    offenders = [
        f"{path.name}:{node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, (int, float))
        and not isinstance(node.value, bool)
        and node.value not in ALLOWED
        and node.lineno not in named
    ]
    assert not offenders, offenders

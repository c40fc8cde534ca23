"""Meta-tests: no clinical number hides in code; every numeric constant carries a comment.

Cut-offs and coefficients must be module-level named constants with a comment citing their
source (house rule; ruff's PLR2004 is disabled project-wide, so this test enforces it).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import jakguide.instruments

PACKAGE = Path(jakguide.instruments.__file__).parent
MODULES = sorted(PACKAGE.glob("*.py"))
ALLOWED_IN_CODE = (0, 1)


def _numbers(node: ast.AST) -> list[ast.Constant]:
    return [
        sub
        for sub in ast.walk(node)
        if isinstance(sub, ast.Constant)
        and (type(sub.value) in (int, float) or _is_numeric_string_in_call(sub))
    ]


def _is_numeric_string_in_call(node: ast.Constant) -> bool:
    # Fraction("1.3") / Decimal("0.121") carry numbers as strings.
    if not isinstance(node.value, str):
        return False
    try:
        float(node.value)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_numeric_literal_inside_functions(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    offenders = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for const in _numbers(node):
                if const.value not in ALLOWED_IN_CODE:
                    offenders.append(
                        f"{path.name}:{const.lineno} {node.name}() uses {const.value!r}"
                    )
    assert not offenders, "name these as module constants with a citation: " + "; ".join(offenders)


def _commented(lines: list[str], start: int, end: int) -> bool:
    """True if the statement (lines start..end, 1-based) has an inline comment or sits in a
    block of constants introduced by a comment."""
    if any("#" in lines[i - 1] for i in range(start, end + 1)):
        return True
    i = start - 1
    while i >= 1:
        text = lines[i - 1].strip()
        if text.startswith("#"):
            return True
        if not text or text.startswith(("@", "def ", "class ")):
            return False
        i -= 1
    return False


def _is_number_expression(node: ast.AST) -> bool:
    """A literal, Fraction("..")/Decimal(".."), or arithmetic on those (not doc objects)."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Call):
        return isinstance(node.func, ast.Name) and node.func.id in {"Fraction", "Decimal", "int"}
    if isinstance(node, ast.BinOp):
        return _is_number_expression(node.left) or _is_number_expression(node.right)
    if isinstance(node, ast.UnaryOp):
        return _is_number_expression(node.operand)
    return False


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_numeric_module_constants_are_commented(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    missing = []
    for node in tree.body:
        if not isinstance(node, ast.Assign | ast.AnnAssign):
            continue
        target = node.targets[0] if isinstance(node, ast.Assign) else node.target
        if not (isinstance(target, ast.Name) and target.id.lstrip("_").isupper()):
            continue
        if node.value is None or not _is_number_expression(node.value):
            continue
        if not _numbers(node.value):
            continue
        if not _commented(lines, node.lineno, node.end_lineno or node.lineno):
            missing.append(f"{path.name}:{node.lineno} {target.id}")
    assert not missing, "numeric constants without a source comment: " + ", ".join(missing)

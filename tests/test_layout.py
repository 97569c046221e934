"""Small pieces (STYLE.md 13): no module of the package over 300 lines, no function over 50.

A function counts from its `def` line to the last line of its body (decorators and the blank
lines after it do not count); nested functions count inside their parent and on their own.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "analytics"
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 50


def module_lines(source: str) -> int:
    return len(source.splitlines())


def long_functions(source: str, limit: int = MAX_FUNCTION_LINES) -> list[tuple[str, int, int]]:
    """(qualified name, `def` line, length) of every function longer than `limit` lines."""
    found: list[tuple[str, int, int]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = f"{prefix}{getattr(child, 'name', '')}"
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                assert child.end_lineno is not None
                length = child.end_lineno - child.lineno + 1
                if length > limit:
                    found.append((name, child.lineno, length))
                visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{name}.")
            else:
                visit(child, prefix)

    visit(ast.parse(source), "")
    return found


def offenders(package: Path = PACKAGE) -> list[str]:
    """One line per module over MAX_MODULE_LINES and per function over MAX_FUNCTION_LINES."""
    lines = []
    for path in sorted(package.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        where = path.relative_to(package.parent).as_posix()
        if (count := module_lines(source)) > MAX_MODULE_LINES:
            lines.append(f"{where}: {count} lines (at most {MAX_MODULE_LINES})")
        lines += [
            f"{where}:{line} {name}: {length} lines (at most {MAX_FUNCTION_LINES})"
            for name, line, length in long_functions(source)
        ]
    return lines


def test_no_module_over_300_lines_and_no_function_over_50():
    found = offenders()
    assert not found, "too long:\n" + "\n".join(found)


def test_a_function_counts_from_its_def_to_the_end_of_its_body():
    body = "\n".join(f"    x{i} = {i}" for i in range(49))
    fifty = f"@decorator\ndef fifty():\n{body}\n\n\n"
    assert long_functions(fifty) == []
    fifty_one = f"def fifty_one():\n{body}\n    return x0\n"
    assert long_functions(fifty_one) == [("fifty_one", 1, 51)]


def test_nested_functions_and_methods_are_named_by_where_they_live():
    inner = "\n".join(f"            y{i} = {i}" for i in range(50))
    source = f"class Shape:\n    def outer(self):\n        def inner():\n{inner}\n"
    assert [name for name, _, _ in long_functions(source)] == ["Shape.outer", "Shape.outer.inner"]


@pytest.mark.parametrize("lines, too_long", [(300, False), (301, True)])
def test_a_module_over_300_lines_is_named(tmp_path, lines, too_long):
    package = tmp_path / "analytics"
    package.mkdir()
    (package / "big.py").write_text("x = 1\n" * lines, encoding="utf-8")
    assert offenders(package) == (["analytics/big.py: 301 lines (at most 300)"] if too_long else [])

"""Public names load on first use (analytics/lazy.py), and a function that shares its name with
a submodule stays the function. Each check runs in a fresh interpreter, where nothing is loaded."""

from __future__ import annotations

import subprocess
import sys

import pytest


def fresh(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_importing_the_package_loads_no_engine_and_no_api():
    loaded = fresh(
        "import sys, analytics; print(sorted(m for m in ('duckdb', 'polars', "
        "'analytics.api', 'analytics.ledger', 'analytics.publish') if m in sys.modules))"
    )
    assert loaded == "[]"


def test_a_public_name_loads_from_its_home_on_first_use():
    assert fresh(
        "import analytics; print(analytics.query.__module__, analytics.deck.__module__, "
        "analytics.ledger.__name__)"
    ) == ("analytics.sql.run analytics.publish.notebook analytics.ledger")


@pytest.mark.parametrize(
    ("package", "name", "submodule"),
    [
        ("analytics", "sql", "analytics.sql.sandbox"),
        ("analytics.ledger", "demo", "analytics.ledger.demo"),
    ],
)
def test_a_function_named_like_a_submodule_stays_the_function(package, name, submodule):
    code = (
        f"import importlib, {package} as p; importlib.import_module({submodule!r}); "
        f"importlib.import_module({package!r} + '.' + {name!r}); "
        f"print(callable(p.{name}), type(p.{name}).__name__)"
    )
    assert fresh(code) == "True function"


def test_an_unknown_name_is_an_attribute_error_naming_the_package():
    assert (
        fresh("import analytics.ledger as p\ntry:\n    p.nope\nexcept AttributeError as e:\n    print(e)")
        == "module 'analytics.ledger' has no attribute 'nope'"
    )

"""Revenue ledgers: transactions rolled up into revenue facts, on DuckDB or, past one machine,
on Spark.

Cheap to import: the rollup and the demo load on first use (PEP 562), and DuckDB and PySpark
only when one runs, so a rollup does not load the demo, nor a script reading PERIOD_KINDS either.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from analytics.ledger.demo import DemoSummary, demo
    from analytics.ledger.runner import RollupSummary, rollup

_HOMES = {"DemoSummary": "analytics.ledger.demo", "demo": "analytics.ledger.demo",
          "RollupSummary": "analytics.ledger.runner", "rollup": "analytics.ledger.runner"}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'analytics.ledger' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    if name != "demo":
        globals()[name] = value
    return value


class _Package(types.ModuleType):
    """`analytics.ledger.demo` names the function, never the module of the same name (importing
    the module would otherwise bind the attribute to it)."""

    @property
    def demo(self) -> Any:
        return __getattr__("demo")

    @demo.setter
    def demo(self, _module: Any) -> None:
        pass


sys.modules[__name__].__class__ = _Package

__all__ = ["DemoSummary", "RollupSummary", "demo", "rollup"]

"""Public names that load on first use (PEP 562), for packages that must be cheap to import.

The CLI imports `analytics` for every command, and ingest, validation or the ledger would cost
each start-up tens of milliseconds; a name listed here costs nothing until it is read.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Collection, Mapping
from typing import Any


def lazy_exports(
    package: str, homes: Mapping[str, str], *, modules: Collection[str] = (), shadowed: str | None = None
) -> Callable[[str], Any]:
    """The `__getattr__` of `package`: each name of `homes` is imported from the module it maps
    to on first use (`modules`: names that are that module itself).

    `shadowed` names a function that shares its name with a submodule (`analytics.sql`,
    `analytics.ledger.demo`): importing the submodule would rebind the package's attribute to
    it, so the package's class makes the attribute always the function.
    """
    namespace = sys.modules[package].__dict__

    def load(name: str) -> Any:
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(homes[name])
        value = module if name in modules else getattr(module, name)
        namespace[name] = value
        return value

    if shadowed is not None:
        always_the_function = property(lambda _self: load(shadowed), lambda _self, _value: None)
        sys.modules[package].__class__ = type(
            "LazyPackage", (types.ModuleType,), {shadowed: always_the_function}
        )
    return load

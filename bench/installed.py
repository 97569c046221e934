"""Time the package as users run it: with its bytecode compiled.

pip compiles a package's bytecode when it installs it, and an editable install writes it on the
first run, unless PYTHONDONTWRITEBYTECODE is set (as on the machines these benchmarks ran on).
Without it every run would compile the package from source (about 50 ms for a query), a cost no
user pays and the floors, a few lines each, hardly do.
"""

from __future__ import annotations

import compileall
from pathlib import Path


def compile_package(root: Path) -> None:
    """Write the bytecode of `root`/analytics, as an install does."""
    if not compileall.compile_dir(root / "analytics", quiet=1):
        raise SystemExit(f"could not compile {root / 'analytics'}")

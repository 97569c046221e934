"""The file-system steps every commit and recovery is made of: fsync, discard, OS errors, faults.

Kept apart from commit.py (staging and renaming) and journal.py (the journal and recovery) so
both share one fault counter: `ANALYTICS_FAULT_KILL_AT=commit:N` counts the steps of both.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import signal
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

from analytics.errors import WriteError

TEMP_MARK = ".analytics-"
FAULT_ENV = "ANALYTICS_FAULT_KILL_AT"
#: How polars/arrow ("os error 28") and DuckDB ('"errno":"28"') report an OSError in text.
_OS_ERROR_IN_TEXT = re.compile(r'os error (\d+)|"errno":\s*"?(\d+)')
_fault_steps = itertools.count(1)


def fault_point() -> None:
    """Test hook: SIGKILL this process just before its N-th commit step (see commit.py)."""
    spec = os.environ.get(FAULT_ENV, "")
    if spec.startswith("commit:") and next(_fault_steps) == int(spec.removeprefix("commit:")):
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


def writable(path: Path) -> bool:
    """Writable by us, and not marked read-only (no write bit), which protects it even from root."""
    return os.access(path, os.W_OK) and bool(path.stat().st_mode & 0o222)


def _write_error(error: BaseException, path: Path) -> WriteError | None:
    """A one-line error naming the path and the OS reason, or None when `error` is no OS error."""
    if isinstance(error, OSError):
        reason = error.strerror or str(error)
    elif (found := _OS_ERROR_IN_TEXT.search(str(error))) is not None:
        reason = os.strerror(int(found.group(1) or found.group(2)))
    else:
        return None
    return WriteError(f"cannot write {path}: {reason}; nothing was changed")


def reraise(error: BaseException, path: Path) -> NoReturn:
    """Raise `error` as a one-line `WriteError` when it is an OS error, else unchanged."""
    failure = _write_error(error, path)
    if failure is None:
        raise error
    raise failure from error


def write_small(path: Path, content: bytes) -> Path:
    """Atomically write a file we own (no checks, no fault steps): the journal."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}{TEMP_MARK}", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    fsync_folders([path.parent])
    return path


def fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDWR if sys.platform == "win32" else os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def fsync_folders(folders: Iterable[Path]) -> None:
    """Make renames durable; folders cannot be opened for fsync on Windows."""
    if sys.platform == "win32":
        return
    for folder in folders:
        with contextlib.suppress(OSError):
            fsync(folder)


def discard(paths: Iterable[Path]) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def remove_empty_folders(removed: Iterable[Path]) -> None:
    """A deleted file's folder goes too when nothing else is in it (a company's partition)."""
    for folder in sorted({path.parent for path in removed}):
        with contextlib.suppress(OSError):
            folder.rmdir()

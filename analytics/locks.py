"""Folder locks: one writer at a time per folder, re-entrant within a process.

Lock files live in the system temp folder (keyed by the folder's resolved path), never in the
folders people share. `fcntl` is imported lazily so `import analytics` works on Windows.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from analytics.errors import WriteError


@dataclass
class _FolderLock:
    """One folder's lock in this process: re-entrant, held on disk while depth > 0."""

    guard: threading.RLock
    depth: int = 0
    descriptor: int = -1


_FOLDER_LOCKS: dict[Path, _FolderLock] = {}
_FOLDER_LOCKS_GUARD = threading.Lock()


def lock_path(folder: Path) -> Path:
    """Where `folder`'s lock file lives: the system temp folder, keyed by the resolved path."""
    key = hashlib.sha256(str(Path(folder).resolve()).encode("utf-8")).hexdigest()
    return Path(tempfile.gettempdir()) / "analytics-locks" / f"{key}.lock"


@contextlib.contextmanager
def held(folder: Path) -> Iterator[bool]:
    """Hold `folder`'s lock; yields True when this call took it (not already held here)."""
    path = lock_path(folder)
    with _FOLDER_LOCKS_GUARD:
        state = _FOLDER_LOCKS.setdefault(path, _FolderLock(threading.RLock()))
    with state.guard:
        first = state.depth == 0
        if first:
            state.descriptor = _acquire(path)
        state.depth += 1
        try:
            yield first
        finally:
            state.depth -= 1
            if state.depth == 0:
                os.close(state.descriptor)  # closing releases the lock


def _acquire(path: Path) -> int:
    """Open and lock a lock file (in a shared, sticky folder anyone may add locks to)."""
    try:
        path.parent.mkdir(exist_ok=False)
        os.chmod(path.parent, 0o1777)
    except FileExistsError:
        pass
    except OSError as error:
        raise WriteError(f"cannot create the lock folder {path.parent}: {error.strerror}") from error
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o666)
    except OSError as error:
        raise WriteError(f"cannot open the lock file {path}: {error.strerror}") from error
    if sys.platform == "win32":
        import msvcrt

        while True:  # LK_LOCK gives up after 10 s; wait like flock does
            try:
                msvcrt.locking(descriptor, msvcrt.LK_LOCK, 1)
                break
            except OSError:
                continue
    else:
        import fcntl  # lazily: there is no fcntl on Windows

        fcntl.flock(descriptor, fcntl.LOCK_EX)
    return descriptor

"""Folder locks: one writer at a time per folder, re-entrant within a process.

Lock files live in the system temp folder (keyed by the folder's resolved path), never in the
folders people share. The OS lock is filelock's `lock_descriptor` (flock, or LockFileEx on Windows)
on a descriptor we open ourselves: `filelock.FileLock` refuses a lock file another account created
in a sticky folder, and every account writing to a data folder must share that folder's one lock
file. filelock is imported only when a lock is taken (it costs 50 ms, and `--help` takes none).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
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
                _release(state.descriptor)


def _acquire(path: Path) -> int:
    """Open and lock a lock file (in a shared, sticky folder anyone may add locks to); waits as
    long as another writer holds it."""
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
    try:
        from filelock import lock_descriptor

        lock_descriptor(descriptor, blocking=True)
    except OSError as error:
        os.close(descriptor)
        raise WriteError(f"cannot lock {path}: {error.strerror or error}") from error
    return descriptor


def _release(descriptor: int) -> None:
    """Unlock, then close (Windows frees a lock left to the close only eventually)."""
    from filelock import unlock_descriptor

    try:
        unlock_descriptor(descriptor)
    finally:
        os.close(descriptor)

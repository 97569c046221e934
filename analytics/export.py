"""The only module that writes files, always atomically.

Everything is rendered or computed in memory first; bytes land in a temp file in the target's
folder and are moved into place with `os.replace`, so a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path


def write_atomic(path: Path, write: Callable[[Path], object]) -> Path:
    """Call `write(temp_path)`, then move the temp file onto `path`; clean up on failure."""
    return commit_all({path: write})[0]


def write_bytes(path: Path, content: bytes) -> Path:
    """Atomically write bytes."""
    return commit_bytes({path: content})[0]


def write_text(path: Path, content: str) -> Path:
    """Atomically write UTF-8 text."""
    return write_bytes(path, content.encode("utf-8"))


def commit_all(writes: Mapping[Path, Callable[[Path], object]]) -> list[Path]:
    """Write every file to a temp file first, then rename them all: a failure renames none."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, write in writes.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                                 dir=path.parent)
            os.close(handle)
            staged.append((Path(temp_name), path))
            write(Path(temp_name))
            os.chmod(temp_name, 0o644)
    except BaseException:
        for temp_path, _ in staged:
            temp_path.unlink(missing_ok=True)
        raise
    for temp_path, path in staged:
        os.replace(temp_path, path)
    return [path for _, path in staged]


def commit_bytes(contents: Mapping[Path, bytes]) -> list[Path]:
    """`commit_all` for contents already rendered in memory."""
    def writer(data: bytes) -> Callable[[Path], object]:
        return lambda temp: temp.write_bytes(data)

    return commit_all({path: writer(data) for path, data in contents.items()})


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on a folder so two writers never interleave their renames."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a+b") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)

"""The only module that writes files: every commit is all-or-nothing, even when the process dies.

Files are staged as `.NAME.analytics-XXXXXXXX.tmp` beside their targets (or in the data folder's
root for its partition files), fsynced; every target is checked before any rename, and a commit
of several changes writes a journal of its renames and deletions (`.analytics-commit.json`,
journal.py) first. Recovery runs whenever a folder's lock is first taken (every commit, `recover`
for readers): a complete journal is rolled forward, leftover temps deleted. Locks live in the
system temp folder, never in folders people share. Test hook: `ANALYTICS_FAULT_KILL_AT=commit:N`
SIGKILLs the process just before its N-th commit step (each temp write, each journal write, each
rename, each deletion, the journal delete).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from analytics.errors import InputError, Location, WriteError
from analytics.store.durable import (
    FAULT_ENV,
    TEMP_MARK,
    discard,
    fault_point,
    fsync,
    fsync_folders,
    remove_empty_folders,
    reraise,
    writable,
)
from analytics.store.journal import JOURNAL_NAME, locked, locked_all, recover, write_journals

__all__ = [
    "FAULT_ENV",
    "JOURNAL_NAME",
    "NEW_FILE_MODE",
    "TEMP_MARK",
    "Writer",
    "check_output_path",
    "commit_all",
    "commit_bytes",
    "locked",
    "recover",
    "reraise",
    "write_atomic",
    "write_bytes",
    "write_output",
    "write_text",
]

NEW_FILE_MODE = 0o644

Writer = Callable[[Path], object]


def write_atomic(path: Path, write: Writer) -> Path:
    """Call `write(temp_path)`, then move the temp file onto `path`; clean up on failure."""
    return commit_all({path: write})[0]


def write_bytes(path: Path, content: bytes) -> Path:
    """Atomically write bytes."""
    return commit_bytes({path: content})[0]


def write_text(path: Path, content: str) -> Path:
    """Atomically write UTF-8 text."""
    return write_bytes(path, content.encode("utf-8"))


def commit_bytes(contents: Mapping[Path, bytes]) -> list[Path]:
    """`commit_all` for contents already rendered in memory."""

    def writer(data: bytes) -> Writer:
        return lambda temp: temp.write_bytes(data)

    return commit_all({path: writer(data) for path, data in contents.items()})


def commit_all(
    writes: Mapping[Path, Writer], deletions: Iterable[Path] = (), root: Path | None = None
) -> list[Path]:
    """Write every file and delete every file of `deletions`, all or none: stage and check them
    all, then journal, rename and delete.

    Without `root`, temps and journals go beside their targets, one journal per folder, and the
    lock of every folder written into is held (sorted, so two commits never deadlock). With
    `root` (a data folder whose tables sit in subfolders), temps and the one journal go in
    `root` and only its lock is held, so readers check one folder for an unfinished commit.
    """
    targets = [Path(path).absolute() for path in writes]
    removed = [Path(path).absolute() for path in deletions]
    home = Path(root).absolute() if root is not None else None
    with locked_all({home} if home else {target.parent for target in targets}):
        for target in targets:
            _check_replaceable(target)
        for path in removed:
            _check_removable(path)
        if home is not None:
            _check_replaceable(home / JOURNAL_NAME)
        staged = _stage_all(zip(targets, writes.values(), strict=True), home)
        _publish(staged, removed, home)
    return [Path(path) for path in writes]


def _check_removable(path: Path) -> None:
    if not writable(path.parent):
        raise WriteError(f"{path.parent}: folder is read-only, nothing written (Permission denied)")


def _check_replaceable(target: Path) -> None:
    """Refuse, before anything is staged, a target no rename could (or should) replace."""
    if target.is_dir():
        raise InputError("a folder is in the way: remove it or write elsewhere", Location(target))
    if target.exists() and not writable(target):
        raise WriteError(f"{target}: read-only file, not replaced (Permission denied)")
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not writable(folder):
        raise WriteError(f"{folder}: folder is read-only, nothing written (Permission denied)")


def _stage_all(items: Iterable[tuple[Path, Writer]], home: Path | None = None) -> list[tuple[Path, Path]]:
    """(temp, target) pairs, every temp complete and fsynced; on any failure no temp is left.
    Temps go in `home` when given, else beside their targets."""
    staged: list[tuple[Path, Path]] = []
    try:
        for target, write in items:
            staged.append((_stage(target, write, home), target))
    except BaseException:
        discard(temp for temp, _ in staged)
        raise
    return staged


def _stage(target: Path, write: Writer, home: Path | None = None) -> Path:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(
            prefix=f".{target.name[:120]}{TEMP_MARK}", suffix=".tmp", dir=home or target.parent
        )
    except OSError as error:
        reraise(error, target)
    os.close(handle)
    temp = Path(name)
    try:
        fault_point()
        write(temp)
        fsync(temp)
        os.chmod(temp, stat.S_IMODE(target.stat().st_mode) if target.exists() else NEW_FILE_MODE)
    except BaseException as error:
        temp.unlink(missing_ok=True)
        reraise(error, target)
    return temp


def _publish(
    staged: list[tuple[Path, Path]], removed: list[Path] | None = None, home: Path | None = None
) -> None:
    """Rename every staged file onto its target and delete `removed`; a commit of several
    changes goes through a journal first (in `home` when given, else one per folder)."""
    removed = removed or []
    changed = sorted({target.parent for _, target in staged} | {p.parent for p in removed})
    folders = [home] if home is not None else changed
    several = len(staged) + len(removed) > 1
    journals = write_journals(staged, folders, removed) if several else []
    try:
        for temp, target in staged:
            fault_point()
            os.replace(temp, target)
        for path in removed:
            fault_point()
            path.unlink(missing_ok=True)
    except OSError as error:
        if not journals:
            discard(temp for temp, _ in staged)
            reraise(error, target)
        raise WriteError(
            f"commit into {target.parent} interrupted ({error.strerror}); the next run completes it"
        ) from error
    _finish_publish(journals, sorted(set(changed) | set(folders)), removed)


def _finish_publish(journals: list[Path], folders: list[Path], removed: list[Path]) -> None:
    fsync_folders(folders)
    remove_empty_folders(removed)
    if journals:
        fault_point()
        discard(journals)
        fsync_folders(folders)


def check_output_path(path: Path | str, data_dir: Path | None) -> Path:
    """The resolved path of a file the user asked for, refused (exit 2, nothing written) when it
    is not a writable file name in an existing folder, or lies inside the data folder (the system
    of record is written by ingest only)."""
    if not str(path).strip() or str(path).endswith(("/", os.sep)):
        raise InputError(f"'{path}' is not a file name: give the file to write")
    target = Path(path).expanduser().resolve()
    if data_dir is not None and target.is_relative_to(Path(data_dir).resolve()):
        raise InputError(
            f"refusing to write inside the data folder {data_dir}: choose a path outside it", Location(target)
        )
    if target.is_dir():
        raise InputError("is a folder: give a file name", Location(target))
    _check_output_folder(target)
    return target


def _check_output_folder(target: Path) -> None:
    folder = target.parent
    if not folder.is_dir():
        reason = "is not a folder" if folder.exists() else "does not exist: create it first"
        raise InputError(f"folder {folder} {reason}", Location(target))
    if not writable(folder):
        raise InputError(f"folder {folder} is not writable", Location(target))
    if target.exists() and not writable(target):
        raise InputError("is read-only: not replaced", Location(target))


def write_output(path: Path | str, content: bytes | Writer, data_dir: Path | None) -> Path:
    """The one door for files the user names (`-o`, `db export`, `deck --out`, `report --out`):
    checked by `check_output_path`, then written atomically."""
    target = check_output_path(path, data_dir)
    if isinstance(content, bytes):
        return write_bytes(target, content)
    return write_atomic(target, content)

"""The only module that writes files: every commit is all-or-nothing, even when the process dies.

Files are staged as `.NAME.analytics-XXXXXXXX.tmp` beside their targets (or in the data folder's
root for its partition files), fsynced; every target is checked before any rename, and a commit
of several changes writes a journal of its renames and deletions (`.analytics-commit.json`)
first. Recovery runs whenever a folder's lock is first taken (every commit, `recover` for
readers): a complete journal is rolled forward, leftover temps deleted. Locks live in the system
temp folder, never in folders people share. Test hook: `ANALYTICS_FAULT_KILL_AT=commit:N`
SIGKILLs the process just before its N-th commit step (each temp write, each journal write, each
rename, each deletion, the journal delete).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import signal
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import NoReturn

from analytics import project
from analytics.errors import InputError, Location, WriteError
from analytics.store import locks

JOURNAL_NAME = ".analytics-commit.json"
TEMP_MARK = ".analytics-"
FAULT_ENV = "ANALYTICS_FAULT_KILL_AT"
NEW_FILE_MODE = 0o644
_TEMP_NAME = re.compile(r"\..+\.analytics-[a-z0-9_]{8}\.tmp")
#: How polars/arrow ("os error 28") and DuckDB ('"errno":"28"') report an OSError in text.
_OS_ERROR_IN_TEXT = re.compile(r'os error (\d+)|"errno":\s*"?(\d+)')
_fault_steps = itertools.count(1)

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


def commit_all(writes: Mapping[Path, Writer], deletions: Iterable[Path] = (),
               root: Path | None = None) -> list[Path]:
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
    with _locked_all({home} if home else {target.parent for target in targets}):
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
    if not _writable(path.parent):
        raise WriteError(f"{path.parent}: folder is read-only, nothing written "
                         "(Permission denied)")


def _check_replaceable(target: Path) -> None:
    """Refuse, before anything is staged, a target no rename could (or should) replace."""
    if target.is_dir():
        raise InputError("a folder is in the way: remove it or write elsewhere", Location(target))
    if target.exists() and not _writable(target):
        raise WriteError(f"{target}: read-only file, not replaced (Permission denied)")
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not _writable(folder):
        raise WriteError(f"{folder}: folder is read-only, nothing written (Permission denied)")


def _writable(path: Path) -> bool:
    """Writable by us, and not marked read-only (no write bit), which protects it even from root."""
    return os.access(path, os.W_OK) and bool(path.stat().st_mode & 0o222)


def _stage_all(items: Iterable[tuple[Path, Writer]], home: Path | None = None
               ) -> list[tuple[Path, Path]]:
    """(temp, target) pairs, every temp complete and fsynced; on any failure no temp is left.
    Temps go in `home` when given, else beside their targets."""
    staged: list[tuple[Path, Path]] = []
    try:
        for target, write in items:
            staged.append((_stage(target, write, home), target))
    except BaseException:
        _discard(temp for temp, _ in staged)
        raise
    return staged


def _stage(target: Path, write: Writer, home: Path | None = None) -> Path:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{target.name[:120]}{TEMP_MARK}", suffix=".tmp",
                                        dir=home or target.parent)
    except OSError as error:
        reraise(error, target)
    os.close(handle)
    temp = Path(name)
    try:
        _fault_point()
        write(temp)
        _fsync(temp)
        os.chmod(temp, stat.S_IMODE(target.stat().st_mode) if target.exists() else NEW_FILE_MODE)
    except BaseException as error:
        temp.unlink(missing_ok=True)
        reraise(error, target)
    return temp


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


def _publish(staged: list[tuple[Path, Path]], removed: list[Path] | None = None,
             home: Path | None = None) -> None:
    """Rename every staged file onto its target and delete `removed`; a commit of several
    changes goes through a journal first (in `home` when given, else one per folder)."""
    removed = removed or []
    changed = sorted({target.parent for _, target in staged} | {p.parent for p in removed})
    folders = [home] if home is not None else changed
    several = len(staged) + len(removed) > 1
    journals = _write_journals(staged, folders, removed) if several else []
    try:
        for temp, target in staged:
            _fault_point()
            os.replace(temp, target)
        for path in removed:
            _fault_point()
            path.unlink(missing_ok=True)
    except OSError as error:
        if not journals:
            _discard(temp for temp, _ in staged)
            reraise(error, target)
        raise WriteError(f"commit into {target.parent} interrupted ({error.strerror}); the next "
                         "run completes it") from error
    _finish_publish(journals, sorted(set(changed) | set(folders)), removed)


def _finish_publish(journals: list[Path], folders: list[Path], removed: list[Path]) -> None:
    _fsync_folders(folders)
    _remove_empty_folders(removed)
    if journals:
        _fault_point()
        _discard(journals)
        _fsync_folders(folders)


def _remove_empty_folders(removed: Iterable[Path]) -> None:
    """A deleted file's folder goes too when nothing else is in it (a company's partition)."""
    for folder in sorted({path.parent for path in removed}):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _write_journals(staged: list[tuple[Path, Path]], folders: list[Path],
                    removed: list[Path] | None = None) -> list[Path]:
    """One journal per folder, each listing every rename and deletion. The last one written is
    the commit point: recovery rolls forward only when it exists, and it is also the last one
    deleted."""
    journals = [folder / JOURNAL_NAME for folder in folders]
    written: list[Path] = []
    try:
        for journal in journals:
            _fault_point()
            plan = {"renames": [[_relative(temp, journal), _relative(target, journal)]
                                for temp, target in staged],
                    "deletions": [_relative(path, journal) for path in removed or []],
                    "journals": [_relative(other, journal) for other in journals]}
            written.append(_write_small(journal, json.dumps(plan, indent=1).encode("utf-8")))
    except BaseException as error:
        _discard([*written, *(temp for temp, _ in staged)])
        reraise(error, journal)
    return journals


def _relative(path: Path, journal: Path) -> str:
    return os.path.relpath(path, journal.parent)


def _write_small(path: Path, content: bytes) -> Path:
    """Atomically write a file we own (no checks, no fault steps): the journal."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}{TEMP_MARK}", suffix=".tmp",
                                    dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    _fsync_folders([path.parent])
    return path


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDWR if sys.platform == "win32" else os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_folders(folders: Iterable[Path]) -> None:
    """Make renames durable; folders cannot be opened for fsync on Windows."""
    if sys.platform == "win32":
        return
    for folder in folders:
        with contextlib.suppress(OSError):
            _fsync(folder)


def _discard(paths: Iterable[Path]) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def _fault_point() -> None:
    """Test hook: SIGKILL this process just before its N-th commit step (see the docstring)."""
    spec = os.environ.get(FAULT_ENV, "")
    if spec.startswith("commit:") and next(_fault_steps) == int(spec.removeprefix("commit:")):
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


def recover(folder: Path) -> None:
    """Finish or undo an interrupted commit in `folder`, so readers see its old or new state.

    A no-op costing one directory listing when there is nothing to do (also on a read-only folder).
    """
    if _leftovers(Path(folder)):
        with locked(Path(folder)):  # recovery runs when the lock is first taken
            pass


def _leftovers(folder: Path) -> list[str]:
    """Names of our journal and temp files in `folder`."""
    try:
        with os.scandir(folder) as entries:
            return [e.name for e in entries
                    if e.name == JOURNAL_NAME or _TEMP_NAME.fullmatch(e.name)]
    except OSError:
        return []


def _recover_unlocked(folder: Path) -> None:
    names = _leftovers(folder)
    if JOURNAL_NAME in names:
        _finish_journal(folder / JOURNAL_NAME)
        names = _leftovers(folder)
    _discard(folder / name for name in names)  # stray temps: their commit never reached a journal


def _finish_journal(journal: Path) -> None:
    """Roll a complete commit forward (its last journal exists), else undo it; then drop the
    journals. Temps already renamed are gone, so running this twice is harmless."""
    try:
        plan = json.loads(journal.read_text(encoding="utf-8"))
        renames = [(journal.parent / temp, journal.parent / target)
                   for temp, target in plan["renames"]]
        removed = [journal.parent / path for path in plan.get("deletions", [])]
        journals = [journal.parent / other for other in plan["journals"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise WriteError(f"{journal}: unreadable commit journal ({error}); check the folder's "
                         "files and delete it") from error
    complete = journals[-1].exists()
    try:
        _roll_forward(renames if complete else [], removed if complete else [])
        for path in [*journals, *(temp for temp, _ in renames if not complete)]:
            path.unlink(missing_ok=True)
    except OSError as error:
        raise WriteError(f"cannot complete the interrupted commit in {journal.parent}: "
                         f"{error.strerror or error}") from error


def _roll_forward(renames: list[tuple[Path, Path]], removed: list[Path]) -> None:
    for temp, target in renames:
        with contextlib.suppress(FileNotFoundError):  # renamed already (maybe by another)
            os.replace(temp, target)
    for path in removed:
        path.unlink(missing_ok=True)
    _fsync_folders({target.parent for _, target in renames} | {p.parent for p in removed})
    _remove_empty_folders(removed)


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on a folder so two writers never interleave their renames.

    Re-entrant in a process; taking it first recovers the folder from an interrupted commit.
    Every writer takes it, so it is where the installed package's read-only bundle is refused.
    """
    project.check_writable(folder)
    with locks.held(folder) as first:
        if first:
            _recover_unlocked(Path(folder).resolve())
        yield


@contextlib.contextmanager
def _locked_all(folders: Iterable[Path]) -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        for folder in sorted(set(folders), key=locks.lock_path):
            stack.enter_context(locked(folder))
        yield


def check_output_path(path: Path | str, data_dir: Path | None) -> Path:
    """The resolved path of a file the user asked for, refused (exit 2, nothing written) when it
    is not a writable file name in an existing folder, or lies inside the data folder (the system
    of record is written by ingest only)."""
    if not str(path).strip() or str(path).endswith(("/", os.sep)):
        raise InputError(f"'{path}' is not a file name: give the file to write")
    target = Path(path).expanduser().resolve()
    if data_dir is not None and target.is_relative_to(Path(data_dir).resolve()):
        raise InputError(f"refusing to write inside the data folder {data_dir}: choose a path "
                         "outside it", Location(target))
    if target.is_dir():
        raise InputError("is a folder: give a file name", Location(target))
    _check_output_folder(target)
    return target


def _check_output_folder(target: Path) -> None:
    folder = target.parent
    if not folder.is_dir():
        reason = "is not a folder" if folder.exists() else "does not exist: create it first"
        raise InputError(f"folder {folder} {reason}", Location(target))
    if not _writable(folder):
        raise InputError(f"folder {folder} is not writable", Location(target))
    if target.exists() and not _writable(target):
        raise InputError("is read-only: not replaced", Location(target))


def write_output(path: Path | str, content: bytes | Writer, data_dir: Path | None) -> Path:
    """The one door for files the user names (`-o`, `db export`, `deck --out`, `report --out`):
    checked by `check_output_path`, then written atomically."""
    target = check_output_path(path, data_dir)
    if isinstance(content, bytes):
        return write_bytes(target, content)
    return write_atomic(target, content)

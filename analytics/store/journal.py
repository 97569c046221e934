"""The commit journal and recovery: what makes a commit of several files all-or-nothing.

A commit of several changes writes `.analytics-commit.json` (its renames and deletions) before
renaming anything; the last journal written is the commit point. Whoever first takes a folder's
lock (`locked`) finishes or undoes what an interrupted commit left there, so readers see the
old state or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from analytics import project
from analytics.errors import WriteError
from analytics.store import locks
from analytics.store.durable import (
    discard,
    fault_point,
    fsync_folders,
    remove_empty_folders,
    reraise,
    write_small,
)

JOURNAL_NAME = ".analytics-commit.json"
_TEMP_NAME = re.compile(r"\..+\.analytics-[a-z0-9_]{8}\.tmp")


def write_journals(
    staged: list[tuple[Path, Path]], folders: list[Path], removed: list[Path] | None = None
) -> list[Path]:
    """One journal per folder, each listing every rename and deletion. The last one written is
    the commit point: recovery rolls forward only when it exists, and it is also the last one
    deleted."""
    journals = [folder / JOURNAL_NAME for folder in folders]
    written: list[Path] = []
    try:
        for journal in journals:
            fault_point()
            plan = {
                "renames": [
                    [_relative(temp, journal), _relative(target, journal)] for temp, target in staged
                ],
                "deletions": [_relative(path, journal) for path in removed or []],
                "journals": [_relative(other, journal) for other in journals],
            }
            written.append(write_small(journal, json.dumps(plan, indent=1).encode("utf-8")))
    except BaseException as error:
        discard([*written, *(temp for temp, _ in staged)])
        reraise(error, journal)
    return journals


def _relative(path: Path, journal: Path) -> str:
    return os.path.relpath(path, journal.parent)


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
            return [e.name for e in entries if e.name == JOURNAL_NAME or _TEMP_NAME.fullmatch(e.name)]
    except OSError:
        return []


def _recover_unlocked(folder: Path) -> None:
    names = _leftovers(folder)
    if JOURNAL_NAME in names:
        _finish_journal(folder / JOURNAL_NAME)
        names = _leftovers(folder)
    discard(folder / name for name in names)  # stray temps: their commit never reached a journal


def _finish_journal(journal: Path) -> None:
    """Roll a complete commit forward (its last journal exists), else undo it; then drop the
    journals. Temps already renamed are gone, so running this twice is harmless."""
    try:
        plan = json.loads(journal.read_text(encoding="utf-8"))
        renames = [(journal.parent / temp, journal.parent / target) for temp, target in plan["renames"]]
        removed = [journal.parent / path for path in plan.get("deletions", [])]
        journals = [journal.parent / other for other in plan["journals"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise WriteError(
            f"{journal}: unreadable commit journal ({error}); check the folder's files and delete it"
        ) from error
    complete = journals[-1].exists()
    try:
        _roll_forward(renames if complete else [], removed if complete else [])
        for path in [*journals, *(temp for temp, _ in renames if not complete)]:
            path.unlink(missing_ok=True)
    except OSError as error:
        raise WriteError(
            f"cannot complete the interrupted commit in {journal.parent}: {error.strerror or error}"
        ) from error


def _roll_forward(renames: list[tuple[Path, Path]], removed: list[Path]) -> None:
    for temp, target in renames:
        with contextlib.suppress(FileNotFoundError):  # renamed already (maybe by another)
            os.replace(temp, target)
    for path in removed:
        path.unlink(missing_ok=True)
    fsync_folders({target.parent for _, target in renames} | {p.parent for p in removed})
    remove_empty_folders(removed)


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
def locked_all(folders: Iterable[Path]) -> Iterator[None]:
    """Every folder's lock, taken in one order (sorted), so two commits never deadlock."""
    with contextlib.ExitStack() as stack:
        for folder in sorted(set(folders), key=locks.lock_path):
            stack.enter_context(locked(folder))
        yield

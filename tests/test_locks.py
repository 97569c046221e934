"""Folder locks through filelock: one writer at a time per folder, across processes, with the lock
file kept out of the folder, and a package that imports where there is no fcntl (Windows)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from analytics.project import PROJECT_ROOT
from analytics.store import commit, locks

TAKE_LOCK = textwrap.dedent("""
    import sys
    from pathlib import Path
    from analytics.store import commit
    print("waiting", flush=True)
    with commit.locked(Path(sys.argv[1])):
        print("locked", flush=True)
""")

WITHOUT_FCNTL = textwrap.dedent("""
    import sys
    sys.modules["fcntl"] = None  # as on Windows: `import fcntl` raises ImportError
    import analytics, analytics.store.commit, analytics.store.locks
    print("imported")
""")


def child(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )


def test_a_second_process_waits_until_the_folder_lock_is_released(tmp_path: Path):
    with commit.locked(tmp_path):
        waiter = child(TAKE_LOCK, str(tmp_path))
        assert waiter.stdout is not None
        assert waiter.stdout.readline() == "waiting\n"
        with contextlib.suppress(subprocess.TimeoutExpired):
            waiter.wait(timeout=1.5)
        assert waiter.poll() is None, "took the lock while this process held it"
    stdout, stderr = waiter.communicate(timeout=60)
    assert waiter.returncode == 0, stderr
    assert stdout == "locked\n"


def test_the_lock_file_lives_in_the_temp_folder_not_in_the_locked_folder(tmp_path: Path):
    with locks.held(tmp_path) as first, locks.held(tmp_path) as again:
        assert (first, again) == (True, False)
        assert locks.lock_path(tmp_path).is_file()
    assert list(tmp_path.iterdir()) == []
    assert locks.lock_path(tmp_path).parent == Path(tempfile.gettempdir()) / "analytics-locks"


def test_the_package_imports_without_fcntl():
    run = child(WITHOUT_FCNTL)
    stdout, stderr = run.communicate(timeout=120)
    assert run.returncode == 0, stderr
    assert stdout == "imported\n"

"""The query timeout: a watcher thread that counts only the time DuckDB works on a query.

The timeout interrupts DuckDB, and where DuckDB does not stop (inside one long function call or
while planning), the CLI ends the process: only a process boundary ends such work for real.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from analytics.errors import QueryError
from analytics.sql.resource_limits import Limits

if TYPE_CHECKING:
    import duckdb

#: After an interrupt, how long DuckDB gets to stop before the CLI ends the process.
GRACE_SECONDS = 3.0


class Deadline:
    """Counts the time DuckDB works on a query; at the limit interrupts it, and if it does not
    stop within the grace period, ends the process when the limits say so."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, limits: Limits) -> None:
        self._connection, self._limits = connection, limits
        self._remaining = limits.timeout
        self._started: float | None = None
        self._changed = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._watch, name="analytics-deadline", daemon=True)
        self._thread.start()

    @contextmanager
    def counting(self) -> Iterator[None]:
        with self._changed:
            self._started = time.monotonic()
            self._changed.notify()
        try:
            yield
        finally:
            with self._changed:
                if self._started is not None:
                    self._remaining -= time.monotonic() - self._started
                self._started = None

    def stop(self) -> None:
        with self._changed:
            self._stopped = True
            self._changed.notify()
        self._thread.join()

    def _watch(self) -> None:
        with self._changed:
            while not self._stopped:
                if self._started is None:
                    self._changed.wait()
                    continue
                left = self._remaining - (time.monotonic() - self._started)
                if left > 0:
                    self._changed.wait(left)
                    continue
                self._connection.interrupt()
                if not self._changed.wait_for(lambda: self._stopped or self._started is None, GRACE_SECONDS):
                    self._stuck()
                self._remaining = 0.0

    def _stuck(self) -> None:
        if not self._limits.end_process_when_stuck:
            return
        sys.stderr.write(
            f"Error: Query timed out after {self._limits.timeout:g} s (--timeout); "
            "DuckDB did not stop when interrupted, so the process was ended\n"
        )
        sys.stderr.flush()
        os._exit(QueryError.exit_code)

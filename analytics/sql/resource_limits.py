"""How long a query may run and how much memory and disk DuckDB may use.

Kept apart from the sandbox's statement check because writes (ingest, delete, validate) need
limits too, with a larger time budget and a smaller memory budget, but never run user SQL.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from analytics.errors import InputError

DEFAULT_TIMEOUT_SECONDS = 60.0
MAX_TIMEOUT_SECONDS = 7 * 24 * 3600.0
DEFAULT_MEMORY_LIMIT = "2GiB"
#: Ingest, delete and validate hold a whole file and the touched companies in DuckDB: with a
#: smaller budget they spill sooner, so the process stays near 1.3 GB at a million-row scale.
WRITE_MEMORY_LIMIT = "1GiB"
MEMORY_LIMIT_ENV = "ANALYTICS_MEMORY_LIMIT"
#: Spilling to disk may use this many times the memory limit.
SPILL_FACTOR = 4
#: Writes hold the touched companies' rows (every publication of every figure) as working
#: tables, which spill too: 16 GiB of disk at the 1 GiB write memory limit.
WRITE_SPILL_FACTOR = 16


@dataclass(frozen=True)
class Limits:
    """How long a query may run and how much memory DuckDB may use.

    `end_process_when_stuck`: when DuckDB ignores the interrupt past the grace period, end the
    process (the CLI sets it; a notebook's kernel should not die, so the library does not).
    """

    timeout: float = DEFAULT_TIMEOUT_SECONDS
    memory_limit: str = DEFAULT_MEMORY_LIMIT
    end_process_when_stuck: bool = False
    spill_factor: int = SPILL_FACTOR

    def __post_init__(self) -> None:
        check_timeout(self.timeout)
        check_memory_limit(self.memory_limit)

    @property
    def spill_limit(self) -> str:
        """How much DuckDB may spill to its private temp folder: `spill_factor` x memory."""
        match = _MEMORY.match(self.memory_limit)
        assert match is not None
        return f"{float(match[1]) * self.spill_factor:g}{match[2]}"

    @classmethod
    def from_environment(
        cls,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        memory_limit: str | None = None,
        end_process_when_stuck: bool = False,
    ) -> Limits:
        """Limits with the memory limit from the argument, else $ANALYTICS_MEMORY_LIMIT."""
        chosen = memory_limit or os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT
        return cls(timeout, chosen, end_process_when_stuck)

    @classmethod
    def for_writes(cls) -> Limits:
        """Limits for ingest, delete and validate: $ANALYTICS_MEMORY_LIMIT, else
        WRITE_MEMORY_LIMIT; no timeout short of the maximum (a large file takes its time); the
        working set of thousands of companies may spill WRITE_SPILL_FACTOR x memory."""
        return cls(
            MAX_TIMEOUT_SECONDS,
            os.environ.get(MEMORY_LIMIT_ENV) or WRITE_MEMORY_LIMIT,
            spill_factor=WRITE_SPILL_FACTOR,
        )


def check_timeout(seconds: float) -> None:
    if not (0 < seconds <= MAX_TIMEOUT_SECONDS):  # also false for NaN
        raise InputError(
            f"--timeout {seconds}: give a number of seconds above 0 and at most {MAX_TIMEOUT_SECONDS:g}"
        )


_MEMORY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)


def check_memory_limit(text: str) -> None:
    match = _MEMORY.match(text)
    if not match or float(match[1]) <= 0:
        raise InputError(
            f"memory limit '{text}': give a size such as 2GiB, 512MB or 8GB "
            f"(--memory-limit or ${MEMORY_LIMIT_ENV})"
        )

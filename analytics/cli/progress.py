"""The progress bar of slow commands (charts, deck, report): on stderr, and only when stderr is a
terminal, so logs, pipes and CI output get no bar characters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress_bar(description: str, total: int) -> Iterator[Callable[..., None]]:
    """Yield a callback advancing a bar of `total` steps; a no-op when stderr is no terminal."""
    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda *_: None
        return
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda *_: bar.advance(task)


@contextmanager
def working(description: str) -> Iterator[None]:
    """A spinner with elapsed time for work without countable steps (ingest, ledger rollup);
    nothing when stderr is no terminal."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        bar.add_task(description, total=None)
        yield

"""vl-convert in a child process: one worker per build, reused for every chart of that build.

vl-convert is Rust: some inputs make it panic and abort the whole process, which no `except`
can catch. In a worker an abort costs only the chart being rendered, and a new worker takes the
next one. The worker is `python -m analytics.charts.renderer`, not a multiprocessing child, so it
never re-runs the caller's main script. Test hook: `ANALYTICS_FAULT_RENDERER_CRASH=<chart>` makes
the worker abort while rendering that chart.
"""

from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from analytics.errors import AnalyticsError

CRASH_HOOK_ENV = "ANALYTICS_FAULT_RENDERER_CRASH"
PNG_SCALE = 2
RENDERED_FORMATS = ("html", "png", "svg")
_HEADER = struct.Struct(">Q")
_PACKAGE_PARENT = Path(__file__).resolve().parents[2]
_WARM_UP_SPEC = {"mark": "point", "data": {"values": [{"a": 1}]},
                 "encoding": {"x": {"field": "a", "type": "quantitative"}}}


class RendererCrashed(AnalyticsError):
    """The renderer process died while rendering one chart; the others are unaffected."""

    exit_code = 6


def convert(name: str, spec: dict[str, Any], formats: tuple[str, ...]) -> dict[str, bytes | str]:
    """The spec as an HTML page (a string, its width following its frame), PNG and SVG bytes,
    as asked. Runs in the worker."""
    import vl_convert

    from analytics.charts.page import fluid_spec

    if name and os.environ.get(CRASH_HOOK_ENV) == name:
        os.abort()
    outputs: dict[str, bytes | str] = {}
    if "html" in formats:
        outputs["html"] = vl_convert.vegalite_to_html(fluid_spec(spec), bundle=True,
                                                     renderer="svg")
    if "png" in formats:
        outputs["png"] = vl_convert.vegalite_to_png(spec, scale=PNG_SCALE)
    if "svg" in formats:
        outputs["svg"] = vl_convert.vegalite_to_svg(spec).encode("utf-8")
    return outputs


def _send(stream: IO[bytes], message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    """The next message, or EOFError when the other side is gone."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    size = _HEADER.unpack(header)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)  # trusted: our own worker, over its private pipe


class Renderer:
    """A context manager holding one worker process; `render` sends it one chart at a time."""

    def __init__(self, formats: tuple[str, ...] = RENDERED_FORMATS) -> None:
        self._formats = tuple(fmt for fmt in formats if fmt in RENDERED_FORMATS)
        self._worker: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Renderer:
        if self._formats:
            self._start()  # the worker warms up while the caller runs its first queries
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stop()

    def render(self, name: str, spec: dict[str, Any]) -> dict[str, bytes | str]:
        """Chart `name` in this renderer's formats. A dead worker raises `RendererCrashed` (one
        line) and is replaced for the next chart; a render error is raised as it was."""
        worker = self._worker or self._start()
        assert worker.stdin is not None and worker.stdout is not None
        try:
            _send(worker.stdin, (name, spec, self._formats))
            ok, payload = _receive(worker.stdout)
        except (EOFError, BrokenPipeError):
            self._stop()
            raise RendererCrashed("the renderer crashed (vl-convert aborted)") from None
        if not ok:
            raise payload
        return payload

    def _start(self) -> subprocess.Popen[bytes]:
        path = os.pathsep.join(p for p in (str(_PACKAGE_PARENT), os.environ.get("PYTHONPATH"))
                               if p)
        self._worker = subprocess.Popen(
            [sys.executable, "-m", "analytics.charts.renderer", ",".join(self._formats)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": path})
        return self._worker

    def _stop(self) -> None:
        worker, self._worker = self._worker, None
        if worker is None:
            return
        for stream in (worker.stdin, worker.stdout):
            if stream is not None:
                stream.close()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _protocol_streams() -> tuple[IO[bytes], IO[bytes]]:
    """Private copies of stdin and stdout for the protocol; fd 1 and 2 then point at /dev/null,
    so nothing vl-convert prints (a panic's backtrace) can corrupt replies or reach the user."""
    try:
        import resource
    except ImportError:  # Windows: no core files to prevent
        pass
    else:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an abort leaves no core file
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    return requests, replies


def serve(formats: tuple[str, ...]) -> None:
    """The worker's loop: warm up, then render each request until the parent closes the pipe."""
    requests, replies = _protocol_streams()
    if formats:
        convert("", _WARM_UP_SPEC, tuple(fmt for fmt in formats if fmt != "png") or formats)
    while True:
        try:
            name, spec, wanted = _receive(requests)
        except EOFError:
            return
        try:
            _send(replies, (True, convert(name, spec, wanted)))
        except Exception as error:  # sent back: the parent records it as that chart's cause
            _send(replies, (False, _picklable(error)))


def _picklable(error: Exception) -> Exception:
    try:
        pickle.dumps(error)
    except Exception:  # an exception that cannot cross the pipe goes as its text
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


if __name__ == "__main__":
    serve(tuple(fmt for fmt in (sys.argv[1] if len(sys.argv) > 1 else "").split(",") if fmt))

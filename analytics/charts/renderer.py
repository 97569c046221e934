"""vl-convert in a child process: one worker per build, reused for every chart of that build.

vl-convert is Rust: some inputs make it panic and abort the whole process, which no `except`
can catch. In a worker an abort costs only the chart being rendered, and a new worker takes the
next one. The worker is `python -m analytics.charts.renderer`, not a multiprocessing child, so it
never re-runs the caller's main script. HTML needs no worker: the page is our template around
vl-convert's JavaScript bundle, read from the on-disk cache (`bundle_cache`); only when that is
missing does the worker build it, while it warms up. `send` hands the worker a chart and returns
at once, so the caller builds the next chart while this one renders; at most one chart is in
flight, so neither side can block on a full pipe while the other waits for it. Test hook:
`ANALYTICS_FAULT_RENDERER_CRASH=<chart>` makes the worker abort while rendering that chart.
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

from analytics.charts import bundle_cache
from analytics.errors import AnalyticsError

CRASH_HOOK_ENV = "ANALYTICS_FAULT_RENDERER_CRASH"
PNG_SCALE = 2
RENDERED_FORMATS = ("html", "png", "svg")
_HEADER = struct.Struct(">Q")
_PACKAGE_PARENT = Path(__file__).resolve().parents[2]
_WARM_UP_SPEC = {
    "mark": "point",
    "data": {"values": [{"a": 1}]},
    "encoding": {"x": {"field": "a", "type": "quantitative"}},
}


class RendererCrashed(AnalyticsError):
    """The renderer process died while rendering one chart; the others are unaffected."""

    exit_code = 6


def convert(name: str, spec: dict[str, Any], formats: tuple[str, ...]) -> dict[str, bytes | str]:
    """The spec as PNG and SVG bytes, and vl-convert's JavaScript bundle (a string: Vega,
    Vega-Lite and Vega-Embed), as asked. Runs in the worker."""
    import vl_convert

    if name and os.environ.get(CRASH_HOOK_ENV) == name:
        os.abort()
    outputs: dict[str, bytes | str] = {}
    if "png" in formats:
        outputs["png"] = vl_convert.vegalite_to_png(spec, scale=PNG_SCALE)
    if "svg" in formats:
        outputs["svg"] = vl_convert.vegalite_to_svg(spec).encode("utf-8")
    if "bundle" in formats:
        # the default snippet (vega, vegaLite, vegaEmbed on window); the stub wrongly requires one
        outputs["bundle"] = vl_convert.javascript_bundle()  # type: ignore[call-arg]
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
    """A context manager holding one worker process (started only when images, or a bundle not
    cached, are wanted); `send` hands it one chart at a time and `collect` waits for it."""

    def __init__(self, formats: tuple[str, ...] = RENDERED_FORMATS) -> None:
        self._formats = tuple(fmt for fmt in formats if fmt in RENDERED_FORMATS)
        self._images = tuple(fmt for fmt in self._formats if fmt != "html")
        self._bundle: str | None = None
        self._worker: subprocess.Popen[bytes] | None = None
        self._in_flight: str | None = None
        self._lost = False

    def __enter__(self) -> Renderer:
        if "html" in self._formats:
            self._bundle = bundle_cache.read()
        if self._images or self._needs_bundle():
            self._start()  # the worker warms up while the caller runs its first queries
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stop()

    def render(self, name: str, spec: dict[str, Any]) -> dict[str, bytes | str]:
        """Chart `name` in this renderer's formats: PNG and SVG bytes, and for "html" the
        JavaScript bundle its page inlines. A dead worker raises `RendererCrashed` (one line)
        and is replaced for the next chart; a render error is raised as it was."""
        self.send(name, spec)
        return self.collect(name)

    def send(self, name: str, spec: dict[str, Any]) -> None:
        """Start rendering chart `name` and return without waiting; `collect(name)` gets it.
        The chart sent before must have been collected."""
        if self._in_flight is not None:
            raise RuntimeError(f"chart {self._in_flight!r} was sent and never collected")
        if self._images:
            self._send_request(name, spec, self._images)
        self._in_flight = name

    def collect(self, name: str) -> dict[str, bytes | str]:
        """The outputs of chart `name`, sent last, once the worker has rendered it; raises as
        `render` does."""
        if self._in_flight != name:
            raise RuntimeError(f"chart {name!r} is not the one being rendered")
        self._in_flight = None
        outputs = self._receive_reply() if self._images else {}
        if "html" in self._formats:
            outputs["html"] = self.bundle()
        return outputs

    def bundle(self) -> str:
        """vl-convert's JavaScript bundle: from the on-disk cache, else built by the worker and
        cached for the next process."""
        if self._bundle is None:
            self._bundle = bundle_cache.bundle(self._built_bundle)
        return self._bundle

    def _built_bundle(self) -> str:
        self._send_request("", {}, ("bundle",))
        return str(self._receive_reply()["bundle"])

    def _needs_bundle(self) -> bool:
        return "html" in self._formats and self._bundle is None

    def _send_request(self, name: str, spec: dict[str, Any], wanted: tuple[str, ...]) -> None:
        """Write one request; a worker found dead (or a pipe broken mid-write) is noted, and
        reported when the reply is read."""
        worker = self._worker or self._start()
        assert worker.stdin is not None
        try:
            _send(worker.stdin, (name, spec, wanted))
        except OSError:
            self._lost = True

    def _receive_reply(self) -> dict[str, bytes | str]:
        worker = self._worker
        try:
            if worker is None or worker.stdout is None or self._lost:
                raise EOFError
            ok, payload = _receive(worker.stdout)
        except EOFError:
            self._stop()
            raise RendererCrashed("the renderer crashed (vl-convert aborted)") from None
        if not ok:
            raise payload
        return dict(payload)

    def _start(self) -> subprocess.Popen[bytes]:
        path = os.pathsep.join(p for p in (str(_PACKAGE_PARENT), os.environ.get("PYTHONPATH")) if p)
        warm_up = (*self._images, *(("bundle",) if self._needs_bundle() else ()))
        self._worker = subprocess.Popen(
            [sys.executable, "-m", "analytics.charts.renderer", ",".join(warm_up)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": path},
        )
        return self._worker

    def _stop(self) -> None:
        worker, self._worker, self._lost = self._worker, None, False
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
    """The worker's loop: warm up (building the bundle when it will be asked for), then render
    each request until the parent closes the pipe."""
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

"""vl-convert's JavaScript bundle (Vega, Vega-Lite, Vega-Embed: ~0.9 MB) cached on disk per user.

Building the bundle costs vl-convert ~1.5 s on the first call of every process, and it changes
only with the installed vl-convert (which pins the JavaScript it bundles), so it is kept in
`$ANALYTICS_CACHE_DIR`, else `$XDG_CACHE_HOME/analytics`, else `~/.cache/analytics`, one file
per vl-convert version. The file opens with a line holding the body's length and SHA-256: a
truncated or corrupt file (or one another user could write) is never served, only rebuilt.
The cache is an optimisation: a folder that cannot be read or written costs time, never a build.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path

CACHE_DIR_ENV = "ANALYTICS_CACHE_DIR"
DISTRIBUTION = "vl-convert-python"
#: First line of a cache file; the number changes when the file's layout does.
MAGIC = "analytics-vega-bundle 1"
#: A cache file larger than this is not read (the bundle is ~0.9 MB).
MAX_BYTES = 32 * 1024 * 1024
_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._+-]")


def cache_dir() -> Path | None:
    """The per-user cache folder, or None when no home folder can be found."""
    chosen = os.environ.get(CACHE_DIR_ENV)
    if chosen:
        return Path(chosen)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "analytics"
    try:
        return Path.home() / ".cache" / "analytics"
    except RuntimeError:  # no home folder to find
        return None


def vl_convert_version() -> str | None:
    """The installed vl-convert's version (from its metadata, without importing it), or None
    when it has none: then nothing is cached, as the key could not tell versions apart."""
    from importlib import metadata

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return None


def cache_path() -> Path | None:
    """Where the bundle of the installed vl-convert is cached, or None when it cannot be."""
    folder, version = cache_dir(), vl_convert_version()
    if folder is None or version is None:
        return None
    return folder / f"vega-bundle-vl-convert-{_UNSAFE_IN_NAME.sub('_', version)}.js.cache"


def encode(bundle: str) -> bytes:
    """A cache file's bytes: the header line (layout, length, SHA-256), then the bundle."""
    body = bundle.encode("utf-8")
    return _header(body) + b"\n" + body


def decode(content: bytes) -> str | None:
    """The bundle in a cache file's bytes, or None unless its header matches its body."""
    header, newline, body = content.partition(b"\n")
    if not newline or not body or header != _header(body):
        return None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _header(body: bytes) -> bytes:
    return f"{MAGIC} bytes={len(body)} sha256={hashlib.sha256(body).hexdigest()}".encode()


def read(path: Path | None = None) -> str | None:
    """The cached bundle, or None when there is none, it is damaged (never half a bundle), or
    someone else could have written it: its script goes into every page we export."""
    path = path or cache_path()
    if path is None:
        return None
    try:
        status = path.stat()
        if status.st_size > MAX_BYTES or not _ours(status):
            return None
        return decode(path.read_bytes())
    except OSError:
        return None


def _ours(status: os.stat_result) -> bool:
    """Owned by this user and writable by no one else (where the OS has owners)."""
    if not hasattr(os, "getuid"):
        return True
    return status.st_uid == os.getuid() and not status.st_mode & 0o022


def store(bundle: str, path: Path | None = None) -> bool:
    """Cache `bundle` through the one all-or-nothing writer; False when it could not be."""
    from analytics.errors import AnalyticsError
    from analytics.store import commit

    path = path or cache_path()
    if path is None:
        return False
    try:
        commit.write_bytes(path, encode(bundle))
    except (AnalyticsError, OSError):  # a read-only or full cache folder: build uncached
        return False
    return True


def bundle(build: Callable[[], str]) -> str:
    """The cached bundle, else `build()`'s, cached for the next process."""
    path = cache_path()
    cached = read(path)
    if cached is not None:
        return cached
    built = build()
    store(built, path)
    return built

"""Render a result frame as table, csv, json, markdown or parquet bytes.

One function per format; the CLI writes the bytes to stdout or, atomically, to --output.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from analytics.errors import UnknownNameError

if TYPE_CHECKING:
    import polars as pl

FORMATS = ("table", "csv", "json", "markdown", "parquet")


def render(frame: pl.DataFrame, fmt: str) -> bytes:
    """The frame in `fmt`; decimals keep every digit in every format."""
    if fmt not in FORMATS:
        raise UnknownNameError("format", fmt, list(FORMATS))
    return {"table": _table, "csv": _csv, "json": _json, "markdown": _markdown,
            "parquet": _parquet}[fmt](frame)


def _table(frame: pl.DataFrame) -> bytes:
    import polars as pl

    with pl.Config(tbl_rows=-1, tbl_cols=-1, fmt_str_lengths=60, tbl_width_chars=200,
                   tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True):
        return (str(frame) + "\n").encode("utf-8")


def _csv(frame: pl.DataFrame) -> bytes:
    return frame.write_csv().encode("utf-8")


def _json(frame: pl.DataFrame) -> bytes:
    import json

    def plain(value: object) -> object:
        return str(value) if value is not None else None

    return (json.dumps(frame.to_dicts(), default=plain, ensure_ascii=False, indent=1)
            + "\n").encode("utf-8")


def _markdown(frame: pl.DataFrame) -> bytes:
    def cell(value: object) -> str:
        return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(frame.columns) + " |",
             "|" + "|".join("---" for _ in frame.columns) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.iter_rows()]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _parquet(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()

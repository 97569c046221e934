"""Option values converted without pydantic: Typer's group, coercing plain types in plain Python.

Typer builds a pydantic TypeAdapter for every parameter of the command it runs, even one left at
its default; importing pydantic and building the adapters costs about 100 ms of CPU at every
start, more than the query `analytics query run` exists for. Every option here is a str, int,
float, bool, Path or list of str, so `TyperGroup` converts those values the way Typer would
(paths through Typer's own checks) and hands anything else, including a value that does not
convert, to Typer's adapters, so errors read exactly as Typer words them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

from typer import core

try:  # Typer's internals: another Typer version keeps its own conversion throughout
    from typer import _coercion
    from typer._param_types import coerce_cli_path
except ImportError:  # pragma: no cover - depends on the installed Typer
    _coercion = None  # type: ignore[assignment]

_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_DECIMAL = re.compile(r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")
_UNCONVERTED = object()


@dataclass(frozen=True)
class _PlainParam(_coercion.RuntimeParam if _coercion is not None else object):  # type: ignore[misc]
    """One parameter's conversion: the plain cases here, the rest by Typer's adapter."""

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        converted = plain_value(self.annotation, self.parameter_info, value, param, ctx)
        if converted is not _UNCONVERTED:
            return converted
        typer_param = _coercion.build_runtime_param(param.type_descriptor)
        return typer_param._coerce_value(value, param=param, ctx=ctx)


def plain_value(annotation: Any, info: Any, value: Any, param: Any, ctx: Any) -> Any:
    """`value` as `annotation`, as Typer's adapter would convert it; _UNCONVERTED if unsure."""
    if get_origin(annotation) is list and get_args(annotation) == (str,):
        ok = isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
        return list(value) if ok else _UNCONVERTED
    if annotation is str:
        return value if isinstance(value, str) else _UNCONVERTED
    if annotation is bool and isinstance(value, bool):
        return value
    if annotation is int and isinstance(value, str) and _INTEGER.match(value):
        return int(value)
    if annotation is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if annotation is float and isinstance(value, str) and _DECIMAL.match(value):
        return float(value)
    if annotation is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if annotation is Path and info.path_type is None and isinstance(value, str | Path):
        return coerce_cli_path(Path(value), info, path_type=Path, param=param, ctx=ctx)
    return _UNCONVERTED


def _is_plain(param: Any) -> bool:
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or getattr(param, "_runtime_param", False) is not None:
        return False
    info = descriptor.parameter_info
    return (
        descriptor.file_annotation is None
        and info.parser is None
        and not descriptor.is_choice
        and not descriptor.is_ranged
    )


def use_plain_conversion(command: Any, ctx: Any) -> None:
    """Give every plain parameter of `command` and its subcommands (`--help` too) the conversion
    above. Parameters of other kinds, and any Typer whose internals differ, keep Typer's own."""
    for param in command.get_params(ctx):
        if _is_plain(param):
            descriptor = param.type_descriptor
            param._runtime_param = _PlainParam(
                parameter_info=descriptor.parameter_info, annotation=descriptor.annotation
            )
    for subcommand in getattr(command, "commands", {}).values():
        use_plain_conversion(subcommand, ctx)


class TyperGroup(core.TyperGroup):
    """Typer's group; before parsing, its whole command tree gets the plain conversion."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if ctx.parent is None and _coercion is not None:
            use_plain_conversion(self, ctx)
        return super().parse_args(ctx, args)

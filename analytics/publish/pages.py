"""HTML pages (a chart, the gallery, the report) from the package's Jinja2 templates: the one door
every text shown in a page passes.

Every `{{ value }}` is escaped once by `escape_text` (Jinja's autoescape, with html.escape's
spelling `&quot;`/`&#x27;` that the pages have always used); JSON inside a <script> passes
`script_json` (the templates' `|tojson`), JavaScript code `script_code` (`|script`). Jinja2 is
imported on first use, so `analytics --help` does not pay for it.
"""

from __future__ import annotations

import functools
import html
import json
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2
    from markupsafe import Markup

TEMPLATES = "templates"
#: What JSON may hold that would end its <script> element (`</script>`, `<!--`), start an entity
#: (`&`), or end a JavaScript line in older engines (U+2028, U+2029); `'` for attributes.
_SCRIPT_UNSAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)
_SCRIPT_END = re.compile(r"</(script)", re.IGNORECASE)


def escape_text(value: object) -> str:
    """Text as HTML shows it, safe in element content and in quoted attributes."""
    return html.escape(str(value), quote=True)


def script_json(value: Any) -> Markup:
    """`value` as compact JSON that cannot leave its <script> element: `<`, `>`, `&`, `'`,
    U+2028 and U+2029 are written as `\\uXXXX` escapes (Decimals as numbers)."""
    from markupsafe import Markup

    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_json_default)
    return Markup(text.translate(_SCRIPT_UNSAFE))


def _json_default(value: object) -> object:
    return float(value) if isinstance(value, Decimal) else str(value)


def script_code(code: str) -> Markup:
    """Trusted JavaScript (vl-convert's bundle) inside a <script> element: no early `</script`."""
    from markupsafe import Markup

    return Markup(_SCRIPT_END.sub(r"<\\/\1", code))


def trusted_markup(constant: str) -> Markup:
    """A constant of this package that is HTML already (a <meta> tag), printed as it is. Never
    for data."""
    from markupsafe import Markup

    return Markup(constant)


def _escaped(value: object) -> object:
    """Jinja's `finalize`: every printed value not already markup passes `escape_text`, so the
    autoescape that follows has nothing left to do."""
    from markupsafe import Markup

    return value if hasattr(value, "__html__") else Markup(escape_text(value))


@functools.cache
def environment() -> jinja2.Environment:
    """The templates shipped in `analytics/publish/templates/` (package data), autoescaped."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("analytics.publish", TEMPLATES),
        autoescape=True,
        finalize=_escaped,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["tojson"] = script_json
    env.filters["script"] = script_code
    return env


def render(template: str, **context: Any) -> str:
    """Template `template` rendered with `context`."""
    return environment().get_template(template).render(**context)


def macro(template: str, name: str) -> Any:
    """Macro `name` of `template`, callable from Python (it returns markup)."""
    return getattr(environment().get_template(template).module, name)


def chart_page(spec: dict[str, Any], title: str, bundle: str) -> str:
    """One chart's page: vl-convert's JavaScript `bundle` inlined, `spec` drawn as SVG into a
    body of no fixed width, so the chart fills its frame."""
    return render("chart.html.j2", title=title, spec=spec, bundle=bundle, options={"renderer": "svg"})

"""The HTML templates ship in the wheel, and every text passes the one escaping door once
(hostile names in whole pages: tests/hostile/test_hostile_pages.py)."""

from __future__ import annotations

import fnmatch
import tomllib

from analytics.project import PROJECT_ROOT
from analytics.publish import pages
from analytics.publish.report import table


def test_every_template_is_package_data():
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["analytics.publish"]
    package = PROJECT_ROOT / "analytics" / "publish"
    templates = [str(p.relative_to(package)) for p in (package / pages.TEMPLATES).iterdir()]
    assert templates and all(any(fnmatch.fnmatch(t, g) for g in globs) for t in templates)


def test_text_is_escaped_once_in_html_escapes_spelling():
    page = table(['"q" & <b>'], [["O'Brien", "1 < 2"]], {1})
    assert "<th>&quot;q&quot; &amp; &lt;b&gt;</th>" in page
    assert '<td class="">O&#x27;Brien</td><td class="num">1 &lt; 2</td>' in page
    assert "&amp;amp;" not in page and "&amp;lt;" not in page


def test_script_code_cannot_close_its_script_element():
    assert "</" not in pages.script_code("x = '</script>'; y = '</SCRIPT '")

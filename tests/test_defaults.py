"""The default company and partner are defined once (`analytics.defaults`): no other module of the
package spells them (the Weibo seed data in `analytics/weibo/` names its own company)."""

from __future__ import annotations

import ast
import inspect

from analytics.defaults import DEFAULT_COMPANY, DEFAULT_PARTNER
from analytics.project import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "analytics"


def test_no_module_but_defaults_spells_the_default_company_or_partner():
    spelled = [
        f"{path.relative_to(PACKAGE)}:{node.lineno}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "defaults.py" and "weibo" not in path.relative_to(PACKAGE).parts
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and node.value in (DEFAULT_COMPANY, DEFAULT_PARTNER)
    ]
    assert spelled == []


def test_the_notebook_and_the_cli_default_to_the_same_company_and_partner():
    from analytics.cli import charts as cli_charts
    from analytics.publish import notebook

    for function in (notebook.chart, notebook.build_charts, notebook.deck, notebook.report):
        parameters = inspect.signature(function).parameters
        assert parameters["company"].default == DEFAULT_COMPANY
        assert parameters["partner"].default == DEFAULT_PARTNER
    assert inspect.signature(cli_charts.build).parameters["company"].default == DEFAULT_COMPANY

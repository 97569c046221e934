"""Charts spell counterparty classes and pools only through the vocabulary (STYLE.md 23).

The words are defined once (store/schema.py, rendered into SQL by sql/vocabulary.py); a chart
module that writes `"third_party"` itself would keep the old word, and lose its colour, when the
vocabulary renames the class.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

from analytics.charts.revenue_mix import CLASSES as MIX_CLASSES
from analytics.charts.theme import COLOURS
from analytics.sql.vocabulary import CONSTANTS
from analytics.store.schema import UNATTRIBUTED

PACKAGE = Path(__file__).parent.parent / "analytics"
CHARTS = PACKAGE / "charts"
#: The counterparty classes (`third_party_class()`, ...).
CLASS_WORDS = {value for name, value in CONSTANTS.items() if name.endswith("_class")}
#: The classes and the pools every company has (`third_parties_pool()`, `unattributed_pool()`).
WORDS = CLASS_WORDS | {value for name, value in CONSTANTS.items() if name.endswith("_pool")}


def spelled_words(source: str, words: set[str]) -> list[tuple[int, str]]:
    """(line, word) of every string constant in `source` that is exactly one of `words`."""
    return [
        (node.lineno, node.value)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in words
    ]


def test_the_vocabulary_holds_the_classes_and_pools_this_test_guards():
    assert sorted(CLASS_WORDS) == ["mixed", "related_party", "strategic_partner", "third_party"]
    assert sorted(WORDS - CLASS_WORDS) == ["related_parties", "third_parties", "unattributed"]


def test_no_chart_module_spells_a_counterparty_class_or_pool():
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{line} {word!r}"
        for path in sorted(CHARTS.glob("*.py"))
        for line, word in spelled_words(path.read_text(encoding="utf-8"), WORDS)
    ]
    assert not found, "use the constants of analytics.store.schema:\n" + "\n".join(found)


def test_the_scan_finds_a_class_spelled_as_a_key_or_a_comparison_but_not_inside_a_sentence():
    source = (
        'COLOURS = {"third_party": "#2e86ab"}\n'
        'if stream == "unattributed":\n'
        '    note = "segments are sources (mixed = not split)"\n'
    )
    assert spelled_words(source, WORDS) == [(1, "third_party"), (2, "unattributed")]


def test_every_counterparty_class_and_the_unattributed_stream_has_a_colour():
    missing = sorted((CLASS_WORDS | {UNATTRIBUTED}) - set(COLOURS))
    assert not missing, f"no colour in charts/theme.py COLOURS for {missing}"
    assert COLOURS["strategic_partner"] == COLOURS["partner"]


def test_the_mix_chart_stacks_every_class_once_the_strategic_partner_first():
    assert sorted(MIX_CLASSES) == sorted(CLASS_WORDS)
    assert MIX_CLASSES[0] == "strategic_partner"


def test_renaming_a_class_in_the_vocabulary_renames_it_in_the_charts(tmp_path):
    """A copy of the package whose vocabulary calls third parties `outside_party`: the theme's
    colour and the mix chart's class follow, and no chart keeps the old word."""
    copy = tmp_path / "analytics"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    schema = copy / "store" / "schema.py"
    text = schema.read_text(encoding="utf-8")
    assert text.count('THIRD_PARTY = "third_party"') == 1
    schema.write_text(
        text.replace('THIRD_PARTY = "third_party"', 'THIRD_PARTY = "outside_party"'), encoding="utf-8"
    )
    check = (
        "from analytics.charts.theme import COLOURS\n"
        "from analytics.charts.revenue_mix import CLASSES\n"
        "from analytics.sql.vocabulary import CONSTANTS\n"
        "assert CONSTANTS['third_party_class'] == 'outside_party', CONSTANTS\n"
        "assert 'third_party' not in COLOURS and COLOURS['outside_party'] == '#2e86ab'\n"
        "assert CLASSES == ('strategic_partner', 'related_party', 'outside_party', 'mixed')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", check],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr

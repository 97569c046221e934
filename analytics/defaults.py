"""The company and partner every command, chart and notebook call uses when none is given.

One definition (issue 13: each fact once): Python signatures, CLI options and the named
queries' headers all read these names.
"""

from __future__ import annotations

from typing import Final

DEFAULT_COMPANY: Final = "Weibo"
DEFAULT_PARTNER: Final = "Alibaba"

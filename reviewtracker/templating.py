"""Template filters the pages share."""

from __future__ import annotations

import re

from flask import Flask
from markupsafe import Markup, escape

# Where a long file name may break: after its separators ("T1-Western_Grid-log.xlsx").
_BREAK_AFTER = re.compile(r"([_\-])")


def breakable(name: object) -> Markup:
    """The text, escaped, with a line-break opportunity (<wbr>) after each separator a file
    name uses, so that a long name wraps at its parts rather than mid-word or not at all."""
    parts = _BREAK_AFTER.split(str(name or ""))
    return Markup("").join(
        Markup(f"{escape(part)}<wbr>") if _BREAK_AFTER.fullmatch(part) else escape(part)
        for part in parts
    )


def init_app(app: Flask) -> None:
    app.add_template_filter(breakable)

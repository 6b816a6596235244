"""Values from outside (URL paths, query strings, forms), read one way everywhere.

A request value is text anyone can type. The helpers here turn it into what a view needs or
refuse it cleanly, so that no value reaches the database or a response header it would break:

- `positive_int`: an id, a page, a round number. ASCII digits only (`str.isdigit()` also
  accepts "²" and "١", which `int()` refuses or reads), bounded by what the id columns hold
  (2**31 - 1, PostgreSQL's integer: it refuses a larger one, and SQLite raises OverflowError
  from 2**63), never a 5,000-digit number.
- `BoundedIntConverter` replaces Flask's `int` URL converter app-wide on the same terms: every
  `<int:...>` beyond them is a 404, never an error in the view.
- `clean_text`: free text (a search) without control characters; NUL breaks PostgreSQL and
  the full-text query alike.
- `refuse_control_characters`: a request whose query string or form holds a control character
  other than tab, CR and LF is answered 400 with a message, before any view sees it.
- `local_path`: a redirect target (sign-in's `next`, bulk triage's `back`) only if it is a
  plain path on this site: never another host, never CR/LF that would break the header.
- `text_block`: text of several lines (a response, a decision's numbered points): control
  characters dropped but its line breaks kept.
- `choice`, `flag`, `iso_date`, `id_list`: one of the allowed values, a checkbox, a
  YYYY-MM-DD date, the ids of a multi-select; anything else None (or left out).
"""

from __future__ import annotations

import builtins
import re
import unicodedata
from collections.abc import Collection
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, Map, ValidationError

# The largest id: the id columns are PostgreSQL `integer`s, which refuse a larger value in a
# query ("integer out of range"), as SQLite refuses one from 2**63.
MAX_ID = 2**31 - 1
_MAX_DIGITS = len(str(MAX_ID))
_ASCII_DIGITS = re.compile(r"[0-9]+")
# Control characters a typed value may hold: tab, line feed, carriage return (text areas).
_ALLOWED_CONTROL = frozenset("\t\n\r")
# The longest redirect target kept (a list URL with its filter is far shorter).
MAX_REDIRECT_LENGTH = 2000
CONTROL_MESSAGE = (
    "The address or the form contains control characters (such as NUL), which no field "
    "accepts. Remove them and try again."
)


def is_ascii_digits(text: object) -> bool:
    """True for a non-empty run of 0-9 only (no sign, no space, no other script's digits)."""
    return isinstance(text, str) and _ASCII_DIGITS.fullmatch(text) is not None


def positive_int(value: Any, maximum: int = MAX_ID) -> int | None:
    """`value` (surrounding spaces allowed) as a whole number from 1 to `maximum`, else None."""
    text = str(value).strip() if value is not None else ""
    if not is_ascii_digits(text) or len(text) > len(str(maximum)):
        return None
    number = int(text)
    return number if 1 <= number <= maximum else None


def is_control(character: str) -> bool:
    """A control character (C0, DEL, C1) or a lone surrogate: never part of typed text."""
    return unicodedata.category(character) in ("Cc", "Cs")


def has_control_characters(text: str, allowed: frozenset[str] = _ALLOWED_CONTROL) -> bool:
    return any(is_control(character) and character not in allowed for character in text)


def clean_text(value: Any, max_length: int) -> str | None:
    """One line of free text: control characters dropped, spaces collapsed, cut to
    `max_length`; None if nothing is left."""
    if value is None:
        return None
    kept = "".join(" " if is_control(character) else character for character in str(value))
    text = " ".join(kept.split())[:max_length].strip()
    return text or None


def text_block(value: Any, max_length: int) -> str:
    """Text of several lines: control characters dropped (line breaks and tabs kept), trimmed,
    at most `max_length` characters; '' if nothing."""
    kept = "".join(
        character
        for character in str(value if value is not None else "")
        if character in _ALLOWED_CONTROL or not is_control(character)
    )
    return kept.strip()[:max_length]


def choice(value: object, allowed: Collection[str]) -> str | None:
    """`value` if it is one of `allowed`, else None."""
    return value if isinstance(value, str) and value in allowed else None


def flag(value: object) -> bool:
    """A checkbox or URL flag: "1", "on", "yes", "true" (any case) is set."""
    return str(value or "").strip().lower() in ("1", "on", "yes", "true")


_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def iso_date(value: object) -> date | None:
    """A YYYY-MM-DD date in ASCII digits, else None."""
    found = _ISO_DATE.fullmatch(value.strip()) if isinstance(value, str) else None
    if found is None:
        return None
    try:
        return date(*(int(part) for part in found.groups()))
    except ValueError:
        return None


def id_list(values: list[str], maximum_count: int = 10_000) -> list[int]:
    """The positive ids among `values` (others dropped), at most `maximum_count` read."""
    ids = (positive_int(value) for value in values[:maximum_count])
    return [number for number in ids if number is not None]


def local_path(target: object) -> str | None:
    """`target` if it is a path on this site ("/comments/?q=x"), else None: no scheme or host,
    no "//" or backslash (which browsers read as another host), no spaces or control
    characters (CR/LF would split the Location header)."""
    if not isinstance(target, str) or not target or len(target) > MAX_REDIRECT_LENGTH:
        return None
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(character.isspace() or is_control(character) for character in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


class BoundedIntConverter(IntegerConverter):
    """Flask's `<int:...>` as this app reads every id: ASCII digits, 0 to MAX_ID. Anything else
    in the path (a 20-digit number, "١") matches no route: a 404."""

    regex = r"[0-9]+"

    def __init__(
        self, map: Map, fixed_digits: int = 0, min: int | None = None, max: int = MAX_ID
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=builtins.min(max, MAX_ID))

    def to_python(self, value: str) -> int:
        if len(value) > _MAX_DIGITS:
            raise ValidationError()
        return super().to_python(value)


def refuse_control_characters() -> None:
    """400 for a query string or a form with a control character other than tab, CR and LF
    (in a name or a value); 404 for such a path. Uploaded files are not looked at."""
    if has_control_characters(request.path, frozenset()):
        abort(404)
    sources = [request.args]
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        sources.append(request.form)
    for source in sources:
        for name, values in source.lists():
            if has_control_characters(name) or any(map(has_control_characters, values)):
                abort(400, CONTROL_MESSAGE)


def init_app(app: Flask) -> None:
    """Before any route is added (a rule keeps the converter it was compiled with)."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(refuse_control_characters)


__all__ = [
    "BoundedIntConverter",
    "CONTROL_MESSAGE",
    "MAX_ID",
    "choice",
    "clean_text",
    "flag",
    "has_control_characters",
    "id_list",
    "init_app",
    "is_ascii_digits",
    "is_control",
    "iso_date",
    "local_path",
    "positive_int",
    "refuse_control_characters",
    "text_block",
]

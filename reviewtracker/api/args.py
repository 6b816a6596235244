"""The query arguments the API and the downloads share, checked the same way."""

from __future__ import annotations

from flask import abort, request

from importers.reference import TRANCHES

from ..inputs import positive_int
from ..services.months import FIRST_MONTH, LAST_MONTH, is_month
from ..services.reference import rounds_of_tranche


def tranche_or_404(code: str | None) -> str:
    if code not in TRANCHES:
        abort(404, f"unknown tranche {code!r}: choose one of {', '.join(TRANCHES)}")
    return code


def review_round_arg(tranche: str) -> int | None:
    """`?round=N`: None if absent; 400 if not a positive number; 404 if the tranche has no
    such round (as the tranche page's /rounds/N)."""
    text = (request.args.get("round") or "").strip()
    if not text:
        return None
    number = positive_int(text)
    if number is None:
        abort(400, f"round must be a review round number (1, 2, ...), not {text[:40]!r}")
    if number not in {r.number for r in rounds_of_tranche(tranche)}:
        abort(404, f"tranche {tranche} has no review round {number}")
    return number


def month_arg() -> str | None:
    """`?month=YYYY-MM`: None if absent (the latest month); 400 if not a month (or outside the
    months a status is kept for)."""
    text = (request.args.get("month") or "").strip()
    if not text:
        return None
    if not is_month(text):
        abort(
            400,
            f"month must be written YYYY-MM (e.g. 2022-04), from {FIRST_MONTH} to {LAST_MONTH}, "
            f"not {text[:40]!r}",
        )
    return text

"""The governance views' request values, read through reviewtracker/inputs.py: a bad value is
a 404 (a reference in the URL), a 400 (a form's hidden id) or ignored (a filter), never a 500.

The query and form parameters the governance views read: `status`, `meeting`, `overdue`,
`owner` (the action list's filters); `meeting` (new action, new decision, and the board pack's
/exports/board-pack.xlsx?meeting=); `link_id` (removing a link); and the references in the
URLs: /meetings/<ref>, /actions/<ref>, /decisions/<ref>, /actions/from-comment/<comment_id>.
The forms' fields are checked by their validators (forms.py)."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, request

from .. import inputs
from ..inputs import positive_int

REFERENCE_MAX = 40


def clean_text(value: object, max_length: int) -> str:
    """Text without control characters but with its line breaks (a decision's numbered points
    are lines), trimmed, at most `max_length` characters ('' if none). inputs.clean_text is for
    one line: it folds line breaks too."""
    kept = "".join(c for c in str(value or "") if c in "\n\t" or not inputs.is_control(c))
    return kept.strip()[:max_length]


def reference_or_404(value: str, normalise: Callable[[str], str | None]) -> str:
    """A reference from the URL, canonical; 404 if it is not one."""
    text = clean_text(value, REFERENCE_MAX + 1)
    canonical = normalise(text) if len(text) <= REFERENCE_MAX else None
    if canonical is None:
        abort(404)
    return canonical


def arg(name: str, max_length: int = 100) -> str:
    """A query argument as clean text ('' if absent)."""
    return clean_text(request.args.get(name, ""), max_length)


def meeting_arg() -> str | None:
    """`?meeting=DAG013` (the board pack's): None if absent; 404 if not a known meeting."""
    from importers.governance import normalise_meeting_ref

    from ..services.meetings import meeting_by_reference

    text = arg("meeting", REFERENCE_MAX + 1)
    if not text:
        return None
    canonical = normalise_meeting_ref(text) if len(text) <= REFERENCE_MAX else None
    if canonical is None or meeting_by_reference(canonical) is None:
        abort(404, f"no meeting {text!r}")
    return canonical


def form_id(name: str) -> int:
    """An id posted in a form's hidden field; 400 if it is not one."""
    number = positive_int(request.form.get(name, ""))
    if number is None:
        abort(400, f"{name} must be a number")
    return number


__all__ = ["arg", "clean_text", "form_id", "meeting_arg", "positive_int", "reference_or_404"]

"""The triage service: audited changes, duplicates that follow their original, copy response."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from reviewtracker.extensions import db
from reviewtracker.models import AuditEvent, Comment
from reviewtracker.services import ServiceError
from reviewtracker.services.comment_import import import_comment_log
from reviewtracker.services.triage import (
    StaleComment,
    _propagate_to_duplicates,
    copy_response,
    duplicates_of,
    history,
    last_change,
    mark_duplicate,
    triage_comment,
    unmark_duplicate,
)
from tests.logmaker import write_xlsx_log

from .factories import add_artefacts

ACME = {"Organisation": "Acme Energy", "Constituency": "Supplier - Large"}


@pytest.fixture
def comments(app, tmp_path: Path) -> list[int]:
    """Ids of five open comments: four on BP004, the last on BP005."""
    add_artefacts(("BP004", "1"), ("BP005", "1"))
    artefacts = ["BP004", "BP004", "BP004", "BP004", "BP005"]
    rows = [
        {
            "log_comment_id": str(i),
            "artefact": f"MHHSP-{artefact}",
            "comment": f"Comment {i}: the trigger for step {i} is unclear.",
        }
        for i, artefact in enumerate(artefacts, start=1)
    ]
    report = import_comment_log(write_xlsx_log(tmp_path / "log.xlsx", rows, key_values=ACME))
    assert report.ok and report.added == 5
    return list(db.session.scalars(select(Comment.id).order_by(Comment.id)))


def _get(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    db.session.refresh(comment)
    return comment


def _events(comment_id: int, field: str | None = None) -> list[tuple]:
    query = select(AuditEvent).where(AuditEvent.comment_id == comment_id).order_by(AuditEvent.id)
    return [
        (e.field, e.before, e.after, e.actor, e.origin)
        for e in db.session.scalars(query)
        if field is None or e.field == field
    ]


def test_triage_audits_each_changed_field_only(comments):
    first = comments[0]
    result = triage_comment(
        first,
        {"disposition": "accepted", "response": "Agreed.", "action_owner": None},
        actor="ann@example.org",
        expected_version=1,
    )
    assert set(result.changed) == {"disposition", "response"} and result.version == 2
    assert _events(first) == [
        ("disposition", "open", "accepted", "ann@example.org", "browser"),
        ("response", None, "Agreed.", "ann@example.org", "browser"),
    ]
    comment = _get(first)
    assert (comment.disposition_origin, comment.response_origin) == ("browser", "browser")
    # Saving the same values again changes nothing and writes no event.
    again = triage_comment(first, {"disposition": "accepted"}, actor="bob@example.org")
    assert again.changed == {} and again.version == 2
    assert len(_events(first)) == 2
    with pytest.raises(StaleComment):
        triage_comment(
            first, {"disposition": "rejected"}, actor="bob@example.org", expected_version=1
        )
    with pytest.raises(ServiceError):
        triage_comment(first, {"duplicate_of_id": comments[1]}, actor="bob@example.org")


def test_mark_duplicate_takes_the_originals_decision_and_follows_it(comments):
    original, duplicate = comments[0], comments[1]
    triage_comment(original, {"disposition": "rejected", "response": "Out of scope."}, actor="a@x")
    result = mark_duplicate(duplicate, original, actor="ann@example.org", expected_version=1)
    assert result.version == 2
    copy = _get(duplicate)
    assert copy.duplicate_of_id == original
    assert (copy.disposition, copy.response) == ("rejected", "Out of scope.")
    assert copy.disposition_origin == "browser"
    assert _events(duplicate) == [
        ("duplicate_of", None, str(original), "ann@example.org", "browser"),
        ("disposition", "open", "rejected", "ann@example.org", "browser"),
        ("response", None, "Out of scope.", "ann@example.org", "browser"),
    ]
    assert [c.id for c in duplicates_of(original)] == [duplicate]

    # A later change of the original's decision reaches the duplicate, audited there too.
    triage_comment(
        original, {"disposition": "accepted", "response": "Agreed."}, actor="bob@example.org"
    )
    copy = _get(duplicate)
    assert (copy.disposition, copy.response, copy.version) == ("accepted", "Agreed.", 3)
    assert _events(duplicate)[-2:] == [
        ("disposition", "rejected", "accepted", "bob@example.org", "browser"),
        ("response", "Out of scope.", "Agreed.", "bob@example.org", "browser"),
    ]
    # Other triage fields stay the duplicate's own.
    triage_comment(original, {"action_owner": "Design team"}, actor="bob@example.org")
    assert _get(duplicate).action_owner is None

    # Unmarked, it keeps its decision and stops following.
    unmark_duplicate(duplicate, actor="ann@example.org")
    triage_comment(original, {"disposition": "action"}, actor="bob@example.org")
    copy = _get(duplicate)
    assert (copy.duplicate_of_id, copy.disposition) == (None, "accepted")
    assert _events(duplicate, "duplicate_of")[-1] == (
        "duplicate_of",
        str(original),
        None,
        "ann@example.org",
        "browser",
    )
    with pytest.raises(ServiceError):
        unmark_duplicate(duplicate, actor="ann@example.org")


def test_mark_duplicate_refusals(comments):
    first, second, third, _fourth, other_artefact = comments
    with pytest.raises(ServiceError, match="itself"):
        mark_duplicate(first, first, actor="a@x")
    with pytest.raises(ServiceError, match="another artefact"):
        mark_duplicate(first, other_artefact, actor="a@x")
    mark_duplicate(second, first, actor="a@x")
    with pytest.raises(ServiceError, match="unmark it first"):
        mark_duplicate(first, second, actor="a@x")  # would be a cycle
    with pytest.raises(StaleComment):
        mark_duplicate(third, first, actor="a@x", expected_version=7)
    with pytest.raises(ServiceError):
        mark_duplicate(first, 99999, actor="a@x")
    assert _get(first).duplicate_of_id is None
    assert _get(third).duplicate_of_id is None
    assert _events(third) == []


def test_duplicates_stay_one_level_deep(comments):
    first, second, third, fourth, _ = comments
    triage_comment(first, {"disposition": "action", "response": "To the sub-group."}, actor="a@x")
    triage_comment(third, {"disposition": "rejected", "response": "No."}, actor="a@x")
    mark_duplicate(second, first, actor="a@x")
    # A duplicate of a duplicate points at the root original.
    mark_duplicate(fourth, second, actor="a@x")
    assert _get(fourth).duplicate_of_id == first
    assert _get(fourth).disposition == "action"
    # An original marked as a duplicate hands its duplicates to its own original.
    mark_duplicate(first, third, actor="a@x")
    assert [_get(i).duplicate_of_id for i in (first, second, fourth)] == [third] * 3
    assert {(_get(i).disposition, _get(i).response) for i in (first, second, fourth)} == {
        ("rejected", "No.")
    }
    assert [c.id for c in duplicates_of(third)] == [first, second, fourth]
    assert duplicates_of(first) == []


def test_propagation_for_bulk_saves(comments):
    """A bulk save changes originals in place, then calls _propagate_to_duplicates."""
    first, second, third, fourth, _ = comments
    mark_duplicate(second, first, actor="a@x")
    mark_duplicate(fourth, third, actor="a@x")
    for original in (first, third):
        triage_comment(original, {"disposition": "clarification"}, actor="b@x", commit=False)
    db.session.commit()
    assert {_get(i).disposition for i in (second, fourth)} == {"clarification"}
    # Already in step: nothing to copy.
    assert _propagate_to_duplicates([first, third, fourth], "b@x") == 0
    # Out of step (as after a set-based update): copied and audited per duplicate.
    db.session.execute(
        Comment.__table__.update()
        .where(Comment.id.in_([first, third]))
        .values(disposition="accepted", response="Done.")
    )
    assert _propagate_to_duplicates([first, third], "bulk@x") == 2
    db.session.commit()
    for duplicate in (second, fourth):
        assert (_get(duplicate).disposition, _get(duplicate).response) == ("accepted", "Done.")
        assert _events(duplicate)[-2:] == [
            ("disposition", "clarification", "accepted", "bulk@x", "browser"),
            ("response", None, "Done.", "bulk@x", "browser"),
        ]
    assert _propagate_to_duplicates([], "bulk@x") == 0


def test_copy_response(comments):
    first, second, third, *_ = comments
    triage_comment(first, {"response": "Covered in section 4."}, actor="a@x")
    mark_duplicate(third, second, actor="a@x")
    copy_response(first, second, actor="ann@example.org")
    assert _get(second).response == "Covered in section 4."
    assert _events(second, "response") == [
        ("response", None, "Covered in section 4.", "ann@example.org", "browser")
    ]
    # The copy is a change of the target's response like any other: its duplicates follow.
    assert _get(third).response == "Covered in section 4."
    with pytest.raises(ServiceError, match="no response"):
        copy_response(comments[3], first, actor="a@x")
    with pytest.raises(ServiceError):
        copy_response(first, first, actor="a@x")


def test_history_newest_first_and_last_change(comments):
    first = comments[0]
    assert history(first) == [] and last_change(first) is None
    triage_comment(first, {"disposition": "action"}, actor="a@x")
    triage_comment(first, {"disposition": "accepted"}, actor="b@x")
    oldest_first = [(e.after, e.actor) for e in history(first)]
    assert oldest_first == [("action", "a@x"), ("accepted", "b@x")]
    assert [(e.after, e.actor) for e in history(first, newest_first=True)] == oldest_first[::-1]
    assert (last_change(first).actor, last_change(first).after) == ("b@x", "accepted")

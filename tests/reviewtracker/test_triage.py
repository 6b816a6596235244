"""The triage service: audited changes, duplicates that follow their original, copy response.

Service tests in the test's own app context. Each user action is called as a view calls it,
in `unit_of_work()` (`save`): the service flushes, the unit of work commits, and a refusal
rolls the whole action back."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from reviewtracker.extensions import db
from reviewtracker.models import AuditEvent, Comment
from reviewtracker.services import ServiceError
from reviewtracker.services.comment_import import import_comment_log
from reviewtracker.services.scope import Scope
from reviewtracker.services.triage import (
    StaleComment,
    copy_response,
    duplicates_of,
    history,
    last_change,
    mark_duplicate,
    propagate_to_duplicates,
    triage_comment,
    unmark_duplicate,
)
from reviewtracker.unit_of_work import unit_of_work
from tests.logmaker import write_xlsx_log

from .factories import add_artefacts

pytestmark = pytest.mark.usefixtures("app_context")

ACME = {"Organisation": "Acme Energy", "Constituency": "Supplier - Large"}
STAFF = Scope.staff()


@pytest.fixture
def comments(app_context, tmp_path: Path) -> list[int]:
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


def save(service, *args, **kwargs):
    """Call a writing service as a view does: in a unit of work, committed when it returns,
    rolled back if it raises."""
    with unit_of_work():
        return service(*args, **kwargs)


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
    result = save(
        triage_comment,
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
    again = save(triage_comment, first, {"disposition": "accepted"}, actor="bob@example.org")
    assert again.changed == {} and again.version == 2
    assert len(_events(first)) == 2
    with pytest.raises(StaleComment):
        save(
            triage_comment,
            first,
            {"disposition": "rejected"},
            actor="bob@example.org",
            expected_version=1,
        )
    with pytest.raises(ServiceError):
        save(triage_comment, first, {"duplicate_of_id": comments[1]}, actor="bob@example.org")


def test_mark_duplicate_takes_the_originals_decision_and_follows_it(comments):
    original, duplicate = comments[0], comments[1]
    save(
        triage_comment,
        original,
        {"disposition": "rejected", "response": "Out of scope."},
        actor="a@x",
    )
    result = save(mark_duplicate, duplicate, original, actor="ann@example.org", expected_version=1)
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
    assert [c.id for c in duplicates_of(original, STAFF)] == [duplicate]

    # A later change of the original's decision reaches the duplicate, audited there too.
    save(
        triage_comment,
        original,
        {"disposition": "accepted", "response": "Agreed."},
        actor="bob@example.org",
    )
    copy = _get(duplicate)
    assert (copy.disposition, copy.response, copy.version) == ("accepted", "Agreed.", 3)
    assert _events(duplicate)[-2:] == [
        ("disposition", "rejected", "accepted", "bob@example.org", "browser"),
        ("response", "Out of scope.", "Agreed.", "bob@example.org", "browser"),
    ]
    # Other triage fields stay the duplicate's own.
    save(triage_comment, original, {"internal_note": "Design team"}, actor="bob@example.org")
    assert _get(duplicate).internal_note is None

    # Unmarked, it keeps its decision and stops following.
    save(unmark_duplicate, duplicate, actor="ann@example.org")
    save(triage_comment, original, {"disposition": "action"}, actor="bob@example.org")
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
        save(unmark_duplicate, duplicate, actor="ann@example.org")


def test_mark_duplicate_refusals(comments):
    first, second, third, _fourth, other_artefact = comments
    with pytest.raises(ServiceError, match="itself"):
        save(mark_duplicate, first, first, actor="a@x")
    with pytest.raises(ServiceError, match="another artefact"):
        save(mark_duplicate, first, other_artefact, actor="a@x")
    save(mark_duplicate, second, first, actor="a@x")
    with pytest.raises(ServiceError, match="unmark it first"):
        save(mark_duplicate, first, second, actor="a@x")  # would be a cycle
    with pytest.raises(StaleComment):
        save(mark_duplicate, third, first, actor="a@x", expected_version=7)
    with pytest.raises(ServiceError):
        save(mark_duplicate, first, 99999, actor="a@x")
    assert _get(first).duplicate_of_id is None
    assert _get(third).duplicate_of_id is None
    assert _events(third) == []


def test_duplicates_stay_one_level_deep(comments):
    first, second, third, fourth, _ = comments
    save(
        triage_comment,
        first,
        {"disposition": "action", "response": "To the sub-group."},
        actor="a@x",
    )
    save(triage_comment, third, {"disposition": "rejected", "response": "No."}, actor="a@x")
    save(mark_duplicate, second, first, actor="a@x")
    # A duplicate of a duplicate points at the root original.
    save(mark_duplicate, fourth, second, actor="a@x")
    assert _get(fourth).duplicate_of_id == first
    assert _get(fourth).disposition == "action"
    # An original marked as a duplicate hands its duplicates to its own original.
    save(mark_duplicate, first, third, actor="a@x")
    assert [_get(i).duplicate_of_id for i in (first, second, fourth)] == [third] * 3
    assert {(_get(i).disposition, _get(i).response) for i in (first, second, fourth)} == {
        ("rejected", "No.")
    }
    assert [c.id for c in duplicates_of(third, STAFF)] == [first, second, fourth]
    assert duplicates_of(first, STAFF) == []


def test_propagation_for_bulk_saves(comments):
    """A bulk save changes originals in place, then calls propagate_to_duplicates."""
    first, second, third, fourth, _ = comments
    save(mark_duplicate, second, first, actor="a@x")
    save(mark_duplicate, fourth, third, actor="a@x")
    with unit_of_work():
        for original in (first, third):
            triage_comment(original, {"disposition": "clarification"}, actor="b@x")
    assert {_get(i).disposition for i in (second, fourth)} == {"clarification"}
    with unit_of_work():
        # Already in step: nothing to copy.
        assert propagate_to_duplicates([first, third, fourth], "b@x") == 0
        # Out of step (as after a set-based update): copied and audited per duplicate.
        db.session.execute(
            Comment.__table__.update()
            .where(Comment.id.in_([first, third]))
            .values(disposition="accepted", response="Done.")
        )
        assert propagate_to_duplicates([first, third], "bulk@x") == 2
    for duplicate in (second, fourth):
        assert (_get(duplicate).disposition, _get(duplicate).response) == ("accepted", "Done.")
        assert _events(duplicate)[-2:] == [
            ("disposition", "clarification", "accepted", "bulk@x", "browser"),
            ("response", None, "Done.", "bulk@x", "browser"),
        ]
    assert propagate_to_duplicates([], "bulk@x") == 0


def test_copy_response(comments):
    first, second, third, *_ = comments
    save(triage_comment, first, {"response": "Covered in section 4."}, actor="a@x")
    save(mark_duplicate, third, second, actor="a@x")
    save(copy_response, first, second, actor="ann@example.org")
    assert _get(second).response == "Covered in section 4."
    assert _events(second, "response") == [
        ("response", None, "Covered in section 4.", "ann@example.org", "browser")
    ]
    # The copy is a change of the target's response like any other: its duplicates follow.
    assert _get(third).response == "Covered in section 4."
    with pytest.raises(ServiceError, match="no response"):
        save(copy_response, comments[3], first, actor="a@x")
    with pytest.raises(ServiceError):
        save(copy_response, first, first, actor="a@x")


def test_history_newest_first_and_last_change(comments):
    first = comments[0]
    assert history(first, STAFF) == [] and last_change(first) is None
    save(triage_comment, first, {"disposition": "action"}, actor="a@x")
    save(triage_comment, first, {"disposition": "accepted"}, actor="b@x")
    oldest_first = [(e.after, e.actor) for e in history(first, STAFF)]
    assert oldest_first == [("action", "a@x"), ("accepted", "b@x")]
    assert [(e.after, e.actor) for e in history(first, STAFF, newest_first=True)] == oldest_first[
        ::-1
    ]
    assert (last_change(first).actor, last_change(first).after) == ("b@x", "accepted")


def test_the_service_leaves_the_commit_to_its_caller(comments):
    """triage_comment flushes and never commits: a caller that rolls back keeps nothing of
    it, and a unit of work that a refusal escapes keeps nothing of what came before."""
    first, second, *_ = comments
    triage_comment(first, {"disposition": "accepted", "response": "Agreed."}, actor="a@x")
    assert _get(first).disposition == "accepted"  # flushed: visible in the transaction
    db.session.rollback()
    assert (_get(first).disposition, _get(first).version) == ("open", 1)
    assert _events(first) == []

    with pytest.raises(StaleComment), unit_of_work():
        triage_comment(second, {"disposition": "rejected"}, actor="a@x")
        triage_comment(first, {"disposition": "rejected"}, actor="a@x", expected_version=9)
    assert _get(second).disposition == "open"
    assert _events(second) == []

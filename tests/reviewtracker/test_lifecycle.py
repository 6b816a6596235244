"""The artefact lifecycle's service: every allowed and refused move, bulk moves audited per
artefact, versions, the tracker's fields, and a moved artefact's tranche rollups."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from importers.vocabulary import ARTEFACT_STATES
from reviewtracker.extensions import db
from reviewtracker.models import Artefact, ArtefactEvent, ArtefactVersion, Comment
from reviewtracker.services import ServiceError
from reviewtracker.services.lifecycle import (
    Change,
    issue_version,
    move_artefacts,
    set_details,
    timeline,
)
from reviewtracker.services.rollups import comment_status, tranche_artefacts
from reviewtracker.services.scope import Scope
from reviewtracker.unit_of_work import unit_of_work

from .factories import add_artefacts, count
from .lifecycle_data import ACME, NORTH, comment, import_log, load_register

STAFF = Scope.staff()

pytestmark = pytest.mark.usefixtures("app_context")

# The allowed moves, written out by hand (label -> labels), as a lead reads them.
ALLOWED = {
    "drafting": {"under review", "withdrawn"},
    "under review": {"comments being resolved", "ready for DAG", "drafting", "withdrawn"},
    "comments being resolved": {"ready for DAG", "under review", "drafting", "withdrawn"},
    "ready for DAG": {"approved", "baselined", "comments being resolved", "withdrawn"},
    "approved": {"baselined", "comments being resolved", "withdrawn"},
    "baselined": {"under change control", "withdrawn"},
    "under change control": {"baselined", "under review", "withdrawn"},
    "withdrawn": {"drafting", "under review"},
}
KEY = {term.label: term.key for term in ARTEFACT_STATES}


def _set_state(artefact_id: int, state: str | None) -> None:
    db.session.execute(update(Artefact).where(Artefact.id == artefact_id).values(state=state))


def test_every_allowed_move_is_made_and_every_other_refused_naming_the_allowed_ones():
    (artefact,) = add_artefacts(("BP004", "1"))
    labels = list(ALLOWED)
    made = refused = 0
    for here in labels:
        for there in labels:
            if here == there:
                continue
            _set_state(artefact.id, KEY[here])
            before = count(ArtefactEvent)
            if there in ALLOWED[here]:
                report = move_artefacts(
                    [artefact.id], KEY[there], on=date(2022, 4, 15), note="n", actor="lead"
                )
                assert report.moved == ["BP004"]
                assert db.session.scalar(select(Artefact.state)) == KEY[there]
                assert count(ArtefactEvent) == before + 1
                made += 1
            else:
                with pytest.raises(ServiceError) as refusal:
                    move_artefacts([artefact.id], KEY[there], on=None, note="n", actor="lead")
                message = str(refusal.value)
                assert f"BP004 cannot move from {here} to {there}" in message
                allowed = message.split("allowed from here: ")[1].split(", ")
                assert set(allowed) == ALLOWED[here]
                assert db.session.scalar(select(Artefact.state)) == KEY[here]
                assert count(ArtefactEvent) == before
                refused += 1
    assert made == 24 and refused == 8 * 7 - 24
    db.session.rollback()


def test_an_artefact_without_a_state_may_be_given_any_and_the_move_is_recorded():
    (artefact,) = add_artefacts(("BP004", "1"))
    move_artefacts([artefact.id], "baselined", on=date(2022, 6, 1), note="first", actor="lead")
    (entry,) = timeline(artefact.id)
    assert (entry.label, entry.before, entry.after) == ("State", None, "baselined")
    assert entry.effective_on == date(2022, 6, 1) and entry.actor == "lead"


def test_a_bulk_move_records_one_event_per_artefact_or_nothing_at_all():
    ids = [a.id for a in add_artefacts(("BP004", "1"), ("BP005", "1"), ("IF024", "1"))]
    for artefact_id in ids:
        _set_state(artefact_id, "under_review")
    _set_state(ids[2], "drafting")  # drafting -> comments being resolved is not allowed
    with pytest.raises(ServiceError, match="IF024 cannot move from drafting"):
        move_artefacts(ids, "resolving", on=date(2022, 4, 16), note="closed", actor="lead")
    assert count(ArtefactEvent) == 0
    _set_state(ids[2], "under_review")
    report = move_artefacts(
        ids,
        "resolving",
        on=date(2022, 4, 16),
        note="review closed",
        decision_ref="DAG-DEC-29",
        actor="lead@example.org",
    )
    assert report.moved == ["BP004", "BP005", "IF024"]
    events = db.session.scalars(select(ArtefactEvent).order_by(ArtefactEvent.artefact_id)).all()
    assert [(e.artefact_id, e.before, e.after) for e in events] == [
        (i, "under_review", "resolving") for i in ids
    ]
    assert {(e.note, e.decision_ref, e.actor, e.origin) for e in events} == {
        ("review closed", "DAG-DEC-29", "lead@example.org", "browser")
    }
    # Again: nothing to do, each reported unchanged, nothing recorded.
    again = move_artefacts(ids, "resolving", on=None, note="again", actor="lead")
    assert again.moved == [] and len(again.unchanged) == 3 and count(ArtefactEvent) == 3


def test_a_move_can_issue_the_version_it_baselines_and_versions_are_never_issued_twice():
    (artefact,) = add_artefacts(("BP004", "1"))
    _set_state(artefact.id, "ready_for_dag")
    move_artefacts(
        [artefact.id], "baselined", on=date(2022, 7, 1), note="DAG #9", version="v1.0", actor="l"
    )
    artefact = db.session.get(Artefact, artefact.id)
    assert (artefact.state, artefact.version) == ("baselined", "1.0")
    assert [e.label for e in timeline(artefact.id)] == ["State", "Version"]
    with pytest.raises(ServiceError, match="already has a version 1.0"):
        issue_version(artefact.id, "1.0", issued_on=None, change=Change("l"))
    with pytest.raises(ServiceError, match="not a version"):
        issue_version(artefact.id, "one point one", issued_on=None, change=Change("l"))
    issue_version(artefact.id, "1.1", issued_on=date(2022, 9, 1), change=Change("l"))
    labels = db.session.scalars(select(ArtefactVersion.label).order_by(ArtefactVersion.id))
    assert list(labels) == ["1.0", "1.1"] and artefact.version == "1.1"


def test_the_tracker_fields_are_edited_and_each_change_recorded():
    (artefact,) = add_artefacts(("BP004", "1"))
    changed = set_details(
        artefact.id,
        {"action_with": "BPRWG", "expected_dag_month": "2022-06", "responsible": ""},
        change=Change("lead"),
    )
    assert changed == ["action_with", "expected_dag_month"]
    with pytest.raises(ServiceError, match="not a month"):
        set_details(artefact.id, {"expected_dag_month": "June"}, change=Change("lead"))
    assert set_details(artefact.id, {"action_with": "BPRWG"}, change=Change("lead")) == []
    assert [e.label for e in timeline(artefact.id)] == ["Expected DAG month", "Action with"]


def test_a_moved_artefact_keeps_its_comments_and_both_tranches_count_each_comment_once(
    tmp_path,
):
    load_register(tmp_path)
    # Round 1 of tranche 1: BP004 3 comments (1 accepted), IF024 2 comments (1 action).
    rows = [comment(1, "BP004", "Accepted"), comment(2, "BP004"), comment(3, "BP004")]
    rows += [comment(4, "IF024", "Action"), comment(5, "IF024")]
    import_log(tmp_path / "acme.xlsx", rows, ACME, review_round=1)
    import_log(tmp_path / "north.xlsx", [comment(1, "IF031")], NORTH, review_round=1)
    if024 = db.session.scalar(select(Artefact.id).where(Artefact.reference == "IF024"))
    with unit_of_work():
        move_artefacts(
            [if024], None, to_tranche="2", on=date(2022, 5, 4), note="re-issue later", actor="l"
        )
    # Tranche 1 still counts what its round received: 5 comments, IF024 among them.
    status = comment_status("1", scope=STAFF)
    assert [(r.reference, r.total) for r in status.artefacts] == [("BP004", 3), ("IF024", 2)]
    table = tranche_artefacts("1")
    listed = {a.reference: a for group in table.services for a in group.artefacts}
    assert set(listed) == {"BP004", "BP005", "IF024"}
    assert listed["IF024"].moved_to == "2" and listed["IF024"].total == 2
    assert listed["BP004"].moved_to is None
    assert table.totals["total"] == status.totals["total"] == 5
    # Tranche 2 lists IF024 now, with none of tranche 1's comments; IF031's one is there.
    table2 = tranche_artefacts("2")
    listed2 = {a.reference: a for group in table2.services for a in group.artefacts}
    assert set(listed2) == {"IF024", "IF031"}
    assert listed2["IF024"].total == 0 and listed2["IF024"].moved_to is None
    assert table2.totals["total"] == comment_status("2", scope=STAFF).totals["total"] == 1
    # Across the tranches every comment is counted exactly once.
    assert table.totals["total"] + table2.totals["total"] == count(Comment) == 6
    moved = timeline(if024)[0]  # newest first; below it, the register's state and version
    assert (moved.label, moved.before, moved.after) == ("Tranche", "Tranche 1", "Tranche 2")

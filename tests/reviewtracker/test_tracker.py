"""The live Design Artefact Tracker: its rows, the outstanding issues' one function, the
export's round trip through import-artefacts, "implemented in version", the CLI's JSON."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from reviewtracker.extensions import db
from reviewtracker.models import Artefact, ArtefactEvent, AuditEvent, Comment
from reviewtracker.services import ServiceError
from reviewtracker.services.actions import link_action
from reviewtracker.services.artefact_import import import_artefact_register
from reviewtracker.services.dissensus import create_entry
from reviewtracker.services.implementation import (
    implemented_in,
    mark_all_accepted,
    mark_implemented,
    not_implemented_report,
)
from reviewtracker.services.lifecycle import Change, issue_version, move_artefacts
from reviewtracker.services.scope import Scope
from reviewtracker.services.tracker import TrackerFilter, tracker_rows, tracker_xlsx
from reviewtracker.unit_of_work import unit_of_work

from .governance_data import add_action, add_meeting
from .lifecycle_data import ACME, NORTH, comment, import_log, load_register

STAFF = Scope.staff()


def _id(reference: str) -> int:
    return db.session.scalar(select(Artefact.id).where(Artefact.reference == reference))


def _programme(folder) -> None:
    """BP004: accepted, action, open (Acme); rejected, clarification (Northgate).
    BP005: two accepted (Acme). IF024, IF031: none."""
    load_register(folder)
    acme = [comment(1, "BP004", "Accepted"), comment(2, "BP004", "Action"), comment(3, "BP004")]
    acme += [comment(4, "BP005", "Accepted"), comment(5, "BP005", "Accepted")]
    import_log(folder / "acme.xlsx", acme, ACME, review_round=1)
    north = [comment(1, "BP004", "Rejected"), comment(2, "BP004", "Clarification required")]
    import_log(folder / "north.xlsx", north, NORTH, review_round=1)


def test_the_rows_count_comments_outstanding_issues_and_changes_to_do(app_context, tmp_path):
    _programme(tmp_path)
    rows = {r.reference: r for r in tracker_rows(TrackerFilter(), STAFF)}
    assert list(rows) == ["BP004", "BP005", "IF024", "IF031"]  # register order
    bp004 = rows["BP004"]
    assert (bp004.received, bp004["accepted"], bp004["action"], bp004["open"]) == (5, 1, 1, 1)
    # Outstanding: open 1 + action 1 + clarification 1; rejected and accepted are settled.
    assert bp004.outstanding.total == 3
    assert bp004.outstanding.parts == {"comments": 3, "dissensus": 0, "actions": 0}
    assert bp004.accepted_not_implemented == 1 and rows["BP005"].accepted_not_implemented == 2
    assert rows["IF031"].received == 0 and rows["IF031"].outstanding.total == 0
    assert (bp004.state, bp004.version, bp004.action_with) == ("under_review", "0.3", "BPRWG")
    only = tracker_rows(TrackerFilter(tranche="2"), STAFF)
    assert [r.reference for r in only] == ["IF031"]
    drafting = tracker_rows(TrackerFilter(state="drafting"), STAFF)
    assert [r.reference for r in drafting] == ["IF031"]


def test_open_dissensus_entries_and_actions_count_among_outstanding_issues(app_context, tmp_path):
    _programme(tmp_path)
    bp004, if031 = _id("BP004"), _id("IF031")
    with unit_of_work():
        create_entry(title="Agents object to BP004", actor="lead", artefacts=["BP004"])
        closed = create_entry(title="Settled", actor="lead", artefacts=["BP004"])
        closed.status = "closed"
    meeting = add_meeting("DAG013", None)
    internal = add_action("DAG13-01", meeting)
    public = add_action("DAG13-02", meeting, public=True)
    done = add_action("DAG13-03", meeting, status="closed", public=True)
    with unit_of_work():
        for action in (internal, public, done):
            link_action(action, "artefact", bp004, "lead")
        link_action(public, "artefact", if031, "lead")
    rows = {r.reference: r for r in tracker_rows(TrackerFilter(), STAFF)}
    # BP004: 3 unresolved comments, 1 open entry (the closed one is settled), 2 actions to do.
    assert rows["BP004"].outstanding.parts == {"comments": 3, "dissensus": 1, "actions": 2}
    assert rows["BP004"].outstanding.total == 6
    assert rows["IF031"].outstanding.parts == {"comments": 0, "dissensus": 0, "actions": 1}
    # A reviewer counts public actions only, and only entries about their own comments.
    acme = db.session.scalar(select(Comment.organisation_id).limit(1))
    seen = {r.reference: r for r in tracker_rows(TrackerFilter(), Scope.organisation(acme))}
    assert seen["BP004"].outstanding.parts["actions"] == 1
    assert seen["BP004"].outstanding.parts["dissensus"] == 0


def _export(path):
    path.write_bytes(tracker_xlsx(TrackerFilter(), STAFF))
    return path


def test_the_export_re_imports_unchanged_and_an_edit_in_excel_is_a_recorded_move(
    app_context, tmp_path
):
    _programme(tmp_path)
    with unit_of_work():
        move_artefacts([_id("BP004")], "resolving", on=date(2022, 4, 16), note="n", actor="l")
    exported = _export(tmp_path / "tracker.xlsx")
    with unit_of_work():
        report = import_artefact_register(exported)
    assert report.ok and (report.added, report.updated, report.unchanged) == (0, 0, 4)
    events = db.session.scalar(select(func.count()).select_from(ArtefactEvent))

    # The team edits the tracker in Excel: BP005 ready for DAG, IF031 expected in June 2022.
    book = load_workbook(exported)
    sheet = book.active
    header = [cell.value for cell in sheet[3]]
    rows = {row[3].value: row for row in sheet.iter_rows(min_row=4)}
    rows["BP005"][header.index("Status")].value = "Ready for DAG"
    rows["IF031"][header.index("Expected DAG Month")].value = "Jun-22"
    book.save(exported)
    with unit_of_work():
        report = import_artefact_register(exported)
    assert (report.added, report.updated, report.unchanged) == (0, 2, 2)
    bp005 = db.session.get(Artefact, _id("BP005"))
    assert bp005.state == "ready_for_dag"
    assert db.session.get(Artefact, _id("IF031")).expected_dag_month == "2022-06"
    new = db.session.scalars(select(ArtefactEvent).where(ArtefactEvent.id > events)).all()
    assert sorted((e.field, e.before, e.after, e.origin) for e in new) == [
        ("expected_dag_month", None, "2022-06", "import"),
        ("state", "under_review", "ready_for_dag", "import"),
    ]

    # A move the lifecycle does not allow is refused where the file says it; nothing written.
    rows["IF031"][header.index("Status")].value = "Baselined"
    book.save(exported)
    with unit_of_work():
        report = import_artefact_register(exported)
    (problem,) = report.errors
    assert problem.sheet == "Design Artefact Tracker" and problem.column == "Status"
    assert problem.row == rows["IF031"][0].row
    assert "IF031 cannot move from drafting to baselined: allowed from here: under review" in str(
        problem
    )
    assert db.session.get(Artefact, _id("IF031")).state == "drafting"


def test_accepted_changes_are_to_do_until_implemented_in_a_version(app_context, tmp_path):
    _programme(tmp_path)
    bp005 = _id("BP005")
    accepted = db.session.scalars(
        select(Comment.id).where(Comment.artefact_id == bp005).order_by(Comment.id)
    ).all()
    open_one = db.session.scalar(select(Comment.id).where(Comment.disposition == "open"))
    with unit_of_work():
        version = issue_version(bp005, "0.4", issued_on=None, change=Change("lead"))
        version_id = version.id
    with pytest.raises(ServiceError, match="only Accepted comments on this artefact"):
        mark_implemented([accepted[0], open_one], version_id, actor="lead")
    db.session.rollback()
    with unit_of_work():
        assert mark_implemented([accepted[0]], version_id, actor="lead") == 1
    assert implemented_in(accepted, STAFF) == {accepted[0]: "0.4"}
    report = {
        a.reference: [c.comment_id for c in a.comments] for a in not_implemented_report(STAFF)
    }
    assert report == {"BP004": report["BP004"], "BP005": [accepted[1]]}
    assert len(report["BP004"]) == 1
    with unit_of_work():
        assert mark_all_accepted(bp005, version_id, actor="lead") == 1
    assert "BP005" not in {a.reference for a in not_implemented_report(STAFF)}
    audit = db.session.scalars(
        select(AuditEvent.after).where(AuditEvent.field == "implemented_in")
    ).all()
    assert audit == ["0.4", "0.4"]


def test_artefacts_json_lists_each_artefact_in_register_order(app, runner, tmp_path):
    with app.app_context():
        load_register(tmp_path)
        with unit_of_work():
            db.session.get(Artefact, _id("BP004")).expected_dag_month = "2022-06"
    result = runner.invoke(args=["artefacts", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert listed[0] == {
        "reference": "BP004",
        "tranche": "1",
        "service": "Registration Service",
        "state": "under review",
        "version": "0.3",
        "expected_dag_month": "2022-06",
    }
    assert [a["reference"] for a in listed] == ["BP004", "BP005", "IF024", "IF031"]
    assert listed[3]["state"] == "drafting" and listed[3]["expected_dag_month"] is None
    text = runner.invoke(args=["artefacts", "--tranche", "2"]).output
    assert "IF031" in text and "BP004" not in text


def test_the_export_has_the_register_columns_then_the_counts(app_context, tmp_path):
    _programme(tmp_path)
    book = load_workbook(io.BytesIO(tracker_xlsx(TrackerFilter(tranche="1"), STAFF)))
    sheet = book.active
    header = [cell.value for cell in sheet[3]]
    assert header[:10] == [
        "Tranche",
        "MHHS Service",
        "Document Type",
        "Reference",
        "Name / Description",
        "Version",
        "Status",
        "Action With",
        "Expected DAG Month",
        "Responsible",
    ]
    bp004 = [cell.value for cell in sheet[4]]
    assert bp004[3] == "BP004" and bp004[6] == "under review"
    assert bp004[header.index("Comments Received")] == 5
    assert bp004[header.index("Outstanding Issues")] == 3
    assert bp004[header.index("Accepted Not Implemented")] == 1
    assert sheet.max_row == 3 + 3  # tranche 1's three artefacts

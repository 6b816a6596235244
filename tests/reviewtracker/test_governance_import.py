"""`reviewtracker import-actions` / `import-decisions` on logs in the papers' layouts (written by
tests/govmaker.py), and `actions --json` / `decisions --json` in exactly the issue's shapes.
Each file is one transaction; a re-import adds nothing; an item changed in the browser is kept.
The commands run outside any app context; the database is read in contexts of their own."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from reviewtracker.extensions import db
from reviewtracker.models import Action, ActionUpdate, Decision, DecisionArtefact, Meeting
from reviewtracker.services.actions import add_update
from reviewtracker.unit_of_work import unit_of_work
from tests.govmaker import (
    ACTION_HEADERS,
    DECISION_HEADERS,
    PACK_ACTION_HEADERS,
    write_log_csv,
    write_log_xlsx,
)

from .factories import add_artefacts

DUE = date(2022, 8, 10)
HEADLINE = [
    {
        "area": "Actions update",
        "reference": "DAG13-01",
        "action": "Provide an update to DAG10.1-03 in the next meeting",
        "owner": "Programme (Ian Smith)",
        "due": DUE,
    },
    {
        "area": "Raid Review",
        "reference": "DAG13-04",
        "action": "Review and update the dissensus log on the Design Artefact Tracker",
        "owner": "Programme (Claire Silk)",
        "due": DUE,
    },
    {"heading": "Previous meetings"},
    {
        "reference": "DAG12-03",
        "action": "Arrange a joint working group on SEC MP162",
        "owner": "Chair",
        "due": "31/08/22",
    },
]
PAPER_LINES = {
    "Meeting Number": "DAG013",
    "Meeting Date and Time": "28 July 2022 09:30-14:00",
    "Classification": "Public",
}


def _headline(tmp_path, name="DAG013 actions.xlsx", rows=HEADLINE):
    return write_log_xlsx(
        tmp_path / name, rows, headers=ACTION_HEADERS, merge_areas=True, key_values=PAPER_LINES
    )


def _actions(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(
            select(Action.reference, Meeting.reference, Action.area, Action.status, Action.public)
            .join(Meeting, Meeting.id == Action.meeting_id)
            .order_by(Action.sort_key)
        )
        return [tuple(row) for row in rows]


def test_import_actions_then_the_json(app, runner, tmp_path):
    result = runner.invoke(args=["import-actions", str(_headline(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "meetings created: DAG012, DAG013" in result.output
    assert "added 3, updated 0, unchanged 0" in result.output
    assert _actions(app) == [
        ("DAG12-03", "DAG012", "", "open", True),
        ("DAG13-01", "DAG013", "Actions update", "open", True),
        ("DAG13-04", "DAG013", "Raid Review", "open", True),
    ]
    with app.app_context():
        held = dict(db.session.execute(select(Meeting.reference, Meeting.held_on)).all())
    assert held == {"DAG012": None, "DAG013": date(2022, 7, 28)}
    data = json.loads(runner.invoke(args=["actions", "--json"]).output)
    assert data[2] == {
        "ref": "DAG13-04",
        "meeting": "DAG013",
        "area": "Raid Review",
        "action": "Review and update the dissensus log on the Design Artefact Tracker",
        "owner": "Programme (Claire Silk)",
        "due": "2022-08-10",
        "status": "open",
    }
    assert [item["ref"] for item in data] == ["DAG12-03", "DAG13-01", "DAG13-04"]
    assert data[0]["due"] == "2022-08-31"
    # Again: nothing added, nothing changed.
    again = runner.invoke(args=["import-actions", str(_headline(tmp_path))])
    assert "added 0, updated 0, unchanged 3" in again.output
    assert len(_actions(app)) == 3


def test_a_later_paper_moves_statuses_and_adds_updates_once(app, runner, tmp_path):
    runner.invoke(args=["import-actions", str(_headline(tmp_path))])
    later = [
        {
            "reference": "DAG13-04",
            "raised_on": date(2022, 7, 28),
            "action": "Review and update the dissensus log on the Design Artefact Tracker",
            "owner": "Programme (Claire Silk)",
            "due": DUE,
            "status": "RECOMMEND CLOSED - Dissensus log reviewed with R184 updates.",
        },
        {
            "reference": "DAG12-03",
            "raised_on": date(2022, 7, 13),
            "action": "Arrange a joint working group on SEC MP162",
            "owner": "Chair",
            "due": date(2022, 8, 31),
            "status": "ONGOING - Awaiting Ofgem's decision on MP162",
        },
    ]
    path = write_log_xlsx(
        tmp_path / "DAG014 pack.xlsx",
        later,
        headers=PACK_ACTION_HEADERS,
        dates="short",
        key_values={"Meeting Number": "DAG014", "Meeting Date": "10/08/2022"},
    )
    result = runner.invoke(args=["import-actions", str(path)])
    assert result.exit_code == 0, result.output
    assert "added 0, updated 2, unchanged 0; 2 dated update(s)" in result.output
    statuses = {ref: status for ref, _m, _a, status, _p in _actions(app)}
    assert statuses == {"DAG12-03": "ongoing", "DAG13-01": "open", "DAG13-04": "recommend_closed"}
    with app.app_context():
        updates = db.session.execute(
            select(
                Action.reference,
                ActionUpdate.dated,
                ActionUpdate.from_status,
                ActionUpdate.to_status,
                ActionUpdate.text,
            )
            .join(Action, Action.id == ActionUpdate.action_id)
            .order_by(Action.sort_key)
        ).all()
    assert [tuple(u) for u in updates] == [
        ("DAG12-03", date(2022, 8, 10), "open", "ongoing", "Awaiting Ofgem's decision on MP162"),
        (
            "DAG13-04",
            date(2022, 8, 10),
            "open",
            "recommend_closed",
            "Dissensus log reviewed with R184 updates.",
        ),
    ]
    again = runner.invoke(args=["import-actions", str(path)])
    assert "added 0, updated 0, unchanged 2" in again.output


def test_an_action_changed_in_the_browser_is_kept(app, runner, tmp_path):
    runner.invoke(args=["import-actions", str(_headline(tmp_path))])
    with app.app_context():
        action_id = db.session.scalar(select(Action.id).where(Action.reference == "DAG13-04"))
        with unit_of_work():
            add_update(action_id, "Closed at DAG014", "lead@x.org", dated=DUE, to_status="closed")
    rows = [dict(HEADLINE[1], owner="Someone else", status="Ongoing")]
    path = write_log_xlsx(
        tmp_path / "old.xlsx", rows, headers={**ACTION_HEADERS, "status": "Status"}
    )
    result = runner.invoke(args=["import-actions", str(path)])
    assert result.exit_code == 0, result.output
    assert (
        "kept: row 4: DAG13-04 was last changed in the browser; kept, the file's owner, status "
        "not imported" in " ".join(result.output.split())
    )
    with app.app_context():
        action = db.session.get(Action, action_id)
        assert (action.status, action.owner) == ("closed", "Programme (Claire Silk)")


def test_one_transaction_per_file_and_every_problem_located(app, runner, tmp_path):
    good = _headline(tmp_path, "good.xlsx")
    bad_rows = [
        {"area": "A", "reference": "DAG15-01", "action": "Fine", "due": DUE},
        {"area": "A", "reference": "DAG15-02", "action": "Bad due date", "due": "32/13/2022"},
    ]
    bad = write_log_csv(tmp_path / "bad.csv", bad_rows, headers=ACTION_HEADERS)
    result = runner.invoke(args=["import-actions", str(bad), str(good)])
    assert result.exit_code == 1
    assert (
        "bad.csv, row 3, column 'Due Date' (E): not a date (write dd/mm/yyyy): '32/13/2022'"
        in result.output
    )
    assert "1 of 2 file(s) refused" in result.output
    references = [ref for ref, *_ in _actions(app)]
    assert references == ["DAG12-03", "DAG13-01", "DAG13-04"]  # good.xlsx only, none of bad


def test_dry_run_meeting_option_and_visibility(app, runner, tmp_path):
    rows = [{"area": "Other", "reference": "DES-03-05", "action": "Discuss PRI-20", "due": DUE}]
    path = write_log_csv(tmp_path / "des.csv", rows, headers=ACTION_HEADERS)
    dry = runner.invoke(args=["import-actions", "--dry-run", "--meeting", "DAG008", str(path)])
    assert "meetings would create: DAG008" in dry.output
    assert "would add 1" in dry.output and "(dry run: nothing written)" in dry.output
    assert _actions(app) == []
    runner.invoke(args=["import-actions", "--meeting", "DAG 8", "--internal", str(path)])
    assert _actions(app) == [("DES-03-05", "DAG008", "Other", "open", False)]
    runner.invoke(args=["import-actions", "--public", str(path)])
    assert _actions(app) == [("DES-03-05", "DES003", "Other", "open", True)]
    refused = runner.invoke(args=["import-actions", "--meeting", "the next one", str(path)])
    assert refused.exit_code == 1
    assert "is not a meeting reference" in refused.output


def test_import_decisions_and_the_json(app, runner, tmp_path):
    with app.app_context():
        add_artefacts(("BP004", "1"), ("IF005", "1"))
    text = (
        "DAG agreed that:\n"
        "1. The charging methodology does not work for suppliers.\n"
        "2. A joint working group would not be held until further development."
    )
    rows = [
        {"area": "Level Playing Field Principle", "reference": "DAG-DEC-29", "decision": text},
        {
            "area": "BP004 and IF005",
            "reference": "DAG-DEC30",
            "decision": "The DAG approved BP004 and IF005.",
            "artefacts": "MHHSP-BP004, IF-005",
        },
    ]
    headers = {**DECISION_HEADERS, "artefacts": "Artefacts"}
    path = write_log_xlsx(
        tmp_path / "decisions.xlsx",
        rows,
        headers=headers,
        sheet="Decisions",
        key_values={"Meeting Number": "DAG013"},
    )
    result = runner.invoke(args=["import-decisions", str(path)])
    assert result.exit_code == 0, result.output
    assert "added 2, updated 0, unchanged 0" in result.output
    data = json.loads(runner.invoke(args=["decisions", "--json"]).output)
    assert data == [
        {
            "ref": "DAG-DEC-29",
            "meeting": "DAG013",
            "area": "Level Playing Field Principle",
            "decision": text,
        },
        {
            "ref": "DAG-DEC-30",
            "meeting": "DAG013",
            "area": "BP004 and IF005",
            "decision": "The DAG approved BP004 and IF005.",
        },
    ]
    with app.app_context():
        linked = db.session.scalar(select(db.func.count()).select_from(DecisionArtefact))
    assert linked == 2
    again = runner.invoke(args=["import-decisions", str(path)])
    assert "added 0, updated 0, unchanged 2" in again.output


def test_a_decision_without_a_meeting_or_with_an_unknown_artefact_is_refused(app, runner, tmp_path):
    rows = [
        {"area": "A", "reference": "DAG-DEC-01", "decision": "Agreed"},
        {"area": "A", "reference": "DAG-DEC-02", "decision": "Approved", "artefacts": "BP999"},
    ]
    headers = {**DECISION_HEADERS, "artefacts": "Artefacts"}
    path = write_log_xlsx(tmp_path / "d.xlsx", rows, headers=headers, sheet="Decisions")
    result = runner.invoke(args=["import-decisions", str(path)])
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "d.xlsx, sheet 'Decisions', row 4, column 'Dec Ref': no meeting for this row" in output
    assert (
        "d.xlsx, sheet 'Decisions', row 5, column 'Artefacts': not in the artefact register "
        "(import it first with import-artefacts): 'BP999'" in output
    )
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Decision)) == 0
        assert db.session.scalar(select(db.func.count()).select_from(Meeting)) == 0
    fixed = runner.invoke(args=["import-decisions", "--meeting", "DAG001", str(path)])
    assert fixed.exit_code == 1  # the unknown artefact still refuses the file

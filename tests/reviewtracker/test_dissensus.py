"""The dissensus log: entries opened from a disagreement (pre-filled) or by hand, positions of
the 13 constituencies at a meeting and their tally, outcomes (a decision by email needs its
post-meeting update; closing needs an outcome), history, filters, the xlsx in the log's shape,
the board pack's sheet, open entries counted per artefact, and what reviewers see."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from reviewtracker.extensions import db
from reviewtracker.models import Artefact, Constituency
from reviewtracker.services import ServiceError
from reviewtracker.services.answers import answer_comment
from reviewtracker.services.board_pack import board_pack
from reviewtracker.services.bulk_triage import bulk_triage
from reviewtracker.services.dissensus import (
    EntryFilter,
    create_entry,
    entries,
    entry_for,
    history,
    meetings,
    open_dissensus_counts,
    open_from_comment,
    record_positions,
    update_entry,
)
from reviewtracker.services.dissensus_export import dissensus_log_xlsx
from reviewtracker.services.publishing import publish
from reviewtracker.services.scope import Scope
from reviewtracker.services.triage import triage_comment
from reviewtracker.unit_of_work import unit_of_work
from tests.conftest import add_user

from .factories import sign_in_as
from .resolution_data import Team, make_team

STAFF = Scope.staff()
REASON = "The exception path must have a named owner"
NOTE = "Internal: DNO reps will not move on this"
MEETING = date(2024, 4, 11)
# Six reject, four approve, two abstained, one not in attendance: as the DAG minutes tell it.
VOTES = ["reject"] * 6 + ["approve"] * 4 + ["abstain"] * 2 + ["not_in_attendance"]


@pytest.fixture
def team(app) -> Team:
    with app.app_context():
        t = make_team()
        with unit_of_work():
            ids = [t.own[0], t.other[0]]
            for comment_id in ids:
                triage_comment(
                    comment_id, {"disposition": "rejected", "response": "Out of scope."}, actor="t"
                )
            bulk_triage(ids, None, {"response_state": "approved"}, "lead", may_approve=True)
            publish(ids, None, "lead")
            answer_comment(
                t.own[0],
                Scope.organisation(t.own_org_id),
                "disagree",
                reason=REASON,
                actor="r@acme",
            )
        return t


def _constituency_ids() -> list[int]:
    return list(db.session.scalars(select(Constituency.id).order_by(Constituency.position)))


def test_an_entry_from_a_disagreement_positions_tally_outcome_and_history(app, team):
    with app.app_context():
        with unit_of_work():
            entry = open_from_comment(team.own[0], "triager@programme.example")
            update_entry(entry.id, {"internal_note": NOTE}, actor="triager@programme.example")
        assert entry.reference == "D-001"
        assert REASON in entry.issue and entry.programme_position == "Out of scope."
        assert entry.raised_by_organisation.name == "Acme Energy"
        constituencies = _constituency_ids()
        assert len(constituencies) == 13
        with unit_of_work():
            changed = record_positions(
                entry.id, MEETING, dict(zip(constituencies, VOTES, strict=True)), actor="sec"
            )
        assert changed == 13
        (meeting,) = meetings(entry.id)
        assert meeting.tally == {"approve": 4, "reject": 6, "abstain": 2, "not_in_attendance": 1}
        assert meeting.tally_text() == "Approve 4, Reject 6, Abstain 2, Not in attendance 1"
        with pytest.raises(ServiceError, match="closes with an outcome"):
            update_entry(entry.id, {"status": "closed"}, actor="sec")
        with pytest.raises(ServiceError, match="post-meeting update"):
            update_entry(entry.id, {"outcome": "decided_by_email"}, actor="sec")
        db.session.rollback()
        with unit_of_work():
            update_entry(
                entry.id,
                {
                    "outcome": "decided_by_email",
                    "post_meeting_update": "POST MEETING UPDATE: approved by email on 18 April.",
                    "decided_on": date(2024, 4, 18),
                    "status": "closed",
                },
                actor="sec",
            )
        fields = [event.field for event in history(entry.id, STAFF)]
        assert fields[:2] == ["created", "internal_note"]
        assert fields.count("position") == 13
        assert set(fields[-4:]) == {"outcome", "post_meeting_update", "decided_on", "status"}
        # The reviewer reads the outcome, never the internal note.
        acme = Scope.organisation(team.own_org_id)
        assert entry_for(entry.id, acme).internal_note is None
        assert "internal_note" not in {event.field for event in history(entry.id, acme)}
        assert entry_for(entry.id, Scope.organisation(team.other_org_id)) is None
        assert history(entry.id, Scope.organisation(team.other_org_id)) == []


def test_by_hand_filters_open_counts_and_the_exports(app, team):
    with app.app_context():
        with unit_of_work():
            open_from_comment(team.own[0], "t")
            second = create_entry(
                title="Settlement timetable for late reads",
                actor="t",
                artefacts=["BP-004", "MHHSP-BP005"],
                constituency_id=_constituency_ids()[2],
                internal_note=NOTE,
            )
            with pytest.raises(ServiceError, match="no artefact 'XX999'"):
                create_entry(title="x", actor="t", artefacts=["XX999"])
        assert second.reference == "D-002"
        bp004, bp005 = db.session.scalars(select(Artefact.id).order_by(Artefact.reference))
        assert open_dissensus_counts([bp004, bp005, 999]) == {bp004: 2, bp005: 1}
        with unit_of_work():
            update_entry(second.id, {"outcome": "withdrawn", "status": "closed"}, actor="t")
        assert open_dissensus_counts([bp004, bp005]) == {bp004: 1}
        refs = lambda f: [row.entry.reference for row in entries(f, STAFF)]  # noqa: E731
        assert refs(EntryFilter(status="open")) == ["D-001"]
        assert refs(EntryFilter(artefact="BP005")) == ["D-002"]
        assert refs(EntryFilter(constituency_id=_constituency_ids()[2])) == ["D-002"]
        assert refs(
            EntryFilter.from_args({"status": "²", "artefact": "", "constituency": "١"})
        ) == [
            "D-001",
            "D-002",
        ]
        # Acme's reviewer: only the entry on its comment.
        assert [
            r.entry.reference for r in entries(EntryFilter(), Scope.organisation(team.own_org_id))
        ] == ["D-001"]

        sheet = load_workbook(io.BytesIO(dissensus_log_xlsx(EntryFilter(), STAFF))).active
        header = [c.value for c in sheet[3]]
        assert header[:3] == ["Ref", "Title", "Design Artefacts"] and "Internal Note" not in header
        rows = [
            dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=4, values_only=True)
        ]
        assert [(r["Ref"], r["Status"], r["Outcome"]) for r in rows] == [
            ("D-001", "Open", None),
            ("D-002", "Closed", "Withdrawn"),
        ]
        assert rows[1]["Design Artefacts"] == "BP004, BP005"
        pack = load_workbook(io.BytesIO(board_pack("1")))["Dissensus log"]
        assert [pack.cell(row, 1).value for row in (4, 5)] == ["D-001", "D-002"]


def _login(client, user_id: int) -> None:
    sign_in_as(client, user_id)


def test_pages_open_record_close_and_reviewers_confined(app, client, team):
    with app.app_context():
        acme = add_user("reviewer", "r@acme.example", team.own_org_id).id
        beta = add_user("reviewer", "r@beta.example", team.other_org_id).id
        constituencies = _constituency_ids()
    _login(client, team.triager_id)
    page = client.get(f"/comments/{team.own[0]}").get_data(as_text=True)
    assert "Open a dissensus entry" in page and REASON in page
    opened = client.post(f"/dissensus/from-comment/{team.own[0]}")
    entry_url = opened.headers["Location"]
    entry_id = int(entry_url.rsplit("/", 1)[1])
    client.post(
        entry_url, data={"title": "Exception path owner", "internal_note": NOTE, "version": "1"}
    )
    positions = {f"c-{cid}": vote for cid, vote in zip(constituencies, VOTES, strict=True)}
    client.post(f"{entry_url}/positions", data={"meeting_on": MEETING.isoformat(), **positions})
    page = client.get(entry_url).get_data(as_text=True)
    assert "Tally: Approve 4, Reject 6, Abstain 2, Not in attendance 1" in page
    client.post(
        f"{entry_url}/outcome",
        data={
            "outcome": "chair_decision",
            "status": "closed",
            "outcome_note": "The chair kept the position.",
            "version": "3",
        },
    )
    assert "Decided by the chair" in client.get(entry_url).get_data(as_text=True)
    assert "D-001" in client.get("/artefacts/BP004").get_data(as_text=True)
    # Hostile values: a message, never a 500.
    for data in (
        {"meeting_on": "²"},
        {"meeting_on": "2024-04-11", "c-²": "approve"},
        {"meeting_on": "2024-04-11", f"c-{constituencies[0]}": "maybe"},
    ):
        assert client.post(f"{entry_url}/positions", data=data).status_code == 302
    for url in (
        "/dissensus/?status=%E2%80%8B&artefact=%C2%B2&constituency=-1",
        "/dissensus/log.xlsx?constituency=99999999999999999999",
    ):
        assert client.get(url).status_code == 200
    assert client.post("/dissensus/from-comment/999999").status_code == 404

    _login(client, acme)
    page = client.get(entry_url).get_data(as_text=True)
    assert (
        "Decided by the chair" in page
        and NOTE not in page
        and "triager@programme.example" not in page
    )
    assert client.get("/dissensus/").get_data(as_text=True).count("data-entry=") == 1
    assert client.get("/dissensus/log.xlsx").status_code == 403
    assert client.post(f"{entry_url}/outcome", data={"status": "open"}).status_code == 403
    _login(client, beta)
    assert client.get(entry_url).status_code == 404
    assert client.get(f"/dissensus/{entry_id + 1}").status_code == 404
    listing = client.get("/dissensus/").get_data(as_text=True)
    assert "data-entry=" not in listing and REASON not in listing

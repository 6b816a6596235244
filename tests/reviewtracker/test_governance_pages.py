"""The governance pages under each role: leads edit, viewers and triagers read, reviewers see
only the items marked public (by any URL: guessed references are 404s); the comment page's
"Raise an action"; the board pack's Actions and Decisions sheets; the printable pack; and
hostile values in every parameter, which never give a 5xx.

Set-up and database checks run in `with app.app_context():` blocks of their own, closed before
each request; `world` keeps ids and references, not ORM objects."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from reviewtracker.extensions import db
from reviewtracker.models import Action, ActionLink, ActionUpdate, Decision, Meeting
from reviewtracker.services.actions import link_action
from reviewtracker.services.dissensus import create_entry
from reviewtracker.unit_of_work import unit_of_work

from .factories import add_artefacts
from .governance_data import add_action, add_comment, add_decision, add_meeting, add_organisation


@pytest.fixture
def world(app) -> dict:
    """DAG012 (a month ago) and DAG013 (in a week); public and internal actions and decisions;
    an artefact; Acme's comment in Action linked to the public action, Beta's to the internal."""
    with app.app_context():
        (artefact,) = add_artefacts(("BP004", "1"))
        acme = add_organisation("Acme Energy")
        beta = add_organisation("Beta Power")
        dag12 = add_meeting("DAG012", date.today() - timedelta(days=30))
        dag13 = add_meeting("DAG013", date.today() + timedelta(days=7))
        add_action(
            "DAG12-03",
            dag12,
            status="ongoing",
            public=True,
            due=date.today() - timedelta(days=30),
            area="LPF",
        )
        public = add_action("DAG13-01", dag13, area="Actions update", public=True)
        internal = add_action("DAG13-02", dag13, area="Raid Review", public=False)
        add_decision("DAG-DEC-28", dag12, public=True)
        add_decision("DAG-DEC-29", dag13, public=True, area="Level Playing Field Principle")
        add_decision("DAG-DEC-30", dag13, public=False, area="Internal matter")
        own = add_comment(artefact.id, acme, owner="Claire Silk", due=date.today())
        other = add_comment(artefact.id, beta)
        accepted = add_comment(artefact.id, acme, disposition="accepted")
        with unit_of_work():
            link_action(public, "comment", own, "lead@x.org")
            link_action(internal, "comment", own, "lead@x.org")
            link_action(public, "comment", other, "lead@x.org")
        return {
            "acme": acme,
            "artefact": artefact.id,
            "own": own,
            "other": other,
            "accepted": accepted,
        }


def _text(response) -> str:
    return response.get_data(as_text=True)


READ_PAGES = (
    "/meetings/",
    "/meetings/DAG013",
    "/meetings/DAG013/print",
    "/actions/",
    "/actions/DAG13-02",
    "/decisions/",
    "/decisions/DAG-DEC-30",
)


@pytest.mark.parametrize("role", ["viewer", "triager"])
def test_viewers_and_triagers_read_everything_and_change_nothing(world, client, login, role):
    login(role)
    for url in READ_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Raise an action" not in _text(response), url
    assert "DAG13-02" in _text(client.get("/actions/"))  # internal ones too
    for url, data in (
        ("/meetings/", {"reference": "DAG014"}),
        ("/meetings/DAG013", {"title": "x"}),
        ("/actions/DAG13-01/update", {"text": "x", "dated": "2022-08-10", "version": "1"}),
        ("/actions/DAG13-01/links", {"kind": "artefact", "target": "BP004"}),
        ("/actions/DAG13-01/links/delete", {"link_id": "1"}),
        ("/actions/DAG13-01/edit", {"text": "x"}),
        ("/actions/new", {"meeting": "DAG013", "text": "x"}),
        ("/decisions/new", {"meeting": "DAG013", "text": "x"}),
        ("/decisions/DAG-DEC-29/edit", {"text": "x"}),
        (f"/actions/from-comment/{world['own']}", {}),
    ):
        assert client.post(url, data=data).status_code == 403, url
    for url in ("/actions/new", "/decisions/new", "/actions/DAG13-01/edit"):
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_sign_in(world, client):
    for url in READ_PAGES:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_a_lead_raises_updates_links_and_edits_an_action(app, world, client, login):
    login("lead", email="lead@example.org")
    response = client.post(
        "/actions/new",
        data={
            "meeting": "DAG013",
            "area": "Raid Review",
            "text": "Review and update the dissensus log",
            "owner": "Programme (Claire Silk)",
            "due": "2022-08-10",
            "public": "y",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/actions/DAG13-03")
    page = _text(client.get("/actions/DAG13-03"))
    assert "Review and update the dissensus log" in page and "Overdue" in page
    # An update that moves the status; then one the rules refuse.
    moved = client.post(
        "/actions/DAG13-03/update",
        data={
            "text": "Log reviewed",
            "to_status": "recommend_closed",
            "dated": "2022-08-10",
            "version": "1",
        },
    )
    assert moved.status_code == 302
    refused = client.post(
        "/actions/DAG13-03/update",
        data={"text": "", "to_status": "open", "dated": "2022-08-11", "version": "2"},
    )
    assert refused.status_code == 409
    assert "can&#39;t move to open" in _text(refused)
    stale = client.post(
        "/actions/DAG13-03/update",
        data={"text": "Late", "dated": "2022-08-11", "version": "1"},
    )
    assert stale.status_code == 409 and "changed by someone else" in _text(stale)
    assert (
        client.post(
            "/actions/DAG13-03/links", data={"kind": "artefact", "target": "MHHSP-BP004"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            "/actions/DAG13-03/links", data={"kind": "comment", "target": f"#{world['own']}"}
        ).status_code
        == 302
    )
    missing = client.post("/actions/DAG13-03/links", data={"kind": "artefact", "target": "BP999"})
    assert missing.status_code == 400 and "no artefact" in _text(missing)
    with app.app_context(), unit_of_work():
        create_entry(title="Agents object to step 4", actor="lead@example.org")
    entry = client.post("/actions/DAG13-03/links", data={"kind": "dissensus", "target": "d-1"})
    assert entry.status_code == 302
    page = _text(client.get("/actions/DAG13-03"))
    assert "D-001 Agents object to step 4" in page and "/dissensus/" in page
    no_entry = client.post("/actions/DAG13-03/links", data={"kind": "dissensus", "target": "D-7"})
    assert no_entry.status_code == 400 and "no dissensus entry" in _text(no_entry)
    edited = client.post(
        "/actions/DAG13-03/edit",
        data={
            "area": "Raid Review",
            "text": "Review and update the dissensus log",
            "owner": "Chair",
            "due": "2022-08-31",
            "version": "2",
        },
    )
    assert edited.status_code == 302, _text(edited)
    with app.app_context():
        action = db.session.scalar(select(Action).where(Action.reference == "DAG13-03"))
        assert (action.status, action.owner, action.due, action.public) == (
            "recommend_closed",
            "Chair",
            date(2022, 8, 31),
            False,  # the edit form left "public" unticked
        )
        texts = db.session.scalars(
            select(ActionUpdate.text)
            .where(ActionUpdate.action_id == action.id)
            .order_by(ActionUpdate.id)
        ).all()
        assert texts == [
            "Log reviewed",
            "Owner: Programme (Claire Silk) -> Chair\nDue date: 10/08/2022 -> 31/08/2022\n"
            "Public: yes -> no",
        ]
        links = db.session.scalars(
            select(ActionLink.id).where(ActionLink.action_id == action.id)
        ).all()
    assert len(links) == 3
    removed = client.post("/actions/DAG13-03/links/delete", data={"link_id": str(links[0])})
    assert removed.status_code == 302
    assert client.post("/actions/DAG13-03/links/delete", data={"link_id": "²"}).status_code == 400


def test_a_lead_adds_meetings_and_records_decisions(app, world, client, login):
    login("lead")
    bad = client.post("/meetings/", data={"reference": "next week"})
    assert bad.status_code == 400 and "like DAG013" in _text(bad)
    added = client.post(
        "/meetings/", data={"reference": "dag 14", "held_on": "2022-08-24", "title": "DAG #14"}
    )
    assert added.status_code == 302 and added.headers["Location"].endswith("/meetings/DAG014")
    again = client.post("/meetings/", data={"reference": "DAG014"})
    assert again.status_code == 400 and "already exists" in _text(again)
    assert (
        client.post(
            "/meetings/DAG014", data={"held_on": "2022-08-25", "title": "Moved"}
        ).status_code
        == 302
    )
    text = "DAG agreed that:\r\n1. The baseline stands.\r\n2. CR032 goes to IA."
    recorded = client.post(
        "/decisions/new",
        data={"meeting": "DAG014", "area": "CR032", "text": text, "artefacts": "BP004"},
    )
    assert recorded.status_code == 302
    assert recorded.headers["Location"].endswith("/decisions/DAG-DEC-31")
    page = _text(client.get("/decisions/DAG-DEC-31"))
    assert "1. The baseline stands.\n2. CR032 goes to IA." in page
    edit_page = _text(client.get("/decisions/DAG-DEC-31/edit"))
    assert "Artefact lifecycle move" in edit_page and "baselined" in edit_page
    edited = client.post(
        "/decisions/DAG-DEC-31/edit",
        data={"area": "CR032", "text": "Amended", "artefacts": "", "public": "y", "version": "1"},
    )
    assert edited.status_code == 302
    with app.app_context():
        decision = db.session.scalar(select(Decision).where(Decision.reference == "DAG-DEC-31"))
        meeting = db.session.get(Meeting, decision.meeting_id)
        assert (decision.text, decision.public, meeting.held_on, meeting.title) == (
            "Amended",
            True,
            date(2022, 8, 25),
            "Moved",
        )
    unknown = client.post(
        "/decisions/new", data={"meeting": "DAG014", "text": "X", "artefacts": "BP999"}
    )
    assert unknown.status_code == 400 and "not in the artefact register: BP999" in _text(unknown)


# --- reviewers ---------------------------------------------------------------------------------


def test_reviewers_see_only_public_items_by_any_url(world, client, login):
    login("reviewer", organisation=world["acme"])
    actions = _text(client.get("/actions/"))
    assert "DAG13-01" in actions and "DAG12-03" in actions
    assert "DAG13-02" not in actions
    assert client.get("/actions/DAG13-01").status_code == 200
    for guessed in (
        "/actions/DAG13-02",
        "/actions/dag13-02",
        "/actions/DAG13-99",
        "/decisions/DAG-DEC-30",
        "/decisions/DAG-DEC30",
        "/decisions/DAG-DEC-99",
    ):
        assert client.get(guessed).status_code == 404, guessed
    decisions = _text(client.get("/decisions/"))
    assert "DAG-DEC-29" in decisions and "DAG-DEC-30" not in decisions
    for url in ("/meetings/DAG013", "/meetings/DAG013/print"):
        page = _text(client.get(url))
        assert "DAG13-01" in page and "DAG-DEC-29" in page, url
        assert "DAG13-02" not in page and "DAG-DEC-30" not in page and "Internal matter" not in page
    meetings = _text(client.get("/meetings/"))
    assert re.search(
        r"DAG013</a></td>\s*<td[^>]*>[^<]*</td>\s*<td>[^<]*</td>\s*"
        r'<td class="num">1</td>',
        meetings,
    )  # one public action of two
    # Their own comment shows the public action only; the internal one never.
    comment = _text(client.get(f"/comments/{world['own']}"))
    assert "DAG13-01" in comment and "DAG13-02" not in comment
    assert "Raise an action" not in comment
    # The action's links: their own comment, never Beta's.
    action = _text(client.get("/actions/DAG13-01"))
    assert f"Comment #{world['own']}" in action and f"Comment #{world['other']}" not in action
    assert "lead@x.org" not in action
    for url in (
        "/actions/new",
        "/decisions/new",
        "/actions/DAG13-01/edit",
        "/exports/board-pack.xlsx?tranche=1&meeting=DAG013",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/actions/from-comment/{world['own']}").status_code == 403


# --- the comment page ------------------------------------------------------------------------


def test_a_lead_raises_an_action_from_a_comment_in_one_click(app, world, client, login):
    login("lead", email="lead@example.org")
    page = _text(client.get(f"/comments/{world['own']}"))
    assert "data-raise-action" in page
    assert "data-raise-action" not in _text(client.get(f"/comments/{world['accepted']}"))
    response = client.post(f"/actions/from-comment/{world['own']}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/comments/{world['own']}")
    page = _text(client.get(f"/comments/{world['own']}"))
    assert "Action DAG13-03 raised from comment" in page
    assert 'href="/actions/DAG13-03"' in page
    with app.app_context():
        action = db.session.scalar(select(Action).where(Action.reference == "DAG13-03"))
        assert (action.owner, action.due, action.raised_by) == (
            "Claire Silk",
            date.today(),
            "lead@example.org",
        )
    refused = client.post(f"/actions/from-comment/{world['accepted']}")
    assert refused.status_code == 302
    assert "only a comment whose disposition is Action" in _text(
        client.get(f"/comments/{world['accepted']}")
    )
    for hostile in ("999999", "0", "²", "١", "-1", "9" * 40):
        assert client.post(f"/actions/from-comment/{hostile}").status_code == 404, hostile


# --- the packs -------------------------------------------------------------------------------


def test_the_board_pack_gains_the_meetings_actions_and_decisions(world, client, login):
    login("viewer")
    response = client.get("/exports/board-pack.xlsx?tranche=1&meeting=DAG013")
    assert response.status_code == 200
    assert "dag013" in response.headers["Content-Disposition"].lower()
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[-5:-2] == ["Actions", "Decisions", "Dissensus log"]
    actions = list(book["Actions"].iter_rows(values_only=True))
    assert actions[1][:2] == ("Meeting Number", "DAG013")
    assert actions[4] == ("Area", "Action Ref", "Action", "Owner", "Due Date", "Status", "Update")
    assert [row[:2] for row in actions[5:]] == [
        ("Actions update", "DAG13-01"),
        ("Raid Review", "DAG13-02"),
        ("Previous meetings", None),
        (None, "DAG12-03"),
    ]
    decisions = list(book["Decisions"].iter_rows(values_only=True))
    assert [row[:2] for row in decisions[5:]] == [
        ("Level Playing Field Principle", "DAG-DEC-29"),
        ("Internal matter", "DAG-DEC-30"),
    ]
    assert client.get("/exports/board-pack.xlsx?tranche=1&meeting=DAG099").status_code == 404
    assert client.get("/exports/board-pack.xlsx?tranche=1&meeting=next%20week").status_code == 404
    # A control character is refused with a message (inputs.py), never a server error.
    refused = client.get("/exports/board-pack.xlsx?tranche=1&meeting=%00")
    assert refused.status_code == 400 and b"control characters" in refused.data


def test_the_printable_pack(world, client, login):
    login("viewer")
    page = _text(client.get("/meetings/DAG013/print"))
    assert '<link rel="stylesheet" href="/static/print.css">' in page
    assert 'class="topbar"' not in page  # no navigation on paper
    assert "<h1>DAG013</h1>" in page
    assert page.index("DAG13-01") < page.index("Previous meetings") < page.index("DAG12-03")
    assert "Overdue" in page  # DAG12-03 is ongoing and a month past due
    response = client.get("/static/print.css")  # served locally: no CDN, no PDF library
    css = _text(response)
    response.close()
    assert response.status_code == 200
    assert "@page" in css and "@media print" in css


# --- hostile values ------------------------------------------------------------------------------

HOSTILE = ("²", "١٢", "-1", "0", "9" * 30, "\x00", "a\r\nb", "' OR 1=1 --", "x" * 10_000, "")


@pytest.mark.parametrize("role", ["viewer", "lead", "reviewer"])
def test_hostile_values_never_give_a_server_error(world, client, login, role):
    login(role, organisation=world["acme"] if role == "reviewer" else None)
    for value in HOSTILE:
        for url in (
            "/meetings/{v}",
            "/meetings/{v}/print",
            "/actions/{v}",
            "/actions/{v}/edit",
            "/decisions/{v}",
            "/decisions/{v}/edit",
        ):
            if not value:
                continue
            response = client.get(url.format(v=value))
            assert response.status_code < 500, (url, value)
        for name in ("status", "meeting", "overdue", "owner"):
            response = client.get("/actions/", query_string={name: value})
            # A bad filter is ignored; a control character is refused with a message (400).
            assert response.status_code in (200, 400), (name, value)
        for url in ("/actions/new", "/decisions/new"):
            answer = client.get(url, query_string={"meeting": value}).status_code
            assert answer in (200, 400, 403), (url, value)
    if role != "lead":
        return
    for value in HOSTILE:
        for url, data in (
            ("/actions/new", {"meeting": value, "text": value, "due": value}),
            (
                "/actions/DAG13-01/update",
                {"text": value, "to_status": value, "dated": value, "version": value},
            ),
            ("/actions/DAG13-01/links", {"kind": value, "target": value}),
            ("/actions/DAG13-01/links", {"kind": "comment", "target": value}),
            ("/actions/DAG13-01/edit", {"text": value, "due": value, "version": value}),
            ("/meetings/", {"reference": value, "held_on": value, "title": value}),
            ("/meetings/DAG013", {"held_on": value, "title": value}),
            (
                "/decisions/new",
                {"meeting": value, "reference": value, "text": value, "artefacts": value},
            ),
            ("/decisions/DAG-DEC-29/edit", {"text": value, "artefacts": value, "version": value}),
        ):
            response = client.post(url, data=data)
            assert response.status_code < 500, (url, value)

"""The lifecycle pages: the tracker, an artefact's moves, versions and fields, the accepted
changes to implement; who may do what; hostile values never a 500."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from reviewtracker.extensions import db
from reviewtracker.inputs import has_control_characters
from reviewtracker.models import Artefact, ArtefactEvent, Comment, Organisation

from .lifecycle_data import ACME, comment, import_log, load_register

HOSTILE = ["²", "١", "-1", "99999999999999999999", "\x00", "a\r\nb", "x" * 10_000, "", '"*']


@pytest.fixture
def programme(app, tmp_path):
    with app.app_context():
        load_register(tmp_path)
        rows = [comment(1, "BP004", "Accepted"), comment(2, "BP004"), comment(3, "BP005")]
        import_log(tmp_path / "acme.xlsx", rows, ACME, review_round=1)


def _state(app, reference: str) -> str | None:
    with app.app_context():
        return db.session.scalar(select(Artefact.state).where(Artefact.reference == reference))


def _move(client, reference: str, **fields):
    data = {"to_state": "", "to_tranche": "", "on": "2022-04-16", "note": "n"} | fields
    return client.post(f"/artefacts/{reference}/move", data=data, follow_redirects=True)


def test_a_lead_moves_an_artefact_and_the_timeline_and_tracker_show_it(
    app, programme, client, login
):
    login("lead")
    page = client.get("/artefacts/BP004").get_data(as_text=True)
    offered = re.findall(
        r'<option value="(\w*)"', page.split('name="to_state"')[1].split("</select>")[0]
    )
    assert offered == ["", "resolving", "ready_for_dag", "drafting", "withdrawn"]
    page = _move(
        client,
        "BP004",
        to_state="resolving",
        note="Review closed 15 April",
        decision_ref="DAG-DEC-29",
    ).get_data(as_text=True)
    assert "Moved BP004." in page
    timeline = page.split("data-timeline")[1].split("</ol>")[0]
    assert "under review → comments being resolved" in timeline
    assert "Review closed 15 April" in timeline and "DAG-DEC-29" in timeline
    assert _state(app, "BP004") == "resolving"
    tracker = client.get("/tracker").get_data(as_text=True)
    row = tracker.split('data-reference="BP004"')[1].split("</tr>")[0]
    assert "comments being resolved" in row


def test_a_refused_move_says_what_is_allowed_and_changes_nothing(app, programme, client, login):
    login("lead")
    page = _move(client, "BP004", to_state="baselined").get_data(as_text=True)
    # The form offers only allowed states: a forged one is refused by the form's choices.
    assert "Nothing was changed" in page and _state(app, "BP004") == "under_review"
    with app.app_context():
        assert (
            db.session.scalar(select(ArtefactEvent.id).where(ArtefactEvent.origin == "browser"))
            is None
        )


def test_a_bulk_move_moves_every_artefact_the_filter_picks(app, programme, client, login):
    login("lead")
    data = {"tranche": "1", "to_state": "resolving", "to_tranche": "", "on": "2022-04-16"}
    data |= {"note": "window closed", "expected": "3"}
    page = client.post("/tracker/move", data=data, follow_redirects=True).get_data(as_text=True)
    assert "Moved 3 artefacts." in page
    assert [_state(app, r) for r in ("BP004", "BP005", "IF024", "IF031")] == [
        "resolving",
        "resolving",
        "resolving",
        "drafting",
    ]
    # A count that no longer matches the filter moves nothing.
    stale = data | {"to_state": "ready_for_dag", "expected": "2"}
    page = client.post("/tracker/move", data=stale, follow_redirects=True).get_data(as_text=True)
    assert "changed since the page was loaded" in page and _state(app, "BP004") == "resolving"


def test_versions_details_and_implemented_in_reach_the_reviewer(app, programme, client, login):
    login("lead")
    data = {"label": "v0.4", "issued_on": "2022-05-01", "note": "", "implement_accepted": "y"}
    page = client.post("/artefacts/BP004/versions", data=data, follow_redirects=True)
    assert "Issued v0.4 of BP004; 1 accepted change marked implemented in it." in page.get_data(
        as_text=True
    )
    data = {"action_with": "Programme", "expected_dag_month": "2022-06", "responsible": "A. Lead"}
    page = client.post("/artefacts/BP004/details", data=data, follow_redirects=True).get_data(
        as_text=True
    )
    assert "Saved BP004." in page and "2022-06" in page
    bad = client.post(
        "/artefacts/BP004/details", data={"expected_dag_month": "June"}, follow_redirects=True
    )
    assert "YYYY-MM" in bad.get_data(as_text=True)
    with app.app_context():
        accepted = db.session.scalar(select(Comment.id).where(Comment.disposition == "accepted"))
        acme = db.session.scalar(select(Organisation.id))
    client.get("/logout")
    login("reviewer", email="r@acme.example", organisation=acme)
    page = client.get(f"/comments/{accepted}").get_data(as_text=True)
    assert "Implemented in v0.4" in page


def test_the_implementation_report_marks_ticked_changes(app, programme, client, login):
    login("triager")
    with app.app_context():
        accepted = db.session.scalar(select(Comment.id).where(Comment.disposition == "accepted"))
    page = client.get("/implementation").get_data(as_text=True)
    assert f'value="{accepted}"' in page and "v0.3</option>" in page
    with app.app_context():
        from reviewtracker.services.lifecycle import Change, issue_version
        from reviewtracker.unit_of_work import unit_of_work

        with unit_of_work():
            version_id = issue_version(
                db.session.scalar(select(Artefact.id).where(Artefact.reference == "BP004")),
                "0.4",
                issued_on=None,
                change=Change("lead"),
            ).id
    data = {"version_id": str(version_id), "comment": [str(accepted)]}
    page = client.post("/implementation/BP004", data=data, follow_redirects=True).get_data(
        as_text=True
    )
    assert "Marked 1 accepted change of BP004 done." in page and "Nothing to do" in page


@pytest.mark.parametrize(
    ("role", "method", "url"),
    [
        ("viewer", "post", "/artefacts/BP004/move"),
        ("triager", "post", "/artefacts/BP004/versions"),
        ("triager", "post", "/tracker/move"),
        ("viewer", "post", "/implementation/BP004"),
        ("reviewer", "get", "/tracker"),
        ("reviewer", "get", "/tracker.xlsx"),
        ("reviewer", "get", "/implementation"),
    ],
)
def test_who_may_not(app, programme, client, login, role, method, url):
    with app.app_context():
        acme = db.session.scalar(select(Organisation.id))
    login(role, organisation=acme if role == "reviewer" else None)
    assert getattr(client, method)(url).status_code == 403


def test_hostile_values_are_ignored_or_refused_never_a_500(app, programme, client, login):
    login("lead")
    for value in HOSTILE:
        # A control character anywhere is refused by the app with a message (inputs.py).
        refused = has_control_characters(value)
        for name in ("tranche", "service", "state", "type"):
            for url in ("/tracker", "/tracker.xlsx"):
                answer = client.get(url, query_string={name: value}).status_code
                assert answer == (400 if refused else 200), (url, name, value)
        answer = client.get("/implementation", query_string={"tranche": value}).status_code
        assert answer == (400 if refused else 200), value
        redirect = 400 if refused else 302
        data = {"version_id": value, "comment": [value], "tranche": value}
        assert client.post("/implementation/BP004", data=data).status_code == redirect
        move = {"to_state": value, "to_tranche": value, "on": value, "note": value}
        move |= {"decision_ref": value, "version": value, "expected": value}
        assert client.post("/artefacts/BP004/move", data=move).status_code == redirect
        assert client.post("/tracker/move", data=move).status_code == redirect
        versions = client.post("/artefacts/BP004/versions", data={"label": value})
        assert versions.status_code == redirect
        assert client.post(f"/artefacts/{value[:300]}/move", data=move).status_code in (
            302,
            400,
            404,
            405,
        )
    assert _state(app, "BP004") == "under_review"

"""The round pages, JSON, exports and commands on the hand-made two-round data set; who may
do what; hostile values never a 500."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from reviewtracker.extensions import db
from reviewtracker.inputs import has_control_characters
from reviewtracker.models import Organisation, ReviewRound, RoundInvitation

from .rounds_data import INVITED, comment_id, round_one, round_two

HOSTILE = ["²", "١", "-1", "99999999999999999999", "\x00", "a\r\nb", "x" * 10_000, "", '"*']


@pytest.fixture
def two_rounds(app, tmp_path):
    with app.app_context():
        first = round_one(tmp_path)
        second, _carried = round_two(tmp_path, first)
    return first, second


def test_only_the_latest_round_offers_the_next(app, client, login, two_rounds):
    first, second = two_rounds
    login("lead")
    assert "Start the next round" not in client.get(f"/rounds/{first}").get_data(as_text=True)
    assert "Start the next round" in client.get(f"/rounds/{second}").get_data(as_text=True)


def test_round_diff_json_on_the_command_line(app, runner, two_rounds):
    result = runner.invoke(args=["link-repeats", "--tranche", "1", "--round", "2"])
    assert "1 suggestion(s)" in result.output
    result = runner.invoke(
        args=["link-repeats", "--tranche", "1", "--round", "2", "--accept-above", "80"]
    )
    assert result.exit_code == 0 and "linked 1 repeat(s)" in result.output
    result = runner.invoke(
        args=["round-diff", "--tranche", "1", "--from", "1", "--to", "2", "--json"]
    )
    assert result.exit_code == 0, result.output
    # Nothing resolved since round 1 yet: both carried comments still unresolved.
    assert json.loads(result.output) == {
        "artefacts": [
            {"artefact": "BP004", "new": 1, "repeated": 1, "carried_open": 2, "resolved": 0}
        ],
        "totals": {"new": 1, "repeated": 1, "carried_open": 2, "resolved": 0},
    }
    bad = runner.invoke(args=["round-diff", "--tranche", "1", "--from", "2", "--to", "1"])
    assert bad.exit_code != 0 and "earlier round" in bad.output


def test_round_create_on_the_command_line(app, runner, tmp_path):
    with app.app_context():
        from .lifecycle_data import load_register

        load_register(tmp_path)
    listed = tmp_path / "invited.csv"
    listed.write_text(INVITED, encoding="utf-8")
    args = ["round", "create", "--tranche", "1", "--number", "1", "--name", "1st review"]
    args += ["--opens", "2022-04-01", "--closes", "2022-04-15", "--artefact", "MHHSP-BP004"]
    args += ["--artefact", "BP005=0.4", "--invite-list", str(listed)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "created 1st review (2022-04-01 to 2022-04-15)" in result.output
    with app.app_context():
        assert len(db.session.scalars(select(RoundInvitation)).all()) == 3
    again = runner.invoke(args=args)
    assert again.exit_code != 0 and "already has a review round 1" in again.output


def test_a_lead_creates_a_round_in_the_browser(app, client, login, tmp_path):
    with app.app_context():
        from .lifecycle_data import load_register

        load_register(tmp_path)
        acme = db.session.scalar(select(Organisation.id))  # none yet: made below
    assert acme is None
    login("lead")
    page = client.get("/rounds/new?tranche=1").get_data(as_text=True)
    assert 'value="BP004"' in page and 'value="IF031"' not in page
    data = {
        "tranche": "1",
        "number": "1",
        "name": "1st review",
        "opens_on": "2022-04-01",
        "closes_on": "2022-04-15",
        "scope_note": "",
        "artefact": ["BP004", "BP005"],
        "version-BP005": "0.4",
        "invitation_list": (io.BytesIO(INVITED.encode()), "invited.csv"),
    }
    response = client.post("/rounds/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Round created." in page and "v0.4" in page and "Helix Utility Software" in page
    assert "0 of 3 invited organisations responded" in page
    # No comments yet: no progress to load, and the page says why.
    assert "No comments received in this round yet." in page and "data-load-panel" not in page
    bad = dict(data, closes_on="2022-03-01", number="2")
    bad.pop("invitation_list")
    assert client.post("/rounds/new", data=bad).status_code == 400


def test_the_round_page_json_and_exports(app, client, login, two_rounds):
    first, second = two_rounds
    login("viewer")
    page = client.get(f"/rounds/{first}").get_data(as_text=True)
    assert "2 of 3 invited organisations responded" in page and "no response" in page
    data = client.get(f"/rounds/{first}/engagement.json").get_json()
    assert data["totals"] == {
        "invited": 3,
        "responded": 2,
        "not_responded": 1,
        "comments": 5,
        "late": 1,
    }
    assert [c["constituency"] for c in data["constituencies"] if c["no_response"]] == [
        "Supplier Agent- Independent"
    ]
    book = load_workbook(io.BytesIO(client.get(f"/rounds/{first}/engagement.xlsx").data))
    assert book.active["B4"].value is not None
    page = client.get(f"/rounds/{second}").get_data(as_text=True)
    assert page.count("from round 1") == 2  # the two carried comments
    # The progress charts: read from every comment, a page of their own that app.js loads in.
    assert 'data-load-panel="/tranches/1/rounds/2/progress"' in page
    charts = client.get("/tranches/1/rounds/2/progress").get_data(as_text=True)
    assert charts.count("<svg") >= 2 and "Comments received per day" in charts
    diff = client.get(f"/rounds/{second}/diff.json").get_json()
    assert diff["totals"] == {"new": 2, "repeated": 0, "carried_open": 2, "resolved": 0}
    page = client.get(f"/rounds/{second}/diff").get_data(as_text=True)
    assert "Carried forward, unresolved" in page and "still Open, Action or" in page
    assert client.get(f"/rounds/{second}/diff.xlsx").status_code == 200
    assert client.get(f"/rounds/{first}/diff").status_code == 404  # no round before 1
    dashboard = client.get("/tranches/1").get_data(as_text=True)
    assert 'id="engagement-table"' in dashboard


def test_a_triager_links_a_repeat_from_the_suggestions(app, client, login, two_rounds):
    _first, second = two_rounds
    login("triager")
    page = client.get(f"/rounds/{second}/repeats").get_data(as_text=True)
    with app.app_context():
        again, earlier = comment_id("Acme Energy", "11"), comment_id("Acme Energy", "2")
    assert f"Link: repeats #{earlier}" in page
    data = {"comment_id": str(again), "repeats_id": str(earlier)}
    page = client.post(f"/rounds/{second}/repeats/link", data=data, follow_redirects=True)
    assert f"#{again} linked: repeats #{earlier}." in page.get_data(as_text=True)
    detail = client.get(f"/comments/{again}").get_data(as_text=True)
    assert f'Repeats <a href="/comments/{earlier}">#{earlier}</a> (round 1)' in detail
    carried = client.get(f"/comments/{earlier}").get_data(as_text=True)
    assert "carried forward into round 2" in carried


@pytest.mark.parametrize(
    ("role", "method", "path"),
    [
        ("viewer", "get", "/new"),
        ("triager", "post", "/{first}/close"),
        ("triager", "get", "/{first}/next"),
        ("triager", "post", "/{first}/invitations"),
        ("viewer", "get", "/{second}/repeats"),
        ("viewer", "post", "/{second}/repeats/accept"),
        ("reviewer", "get", "/"),
        ("reviewer", "get", "/{first}"),
        ("reviewer", "get", "/{first}/engagement.json"),
        ("reviewer", "get", "/{second}/diff.json"),
    ],
)
def test_who_may_not(app, client, login, two_rounds, role, method, path):
    first, second = two_rounds
    with app.app_context():
        acme = db.session.scalar(select(Organisation.id).order_by(Organisation.id))
    login(role, organisation=acme if role == "reviewer" else None)
    url = "/rounds" + path.format(first=first, second=second)
    assert getattr(client, method)(url).status_code == 403


def test_a_lead_closes_early_and_hostile_values_never_give_a_500(app, client, login, two_rounds):
    first, second = two_rounds
    login("lead")
    page = client.post(f"/rounds/{first}/close", data={"on": "2022-04-14"}, follow_redirects=True)
    assert "Round closed." in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ReviewRound, first).closed_on.isoformat() == "2022-04-14"
    for value in HOSTILE:
        # A control character anywhere is refused by the app with a message (inputs.py).
        refused = has_control_characters(value)
        ok, redirect = (400, 400) if refused else (200, 302)
        assert client.get("/rounds/", query_string={"tranche": value}).status_code == ok
        new_round = client.get("/rounds/new", query_string={"tranche": value, "number": value})
        assert new_round.status_code == ok
        for url in (f"/rounds/{second}/diff", f"/rounds/{second}/diff.json"):
            answer = client.get(url, query_string={"from": value}).status_code
            assert answer in (ok, 404), (url, value)
        form = {"tranche": value, "number": value, "opens_on": value, "closes_on": value}
        form |= {"artefact": [value], f"version-{value[:20]}": value, "organisation": [value]}
        assert client.post("/rounds/new", data=form).status_code in (200, 400)
        assert client.post(f"/rounds/{first}/next", data=form).status_code in (200, 400)
        assert client.post(f"/rounds/{first}/close", data={"on": value}).status_code == redirect
        invite = client.post(f"/rounds/{first}/invitations", data={"organisation": [value]})
        assert invite.status_code == redirect
        link = {"comment_id": value, "repeats_id": value}
        assert client.post(f"/rounds/{second}/repeats/link", data=link).status_code == redirect
        accept = client.post(f"/rounds/{second}/repeats/accept", data={"above": value})
        assert accept.status_code == redirect
    for url in ("/rounds/99999999999999999999", "/rounds/2147483648", "/rounds/0/diff"):
        assert client.get(url).status_code == 404

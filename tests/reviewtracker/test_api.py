"""The JSON API: stable URLs, the rollup functions' numbers, JSON errors, the login gate."""

from __future__ import annotations

from dataclasses import asdict

import pytest
from sqlalchemy import select

from reviewtracker.extensions import db
from reviewtracker.models import Artefact, Comment
from reviewtracker.services.design_status import design_dashboard
from reviewtracker.services.rollups import tranche_rollup
from reviewtracker.services.scope import Scope
from reviewtracker.services.triage import triage_comment
from reviewtracker.unit_of_work import unit_of_work

from .dashboard_data import DEMO_MONTH
from .demo_copy import load_demo_copy

STAFF = Scope.staff()

TOTAL_KEYS = {"accepted", "action", "rejected", "clarification", "open", "total"}
ARTEFACT_KEYS = {"reference", "title", *TOTAL_KEYS}


@pytest.fixture
def demo(app, tmp_path_factory):
    load_demo_copy(app, tmp_path_factory)


def test_anonymous_api_calls_get_a_401_json_and_downloads_a_sign_in(client):
    for url in (
        "/api/tranches/1",
        "/api/tranches/1/comment-status",
        "/api/tranches/1/constituencies",
        "/api/design-dashboard",
    ):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.is_json and "sign in" in response.get_json()["error"]
    response = client.get("/exports/board-pack.xlsx?tranche=1")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_comment_status_json(demo, client, login):
    login("viewer")
    data = client.get("/api/tranches/1/comment-status").get_json()
    assert set(data) == {"tranche", "review_round", "artefacts", "totals"}
    assert data["tranche"] == "1" and data["review_round"] is None
    assert set(data["artefacts"][0]) == ARTEFACT_KEYS
    assert data["artefacts"][0] == {
        "reference": "BP004",
        "title": "Data Collection",
        "accepted": 36,
        "action": 13,
        "rejected": 4,
        "clarification": 1,
        "open": 0,
        "total": 54,
    }
    assert len(data["artefacts"]) == 23
    assert set(data["totals"]) == TOTAL_KEYS
    assert data["totals"] == {
        "accepted": 446,
        "action": 187,
        "rejected": 44,
        "clarification": 30,
        "open": 0,
        "total": 707,
    }
    one = client.get("/api/tranches/1/comment-status?round=1").get_json()
    assert one["review_round"] == 1 and one["totals"] == data["totals"]


def test_constituencies_json(demo, client, login):
    login("viewer")
    data = client.get("/api/tranches/1/constituencies?round=1").get_json()
    assert set(data) == {"tranche", "review_round", "constituencies", "totals"}
    assert data["review_round"] == 1
    assert len(data["constituencies"]) == 13
    assert data["constituencies"][0] == {
        "constituency": "Other- IT Service Provider",
        "organisations": 3,
        "comments": 310,
    }
    assert data["constituencies"][-1] == {
        "constituency": "Supplier- I&C",
        "organisations": 0,
        "comments": 0,
    }
    assert data["totals"] == {"organisations": 15, "comments": 707}


def test_tranche_json_is_exactly_the_rollup(app, demo, client, login):
    login("viewer")
    one = client.get("/api/tranches/1").get_json()
    two = client.get("/api/tranches/2?round=1").get_json()
    tbc = client.get("/api/tranches/TBC").get_json()
    with app.app_context():
        assert one == tranche_rollup("1", scope=STAFF)
        assert two == tranche_rollup("2", 1, scope=STAFF)
        assert tbc == tranche_rollup("TBC", scope=STAFF)


def test_json_is_fresh_after_a_triage(app, demo, client, login):
    """The API counts the database on every call: a triage shows at once."""
    login("viewer")
    before = client.get("/api/tranches/2/comment-status").get_json()["totals"]
    with app.app_context():
        comment_id = db.session.scalar(
            select(Comment.id)
            .join(Artefact)
            .where(
                Artefact.reference.in_(["BP001", "BP002", "IF001"]),
                Comment.disposition == "open",
            )
            .limit(1)
        )
        with unit_of_work():
            triage_comment(comment_id, {"disposition": "rejected"}, actor="tester")
    after = client.get("/api/tranches/2/comment-status").get_json()["totals"]
    assert after["open"] == before["open"] - 1
    assert after["rejected"] == before["rejected"] + 1
    assert after["total"] == before["total"]


def test_design_dashboard_json(app, demo, client, login):
    login("viewer")
    data = client.get(f"/api/design-dashboard?month={DEMO_MONTH}").get_json()
    assert set(data) == {"month", "previous_month", "rag_labels", "rows"}
    assert data["month"] == DEMO_MONTH and data["previous_month"] == "2022-03"
    assert data["rag_labels"] == {
        "on_track": "On track",
        "at_risk": "At risk",
        "not_on_track": "Not on track / high risk",
        "complete": "Complete",
        "tbd": "To be determined",
    }
    with app.app_context():
        assert data["rows"] == [asdict(row) for row in design_dashboard(DEMO_MONTH).rows]
    rows = {(row["tranche"], row["service"]): row for row in data["rows"]}
    lss = rows[("1", "Load Shaping Service")]
    assert lss["artefacts"] == 5
    assert (lss["rag_last_month"], lss["rag_this_month"]) == ("on_track", "at_risk")
    assert set(lss) == {
        "tranche",
        "service",
        "artefacts",
        "rag_last_month",
        "rag_this_month",
        "planned_month",
        "expected_month",
        "status_and_issues",
        "actions_to_resolve",
    }
    # Without ?month: the latest month with records.
    assert client.get("/api/design-dashboard").get_json()["month"] == DEMO_MONTH


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/api/tranches/7", 404, "unknown tranche '7'"),
        ("/api/tranches/7/comment-status", 404, "unknown tranche '7'"),
        ("/api/tranches/x/constituencies", 404, "unknown tranche 'x'"),
        ("/api/tranches/1/comment-status?round=two", 400, "round must be"),
        ("/api/tranches/1/comment-status?round=0", 400, "round must be"),
        ("/api/tranches/1/constituencies?round=5", 404, "tranche 1 has no review round 5"),
        ("/api/design-dashboard?month=2022-13", 400, "month must be written YYYY-MM"),
        ("/api/design-dashboard?month=April", 400, "month must be written YYYY-MM"),
    ],
)
def test_errors_are_json(app, client, login, url, status, message):
    login("viewer")
    response = client.get(url)
    assert response.status_code == status
    assert response.is_json
    assert message in response.get_json()["error"]


def test_a_wrong_method_under_api_is_a_json_405(client, login):
    login("viewer")
    response = client.post("/api/tranches/1/comment-status")
    assert response.status_code == 405
    assert response.is_json and "not allowed" in response.get_json()["error"].lower()
    assert "GET" in response.headers["Allow"]
    page = client.put("/")  # elsewhere the usual page
    assert page.status_code == 405 and not page.is_json


def test_json_keeps_the_tables_order_not_alphabetical(client, login):
    login("viewer")
    response = client.get("/api/tranches/1/comment-status")
    assert response.status_code == 200
    keys = list(response.get_json().keys())
    assert keys[:2] == ["tranche", "review_round"]

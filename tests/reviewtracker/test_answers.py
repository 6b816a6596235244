"""Reviewers answer back: answers to published dispositions (agree, can live with it,
disagree with a reason), the answer window, follow-ups, "agree with all remaining", the staff's
views (comment page, list filter, answer tables and JSON), and confinement: reviewer B never
sees reviewer A's answers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from reviewtracker.extensions import db
from reviewtracker.models import AuditEvent, ReviewerAnswer, ReviewRound
from reviewtracker.services import ServiceError
from reviewtracker.services.answers import (
    add_working_days,
    agree_all_plan,
    agree_with_all,
    answer_comment,
    answer_tables,
    set_answer_window,
)
from reviewtracker.services.bulk_triage import bulk_triage
from reviewtracker.services.comment_filter import CommentFilter
from reviewtracker.services.comment_queries import count_comments
from reviewtracker.services.publishing import publish
from reviewtracker.services.scope import Scope
from reviewtracker.services.triage import triage_comment
from reviewtracker.unit_of_work import unit_of_work
from tests.conftest import add_user

from .factories import sign_in_as
from .resolution_data import Team, make_team

STAFF = Scope.staff()
REASON = "Acme reason: the exception path needs an owner named in the design"


@pytest.fixture
def team(app) -> Team:
    with app.app_context():
        t = make_team()
        _publish(t.own[:4] + t.other[:2])
        return t


def _publish(ids: list[int]) -> None:
    with unit_of_work():
        for comment_id in ids:
            triage_comment(comment_id, {"disposition": "rejected", "response": "No."}, actor="t")
        bulk_triage(ids, None, {"response_state": "approved"}, "lead", may_approve=True)
        publish(ids, None, "lead")


def test_working_days_skip_weekends():
    # Friday 1 March 2024 + 10 working days: Friday 15 March.
    assert add_working_days(date(2024, 3, 1), 10) == date(2024, 3, 15)
    assert add_working_days(date(2024, 3, 2), 1) == date(2024, 3, 4)  # Saturday -> Monday


def test_a_reviewer_answers_changes_and_follows_up(app, team):
    acme = Scope.organisation(team.own_org_id)
    with app.app_context():
        with pytest.raises(ServiceError, match="a reason is required"):
            answer_comment(team.own[0], acme, "disagree", reason="  ", actor="r@acme")
        with pytest.raises(ServiceError, match="not published yet"):
            answer_comment(team.own[4], acme, "agree", actor="r@acme")
        with pytest.raises(ServiceError, match="no comment"):
            answer_comment(team.other[0], acme, "agree", actor="r@acme")
        with pytest.raises(ServiceError, match="only the reviewer's organisation"):
            answer_comment(team.own[0], STAFF, "agree", actor="staff")
        db.session.rollback()
        with unit_of_work():
            answer_comment(
                team.own[0],
                acme,
                "disagree",
                reason=REASON,
                follow_up="See also our comment 12.",
                actor="r@acme",
            )
        with unit_of_work():
            answer_comment(team.own[0], acme, "can_live_with", actor="r@acme")
        fields = db.session.execute(
            select(AuditEvent.field, AuditEvent.before, AuditEvent.after)
            .where(AuditEvent.comment_id == team.own[0], AuditEvent.actor == "r@acme")
            .order_by(AuditEvent.id)
        ).all()
        assert fields == [
            ("answer", None, "disagree"),
            ("answer_reason", None, REASON),
            ("follow_up", None, "See also our comment 12."),
            ("answer", "disagree", "can_live_with"),
            ("answer_reason", REASON, None),
        ]
        # The round's window closes yesterday: no more changes.
        round_id = db.session.scalar(select(ReviewRound.id))
        with unit_of_work():
            set_answer_window(round_id, date.today() - timedelta(days=1))
        with pytest.raises(ServiceError, match="answer window closed"):
            answer_comment(team.own[0], acme, "agree", actor="r@acme")
        db.session.rollback()


def test_agree_with_all_remaining_and_the_staff_tables(app, team):
    acme = Scope.organisation(team.own_org_id)
    with app.app_context():
        with unit_of_work():
            answer_comment(team.own[0], acme, "disagree", reason=REASON, actor="r@acme")
        # BP004: Acme one..three published; one answered: two remain.
        assert agree_all_plan("BP004", acme) == team.own[1:3]
        with unit_of_work():
            assert agree_with_all("BP004", acme, "r@acme") == 2
        assert agree_all_plan("BP004", acme) == []
        tables = answer_tables("1", None, STAFF).as_json()
        # Published: BP004 Acme x3 + Beta x2 = 5, BP005 Acme four = 1.
        assert tables["artefacts"] == [
            {
                "reference": "BP004",
                "published": 5,
                "answered": 3,
                "agree": 2,
                "can_live_with": 0,
                "disagree": 1,
            },
            {
                "reference": "BP005",
                "published": 1,
                "answered": 0,
                "agree": 0,
                "can_live_with": 0,
                "disagree": 0,
            },
        ]
        assert [row["published"] for row in tables["constituencies"]] == [6]
        assert count_comments(CommentFilter(answer="disagree", scope=STAFF)) == 1
        assert count_comments(CommentFilter(answer="none", scope=STAFF)) == 3
        with pytest.raises(ServiceError):
            answer_tables("1", None, acme)


def _login(client, user_id: int) -> None:
    sign_in_as(client, user_id)


def test_pages_answer_confirm_agree_all_and_confinement(app, client, team):
    with app.app_context():
        acme_id = add_user("reviewer", "r@acme.example", team.own_org_id).id
        beta_id = add_user("reviewer", "r@beta.example", team.other_org_id).id
    _login(client, acme_id)
    page = client.get(f"/comments/{team.own[0]}").get_data(as_text=True)
    assert "Send my answer" in page and "answer window closes" in page
    refused = client.post(f"/comments/{team.own[0]}/answer", data={"answer": "disagree"})
    assert refused.status_code == 302
    with app.app_context():
        assert db.session.get(ReviewerAnswer, team.own[0]) is None
    client.post(f"/comments/{team.own[0]}/answer", data={"answer": "disagree", "reason": REASON})
    confirm = client.post("/comments/agree-all", data={"artefact": "BP004"}).get_data(as_text=True)
    assert "for <strong>2</strong> published dispositions" in confirm
    client.post("/comments/agree-all", data={"artefact": "BP004", "confirm": "yes"})
    # Another organisation's comment: as if it weren't there.
    assert (
        client.post(f"/comments/{team.other[0]}/answer", data={"answer": "agree"}).status_code
        == 404
    )
    for bad in ("²", "", "BP004'--", "x" * 500):
        assert client.post("/comments/agree-all", data={"artefact": bad}).status_code in (200, 302)

    _login(client, beta_id)
    for comment_id in team.own:
        assert client.get(f"/comments/{comment_id}").status_code == 404
    for url in ("/comments/?answer=disagree", "/comments/", "/tranches/1", "/api/tranches/1"):
        body = client.get(url).get_data(as_text=True)
        assert REASON not in body and "Acme" not in body, url
    assert client.get("/api/tranches/1/answers").status_code == 403

    staff = add_staff(app)
    _login(client, staff)
    page = client.get(f"/comments/{team.own[0]}").get_data(as_text=True)
    assert REASON in page and "r@acme.example" in page
    listed = client.get("/comments/?answer=disagree").get_data(as_text=True)
    assert listed.count('<tr data-comment="') == 1
    data = client.get("/api/tranches/1/answers").get_json()
    assert data["artefacts"][0]["disagree"] == 1 and data["artefacts"][0]["agree"] == 2
    assert "Reviewers’ answers" in client.get("/tranches/1").get_data(as_text=True)
    # The staff do not answer for an organisation.
    assert (
        client.post(f"/comments/{team.own[1]}/answer", data={"answer": "agree"}).status_code == 403
    )


def add_staff(app) -> int:
    with app.app_context():
        return add_user("viewer", "viewer@programme.example").id


def test_a_lead_sets_the_rounds_answer_window(app, client, team):
    with app.app_context():
        round_id = db.session.scalar(select(ReviewRound.id))
    _login(client, team.lead_id)
    page = client.get("/tranches/1/rounds/1").get_data(as_text=True)
    assert f"/rounds/{round_id}/answer-window" in page
    back = "/tranches/1/rounds/1"
    client.post(f"/rounds/{round_id}/answer-window", data={"closes_on": "2024-05-31", "back": back})
    with app.app_context():
        from reviewtracker.models import AnswerWindow

        assert db.session.get(AnswerWindow, round_id).closes_on == date(2024, 5, 31)
    for value in ("²", "31/05/2024x", "\x00"):
        response = client.post(f"/rounds/{round_id}/answer-window", data={"closes_on": value})
        # A control character is refused by the app with a message (inputs.py).
        assert response.status_code == (400 if value == "\x00" else 302)
    assert client.post("/rounds/999999/answer-window", data={"closes_on": ""}).status_code == 302
    _login(client, team.triager_id)
    assert client.post(f"/rounds/{round_id}/answer-window", data={}).status_code == 403

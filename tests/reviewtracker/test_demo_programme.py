"""The demo shows the programme around the comments: review rounds and engagement, the
artefacts' lifecycle, the DAG #8 meeting's actions and decisions, working groups, reviewers'
answers and a dissensus entry. Numbers counted by hand from demo_programme.py's tables and the
DAG #8 pack's Tranche 1 table (reviewtracker/demo.py)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from reviewtracker.demo import ensure_demo_reviewer
from reviewtracker.extensions import db
from reviewtracker.models import (
    Action,
    Artefact,
    ArtefactEvent,
    CommentCarry,
    CommentResolution,
    Decision,
    DissensusComment,
    DissensusEntry,
    Meeting,
    Organisation,
    ReviewerAnswer,
    User,
    WorkingGroup,
)
from reviewtracker.services.action_queries import overdue
from reviewtracker.services.engagement import round_engagement
from reviewtracker.services.rounds import list_rounds
from reviewtracker.services.scope import Scope
from reviewtracker.unit_of_work import unit_of_work

from .demo_copy import load_demo_copy
from .factories import signed_in_id


@pytest.fixture
def demo(app, tmp_path_factory):
    load_demo_copy(app, tmp_path_factory)


def test_the_demo_has_rounds_with_invitations_engagement_and_carry_over(app, demo):
    today = date.today()
    with app.app_context():
        rounds = {(r.tranche, r.number): r for r in list_rounds(today)}
        assert sorted(rounds) == [("1", 1), ("1", 2), ("2", 1)]
        first, second, t2 = rounds["1", 1], rounds["1", 2], rounds["2", 1]
        # Tranche 1's first review: the 23 reviewed and 7 uncommented artefacts; the 15
        # organisations that commented and 3 that did not.
        assert (first.state, first.artefacts, first.invited, first.comments) == (
            "closed",
            30,
            18,
            707,
        )
        engagement = round_engagement(first.id, today, Scope.staff()).totals
        assert engagement == {
            "invited": 18,
            "responded": 15,
            "not_responded": 3,
            "comments": 707,
            "late": 0,
        }
        # The second review: the 23 less IF024 (withdrawn) and IF009 (baselined), open today,
        # the same 18 invited, carrying Action + Clarification (187 + 30) less IF024's 9 and
        # IF009's 1.
        assert (second.state, second.artefacts, second.invited) == ("open", 21, 18)
        assert (second.opens_on, second.closes_on) == (
            today - timedelta(days=4),
            today + timedelta(days=10),
        )
        assert (t2.state, t2.closes_on, t2.artefacts, t2.invited) == (
            "closed",
            date(2022, 4, 15),
            32,
            9,
        )
        t2_engagement = round_engagement(t2.id, today, Scope.staff()).totals
        assert (t2_engagement["responded"], t2_engagement["late"]) == (6, 0)
        carried = db.session.scalar(select(func.count()).select_from(CommentCarry))
        assert carried == 217 - 9 - 1


def test_the_demo_has_lifecycle_governance_groups_answers_and_dissensus(app, client, login, demo):
    with app.app_context():
        states = dict(
            db.session.execute(
                select(Artefact.reference, Artefact.state).where(Artefact.state != "under_review")
            ).all()
        )
        assert states == {
            "IF024": "withdrawn",
            "IF009": "baselined",
            "DES001": "drafting",
            "DES002": "drafting",
        }
        baseline = db.session.scalar(
            select(ArtefactEvent.decision_ref)
            .join(Artefact)
            .where(Artefact.reference == "IF009", ArtefactEvent.decision_ref.is_not(None))
        )
        assert baseline == "DAG-DEC-03"
        bp004 = db.session.scalar(select(Artefact).where(Artefact.reference == "BP004"))
        assert bp004.version == "0.2"  # issued as "v0.2": labels are stored bare

        assert db.session.scalars(select(Meeting.reference)).all() == ["DAG008"]
        actions = dict(db.session.execute(select(Action.reference, Action.status)).all())
        assert actions == {
            "DAG08-01": "closed",
            "DAG08-02": "ongoing",
            "DAG08-03": "recommend_closed",
            "DAG08-04": "open",
            "DAG08-05": "open",
        }
        late = db.session.scalars(select(Action.reference).where(overdue(date.today()))).all()
        assert late == ["DAG08-02"]
        decisions = db.session.scalars(select(Decision.reference).order_by(Decision.reference))
        assert decisions.all() == ["DAG-DEC-01", "DAG-DEC-02", "DAG-DEC-03"]

        # BP004 13 + BP005 16 comments in Action to BPRWG; IF005's 18 to TDWG.
        groups = dict(
            db.session.execute(
                select(WorkingGroup.name, func.count(CommentResolution.comment_id))
                .join(CommentResolution, CommentResolution.working_group_id == WorkingGroup.id)
                .group_by(WorkingGroup.name)
            ).all()
        )
        assert groups == {"BPRWG": 29, "TDWG": 18}

        answers = dict(
            db.session.execute(
                select(ReviewerAnswer.answer, func.count()).group_by(ReviewerAnswer.answer)
            ).all()
        )
        assert answers == {"agree": 2, "can_live_with": 1, "disagree": 1}
        disagreed = db.session.scalar(
            select(ReviewerAnswer.comment_id).where(ReviewerAnswer.answer == "disagree")
        )
        entry = db.session.scalar(select(DissensusEntry))
        assert entry.status == "open" and "We ask DAG to reconsider" in entry.issue
        linked = db.session.scalars(
            select(DissensusComment.comment_id).where(DissensusComment.entry_id == entry.id)
        )
        assert linked.all() == [disagreed]
        assert db.session.scalar(select(func.count()).select_from(DissensusEntry)) == 1

    # The pages show it (one test with the above: on PostgreSQL each loads the whole demo).
    login("lead")
    for path, words in (
        ("/rounds/", ("First review", "Second review")),
        ("/meetings/DAG008", ("DAG08-02", "DAG-DEC-03")),
        ("/actions/DAG08-02", ("not be before May 2022",)),
        ("/working-groups", ("BPRWG", "Technical Design Working Group")),
        ("/dissensus/", ("Meridian Metering Services",)),
        ("/artefacts/IF009", ("DAG-DEC-03",)),
    ):
        html = client.get(path).get_data(as_text=True)
        for word in words:
            assert word in html, (path, word)


def test_the_demo_has_a_reviewer_who_can_submit_in_the_open_round(app, client, demo):
    """`reviewtracker demo` (make run) also makes a reviewer sign-in for the organisation that
    answered back: it sees that organisation's pages, and the open second review of Tranche 1
    (invited with the first) is open to it."""
    with app.app_context(), unit_of_work():
        reviewer_id = ensure_demo_reviewer().id
    with app.app_context():
        assert ensure_demo_reviewer().id == reviewer_id  # created once
        user = db.session.get(User, reviewer_id)
        assert user.role == "reviewer"
        organisation = db.session.get(Organisation, user.organisation_id)
        assert organisation.name == "Meridian Metering Services"
        cookie = signed_in_id(user)
    with client.session_transaction() as session:
        session["_user_id"] = cookie
        session["_fresh"] = True
    page = client.get("/submissions/")
    assert page.status_code == 200
    rows = re.findall(r'<tr data-round="\d+">(.*?)</tr>', page.get_data(as_text=True), re.S)
    # Invited to Tranche 1's two reviews and Tranche 2's first (TRANCHE_2_INVITED): the open
    # one first, then the closed ones by tranche.
    assert len(rows) == 3
    assert "Second review" in rows[0] and "Open to you" in rows[0]
    assert all("First review" in row and "Open to you" not in row for row in rows[1:])
    dissensus = client.get("/dissensus/").get_data(as_text=True)
    assert "D-001" in dissensus

"""Review rounds on a small two-round data set written by hand (tests/reviewtracker/
rounds_data.py): states and dates, late comments, refusals, carry-forward, repeat links and
every diff category, each expected number counted by hand."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from reviewtracker.extensions import db
from reviewtracker.models import (
    ArtefactVersion,
    Comment,
    CommentCarry,
    CommentRepeat,
    ReviewRound,
)
from reviewtracker.services import ServiceError
from reviewtracker.services.comment_import import ImportOptions, import_comment_log
from reviewtracker.services.engagement import round_engagement
from reviewtracker.services.repeats import accept_suggestions, link_repeat, suggest_repeats
from reviewtracker.services.rollups import comment_status, tranche_artefacts
from reviewtracker.services.round_diff import round_diff
from reviewtracker.services.rounds import close_round, get_round, round_state
from reviewtracker.services.scope import Scope
from reviewtracker.services.triage import triage_comment
from reviewtracker.unit_of_work import unit_of_work
from tests.logmaker import write_xlsx_log

from .lifecycle_data import ACME
from .rounds_data import comment_id, round_one, round_two, row

pytestmark = pytest.mark.usefixtures("app_context")
STAFF = Scope.staff()


def test_a_round_is_planned_then_open_then_closed_by_date_or_early(tmp_path):
    first = get_round(round_one(tmp_path))
    assert round_state(first, date(2022, 3, 31)) == "planned"
    assert round_state(first, date(2022, 4, 1)) == "open"
    assert round_state(first, date(2022, 4, 15)) == "open"
    assert round_state(first, date(2022, 4, 16)) == "closed"
    with unit_of_work():
        close_round(first.id, date(2022, 4, 14))
    first = get_round(first.id)
    assert round_state(first, date(2022, 4, 13)) == "open"
    assert round_state(first, date(2022, 4, 14)) == "closed"
    with pytest.raises(ServiceError, match="already closed"):
        close_round(first.id, date(2022, 4, 14))


def test_the_round_reviews_a_version_of_each_artefact(tmp_path):
    first_id = round_one(tmp_path)
    second_id, _carried = round_two(tmp_path, first_id)
    from reviewtracker.services.rounds import round_artefacts

    assert [(ref, version) for _id, ref, _t, version in round_artefacts(first_id)] == [
        ("BP004", "0.3"),
        ("BP005", "0.3"),
    ]
    assert [(ref, version) for _id, ref, _t, version in round_artefacts(second_id)] == [
        ("BP004", "0.4")
    ]
    # v0.4 was issued for round 2: BP004's current version now.
    labels = db.session.scalars(select(ArtefactVersion.label).order_by(ArtefactVersion.id))
    assert "0.4" in list(labels)


def test_a_comment_on_an_artefact_not_under_review_is_refused_unless_allowed(tmp_path):
    round_one(tmp_path)
    path = write_xlsx_log(
        tmp_path / "if024.xlsx",
        [row(21, "IF024", "The load shape file has no header.", date(2022, 4, 5))],
        key_values=ACME,
    )
    before = db.session.scalar(select(func.count()).select_from(Comment))
    report = import_comment_log(path, options=ImportOptions(tranche="1", review_round=1))
    (problem,) = report.errors
    assert (problem.file, problem.sheet, problem.row) == ("if024.xlsx", "Comments", problem.row)
    assert problem.column == "Design Artefact" and problem.row is not None
    assert "IF024 is not under review in 1st review" in str(problem)
    assert db.session.scalar(select(func.count()).select_from(Comment)) == before
    allowed = ImportOptions(tranche="1", review_round=1, allow_other_artefacts=True)
    report = import_comment_log(path, options=allowed)
    assert report.ok and report.added == 1 and len(report.warnings) == 1


def test_a_comment_raised_after_the_closing_date_is_kept_and_flagged_late(tmp_path):
    first_id = round_one(tmp_path)  # Acme's #3 was raised on 20 April, after 15 April
    engagement = round_engagement(first_id, date(2022, 4, 14), STAFF)
    acme = next(o for c in engagement.constituencies for o in c.organisations if o.comments == 4)
    assert (acme.organisation, acme.late) == ("Acme Energy", 1)
    assert engagement.totals == {
        "invited": 3,
        "responded": 2,
        "not_responded": 1,
        "comments": 5,
        "late": 1,
    }


def test_engagement_shows_who_responded_and_the_constituency_that_did_not(tmp_path):
    first_id = round_one(tmp_path)
    engagement = round_engagement(first_id, date(2022, 4, 14), STAFF)
    assert (engagement.state, engagement.days_left) == ("open", 1)
    by_name = {c.constituency: c for c in engagement.constituencies}
    assert [c.constituency for c in engagement.constituencies if c.no_response] == [
        "Supplier Agent- Independent"
    ]
    helix = by_name["Supplier Agent- Independent"].organisations[0]
    assert (helix.organisation, helix.invited, helix.responded) == (
        "Helix Utility Software",
        True,
        False,
    )
    assert (by_name["Supplier- Large"].invited, by_name["Supplier- Large"].comments) == (1, 4)
    assert len(engagement.constituencies) == 13  # every reference constituency, zeros too
    closed = round_engagement(first_id, date(2022, 5, 1), STAFF)
    assert (closed.state, closed.days_left) == ("closed", None)


def test_round_two_carries_the_unresolved_comments_as_the_same_comments(tmp_path):
    first_id = round_one(tmp_path)
    second_id, carried = round_two(tmp_path, first_id)
    # BP004's unresolved round-1 comments: Acme #2 (Action) and #4 (Clarification). Not #1
    # (Accepted), not Northgate's (Rejected), not #3 (BP005 is not in round 2).
    assert carried == 2
    ids = set(db.session.scalars(select(CommentCarry.comment_id)))
    assert ids == {comment_id("Acme Energy", "2"), comment_id("Acme Energy", "4")}
    # One comment, not a copy: still round 1's, counted once in the tranche's tables.
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 7
    carried_round = db.session.scalar(
        select(ReviewRound.number)
        .join(Comment, Comment.review_round_id == ReviewRound.id)
        .where(Comment.id == comment_id("Acme Energy", "2"))
    )
    assert carried_round == 1
    assert comment_status("1", scope=STAFF).totals["total"] == 7  # 5 in round 1 + 2 in round 2
    assert comment_status("1", 1, scope=STAFF).totals["total"] == 5
    assert comment_status("1", 2, scope=STAFF).totals["total"] == 2  # received in round 2 only
    assert tranche_artefacts("1").totals["total"] == 7
    # Invitations went along: the same three organisations.
    assert round_engagement(second_id, date(2022, 5, 2), STAFF).totals["invited"] == 3


def test_repeats_are_suggested_linked_in_bulk_and_refused_across_organisations(tmp_path):
    first_id = round_one(tmp_path)
    second_id, _ = round_two(tmp_path, first_id)
    again, earlier = comment_id("Acme Energy", "11"), comment_id("Acme Energy", "2")
    (suggestion,) = suggest_repeats(second_id, STAFF)
    assert (suggestion.comment_id, suggestion.repeats_id) == (again, earlier)
    assert suggestion.score >= 77.5 and suggestion.earlier_round == 1
    with pytest.raises(ServiceError, match="same organisation"):
        link_repeat(again, comment_id("Northgate Data", "1"), actor="t")
    with pytest.raises(ServiceError, match="earlier round"):
        link_repeat(earlier, again, actor="t")
    with unit_of_work():
        assert accept_suggestions(second_id, 95, actor="t", scope=STAFF) == 0
        assert accept_suggestions(second_id, 80, actor="t", scope=STAFF) == 1
    link = db.session.get(CommentRepeat, again)
    assert (link.repeats_id, link.linked_by) == (earlier, "t")
    assert suggest_repeats(second_id, STAFF) == []


def test_the_round_diff_counts_each_category(tmp_path):
    first_id = round_one(tmp_path)
    second_id, _ = round_two(tmp_path, first_id)
    with unit_of_work():
        accept_suggestions(second_id, 80, actor="t", scope=STAFF)
        # Since round 1: Acme's #2 (carried) is accepted; #4 (carried) stays unresolved.
        triage_comment(comment_id("Acme Energy", "2"), {"disposition": "accepted"}, actor="t")
    diff = round_diff("1", 1, 2, STAFF).as_json()
    # By hand: round 2 received #11 (repeats #2) and #12 (new); carried #2 (now accepted,
    # resolved) and #4 (still clarification, carried_open). BP005 is not in round 2 and had
    # nothing carried: not listed.
    assert diff == {
        "artefacts": [
            {"artefact": "BP004", "new": 1, "repeated": 1, "carried_open": 1, "resolved": 1}
        ],
        "totals": {"new": 1, "repeated": 1, "carried_open": 1, "resolved": 1},
    }
    with pytest.raises(ServiceError):
        round_diff("1", 2, 1, STAFF)
    with pytest.raises(ServiceError, match="no review round 3"):
        round_diff("1", 1, 3, STAFF)

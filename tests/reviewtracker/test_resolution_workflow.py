"""The resolution workflow: assigning comments (one, ticked, every one matching a filter), the
list's filters by assignee, group, overdue, unassigned and state, the response states and
their moves (audited), publishing, and what a reviewer reads before and after publishing.

Service tests in an app context of their own; page tests make requests outside any context.
Expected numbers are counted by hand from the data set in resolution_data.py.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from reviewtracker.extensions import db
from reviewtracker.models import AuditEvent, Comment, CommentResolution, PublishedResponse
from reviewtracker.services import ServiceError
from reviewtracker.services.bulk_triage import bulk_plan, bulk_triage
from reviewtracker.services.comment_filter import CommentFilter
from reviewtracker.services.comment_queries import (
    comment_page,
    count_comments,
    disposition_counts,
    today,
    visible_comment,
)
from reviewtracker.services.comment_register import comment_register_csv
from reviewtracker.services.my_work import work_counts, work_page
from reviewtracker.services.publishing import publish, publish_comment, publish_plan
from reviewtracker.services.responses_log import responses_log
from reviewtracker.services.rollups import comment_status
from reviewtracker.services.scope import Scope
from reviewtracker.services.triage import history, triage_comment
from reviewtracker.services.working_groups import (
    add_member,
    create_group,
    delete_group,
    working_groups,
)
from reviewtracker.unit_of_work import unit_of_work

from .factories import sign_in_as
from .resolution_data import Team, make_team

STAFF = Scope.staff()
SECRET = "Draft: we think Acme is wrong here"


@pytest.fixture
def team(app) -> Team:
    with app.app_context():
        return make_team()


def ids(f: CommentFilter) -> set[int]:
    return {row.id for row in comment_page(f, 1, per_page=100).items}


def events(comment_id: int, field: str) -> list[tuple]:
    return db.session.execute(
        select(AuditEvent.before, AuditEvent.after, AuditEvent.actor)
        .where(AuditEvent.comment_id == comment_id, AuditEvent.field == field)
        .order_by(AuditEvent.id)
    ).all()


# --- assigning and filtering -------------------------------------------------------------------


def test_assign_one_comment_and_filter_by_assignee_group_and_unassigned(app, team):
    with app.app_context():
        with unit_of_work():
            triage_comment(
                team.own[0],
                {"assignee_id": team.member_id, "working_group_id": team.group_id},
                actor="triager@programme.example",
            )
        assert events(team.own[0], "assignee") == [
            (None, "member@programme.example", "triager@programme.example")
        ]
        assert events(team.own[0], "working_group") == [
            (None, "BPRWG", "triager@programme.example")
        ]
        assert ids(CommentFilter(assignee_id=team.member_id, scope=STAFF)) == {team.own[0]}
        assert ids(CommentFilter(working_group_id=team.group_id, scope=STAFF)) == {team.own[0]}
        # 8 comments, one assigned: 7 unassigned.
        assert count_comments(CommentFilter(unassigned=True, scope=STAFF)) == 7
        with pytest.raises(ServiceError, match="no active member"):
            triage_comment(team.own[1], {"assignee_id": 999_999}, actor="x")
        db.session.rollback()


def test_bulk_assignment_of_every_comment_matching_a_filter_with_a_due_date(app, team):
    due = date(2024, 1, 31)  # long past: overdue while in draft
    changes = {"working_group_id": team.group_id, "due_on": due}
    with app.app_context():
        f = CommentFilter(artefact="BP004", scope=STAFF)  # Acme x3, Beta x2
        plan = bulk_plan(None, f, changes)
        assert (plan.selected, plan.changing) == (5, 5)
        with unit_of_work():
            assert bulk_triage(None, f, changes, "lead@programme.example") == 5
        # Again: nothing left to change, no new audit event.
        with unit_of_work():
            assert bulk_triage(None, f, changes, "lead@programme.example") == 0
        rows = db.session.scalars(select(CommentResolution.working_group_id)).all()
        assert rows == [team.group_id] * 5
        assert (
            len(
                db.session.scalars(
                    select(AuditEvent).where(AuditEvent.field == "working_group")
                ).all()
            )
            == 5
        )
        overdue = CommentFilter(overdue=True, scope=STAFF)
        assert count_comments(overdue) == 5
        # The member's work: the group's five, all open and overdue.
        counts = work_counts(team.member_id, STAFF)
        assert (counts.total, counts.mine, counts.groups, counts.open, counts.overdue) == (
            5,
            0,
            5,
            5,
            5,
        )
        assert {row.id for row in work_page(team.member_id, STAFF, 1).items} == {
            *team.own[:3],
            *team.other[:2],
        }
        # Approved responses are no longer overdue.
        with unit_of_work():
            triage_comment(
                team.own[0], {"disposition": "accepted", "response": "Agreed."}, actor="t"
            )
            triage_comment(
                team.own[0], {"response_state": "approved"}, actor="lead", may_approve=True
            )
        assert count_comments(overdue) == 4
        assert work_counts(team.member_id, STAFF).per_state["approved"] == 1


def test_the_assignments_due_date_outlives_the_action_rule(app, team):
    """An action owner and action due date belong to a comment in Action (cleared when it
    leaves Action); the assignment's due date is its own and stays, whatever the disposition."""
    first, second, third = team.own[:3]
    with app.app_context():
        with unit_of_work():
            triage_comment(
                first,
                {
                    "disposition": "action",
                    "action_owner": "Ana (BPRWG chair)",
                    "action_due": date(2025, 5, 1),
                    "working_group_id": team.group_id,
                    "due_on": date(2025, 6, 30),
                },
                actor="t",
            )
            triage_comment(first, {"disposition": "clarification"}, actor="t")
            # An open comment takes an assignment with a date (no action rule there)...
            triage_comment(
                second, {"assignee_id": team.member_id, "due_on": date(2025, 7, 1)}, actor="t"
            )
        with pytest.raises(ServiceError, match="only for comments in Action"):
            # ...but not an action due date.
            triage_comment(second, {"action_due": date(2025, 7, 1)}, actor="t")
        db.session.rollback()
        comment = db.session.get(Comment, first)
        assert (comment.action_owner, comment.action_due) == (None, None)
        assert db.session.get(CommentResolution, first).due_on == date(2025, 6, 30)
        assert events(first, "action_due") == [(None, "2025-05-01", "t"), ("2025-05-01", None, "t")]
        assert events(first, "due_on") == [(None, "2025-06-30", "t")]
        # In bulk: a date set on ticked open comments, then a disposition for all three.
        with unit_of_work():
            assert bulk_triage([third], None, {"due_on": date(2025, 8, 1)}, "t") == 1
            bulk_triage([first, second, third], None, {"disposition": "accepted"}, "t")
        due = dict(
            db.session.execute(select(CommentResolution.comment_id, CommentResolution.due_on)).all()
        )
        assert due == {first: date(2025, 6, 30), second: date(2025, 7, 1), third: date(2025, 8, 1)}
        # All three past their date and in draft: overdue.
        assert ids(CommentFilter(overdue=True, scope=STAFF)) == {first, second, third}
        # Clearing the group: the confirmation names the group it replaces.
        plan = bulk_plan([first, second], None, {"working_group_id": None})
        assert (plan.changing, plan.overwritten) == (1, {"working_group_id": 1})
        assert [(o.comment_id, o.value) for o in plan.examples] == [(first, "BPRWG")]


def test_ticked_comments_assigned_to_a_person_then_cleared(app, team):
    with app.app_context():
        ticked = [team.own[1], team.other[2]]
        with unit_of_work():
            assert bulk_triage(ticked, None, {"assignee_id": team.member_id}, "t") == 2
        assert ids(CommentFilter(assignee_id=team.member_id, scope=STAFF)) == set(ticked)
        with unit_of_work():
            assert bulk_triage(ticked, None, {"assignee_id": None}, "t") == 2
        assert count_comments(CommentFilter(unassigned=True, scope=STAFF)) == 8
        assert events(team.own[1], "assignee") == [
            (None, "member@programme.example", "t"),
            ("member@programme.example", None, "t"),
        ]


def test_the_new_filter_parts_round_trip_through_the_url(team):
    args = {
        "assignee": "3",
        "group": "2",
        "unassigned": "1",
        "overdue": "1",
        "state": "ready_for_review",
        "work_of": "4",
    }
    f = CommentFilter.from_args(args, STAFF)
    assert (f.assignee_id, f.working_group_id, f.unassigned, f.overdue) == (3, 2, True, True)
    assert (f.response_state, f.work_of_id) == ("ready_for_review", 4)
    assert CommentFilter.from_args(f.to_args(), STAFF) == f
    # Hostile values are ignored, never a 500 or a wrong number.
    for bad in ("²", "١", "-1", "0", "9" * 30, "1\x00", "", "abc"):
        assert CommentFilter.from_args({"assignee": bad, "group": bad}, STAFF).assignee_id is None
    assert CommentFilter.from_args({"state": "published'; --"}, STAFF).response_state is None
    # A reviewer's filter has none of these working parts.
    reviewer = CommentFilter.from_args(args, Scope.organisation(1))
    assert reviewer.to_args() == {}


# --- response states -------------------------------------------------------------------------


def test_response_moves_approval_by_a_lead_and_back_to_draft_on_edit(app, team):
    comment = team.own[0]
    with app.app_context():
        with unit_of_work():
            triage_comment(comment, {"disposition": "rejected", "response": "No."}, actor="t")
            triage_comment(comment, {"response_state": "ready_for_review"}, actor="t")
        with pytest.raises(ServiceError, match="only a lead may approve"):
            triage_comment(comment, {"response_state": "approved"}, actor="t")
        db.session.rollback()
        with pytest.raises(ServiceError, match="published by publishing"):
            triage_comment(comment, {"response_state": "published"}, actor="lead", may_approve=True)
        db.session.rollback()
        with unit_of_work():
            triage_comment(comment, {"response_state": "approved"}, actor="lead", may_approve=True)
            publish_comment(comment, "lead")
        # An edit after publishing: back to draft, the published version stays in force.
        with unit_of_work():
            triage_comment(comment, {"response": "No: out of scope."}, actor="t")
        assert events(comment, "response_state") == [
            ("draft", "ready_for_review", "t"),
            ("ready_for_review", "approved", "lead"),
            ("approved", "published", "lead"),
            ("published", "draft", "t"),
        ]
        seen = visible_comment(comment, Scope.organisation(team.own_org_id))
        assert (seen.disposition, seen.response) == ("rejected", "No.")


# --- publishing ------------------------------------------------------------------------------


def _approve(comment_ids: list[int], disposition: str = "accepted") -> None:
    with unit_of_work():
        for number, comment_id in enumerate(comment_ids):
            triage_comment(
                comment_id,
                {"disposition": disposition, "response": f"Response {number}"},
                actor="t",
            )
        bulk_triage(comment_ids, None, {"response_state": "approved"}, "lead", may_approve=True)


def test_bulk_publish_by_artefact_counts_first_then_publishes_and_audits(app, team):
    with app.app_context():
        _approve(team.own[:2] + team.other[:1])  # three approved on BP004
        with unit_of_work():
            triage_comment(team.own[2], {"disposition": "action", "response": "Later."}, actor="t")
        f = CommentFilter(artefact="BP004", scope=STAFF)
        plan = publish_plan(None, f)
        # BP004: 5 comments; 3 approved; Acme three in draft; Beta two untouched (draft).
        assert (plan.selected, plan.publishing, plan.waiting, plan.already) == (5, 3, 2, 0)
        with unit_of_work():
            assert publish(None, f, "lead@programme.example") == 3
        assert len(db.session.scalars(select(PublishedResponse)).all()) == 3
        assert len(events(team.own[0], "published")) == 1
        assert events(team.own[0], "published")[0] == (None, "accepted", "lead@programme.example")
        again = publish_plan(None, f)
        assert (again.publishing, again.already) == (0, 3)


def test_a_reviewer_reads_under_consideration_until_published(app, team):
    reviewer = Scope.organisation(team.own_org_id)
    with app.app_context():
        with unit_of_work():
            triage_comment(team.own[0], {"disposition": "accepted", "response": SECRET}, actor="t")
        seen = visible_comment(team.own[0], reviewer)
        assert (seen.disposition, seen.response) == ("under_consideration", None)
        assert history(team.own[0], reviewer) == []
        chips = disposition_counts(CommentFilter(scope=reviewer))
        assert chips["under_consideration"] == 5 and chips["accepted"] == 0
        # Searching the draft response finds nothing for the reviewer; the staff find it.
        assert count_comments(CommentFilter(q="wrong here", scope=reviewer)) == 0
        assert count_comments(CommentFilter(q="wrong here", scope=STAFF)) == 1
        # Filtering or sorting by disposition reads the published outcome.
        assert count_comments(CommentFilter(disposition="accepted", scope=reviewer)) == 0
        rows = comment_page(CommentFilter(sort="disposition", scope=reviewer), 1).items
        assert {row.disposition for row in rows} == {"under_consideration"}
        assert SECRET not in comment_register_csv(CommentFilter(scope=reviewer)).decode()
        log = load_workbook(io.BytesIO(responses_log(team.own_org_id, STAFF)), read_only=True)
        text = str([list(r) for r in log.active.iter_rows(values_only=True)])
        assert SECRET not in text and "Under consideration" in text
        status = comment_status("1", scope=reviewer)
        assert (status.totals["accepted"], status.totals["open"]) == (0, 8)
        assert comment_status("1", scope=STAFF).totals["accepted"] == 1

        with unit_of_work():
            triage_comment(
                team.own[0], {"response_state": "approved"}, actor="lead", may_approve=True
            )
            publish([team.own[0]], None, "lead")
        seen = visible_comment(team.own[0], reviewer)
        assert (seen.disposition, seen.response) == ("accepted", SECRET)
        assert [e.field for e in history(team.own[0], reviewer)] == ["disposition", "response"]
        assert count_comments(CommentFilter(disposition="accepted", scope=reviewer)) == 1
        assert comment_status("1", scope=reviewer).totals["accepted"] == 1

        # Edited and republished: the reviewer reads the old version until then; both kept.
        with unit_of_work():
            triage_comment(team.own[0], {"response": "Agreed, in v1.2."}, actor="t")
        assert visible_comment(team.own[0], reviewer).response == SECRET
        with unit_of_work():
            triage_comment(
                team.own[0], {"response_state": "approved"}, actor="lead", may_approve=True
            )
            publish([team.own[0]], None, "lead")
        assert visible_comment(team.own[0], reviewer).response == "Agreed, in v1.2."
        versions = db.session.scalars(
            select(PublishedResponse.response).where(PublishedResponse.comment_id == team.own[0])
        ).all()
        assert versions == [SECRET, "Agreed, in v1.2."]
        assert [e.after for e in history(team.own[0], reviewer)] == [
            "accepted",
            SECRET,
            "Agreed, in v1.2.",
        ]


def test_working_groups_service(app, team):
    with app.app_context():
        with pytest.raises(ServiceError, match="already a working group"):
            create_group(" bprwg ")
        with pytest.raises(ServiceError, match="already a member"):
            add_member(team.group_id, team.member_id)
        with unit_of_work():
            triage_comment(team.own[0], {"working_group_id": team.group_id}, actor="t")
        with pytest.raises(ServiceError, match="1 comment assigned"):
            delete_group(team.group_id)
        db.session.rollback()
        (summary,) = working_groups()
        assert (summary.name, summary.comments) == ("BPRWG", 1)
        assert [m.email for m in summary.members] == ["member@programme.example"]


# --- the pages -------------------------------------------------------------------------------


def _login_as(client, user_id: int) -> None:
    sign_in_as(client, user_id)


def test_pages_assign_in_bulk_then_lead_publishes_after_a_confirmation(app, client, team):
    _login_as(client, team.triager_id)
    page = client.get("/comments/?artefact=BP005").get_data(as_text=True)
    assert (
        'name="assignee"' in page and 'name="group"' in page and "Publish to reviewers" not in page
    )
    form = {
        "scope": "filter",
        "f-artefact": "BP005",
        "working_group": str(team.group_id),
        "due_on": "2025-06-30",
    }
    confirm = client.post("/comments/bulk", data=form).get_data(as_text=True)
    assert "This will change <strong>3</strong> comments" in confirm and "BPRWG" in confirm
    assert "2025-06-30" in confirm  # the assignment's due date, open comments included
    done = client.post("/comments/bulk", data=form | {"confirm": "yes"}, follow_redirects=True)
    assert "3 comments updated." in done.get_data(as_text=True)
    listed = client.get(f"/comments/?group={team.group_id}").get_data(as_text=True)
    assert len(re.findall(r'<tr data-comment="\d+"', listed)) == 3
    assert listed.count("due 2025-06-30 · overdue") == 3
    # A triager may not publish.
    assert client.post("/comments/publish", data={"scope": "filter"}).status_code == 403

    with app.app_context():
        _approve(team.own[3:5])
    _login_as(client, team.lead_id)
    form = {"scope": "filter", "f-artefact": "BP005"}
    confirm = client.post("/comments/publish", data=form).get_data(as_text=True)
    assert "This publishes <strong>2</strong> responses" in confirm
    assert "1 still in draft or ready for review" in confirm
    client.post("/comments/publish", data=form | {"confirm": "yes"})
    with app.app_context():
        assert len(db.session.scalars(select(PublishedResponse)).all()) == 2


def test_my_work_and_working_groups_pages(app, client, team):
    with app.app_context(), unit_of_work():
        bulk_triage(
            team.own[:2],
            None,
            {"assignee_id": team.member_id, "due_on": today() - timedelta(days=1)},
            "t",
        )
    _login_as(client, team.member_id)
    page = client.get("/my-work").get_data(as_text=True)
    assert len(re.findall(r'<tr data-comment="\d+"', page)) == 2
    assert "<strong>2</strong> overdue" in page and "BPRWG" in page
    groups = client.get("/working-groups").get_data(as_text=True)
    assert "BPRWG" in groups and "Add a working group" not in groups  # a triager's view
    assert client.post("/working-groups", data={"name": "DRG"}).status_code == 403
    _login_as(client, team.lead_id)
    client.post("/working-groups", data={"name": "DRG", "description": "Design review"})
    assert "DRG" in client.get("/working-groups").get_data(as_text=True)
    # Hostile ids: a clear refusal, never a 500.
    for url in ("/working-groups/999999/members", "/working-groups/1/members"):
        for user in ("²", "١", "-1", "9" * 40, "\x00"):
            # A control character is refused by the app with a message (inputs.py).
            expected = 400 if user == "\x00" else 302
            assert client.post(url, data={"user": user}).status_code == expected
    assert client.get("/my-work?page=%C2%B2").status_code == 200


def test_comment_page_shows_the_resolution_and_publishes(app, client, team):
    with app.app_context():
        _approve([team.own[0]])
        version = db.session.get(Comment, team.own[0]).version
    _login_as(client, team.lead_id)
    page = client.get(f"/comments/{team.own[0]}").get_data(as_text=True)
    assert 'name="assignee_id"' in page and "Publish this response" in page
    assert 'name="due_on"' in page and 'name="action_due"' in page  # two dates, two jobs
    assert "Not published yet" in page
    response = client.post(f"/comments/{team.own[0]}/publish", data={"version": str(version)})
    assert response.status_code == 302
    page = client.get(f"/comments/{team.own[0]}").get_data(as_text=True)
    assert "(in force)" in page and "lead@programme.example" in page
    assert client.post(f"/comments/{team.own[0]}/publish", data={"version": "²"}).status_code == 302

"""Bulk triage: the service (set-based, one audit event per comment per field changed) and
the pages (ticked rows or every comment matching the filter, a confirmation, CSRF).

The service tests run in the `app_context` fixture; the page tests make their requests
without a context and read the database in `with app.app_context():` blocks between them.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from reviewtracker.extensions import db
from reviewtracker.models import AuditEvent, Comment, CommentResolution
from reviewtracker.services import ServiceError
from reviewtracker.services import bulk_triage as bulk_service
from reviewtracker.services.bulk_triage import bulk_plan, bulk_triage
from reviewtracker.services.comment_filter import CommentFilter
from reviewtracker.services.comment_queries import filtered_ids
from reviewtracker.services.scope import Scope

from .demo_copy import load_demo_copy

STAFF = Scope.staff()  # bulk triage is for the programme's staff, who see every comment


@pytest.fixture
def demo(app, tmp_path_factory):
    load_demo_copy(app, tmp_path_factory)


def ids(f: CommentFilter) -> list[int]:
    """The filter's comments in its order (inside an app context)."""
    return list(db.session.scalars(filtered_ids(f)))


def snapshot() -> dict[int, tuple]:
    """Every comment's triage fields, origins and version (inside an app context)."""
    db.session.expire_all()
    columns = (Comment.disposition, Comment.response, Comment.action_owner)
    columns += (Comment.disposition_origin, Comment.response_origin, Comment.version)
    return {row[0]: tuple(row[1:]) for row in db.session.execute(select(Comment.id, *columns))}


def audit(actor: str) -> list[tuple]:
    """The audit events of `actor`'s changes (inside an app context)."""
    return db.session.execute(
        select(AuditEvent.comment_id, AuditEvent.field, AuditEvent.before, AuditEvent.after)
        .where(AuditEvent.actor == actor)
        .order_by(AuditEvent.comment_id, AuditEvent.field)
    ).all()


# --- the service -----------------------------------------------------------------------------


def test_bulk_triage_audits_each_field_it_changes_and_nothing_else(demo, app_context):
    open_ones = ids(CommentFilter(tranche="2", disposition="open", scope=STAFF))[:3]
    rejected = ids(CommentFilter(tranche="2", disposition="rejected", scope=STAFF))[:2]
    before = snapshot()
    # The rejected ones already have the response that goes with "rejected".
    response = before[rejected[0]][1]
    assert before[rejected[1]][1] == response
    changed = bulk_triage(
        open_ones + rejected, None, {"disposition": "rejected", "response": response}, "ann"
    )
    assert changed == 3
    after = snapshot()
    expected_events = []
    for comment_id in open_ones:
        disposition, old_response, owner, _d_origin, _r_origin, version = before[comment_id]
        assert after[comment_id] == ("rejected", response, owner, "browser", "browser", version + 1)
        expected_events += [
            (comment_id, "disposition", disposition, "rejected"),
            (comment_id, "response", old_response, response),
        ]
    for comment_id in rejected:  # already at these values: untouched, not audited
        assert after[comment_id] == before[comment_id]
    assert audit("ann") == sorted(expected_events)
    untouched = set(before) - set(open_ones)
    assert {i: after[i] for i in untouched} == {i: before[i] for i in untouched}


def test_only_the_changed_field_is_audited(demo, app_context):
    target = ids(CommentFilter(tranche="1", disposition="action", scope=STAFF))[:4]
    before = snapshot()
    assert bulk_triage(target, None, {"disposition": "action", "action_owner": "Bo"}, "bo") == 4
    events = audit("bo")
    assert [(e.field, e.before, e.after) for e in events] == [("action_owner", None, "Bo")] * 4
    after = snapshot()
    for comment_id in target:
        # action_owner is not a decision: its origin stays; the disposition origin too.
        assert after[comment_id][:2] == before[comment_id][:2]
        assert after[comment_id][2] == "Bo"
        assert after[comment_id][3:5] == before[comment_id][3:5]
        assert after[comment_id][5] == before[comment_id][5] + 1
    # Again: nothing changes, nothing is audited.
    assert bulk_triage(target, None, {"action_owner": "Bo"}, "bo") == 0
    assert len(audit("bo")) == 4


def test_every_comment_matching_the_filter_changes_exactly_that_set(demo, app_context):
    organisation = db.session.scalar(
        select(Comment.organisation_id).where(Comment.disposition == "open").limit(1)
    )
    f = CommentFilter(tranche="2", organisation_id=organisation, disposition="open", scope=STAFF)
    chosen = set(ids(f))
    assert 10 < len(chosen) < 240
    before = snapshot()
    # The filter is on the field being changed: the set is taken once, before the update.
    assert bulk_triage(None, f, {"disposition": "clarification"}, "cy") == len(chosen)
    after = snapshot()
    changed = {i for i in before if before[i] != after[i]}
    assert changed == chosen
    assert all(after[i][0] == "clarification" for i in chosen)
    assert {e.comment_id for e in audit("cy")} == chosen
    assert len(audit("cy")) == len(chosen)
    assert ids(f) == []


def test_ids_and_filter_together_take_the_ids_that_match(demo, app_context):
    in_tranche_2 = ids(CommentFilter(tranche="2", scope=STAFF))[:3]
    in_tranche_1 = ids(CommentFilter(tranche="1", scope=STAFF))[:3]
    changed = bulk_triage(
        in_tranche_1 + in_tranche_2,
        CommentFilter(tranche="2", scope=STAFF),
        {"response": "Di: see the workshop notes."},
        "di",
    )
    assert changed == 3
    assert {e.comment_id for e in audit("di")} == set(in_tranche_2)


def test_bulk_works_in_chunks(demo, app_context, monkeypatch):
    monkeypatch.setattr(bulk_service, "BULK_CHUNK", 7)
    f = CommentFilter(tranche="2", scope=STAFF)
    everything = ids(f)
    change = {"response": "Ed: see the workshop notes."}
    # The demo published what it triaged: those responses go back to draft with the change.
    published = select(func.count()).where(
        CommentResolution.comment_id.in_(everything), CommentResolution.state != "draft"
    )
    past_draft = db.session.scalar(published)
    plan = bulk_plan(everything, None, change)
    assert (plan.selected, plan.changing, plan.per_field) == (240, 240, {"response": 240})
    assert bulk_triage(None, f, change, "ed") == 240
    changed = select(func.count()).where(Comment.response == change["response"])
    assert db.session.scalar(changed) == 240
    events = audit("ed")
    assert len([e for e in events if e.field == "response"]) == 240
    moves = [e for e in events if e.field != "response"]
    assert past_draft > 0 and len(moves) == past_draft
    assert {(e.field, e.after) for e in moves} == {("response_state", "draft")}


def test_bulk_plan_counts_what_would_change(demo, app_context):
    f = CommentFilter(tranche="1", artefact="BP004", scope=STAFF)
    plan = bulk_plan(None, f, {"disposition": "action", "action_owner": "Flo"})
    assert plan.selected == 54
    assert plan.per_field == {"disposition": 54 - 13, "action_owner": 54}  # BP004: 13 in Action
    assert plan.changing == 54
    plan = bulk_plan(None, f, {"disposition": "accepted"})
    assert (plan.selected, plan.changing) == (54, 18)
    assert audit("Flo") == [] and snapshot()  # nothing written


@pytest.mark.parametrize(
    "comment_ids, f, changes, message",
    [
        ([1], None, {}, "choose at least one"),
        ([1], None, {"internal_note": "x"}, "cannot change internal_note"),
        ([1], None, {"disposition": "maybe"}, "unknown disposition"),
        (None, None, {"disposition": "open"}, "no comments selected"),
    ],
)
def test_bulk_refuses_what_it_cannot_do(app_context, comment_ids, f, changes, message):
    with pytest.raises(ServiceError, match=message):
        bulk_triage(comment_ids, f, changes, "x")


def test_duplicates_follow_a_bulk_change_of_their_original(demo, app_context):
    from reviewtracker.services.triage import mark_duplicate

    artefact = db.session.scalar(
        select(Comment.artefact_id).where(Comment.disposition == "open").limit(1)
    )
    original, duplicate = db.session.scalars(
        select(Comment.id)
        .where(Comment.artefact_id == artefact, Comment.disposition == "open")
        .order_by(Comment.id)
        .limit(2)
    ).all()
    mark_duplicate(duplicate, original, actor="t")
    assert bulk_triage([original], None, {"disposition": "accepted"}, "gus") == 1
    db.session.expire_all()
    assert db.session.get(Comment, duplicate).disposition == "accepted"


# --- the pages ---------------------------------------------------------------------------------


def test_ticked_rows_confirm_then_change(app, demo, client, login):
    user = login("triager")
    with app.app_context():
        target = ids(CommentFilter(tranche="2", disposition="open", scope=STAFF))[:5]
        before = snapshot()
    data = {
        "scope": "selected",
        "ids": [str(i) for i in target],
        "f-tranche": "2",
        "f-disposition": "open",
        "disposition": "action",
        "action_owner": "Design team",
        "back": "/comments/?tranche=2&disposition=open&page=1",
    }
    confirm = client.post("/comments/bulk", data=data)
    page = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "This will change <strong>5</strong> comments" in page
    assert page.count('<input type="hidden" name="ids"') == 5
    assert '<input type="hidden" name="confirm" value="yes">' in page
    with app.app_context():
        assert snapshot() == before  # nothing written before the confirmation
    done = client.post("/comments/bulk", data={**data, "confirm": "yes"})
    assert done.status_code == 302
    assert done.headers["Location"] == "/comments/?tranche=2&disposition=open&page=1"
    with app.app_context():
        after = snapshot()
        events = audit(user.email)
    assert {i for i in before if before[i] != after[i]} == set(target)
    assert len(events) == 10  # disposition and action owner, 5 comments
    followed = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "5 comments updated." in followed


def test_every_comment_matching_the_filter_from_the_page(app, demo, client, login):
    login("lead")
    with app.app_context():
        chosen = set(ids(CommentFilter(tranche="2", disposition="open", scope=STAFF)))
    data = {
        "scope": "filter",
        "ids": [str(next(iter(chosen)))],  # ticked rows are ignored for this scope
        "f-tranche": "2",
        "f-disposition": "open",
        "f-sort": "changed",
        "disposition": "rejected",
        "response": "Out of scope.",
    }
    page = client.post("/comments/bulk", data=data).get_data(as_text=True)
    assert f"This will change <strong>{len(chosen)}</strong> comments" in page
    assert "Tranche 2" in page and "Disposition: Open" in page
    with app.app_context():
        before = snapshot()
    response = client.post("/comments/bulk", data={**data, "confirm": "yes"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/comments/?")
    with app.app_context():
        after = snapshot()
    assert {i for i in before if before[i] != after[i]} == chosen
    assert all(after[i][:2] == ("rejected", "Out of scope.") for i in chosen)
    assert f"{len(chosen)} comments updated." in client.get("/comments/").get_data(as_text=True)


def test_bulk_form_mistakes_change_nothing(app, demo, client, login):
    login("triager")
    with app.app_context():
        before = snapshot()
    nothing_to_set = client.post(
        "/comments/bulk", data={"scope": "filter", "f-tranche": "2"}, follow_redirects=True
    )
    assert "choose a disposition, a response, an action owner" in nothing_to_set.get_data(
        as_text=True
    )
    nothing_ticked = client.post(
        "/comments/bulk",
        data={"scope": "selected", "disposition": "open", "confirm": "yes"},
        follow_redirects=True,
    )
    assert "tick the comments to change" in nothing_ticked.get_data(as_text=True)
    bad = client.post(
        "/comments/bulk",
        data={"scope": "filter", "disposition": "maybe", "confirm": "yes"},
        follow_redirects=True,
    )
    assert "Nothing changed" in bad.get_data(as_text=True)
    with app.app_context():
        assert snapshot() == before


def test_back_never_leaves_the_site(app, demo, client, login):
    login("triager")
    with app.app_context():
        target = ids(CommentFilter(tranche="2", scope=STAFF))[:1]
    data = {"ids": [str(target[0])], "action_owner": "X", "confirm": "yes"}
    for back in ("https://evil.example/", "//evil.example/x", ""):
        response = client.post("/comments/bulk", data={**data, "back": back})
        assert response.status_code == 302
        assert response.headers["Location"] == "/comments/"


def test_anonymous_visitors_cannot_bulk_triage(app, demo, client):
    with app.app_context():
        before = snapshot()
    data = {"scope": "filter", "disposition": "rejected", "confirm": "yes"}
    anonymous = client.post("/comments/bulk", data=data)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    with app.app_context():
        assert snapshot() == before


def test_viewers_cannot_bulk_triage(app, demo, client, login):
    login("viewer")
    with app.app_context():
        before = snapshot()
    data = {"scope": "filter", "disposition": "rejected", "confirm": "yes"}
    assert client.post("/comments/bulk", data=data).status_code == 403
    assert client.post("/comments/bulk", data={**data, "confirm": ""}).status_code == 403
    with app.app_context():
        assert snapshot() == before


def test_bulk_triage_needs_the_csrf_token(app, demo, client, login):
    """The one bulk test with CSRF protection on, as in production: a POST without the form's
    token is refused and writes nothing; with the token the page gave, it goes through."""
    app.config["WTF_CSRF_ENABLED"] = True
    login("triager")
    with app.app_context():
        target = ids(CommentFilter(tranche="2", scope=STAFF))[:2]
        before = snapshot()
    data = {"ids": [str(i) for i in target], "disposition": "accepted", "confirm": "yes"}
    refused = client.post("/comments/bulk", data=data)
    assert refused.status_code == 400
    with app.app_context():
        assert snapshot() == before
    page = client.get("/comments/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    accepted = client.post("/comments/bulk", data={**data, "csrf_token": token})
    assert accepted.status_code == 302
    with app.app_context():
        changed = {i for i, row in snapshot().items() if row != before[i]}
    assert changed == {i for i in target if before[i][0] != "accepted"}

"""The answer and dissensus loop in Chromium: a reviewer disagrees with a reason, the staff
open a dissensus entry from it, record all 13 constituencies' positions (the tally shows),
close it with a decision by email after the meeting, and the reviewer reads the outcome."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from importers.vocabulary import POSITIONS
from reviewtracker.extensions import db
from reviewtracker.models import Comment, CommentResolution
from reviewtracker.services.users import create_user
from reviewtracker.unit_of_work import unit_of_work

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.browser

REVIEWER = ("reviewer@example.org", "reviewer-password")
REASON = "The exception path still has no named owner"
UPDATE = "POST MEETING UPDATE: agreed by email on 18 April."
# Six reject, four approve, two abstain, one not in attendance.
VOTES = ["Reject"] * 6 + ["Approve"] * 4 + ["Abstain"] * 2 + ["Not in attendance"]


def _reviewer_and_comment(app) -> int:
    with app.app_context():
        comment = db.session.scalar(
            select(Comment)
            .join(CommentResolution, CommentResolution.comment_id == Comment.id)
            .where(CommentResolution.published_id.is_not(None))
            .order_by(Comment.id)
            .limit(1)
        )
        with unit_of_work():
            create_user(*REVIEWER, role="reviewer", organisation=comment.organisation_id)
        comment_id = comment.id
        db.session.remove()
    return comment_id


def test_disagree_open_an_entry_record_positions_close_and_the_reviewer_reads_it(
    page: Page, live_server
):
    comment_id = _reviewer_and_comment(live_server.app)
    assert [t.label for t in POSITIONS] == ["Approve", "Reject", "Abstain", "Not in attendance"]

    sign_in(page, *REVIEWER)
    page.goto(f"/comments/{comment_id}")
    page.get_by_label("Disagree", exact=True).check()
    page.get_by_label("Reason (required to disagree)").fill(REASON)
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator(".flash-success")).to_contain_text("Your answer is saved")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page)  # a triager
    page.goto(f"/comments/{comment_id}")
    expect(page.locator("#answer")).to_contain_text(REASON)
    page.get_by_role("button", name="Open a dissensus entry").click()
    expect(page.locator("h1")).to_contain_text("D-002")  # the demo has D-001
    page.locator("summary", has_text="Record the constituencies").click()
    page.get_by_label("Meeting date").fill("2024-04-11")
    selects = page.locator(".positions-form select")
    expect(selects).to_have_count(13)
    for index, vote in enumerate(VOTES):
        selects.nth(index).select_option(label=vote)
    page.get_by_role("button", name="Record positions").click()
    expect(page.locator(".tally")).to_contain_text(
        "Approve 4, Reject 6, Abstain 2, Not in attendance 1"
    )
    outcome = page.locator('form[action$="/outcome"]')
    outcome.locator('select[name="outcome"]').select_option(
        label="Decided by email after the meeting"
    )
    outcome.get_by_label("Post-meeting update").fill(UPDATE)
    outcome.locator('select[name="status"]').select_option(label="Closed")
    page.get_by_role("button", name="Save the outcome").click()
    expect(page.locator("h1 .badge")).to_have_text("Closed")
    screenshot(page, "50-dissensus-entry")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, *REVIEWER)
    page.get_by_role("link", name="Dissensus log").click()
    page.get_by_role("link", name="D-002").click()
    expect(page.locator("body")).to_contain_text("Decided by email after the meeting")
    expect(page.locator("body")).to_contain_text(UPDATE)
    screenshot(page, "51-dissensus-reviewer")

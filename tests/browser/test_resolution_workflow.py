"""The resolution workflow in Chromium: a filtered set assigned to a working group, a member
drafts the responses from My work, the lead approves and publishes, and the reviewer sees them
only once published."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from reviewtracker.extensions import db
from reviewtracker.models import Comment, Organisation, User
from reviewtracker.services.users import create_user
from reviewtracker.services.working_groups import add_member, create_group
from reviewtracker.unit_of_work import unit_of_work

from .conftest import TRIAGER, screenshot, sign_in

pytestmark = pytest.mark.browser

LEAD = ("lead@example.org", "lead-password-1")
REVIEWER = ("reviewer@example.org", "reviewer-password")
RESPONSE = "Agreed: the timescale is stated in section 4 of the next version."


def _setup(app) -> tuple[str, int, list[int]]:
    """A working group with the triager in it, a lead, and a reviewer of the organisation with
    the fewest open comments in tranche 2 (at least two): its id and those comments."""
    with app.app_context():
        rows = db.session.execute(
            select(Comment.organisation_id, func.count())
            .where(Comment.disposition == "open")
            .group_by(Comment.organisation_id)
            .having(func.count() >= 2)
            .order_by(func.count(), Comment.organisation_id)
        ).all()
        organisation_id = rows[0][0]
        name = db.session.get(Organisation, organisation_id).name
        open_ids = list(
            db.session.scalars(
                select(Comment.id)
                .where(Comment.organisation_id == organisation_id, Comment.disposition == "open")
                .order_by(Comment.id)
            )
        )
        triager_id = db.session.scalar(select(User.id).where(User.email == TRIAGER[0]))
        with unit_of_work():
            group = create_group("CoS SWG", "Change of Service sub-working group")  # not the demo's
            add_member(group.id, triager_id)
            create_user(*LEAD, role="lead", name="Lee Lead")
            create_user(*REVIEWER, role="reviewer", organisation=organisation_id)
        db.session.remove()
    return name, organisation_id, open_ids


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_assign_draft_approve_publish_and_the_reviewer_sees_it(page: Page, live_server):
    name, organisation_id, open_ids = _setup(live_server.app)
    listed = f"/comments/?organisation={organisation_id}&disposition=open"

    # The lead assigns the organisation's open comments (a filtered set) to the sub-group.
    sign_in(page, *LEAD)
    page.goto(listed)
    page.locator("summary", has_text="Triage in bulk").click()
    page.get_by_label("Every comment matching this filter").check()
    page.get_by_label("Assign to a working group").select_option(label="CoS SWG")
    page.get_by_role("button", name="Review the change…").click()
    expect(page.locator(".confirm-count")).to_contain_text(f"change {len(open_ids)} comment")
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".flash-success")).to_contain_text(f"{len(open_ids)} comment")
    _sign_out(page)

    # The reviewer, before anything is published: under consideration.
    sign_in(page, *REVIEWER)
    page.goto(f"/comments/{open_ids[0]}")
    expect(page.locator("h1 .disposition")).to_have_text("Under consideration")
    _sign_out(page)

    # The member finds them in My work and drafts a response, put up for review.
    sign_in(page)
    page.get_by_role("link", name="My work").click()
    expect(page.locator("tr[data-comment]")).to_have_count(len(open_ids))
    screenshot(page, "40-my-work")
    page.locator(f'tr[data-comment="{open_ids[0]}"] a.open').click()
    page.get_by_label("Disposition").select_option(label="Accepted")
    page.get_by_label("Response", exact=True).fill(RESPONSE)
    page.get_by_label("Workflow state").select_option(label="Ready for review")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("Saved")
    _sign_out(page)

    # The lead approves it and publishes the approved responses of the filter.
    sign_in(page, *LEAD)
    page.goto(f"/comments/{open_ids[0]}")
    page.get_by_label("Workflow state").select_option(label="Approved")
    page.get_by_role("button", name="Save", exact=True).click()
    page.goto(f"/comments/?organisation={organisation_id}")
    page.locator("summary", has_text="Triage in bulk").click()
    page.get_by_label("Every comment matching this filter").check()
    page.locator("summary", has_text="Publish to reviewers").click()
    page.get_by_role("button", name="Review what would be published…").click()
    expect(page.locator(".confirm-count")).to_contain_text("This publishes 1 response")
    screenshot(page, "41-publish-confirm")
    page.get_by_role("button", name="Confirm: publish 1 response").click()
    expect(page.locator(".flash-success")).to_contain_text("Published 1 response")
    _sign_out(page)

    # The reviewer now reads the published outcome; the others are still under consideration.
    sign_in(page, *REVIEWER)
    page.goto(f"/comments/{open_ids[0]}")
    expect(page.locator("h1 .disposition")).to_have_text("Accepted")
    expect(page.locator("body")).to_contain_text(RESPONSE)
    page.goto(f"/comments/{open_ids[1]}")
    expect(page.locator("h1 .disposition")).to_have_text("Under consideration")
    screenshot(page, "42-reviewer-after-publishing")

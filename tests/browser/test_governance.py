"""The advisory group's logs in a real browser: a lead raises an action from a comment in
Action, gives it an update that moves it to ongoing, and finds it in the next meeting's pack
(and its printable page)."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from reviewtracker.extensions import db
from reviewtracker.models import Action, Comment
from reviewtracker.services.meetings import get_or_create_meeting
from reviewtracker.services.users import create_user
from reviewtracker.unit_of_work import unit_of_work

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.browser

LEAD = ("lead@example.org", "lead-password")


def _set_up(live_server) -> int:
    """A lead, the next meeting (in a week), and the first comment in Action."""
    with live_server.app.app_context():
        with unit_of_work():
            create_user(*LEAD, role="lead", name="Lee Lead")
            get_or_create_meeting("DAG014", date.today() + timedelta(days=7))
        comment_id = db.session.scalar(
            select(Comment.id).where(Comment.disposition == "action").order_by(Comment.id)
        )
        db.session.remove()
    return comment_id


def test_raise_an_action_from_a_comment_update_it_and_see_it_in_the_pack(page: Page, live_server):
    comment_id = _set_up(live_server)
    sign_in(page, *LEAD)
    page.goto(f"/comments/{comment_id}")
    page.get_by_role("button", name="Raise an action").click()
    expect(page.get_by_text(f"Action DAG14-01 raised from comment #{comment_id}")).to_be_visible()
    page.locator("#actions").get_by_role("link", name="DAG14-01").click()
    expect(page).to_have_url("/actions/DAG14-01")
    expect(page.locator("h1")).to_contain_text("Open")
    page.get_by_label("Update", exact=True).fill("Discussed with the BPRWG; wording agreed.")
    page.get_by_label("Status").select_option("ongoing")
    page.get_by_role("button", name="Add the update").click()
    expect(page.get_by_text("Update added to DAG14-01.")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("Ongoing")
    expect(page.locator(".timeline")).to_contain_text("Discussed with the BPRWG; wording agreed.")
    with live_server.app.app_context():
        status = db.session.scalar(select(Action.status).where(Action.reference == "DAG14-01"))
        db.session.remove()
    assert status == "ongoing"
    # The next meeting's pack lists it, with its status and latest update.
    page.get_by_role("link", name="Meetings").click()
    page.get_by_role("link", name="The next meeting's pack").click()
    expect(page).to_have_url("/meetings/DAG014")
    row = page.locator("table.actions-table tr", has_text="DAG14-01")
    expect(row).to_contain_text("Ongoing")
    expect(row).to_contain_text("Discussed with the BPRWG; wording agreed.")
    screenshot(page, "16-meeting-pack")
    page.get_by_role("link", name="Printable pack").click()
    expect(page.locator("h1")).to_have_text("DAG014")
    expect(page.locator("table.actions-table")).to_contain_text("DAG14-01")
    page.emulate_media(media="print")
    expect(page.locator(".print-note")).to_be_hidden()  # the screen-only note is not printed
    screenshot(page, "16-meeting-pack-print")

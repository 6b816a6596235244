"""The lifecycle in Chromium: a lead moves BP004 from under review to baselined v1.0 and
sees the timeline and the live tracker change."""

import pytest
from playwright.sync_api import Page, expect

from reviewtracker.services.users import create_user
from reviewtracker.unit_of_work import unit_of_work

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.browser
LEAD = ("lead@example.org", "lead-password")


def _move(page: Page, state: str, note: str, version: str = "") -> None:
    form = page.locator("form[data-move-form]")
    form.get_by_label("Move to state").select_option(label=state)
    form.get_by_label("Note").fill(note)
    if version:
        form.get_by_label("Issue version").fill(version)
    form.get_by_role("button", name="Record the move").click()
    expect(page.locator(".flash-success")).to_contain_text("Moved BP004.")


def test_a_lead_baselines_an_artefact(page: Page, live_server):
    with live_server.app.app_context(), unit_of_work():
        create_user(*LEAD, role="lead", name="Lee Lead")
    sign_in(page, *LEAD)
    page.goto("/tracker?tranche=1")
    row = page.locator('tr[data-reference="BP004"]')
    expect(row.locator("[data-state]")).to_have_text("under review")
    row.get_by_role("link", name="BP004").click()

    _move(page, "comments being resolved", "Review window closed on 15 April")
    _move(page, "ready for DAG", "All 54 comments dispositioned")
    _move(page, "baselined", "Approved by DAG #9 as version one", version="1.0")
    expect(page.locator("[data-state]")).to_have_text("baselined")
    expect(page.locator("[data-version]")).to_have_text("v1.0")
    timeline = page.locator("[data-timeline] li")
    expect(timeline.nth(0)).to_contain_text("ready for DAG → baselined")
    expect(timeline.nth(1)).to_contain_text("v1.0")
    expect(timeline.nth(3)).to_contain_text("under review → comments being resolved")
    screenshot(page, "60-artefact-baselined")

    page.locator("nav").get_by_role("link", name="Tracker", exact=True).first.click()
    row = page.locator('tr[data-reference="BP004"]')
    expect(row.locator("[data-state]")).to_have_text("baselined")
    expect(row.locator("[data-version]")).to_have_text("1.0")
    screenshot(page, "61-tracker")

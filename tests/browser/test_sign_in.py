"""Signing in and finding one's way, in a real browser."""

import pytest
from playwright.sync_api import Page, expect

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


def test_sign_in_then_the_tranche_tables(page: Page):
    page.goto("/tranches/1")
    expect(page).to_have_url("/login?next=%2Ftranches%2F1", ignore_case=True)
    screenshot(page, "01-sign-in")
    page.get_by_label("Email").fill("triager@example.org")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("do not match")).to_be_visible()
    sign_in(page)
    expect(page.get_by_role("heading", name="Design artefact review")).to_be_visible()
    screenshot(page, "02-tranches")
    page.get_by_role("link", name="Tranche 1").click()
    expect(page.locator("tfoot").first).to_contain_text("707")
    screenshot(page, "03-tranche-1-tables")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url("/login", ignore_case=True)

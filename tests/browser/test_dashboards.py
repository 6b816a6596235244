"""The board's pages in Chromium: tranche and design dashboards, a number followed to the
comments behind it, and the board pack downloaded."""

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


def test_dashboards_numbers_and_board_pack(page: Page, tmp_path):
    sign_in(page)
    page.get_by_role("link", name="Tranches").click()
    page.get_by_role("link", name="Tranche 1").click()
    status = page.locator("table").first
    expect(status.locator("tfoot")).to_contain_text("446")
    expect(status.locator("tfoot")).to_contain_text("707")
    expect(page.locator("svg").first).to_be_visible()  # the disposition chart
    # Progress over time, loaded into the page after it in place of the link: received per
    # day, the burn-down and the median days to a disposition by constituency and artefact.
    panel = page.locator("[data-load-panel]")
    expect(panel.locator("figure svg")).to_have_count(4)
    expect(panel).to_contain_text("Triage burn-down")
    screenshot(page, "20-tranche-dashboard")

    # BP004's 36 accepted comments: the number is a link to exactly those comments.
    row = status.locator("tbody tr", has_text="BP004- Data Collection")
    row.get_by_role("link", name="36", exact=True).click()
    expect(page).to_have_url("/comments/?tranche=1&artefact=BP004&disposition=accepted")
    expect(page.locator("nav.chips a[aria-current] .count")).to_have_text("36")
    screenshot(page, "21-list-behind-a-number")

    page.get_by_role("link", name="Design dashboard").click()
    expect(page.get_by_role("heading", name="MHHS Design Dashboard")).to_be_visible()
    design = page.locator("table").first
    expect(design).to_contain_text("Load Shaping Service")
    expect(design).to_contain_text("At risk")
    expect(page.locator("body")).to_contain_text("Not on track")  # the legend
    screenshot(page, "22-design-dashboard")

    page.goto("/tranches/1")
    with page.expect_download() as download:
        page.get_by_role("link", name="Board pack (xlsx)").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.suffix == ".xlsx"
    book = load_workbook(path)
    assert {"Comment status", "Constituencies", "Design dashboard"} <= set(book.sheetnames)
    values = [cell for row in book["Comment status"].iter_rows(values_only=True) for cell in row]
    assert 707 in values and 446 in values

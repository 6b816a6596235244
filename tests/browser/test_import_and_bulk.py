"""Upload a messy log and confirm it, then bulk-triage it through a filter, in Chromium."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.logmaker import write_xlsx_log

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.browser

ORGANISATION = "Quayside Metering Ltd"


def _messy_log(folder: Path) -> Path:
    """Title rows, a key/value block above the table, a Read Me sheet, merged artefact cells,
    blank rows inside the table: 12 comments on three tranche 2 artefacts."""
    rows = [
        {
            "log_comment_id": str(n),
            "artefact": ["MHHSP-IF-31", "BP-003B", "mhhsp-brs008"][n % 3],
            "section": f"4.{n}",
            "comment": f"Step {n}: the appointment response timescale is not stated; "
            "suppliers cannot design their retry logic without it.",
            "proposed_change": "State the timescale in working days.",
        }
        for n in range(1, 13)
    ]
    rows.sort(key=lambda row: row["artefact"])
    return write_xlsx_log(
        folder / "Quayside comments T2.xlsx",
        rows,
        key_values={"Organisation": ORGANISATION, "Constituency": "Supplier Agent - Independent"},
        blank_row_every=5,
        merge_artefact_cells=True,
    )


def _chip(page: Page, label: str):
    return page.locator("nav.chips a", has_text=label).locator(".count")


def test_upload_confirm_then_bulk_triage_a_filtered_set(page: Page, tmp_path: Path):
    sign_in(page)
    page.get_by_role("link", name="Import", exact=True).click()
    screenshot(page, "10-import-upload")
    page.get_by_label("Comment logs").set_input_files(str(_messy_log(tmp_path)))
    page.get_by_role("button", name="Upload and preview").click()

    # The preview: the header row found, the mapping, the first rows; nothing written yet.
    # Tranche 2's first review closed on 15 April 2022 (the demo's window): the comments are
    # kept and flagged late, a warning, so the file's detail is open already.
    expect(page.get_by_text("Quayside comments T2.xlsx").first).to_be_visible()
    expect(page.locator("details.file-preview").first).to_contain_text(
        "12 comments raised after the round's closing date 2022-04-15: kept, flagged late"
    )
    screenshot(page, "11-import-preview")
    expect(page.locator("body")).to_contain_text("Header row")
    expect(page.locator(".mapped", has_text="Reviewer Comment")).to_be_visible()  # the mapping
    expect(page.locator("body")).to_contain_text("IF031")  # the first rows, normalised
    page.get_by_role("button", name="Import 1 file").click()

    # The history shows the batch with its counts.
    expect(page).to_have_url("/imports/history")
    expect(page.locator("body")).to_contain_text("added 12")
    screenshot(page, "12-import-history")

    # Filter the list to the new organisation's open comments.
    page.goto("/comments/")
    filters = page.get_by_role("search", name="Filter the comments")
    filters.locator("select[name=organisation]").select_option(label=ORGANISATION)
    filters.locator("select[name=disposition]").select_option("open")
    page.get_by_role("button", name="Apply filters").click()
    expect(_chip(page, "Open")).to_have_text("12")
    expect(_chip(page, "Accepted")).to_have_text("0")
    screenshot(page, "13-comments-filtered")

    # Bulk: every comment matching the filter becomes Action with a response.
    page.locator("details[data-bulk] summary").click()
    page.get_by_label("Every comment matching this filter").check()
    bulk = page.locator("details[data-bulk]")
    bulk.get_by_label("Disposition").select_option("action")
    bulk.get_by_label("Response").fill("Taken to the Registration sub-group.")
    page.get_by_role("button", name="Review the change").click()
    expect(page.locator("body")).to_contain_text("12")
    screenshot(page, "14-bulk-confirm")
    page.get_by_role("button", name="Confirm: change 12 comments").click()

    # Back on the list: the chips (counted without the disposition part) have moved.
    expect(page.locator(".flash").first).to_contain_text("12")
    expect(_chip(page, "Open")).to_have_text("0")
    expect(_chip(page, "Action")).to_have_text("12")
    page.locator("nav.chips a", has_text="Action").click()
    expect(page.locator("tbody tr")).to_have_count(12)
    expect(page.locator("tbody")).to_contain_text("Taken to the Registration sub-group.")
    screenshot(page, "15-comments-after-bulk")

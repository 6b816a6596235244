"""Review rounds in Chromium: a lead creates a round, a log is imported into it and the
engagement table changes, round 3 starts with the unresolved comments carried forward, a
repeat is linked, and the diff reads it."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from reviewtracker.services.users import create_user
from reviewtracker.unit_of_work import unit_of_work
from tests.logmaker import write_xlsx_log

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.browser
LEAD = ("lead@example.org", "lead-password")
NORTHGATE = {"Organisation": "Northgate Data Systems", "Constituency": "Other- IT Service Provider"}
SWIMLANE = "Swimlane 3 omits the new supplier when the registration is rejected."


def _log(folder: Path, name: str, texts: list[str]) -> Path:
    rows = [
        {"log_comment_id": str(n), "artefact": "BP001", "section": "2.1", "comment": text}
        for n, text in enumerate(texts, 1)
    ]
    return write_xlsx_log(folder / name, rows, key_values=NORTHGATE)


def _import(page: Page, path: Path, number: str) -> None:
    page.goto("/imports/")
    page.get_by_label("Comment logs").set_input_files(str(path))
    page.get_by_label("Tranche").select_option("2")
    page.get_by_label("Review round").fill(number)
    page.get_by_role("button", name="Upload and preview").click()
    page.get_by_role("button", name="Import 1 file").click()
    expect(page).to_have_url("/imports/history")


def _round_form(page: Page, name: str) -> None:
    page.get_by_label("Name").fill(name)
    page.get_by_label("Opens on").fill((date.today() - timedelta(days=1)).isoformat())
    page.get_by_label("Closes on").fill((date.today() + timedelta(days=10)).isoformat())


def test_a_round_from_creation_to_the_diff(page: Page, live_server, tmp_path: Path):
    with live_server.app.app_context(), unit_of_work():
        create_user(*LEAD, role="lead", name="Lee Lead")
    sign_in(page, *LEAD)
    page.goto("/rounds/new?tranche=2")
    page.get_by_label("Round number").fill("2")
    _round_form(page, "2nd review")
    page.locator("#artefact-BP001").check()
    page.get_by_label("Version of BP001").fill("0.2")
    page.locator("label.check", has_text="Northgate Data Systems").locator("input").check()
    page.locator("label.check", has_text="Helix Utility Software").locator("input").check()
    page.get_by_role("button", name="Create the round").click()
    summary = page.locator("[data-engagement-summary]")
    expect(summary).to_contain_text("0 of 2 invited organisations responded")
    round_two = page.url

    _import(page, _log(tmp_path, "northgate-r2.xlsx", [SWIMLANE, "Clarify the D0010 flow."]), "2")
    page.goto(round_two)
    expect(summary).to_contain_text("1 of 2 invited organisations responded")
    row = page.locator('tr[data-organisation="Northgate Data Systems"]')
    expect(row.locator("[data-responded]")).to_have_text("yes")
    # Progress, loaded into the page after it: received per day and the burn-down (no
    # disposition yet, so no median days).
    progress = page.locator("[data-load-panel]")
    expect(progress.locator("figure svg")).to_have_count(2)
    expect(progress).to_contain_text("No comment has a disposition yet")
    screenshot(page, "70-round-engagement")

    page.get_by_role("link", name="Start the next round").click()
    _round_form(page, "3rd review")
    page.get_by_role("button", name="Start the round").click()
    # Carried: round 2's two comments, and the demo's round-1 comments on BP001 still open.
    expect(page.locator(".flash-success")).to_contain_text("unresolved comment(s) carried")
    expect(page.locator("#carried")).to_contain_text("from round 2")
    expect(page.locator("#carried")).to_contain_text("Swimlane 3 omits")
    again = SWIMLANE.replace("omits", "still omits") + " Raised in the 2nd review."
    _import(page, _log(tmp_path, "northgate-r3.xlsx", [again]), "3")

    page.goto("/rounds/")
    page.get_by_role("link", name="3rd review").click()
    page.get_by_role("link", name="Repeats").click()
    page.locator("#repeat-suggestions button").first.click()
    expect(page.locator(".flash-success")).to_contain_text("linked: repeats")
    page.get_by_role("link", name="3rd review").click()
    page.get_by_role("link", name="Diff with round 2").click()
    bp001 = page.locator('tr[data-artefact="BP001"]')
    expect(bp001.locator('[data-category="repeated"]')).to_have_text("1")
    expect(bp001.locator('[data-category="new"]')).to_have_text("0")
    # Round 2's two comments carried into round 3 (the diff compares round 2 with 3 only).
    expect(bp001.locator('[data-category="carried_open"]')).to_have_text("2")
    screenshot(page, "71-round-diff")

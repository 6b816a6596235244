"""A team's first week, in the browser only: a fresh installation (no demo anywhere), the first
admin from the documented command, then the artefact register and a stack of logs uploaded
together, previewed and imported, and the tranche tables from them. Every preview also opened
on a phone, where it must not scroll sideways."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.logmaker import write_csv_log, write_register_xlsx, write_xlsx_log

from .conftest import Console, browser_app, overflow, screenshot, serve, sign_in

pytestmark = pytest.mark.browser

ADMIN = ("ann@team.example", "first-admin-password")
ARTEFACTS = [
    {"tranche": "1", "service": "Metering and Data Services", "reference": "MHHSP-BP004",
     "title": "Data Collection", "status": "Under Review", "version": "1.0"},
    {"tranche": "1", "service": "Registration Service", "reference": "MHHSP-IF005",
     "title": "Metering Service MTD Updates to Registration", "status": "Under Review"},
]  # fmt: skip


def _rows(n: int, first: int = 1) -> list[dict]:
    return [
        {
            "log_comment_id": str(i),
            "artefact": "MHHSP-BP004" if i % 2 else "IF-005",
            "section": f"2.{i}",
            "comment": f"Point {i}: the exception path for a late reading is not described.",
            "proposed_change": "Describe it.",
        }
        for i in range(first, first + n)
    ]


def _files(folder: Path) -> list[str]:
    register = write_register_xlsx(folder / "Design Artefact Tracker v12.xlsx", ARTEFACTS)
    acme = write_xlsx_log(
        folder / "MHHS_Tranche1_Design_Review_Comment_Log_Acme_Energy_FINAL_v2.xlsx",
        _rows(3),
        key_values={"Organisation": "Acme Energy", "Constituency": "Supplier - Large"},
    )
    beta_rows = [
        {**row, "organisation": "Beta Networks", "constituency": "Distributor - DNO"}
        for row in _rows(2)
    ]
    beta = write_csv_log(folder / "Beta Networks comments.csv", beta_rows)
    return [str(acme), str(register), str(beta)]


def _fits_a_phone(phone: Page, path: str, name: str) -> None:
    phone.goto(path)
    assert overflow(phone) <= 0, f"{path} scrolls sideways on a phone"
    screenshot(phone, f"first-week/390-{name}", full_page=False)


def test_from_a_fresh_installation_to_the_tranche_tables(browser: Browser, tmp_path: Path):
    app = browser_app(tmp_path)
    created = app.test_cli_runner().invoke(
        args=["create-user", ADMIN[0], "--role", "admin", "--name", "Ann", "--password-stdin"],
        input=ADMIN[1] + "\n",
    )
    assert created.exit_code == 0, created.output
    with serve(app) as server:
        desk = browser.new_context(base_url=server.url, viewport={"width": 1440, "height": 900})
        phone = browser.new_context(base_url=server.url, viewport={"width": 390, "height": 844})
        page, small = desk.new_page(), phone.new_page()
        console = Console(page)
        for each in (page, small):
            each.set_default_timeout(15_000)
            sign_in(each, *ADMIN)
        expect(page.locator("[data-demo-banner]")).to_have_count(0)  # no demo, anywhere
        expect(page.locator("[data-getting-started]")).to_be_visible()
        screenshot(page, "first-week/1440-1-getting-started", full_page=False)

        # Everything at once, on the comment log page: the register is recognised.
        page.get_by_role("link", name="Import the comment logs").click()
        page.get_by_label("Comment logs").set_input_files(_files(tmp_path))
        page.get_by_role("button", name="Upload and preview").click()
        expect(page.get_by_role("heading", name="Preview the artefact register")).to_be_visible()
        expect(page.locator(".flash").first).to_contain_text(
            "Design Artefact Tracker v12.xlsx is an artefact register"
        )
        expect(page.locator('[data-count="added"]')).to_have_text("2")
        screenshot(page, "first-week/1440-2-register-preview")
        _fits_a_phone(small, page.url, "register-preview")
        page.get_by_role("button", name="Import the register").click()

        # The two logs wait behind it: one summary table, one Import button at the top.
        expect(page.get_by_role("heading", name="Preview import")).to_be_visible()
        summary = page.locator("[data-stack-summary]")
        expect(summary.locator("tbody tr")).to_have_count(2)
        expect(summary).to_contain_text("Beta Networks")
        expect(summary.locator("tfoot")).to_contain_text("5")
        screenshot(page, "first-week/1440-3-logs-preview")
        _fits_a_phone(small, page.url, "logs-preview")
        page.locator('[data-import-actions="top"]').get_by_role(
            "button", name="Import 2 files"
        ).click()
        expect(page).to_have_url("/imports/history")
        expect(page.locator(".flash").first).to_contain_text("Imported 2 files: added 5")
        expect(page.locator("[data-undo]")).to_have_count(2)  # the logs; not the register
        screenshot(page, "first-week/1440-4-history")
        _fits_a_phone(small, "/imports/history", "history")

        # The tranche tables, from the team's own register and logs only.
        page.goto("/tranches/1")
        status = page.locator("#comment-status")
        expect(status.locator("tbody tr")).to_have_count(2)
        expect(status.locator("tfoot")).to_contain_text("5")
        expect(page.locator("#constituencies tfoot")).to_contain_text("2")  # organisations
        screenshot(page, "first-week/1440-5-tranche-1")
        _fits_a_phone(small, "/tranches/1", "tranche-1")
        assert console.take() == []
        desk.close()
        phone.close()

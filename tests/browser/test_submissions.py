"""A reviewer submits their organisation's comments in Chromium: downloads the round's log
template, uploads a log with two problems and sees them, uploads the fixed log (the template
filled in) and submits it; the design team sees it on the round's engagement table and in the
import history; after the close the reviewer is refused, a lead grants the organisation an
extension, and the next submission is accepted and flagged late."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from reviewtracker.extensions import db
from reviewtracker.models import Organisation, ReviewRound, Tranche
from reviewtracker.services.rounds import RoundPlan, create_round
from reviewtracker.services.users import create_user
from reviewtracker.unit_of_work import unit_of_work
from tests.logmaker import write_xlsx_log

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.browser
LEAD = ("lead@example.org", "lead-password")
REVIEWER = ("reviewer@northgate.example", "reviewer-password")
NORTHGATE = "Northgate Data Systems"


def _round(app) -> int:
    """Tranche 2's next round, open since 3 days ago for 10 more, reviewing BP001 and BP002,
    Northgate invited; a lead, and a reviewer of Northgate."""
    with app.app_context():
        tranche = db.session.scalar(select(Tranche.id).where(Tranche.code == "2"))
        number = (
            db.session.scalar(
                select(func.max(ReviewRound.number)).where(ReviewRound.tranche_id == tranche)
            )
            or 0
        ) + 1
        northgate = db.session.scalar(select(Organisation.id).where(Organisation.name == NORTHGATE))
        with unit_of_work():
            review_round = create_round(
                RoundPlan(
                    tranche="2",
                    number=number,
                    opens_on=date.today() - timedelta(days=3),
                    closes_on=date.today() + timedelta(days=10),
                    name="Reviewers' own review",
                    artefacts={"BP001": None, "BP002": None},
                    organisation_ids=[northgate],
                ),
                actor=LEAD[0],
            )
            create_user(*LEAD, role="lead", name="Lee Lead")
            create_user(*REVIEWER, role="reviewer", name="Rita Reviewer", organisation=northgate)
        round_id = review_round.id
        db.session.remove()
    return round_id


def _upload(page: Page, path: Path) -> None:
    page.get_by_label("Your organisation's comment log").set_input_files(str(path))
    page.get_by_role("button", name="Upload and check").click()


def test_a_reviewer_submits_then_late_through_an_extension(
    page: Page, browser: Browser, live_server, tmp_path: Path
):
    round_id = _round(live_server.app)
    sign_in(page, *REVIEWER)
    page.get_by_role("link", name="Submit comments").click()
    page.get_by_role("link", name="Reviewers' own review").click()
    expect(page.locator("[data-closing-date]")).to_have_text(
        f"{date.today() + timedelta(days=10):%d %B %Y}"
    )
    with page.expect_download() as download:
        page.locator("[data-template]").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)

    # A log with two problems: an artefact the round does not review, an id given twice.
    rows = [
        {
            "log_comment_id": "1",
            "artefact": "BP001",
            "section": "2.1",
            "comment": "Step 2 is unclear.",
        },
        {
            "log_comment_id": "2",
            "artefact": "IF005",
            "section": "1",
            "comment": "Not in this round.",
        },
        {"log_comment_id": "1", "artefact": "BP001", "section": "3", "comment": "Same id again."},
    ]
    _upload(page, write_xlsx_log(tmp_path / "northgate.xlsx", rows))
    expect(page.locator("[data-not-ready]")).to_contain_text("it has 2 problems")
    problems = page.locator("table.problems tbody tr")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text("duplicate comment id")
    expect(problems.nth(1)).to_contain_text("IF005 is not under review")
    expect(page.get_by_role("button", name="Submit to the design team")).to_have_count(0)
    screenshot(page, "90-submission-problems")
    page.get_by_role("button", name="Upload another file").click()

    # The fixed log: the round's template, filled in.
    book = load_workbook(template)
    sheet = book["Comments"]
    sheet.append(
        ["1", "BP001", "2.1", "4", "12", "Technical", "Step 2 is unclear.", "Name the trigger."]
    )
    sheet.append(["2", "BP002", "3", "", "", "Editorial", "Typo in the title.", ""])
    fixed = tmp_path / "northgate-fixed.xlsx"
    book.save(fixed)
    _upload(page, fixed)
    expect(page.locator("[data-ready]")).to_contain_text("2 comments from Northgate Data Systems")
    page.get_by_role("button", name="Submit to the design team").click()
    expect(page.locator(".flash-success")).to_contain_text("Submitted to Tranche 2")
    expect(page.locator("[data-submissions] tbody tr")).to_have_count(1)

    # The design team sees it at once.
    staff = browser.new_context(base_url=live_server.url)
    lead = staff.new_page()
    sign_in(lead, *LEAD)
    lead.goto(f"/rounds/{round_id}")
    row = lead.locator(f'tr[data-organisation="{NORTHGATE}"]')
    expect(row.locator("[data-responded]")).to_have_text("yes")
    expect(row.locator("td.num").first).to_have_text("2")
    expect(lead.locator("[data-staff-submissions]")).to_contain_text("Rita Reviewer")
    lead.goto("/imports/history")
    expect(lead.locator("[data-submitted-by]").first).to_have_text("Submitted by Rita Reviewer")

    # The lead closes the round early, as of yesterday: the reviewer is refused.
    lead.goto(f"/rounds/{round_id}")
    lead.locator("#on").fill((date.today() - timedelta(days=1)).isoformat())
    lead.get_by_role("button", name="Close early").click()
    closed = f"closed for comments on {date.today() - timedelta(days=1):%d %B %Y}"
    page.reload()
    expect(page.locator("[data-refusal]")).to_contain_text(closed)
    expect(page.get_by_role("button", name="Upload and check")).to_have_count(0)

    # An extension for Northgate: its next submission is accepted, flagged late.
    lead.goto(f"/rounds/{round_id}")
    form = lead.locator("[data-extension-form]")
    form.get_by_label("Organisation").select_option(label=NORTHGATE)
    form.get_by_label("Submissions accepted until").fill(
        (date.today() + timedelta(days=2)).isoformat()
    )
    form.get_by_label("Note").fill("Agreed at the working group")
    form.get_by_role("button", name="Grant extension").click()
    expect(lead.locator(".flash-success")).to_contain_text("Extension granted")
    page.reload()
    expect(page.locator("[data-extension]")).to_contain_text("granted by lead@example.org")
    sheet.append(["3", "BP001", "5", "", "", "General", "One more, after the close.", ""])
    book.save(fixed)
    _upload(page, fixed)
    expect(page.locator("[data-late-warning]")).to_contain_text("flagged late")
    page.get_by_role("button", name="Submit to the design team").click()
    expect(page.locator(".flash-success")).to_contain_text("flagged late")
    expect(page.locator("[data-submissions] [data-late]")).to_have_count(1)
    screenshot(page, "91-submission-late")
    lead.goto(f"/rounds/{round_id}")
    expect(lead.locator("[data-staff-submissions] [data-late]")).to_have_count(1)
    expect(row.locator("td.num").first).to_have_text("3")
    staff.close()

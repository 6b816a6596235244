"""Every page, as a desk and as a phone see it: 1440x900 and 390x844. No page scrolls
sideways (wide tables scroll inside their own box), the console stays clean, the navigation
folds into a menu on the phone; on the desk the list's compact rows and its sticky bulk bar.

One server (the demo data set: realistic lengths, with its DAG #8 meeting, actions, decisions,
dissensus entry, working groups and rounds; the next meeting and an action raised from a comment
added) and one
browser context per window size; screenshots of what each window shows go to
test-output/browser/pages/.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from reviewtracker.demo import DEMO_EMAIL, DEMO_PASSWORD, ensure_demo_user, load_demo
from reviewtracker.extensions import db
from reviewtracker.models import (
    Action,
    Comment,
    Decision,
    DissensusEntry,
    ImportBatch,
    Organisation,
    ReviewRound,
    Service,
)
from reviewtracker.services.actions import raise_from_comment
from reviewtracker.services.meetings import create_meeting
from reviewtracker.services.users import create_user
from reviewtracker.unit_of_work import unit_of_work

from .conftest import Console, LiveServer, browser_app, overflow, screenshot, serve, sign_in

pytestmark = pytest.mark.browser

DESK = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
REVIEWER = ("rowan@reviewer.example", "reviewer-password-1")


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    app = browser_app(tmp_path_factory.mktemp("every-page"))
    with app.app_context():
        load_demo()
        with unit_of_work():
            ensure_demo_user()
        _governance(DEMO_EMAIL)
        _reviewer()
        db.session.remove()
    with serve(app) as server:
        yield server


def _governance(actor: str) -> None:
    """The next meeting (the demo's DAG #8 is in the past) and an action raised from a comment
    in Action for it."""
    in_action = db.session.scalar(
        select(Comment.id).where(Comment.disposition == "action").order_by(Comment.id)
    )
    with unit_of_work():
        create_meeting("DAG014", date.today() + timedelta(days=7), "DAG #14")
        raise_from_comment(in_action, actor, today=date.today())


def _reviewer() -> None:
    """A reviewer of the first organisation (invited to Tranche 1's open second review)."""
    organisation = db.session.scalar(select(Organisation.id).order_by(Organisation.id))
    with unit_of_work():
        create_user(*REVIEWER, "reviewer", "Rowan Reviewer", organisation=organisation)


def _reviewer_pages(app) -> dict[str, str]:
    """name -> path of every page a reviewer has: their own organisation's, published only."""
    with app.app_context():
        organisation = db.session.scalar(select(Organisation.id).order_by(Organisation.id))
        comment = db.session.scalar(
            select(Comment.id).where(Comment.organisation_id == organisation).order_by(Comment.id)
        )
        open_round = db.session.scalar(
            select(ReviewRound.id).where(ReviewRound.number == 2).order_by(ReviewRound.id)
        )
        db.session.remove()
    return {
        "reviewer-comments": "/comments/",
        "reviewer-comment": f"/comments/{comment}",
        "reviewer-dissensus": "/dissensus/",
        "reviewer-submissions": "/submissions/",
        "reviewer-round": f"/submissions/rounds/{open_round}",
    }


def _pages(app) -> dict[str, str]:
    """name -> path of every page a signed-in admin can open (ids from the demo data)."""
    with app.app_context():
        comment = db.session.scalar(select(Comment.id).where(Comment.response.is_not(None)))
        organisation = db.session.scalar(select(Organisation.id).order_by(Organisation.id))
        service = db.session.scalar(
            select(Service.id).where(Service.name == "Load Shaping Service")
        )
        batch = db.session.scalar(select(ImportBatch.id).where(ImportBatch.kind == "comments"))
        round_id = db.session.scalar(select(ReviewRound.id).order_by(ReviewRound.id))
        action = db.session.scalar(select(Action.reference))
        decision = db.session.scalar(select(Decision.reference))
        entry = db.session.scalar(select(DissensusEntry.id))
        db.session.remove()
    return {
        "tranches": "/",
        "tranche-1": "/tranches/1",
        "tranche-1-progress": "/tranches/1/progress",
        "tranche-2-round-1": "/tranches/2/rounds/1",
        "tranche-3-empty": "/tranches/3",
        "design-dashboard": "/design-dashboard",
        "design-history": f"/design-dashboard/1/{service}",
        "design-edit": f"/design-dashboard/1/{service}/2022-04",
        "artefacts": "/artefacts/tranches/1",
        "artefact": "/artefacts/BP004",
        "comments": "/comments/",
        "comments-organisation": f"/comments/?organisation={organisation}&sort=changed",
        "comments-none": "/comments/?q=gazetteer",
        "comment": f"/comments/{comment}?tranche=1",
        "import": "/imports/",
        "import-register": "/imports/register",
        "import-history": "/imports/history",
        "undo": f"/imports/{batch}/undo",
        "users": "/users",
        "account": "/account",
        "tracker": "/tracker",
        "implementation": "/implementation",
        "rounds": "/rounds/",
        "round": f"/rounds/{round_id}",
        "round-new": "/rounds/new",
        "round-repeats": f"/rounds/{round_id}/repeats",
        "my-work": "/my-work",
        "working-groups": "/working-groups",
        "resolutions-import": "/resolutions/import",
        "meetings": "/meetings/",
        "meeting": "/meetings/DAG014",
        "actions": "/actions/",
        "action": f"/actions/{action}",
        "action-new": "/actions/new",
        "decisions": "/decisions/",
        "decision": f"/decisions/{decision}",
        "decision-new": "/decisions/new",
        "dissensus": "/dissensus/",
        "dissensus-entry": f"/dissensus/{entry}",
        "dissensus-new": "/dissensus/new",
        "not-found": "/no-such-page",
    }


def _tour(
    browser: Browser, server: LiveServer, viewport: dict, label: str, reviewer: bool = False
) -> Page:
    """Open every page in one context of this window size; each must fit and stay quiet.
    As the demo's admin, or (`reviewer`) as a reviewer of one organisation."""
    context = browser.new_context(base_url=server.url, viewport=viewport)
    context.set_default_timeout(15_000)
    page = context.new_page()
    console = Console(page)
    page.goto("/login")
    assert overflow(page) <= 0, "the sign-in page scrolls sideways"
    expect(page.locator("[data-demo-banner]")).to_contain_text(DEMO_EMAIL)
    screenshot(page, f"pages/{label}-sign-in", full_page=False)
    sign_in(page, *(REVIEWER if reviewer else (DEMO_EMAIL, DEMO_PASSWORD)))
    wide, errors = [], []
    pages = _reviewer_pages(server.app) if reviewer else _pages(server.app)
    for name, path in pages.items():
        response = page.goto(path)
        assert response.status == (404 if name == "not-found" else 200), (name, path)
        expect(page.locator("[data-demo-banner]")).to_be_visible()  # a demo database says so
        if overflow(page) > 0:
            wide.append(f"{name} ({path}): {overflow(page)} px too wide")
        screenshot(page, f"pages/{label}-{name}", full_page=False)
        # The not-found page's own 404 is the console's one expected line.
        expected = "status of 404" if response.status == 404 else None
        errors += [e for e in console.take() if not (expected and expected in e)]
    assert wide == [], f"pages that scroll sideways at {viewport['width']} px: {wide}"
    assert errors == []
    return page


def test_every_page_fits_a_desk(browser: Browser, demo_server: LiveServer):
    page = _tour(browser, demo_server, DESK, "1440")
    nav = page.locator(".topbar nav")
    expect(nav).to_be_visible()
    expect(page.locator("[data-menu-toggle]")).to_be_hidden()

    # Compact rows: at least twice the comments on one screen.
    page.goto("/comments/?tranche=1")
    comfortable = _rows_on_screen(page)
    page.locator("[data-density-toggle]").click()
    compact = _rows_on_screen(page)
    assert compact >= 2 * comfortable, (comfortable, compact)
    page.reload()  # the browser keeps the choice
    expect(page.locator("table[data-comment-list]")).to_have_class("grid comments compact")
    page.locator("[data-density-toggle]").click()  # back, for the other tests' screenshots

    # A ticked row (by key) shows the bulk bar, which stays in view while the list scrolls.
    page.locator("table[data-comment-list] tbody a.open").first.focus()
    page.keyboard.press("x")
    bar = page.locator("details[data-bulk]")
    expect(bar.locator("[data-selected-count]")).to_have_text("1 selected")
    page.evaluate("window.scrollBy(0, 2500)")
    assert page.evaluate("window.scrollY") > 1500
    assert -1 <= bar.bounding_box()["y"] < 10  # stuck at the top of the window
    page.keyboard.press("b")  # the key opens it
    expect(bar.get_by_label("Disposition")).to_be_focused()
    screenshot(page, "pages/1440-bulk-bar", full_page=False)


def test_every_page_fits_a_phone(browser: Browser, demo_server: LiveServer):
    page = _tour(browser, demo_server, PHONE, "390")
    # The navigation folds into the Menu button; the user's menu is in it too.
    page.goto("/")
    menu = page.locator("[data-menu-toggle]")
    expect(menu).to_be_visible()
    expect(page.locator(".topbar nav")).to_be_hidden()
    menu.click()
    expect(page.get_by_role("link", name="Comments", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert overflow(page) <= 0
    screenshot(page, "pages/390-menu-open", full_page=False)
    page.keyboard.press("Escape")
    expect(page.locator(".topbar nav")).to_be_hidden()


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["1440", "390"])
def test_a_reviewers_pages_fit(browser: Browser, demo_server: LiveServer, viewport: dict):
    page = _tour(browser, demo_server, viewport, str(viewport["width"]), reviewer=True)
    page.goto("/submissions/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Submit")
    expect(page.locator("main")).to_contain_text("Tranche 1 Second review")


def _rows_on_screen(page: Page) -> int:
    """Comment rows wholly in the window once the list's first row is at its top."""
    page.locator("table[data-comment-list]").scroll_into_view_if_needed()
    page.evaluate(
        "window.scrollTo(0, document.querySelector('table[data-comment-list] tbody')"
        ".getBoundingClientRect().top + window.scrollY)"
    )
    return page.evaluate(
        """() => [...document.querySelectorAll('table[data-comment-list] tbody tr')]
            .filter(row => { const box = row.getBoundingClientRect();
                             return box.top >= 0 && box.bottom <= window.innerHeight; }).length"""
    )

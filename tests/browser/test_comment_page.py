"""The comment page's keyboard triage, in a real browser."""

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from reviewtracker.extensions import db
from reviewtracker.models import Comment
from reviewtracker.services.comment_filter import CommentFilter
from reviewtracker.services.comment_queries import filtered_ids
from reviewtracker.services.scope import Scope

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.browser

FILTER = "tranche=2&disposition=open"


def _open_comments(live_server, n: int) -> list[int]:
    """The first `n` comments of the list "open comments of tranche 2", in its order, as the
    triager (staff) sees it."""
    f = CommentFilter.from_args({"tranche": "2", "disposition": "open"}, Scope.staff())
    with live_server.app.app_context():
        ids = list(db.session.scalars(filtered_ids(f).limit(n)))
        db.session.remove()
    return ids


def _stored(live_server, comment_id: int) -> tuple[str, str | None]:
    with live_server.app.app_context():
        row = db.session.execute(
            select(Comment.disposition, Comment.response).where(Comment.id == comment_id)
        ).one()
        db.session.remove()
    return row.disposition, row.response


def test_keyboard_triage(page: Page, live_server):
    first, second, third = _open_comments(live_server, 3)
    sign_in(page)
    page.goto(f"/comments/{second}?{FILTER}")
    expect(page.locator("[data-keyboard-help]")).to_be_visible()
    disposition = page.locator("select[data-disposition]")
    expect(disposition).to_have_value("open")
    # Letters set the disposition.
    for key, value in (
        ("a", "accepted"),
        ("c", "action"),
        ("r", "rejected"),
        ("f", "clarification"),
    ):
        page.keyboard.press(key)
        expect(disposition).to_have_value(value)
    # k and j follow the previous / next links, keeping the filter.
    page.keyboard.press("k")
    expect(page).to_have_url(f"/comments/{first}?{FILTER}")
    # The legend shows once the new page's script has run: only then do keys work.
    expect(page.locator("[data-keyboard-help]")).to_be_visible()
    page.keyboard.press("j")
    expect(page).to_have_url(f"/comments/{second}?{FILTER}")
    expect(page.locator("[data-keyboard-help]")).to_be_visible()
    # While typing, letters are text, not shortcuts.
    response = page.get_by_label("Response")
    response.fill("")
    response.type("jack of all trades")
    expect(page).to_have_url(f"/comments/{second}?{FILTER}")
    expect(disposition).to_have_value("open")
    expect(response).to_have_value("jack of all trades")
    page.keyboard.press("Escape")
    page.locator("h1").click()
    page.keyboard.press("a")
    expect(disposition).to_have_value("accepted")
    screenshot(page, "16-comment-page")
    # Ctrl+Enter saves and goes to the next comment of the list.
    response.press("Control+Enter")
    expect(page).to_have_url(f"/comments/{third}?{FILTER}")
    expect(page.get_by_text(f"Saved comment #{second}")).to_be_visible()
    assert _stored(live_server, second) == ("accepted", "jack of all trades")

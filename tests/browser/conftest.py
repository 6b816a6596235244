"""Browser tests: the app served on loopback, driven in Debian's Chromium by Playwright.

Nothing is downloaded: Chromium is the system one (`make test` installs the Debian packages
when missing). Each test gets a fresh database with the demo data set and a server of its
own; screenshots go to test-output/browser/.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from reviewtracker import create_app
from reviewtracker.demo import load_demo
from reviewtracker.extensions import db
from reviewtracker.services.reference import init_db
from reviewtracker.services.users import create_user
from reviewtracker.unit_of_work import unit_of_work

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "browser"
TRIAGER = ("triager@example.org", "triager-password")


class LiveServer:
    def __init__(self, app, url: str) -> None:
        self.app = app
        self.url = url


def browser_app(folder: Path):
    """An app on a new, migrated SQLite database in `folder` (no data yet)."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser-tests",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'browser.db'}",
            "IMPORT_ACTOR": "browser-tests",
        }
    )
    with app.app_context():
        with unit_of_work():
            init_db()
        db.session.remove()
    return app


@contextmanager
def serve(app) -> Iterator[LiveServer]:
    """The app served on a free loopback port, in a thread, for as long as the block lasts."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    app = browser_app(tmp_path)
    with app.app_context():
        load_demo()  # a whole job: it commits each step itself
        with unit_of_work():
            create_user(*TRIAGER, role="triager", name="Tess Triager")
        db.session.remove()
    with serve(app) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run `make test`, which installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot (of the whole page, or what the window shows) under
    test-output/browser/ and return its path."""
    path = SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page)
    return path


class Console:
    """The errors a page reports: uncaught exceptions and console errors (a 404 of an asset,
    a refused inline script ...), with the address they happened on."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        page.on(
            "console",
            lambda message: (
                self.errors.append(f"{page.url}: {message.text}")
                if message.type == "error"
                else None
            ),
        )

    def take(self) -> list[str]:
        errors, self.errors = self.errors, []
        return errors


def overflow(page: Page) -> int:
    """How far the page scrolls sideways (0: it fits the window)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def sign_in(page: Page, email: str = TRIAGER[0], password: str = TRIAGER[1]) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")

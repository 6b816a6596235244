"""Browser tests: the app served on loopback, driven in Debian's Chromium by Playwright.

Nothing is downloaded: Chromium is the system one (`make test` installs the Debian packages
when missing). Each test gets a fresh database with the demo data set and a server of its
own; screenshots go to test-output/browser/.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
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


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser-tests",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'browser.db'}",
            "IMPORT_ACTOR": "browser-tests",
        }
    )
    with app.app_context():
        with unit_of_work():
            init_db()
        load_demo()  # a whole job: it commits each step itself
        with unit_of_work():
            create_user(*TRIAGER, role="triager", name="Tess Triager")
        db.session.remove()
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


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under test-output/browser/ and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Page, email: str = TRIAGER[0], password: str = TRIAGER[1]) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")

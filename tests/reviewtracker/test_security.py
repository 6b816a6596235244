"""Security headers on every response, a CSP the templates keep to, cookie flags, and the
sign-in rate limit."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from reviewtracker import create_app
from reviewtracker.extensions import db
from reviewtracker.models import (
    Artefact,
    Comment,
    DesignStatus,
    ImportBatch,
    LoginAttempt,
    Organisation,
    utcnow,
)
from reviewtracker.security import CONTENT_SECURITY_POLICY, SECURITY_HEADERS
from reviewtracker.services.reference import init_db
from reviewtracker.services.users import TooManyAttempts, create_user, sign_in
from reviewtracker.unit_of_work import unit_of_work

from .demo_copy import load_demo_copy

PACKAGE = Path(__file__).resolve().parents[2] / "reviewtracker"
TEMPLATES = PACKAGE.parent / "templates"
PASSWORD = "secret-password"


def assert_secure_headers(response, url: str) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, f"{url}: {name} is {response.headers.get(name)}"


# --- the policy itself -------------------------------------------------------------------------


def test_the_content_security_policy_allows_no_inline_code_and_no_framing():
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"  # no 'unsafe-inline': no style attributes
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert directives["form-action"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    assert SECURITY_HEADERS["X-Content-Type-Options"] == "nosniff"
    assert SECURITY_HEADERS["Referrer-Policy"] == "same-origin"
    assert SECURITY_HEADERS["X-Frame-Options"] == "DENY"


# --- every page carries the headers -------------------------------------------------------------


def _pages_with_demo_ids() -> list[str]:
    """(Inside an app context.)"""
    comment_id = db.session.scalar(select(func.min(Comment.id)))
    organisation_id = db.session.scalar(select(func.min(Organisation.id)))
    batch_id = db.session.scalar(select(func.min(ImportBatch.id)))
    reference = db.session.scalar(select(func.min(Artefact.reference)))
    status = db.session.scalar(select(DesignStatus).limit(1))
    assert comment_id and organisation_id and batch_id and reference and status
    return [
        f"/comments/{comment_id}",
        f"/artefacts/{reference}",
        "/artefacts/tranches/1",
        "/tranches/1",
        "/tranches/1/rounds/1",
        "/api/tranches/1",
        "/api/tranches/1/comment-status",
        "/api/tranches/1/constituencies",
        f"/exports/responses/{organisation_id}.xlsx",
        f"/design-dashboard/{status.tranche.code}/{status.service_id}",
        f"/design-dashboard/{status.tranche.code}/{status.service_id}/{status.month}",
        f"/imports/{batch_id}/undo",
        "/exports/board-pack.xlsx?tranche=1",
        "/static/app.css",
        "/static/app.js",
        "/no-such-page",  # the 404 page
        "/comments/999999999",
    ]


def _routes_without_arguments(app) -> list[str]:
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments
    )


def test_every_page_carries_the_security_headers(app, client, login, tmp_path_factory):
    load_demo_copy(app, tmp_path_factory)
    login("admin")
    with app.app_context():
        urls = _routes_without_arguments(app) + _pages_with_demo_ids()
    assert {"/", "/comments/", "/users", "/health", "/login", "/design-dashboard"} <= set(urls)
    statuses = {}
    for url in urls:
        with client.get(url) as response:
            statuses[url] = response.status_code
            assert_secure_headers(response, url)
            assert "Strict-Transport-Security" not in response.headers  # plain HTTP here
            if response.mimetype == "text/html":
                _assert_no_inline_code(response.get_data(as_text=True), url)
    # The walk really saw the pages, not a wall of redirects or errors.
    assert statuses["/"] == statuses["/comments/"] == statuses["/users"] == 200
    assert statuses["/no-such-page"] == 404
    assert not [url for url, status in statuses.items() if status >= 500], statuses
    # Every other answer is one a signed-in admin should get there, named here.
    others = {url: status for url, status in statuses.items() if status != 200}
    assert others == {
        "/meetings/next": 302,  # the demo's DAG #8 is past: on to the list of meetings
        "/artefacts/": 302,  # on to the first tranche with artefacts
        "/login": 302,  # signed in already: on to the home page
        "/submissions/": 403,  # a reviewer's own page: staff have no organisation to submit for
        "/design-dashboard/new": 404,  # the add form's landing needs its tranche and month
        "/exports/board-pack.xlsx": 400,  # which tranche? the message says
        "/comments/999999999": 404,
        "/no-such-page": 404,
    }


def test_anonymous_responses_and_redirects_carry_them_too(client):
    for url in ("/login", "/", "/comments/", "/health", "/static/app.css"):
        with client.get(url) as response:
            assert_secure_headers(response, url)
    assert_secure_headers(client.post("/login", data={}), "POST /login")


# --- the templates keep to the policy -----------------------------------------------------------

TAG = re.compile(r"<([a-zA-Z][\w-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
HANDLER = re.compile(r"(?:^|\s)on[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"(?:^|\s)style\s*=", re.IGNORECASE)


def _assert_no_inline_code(html: str, where: str) -> None:
    assert "javascript:" not in html.lower(), f"{where}: a javascript: URL"
    assert not re.search(r"<style\b", html, re.IGNORECASE), f"{where}: a <style> element"
    for match in TAG.finditer(html):
        name, attributes = match.group(1).lower(), match.group(2)
        where_tag = f"{where}: {match.group(0)[:120]}"
        if name == "script":
            assert re.search(r"\ssrc\s*=", attributes), f"inline <script> in {where_tag}"
        assert not HANDLER.search(attributes), f"an on...= handler in {where_tag}"
        assert not STYLE_ATTRIBUTE.search(attributes), f"a style= attribute in {where_tag}"


def test_no_template_has_inline_script_handlers_or_style_attributes():
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 10
    for path in templates:
        _assert_no_inline_code(
            path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE.parent))
        )


def test_the_inline_code_check_catches_what_the_csp_would_block():
    for bad in (
        "<script>alert(1)</script>",
        '<button onclick="go()">',
        '<body onload="x()">',
        '<span class="a" style="color: red">',
        '<a href="javascript:void(0)">',
        "<style>p { color: red }</style>",
    ):
        with pytest.raises(AssertionError):
            _assert_no_inline_code(bad, "test")
    _assert_no_inline_code('<script src="/static/app.js" defer></script><p>onclick=x</p>', "ok")


def test_the_term_colours_come_from_the_vocabulary_stylesheet_only(client):
    """app.css colours no disposition or RAG; /vocabulary.css, public like /static, does."""
    css = (PACKAGE / "static" / "app.css").read_text(encoding="utf-8")
    keys = "accepted|action|rejected|clarification|open|on_track|at_risk|not_on_track|complete|tbd"
    assert not re.search(rf"\.(d|rag|disposition)-({keys})\b", css)
    response = client.get("/vocabulary.css")  # signed out: the sign-in page links it too
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    generated = response.get_data(as_text=True)
    assert ".rag-on_track .rag-dot { background-color: #2e8540; }" in generated
    assert ".badge.d-accepted, .chip.d-accepted .count, .disposition.d-accepted {" in generated
    assert (
        client.get(
            "/vocabulary.css", headers={"If-None-Match": response.headers["ETag"]}
        ).status_code
        == 304
    )


# --- cookies ------------------------------------------------------------------------------------


def _cookie(response, name: str) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{name}=")]
    assert cookies, f"no {name} cookie in {response.headers.getlist('Set-Cookie')}"
    return cookies[0]


def _flags(cookie: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]} | {
        part.strip().lower() for part in cookie.split(";")[1:]
    }


def test_session_and_remember_cookies_are_httponly_and_samesite_lax(client, make_user):
    make_user("viewer", "viewer@example.org")
    response = client.post(
        "/login",
        data={"email": "viewer@example.org", "password": PASSWORD, "remember": "y"},
    )
    assert response.status_code == 302
    for name in ("session", "remember_token"):
        flags = _flags(_cookie(response, name))
        assert "httponly" in flags and "samesite=lax" in flags, (name, flags)
        assert "secure" not in flags  # served over plain HTTP here


def test_with_https_the_cookies_are_secure_and_hsts_is_sent(tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEWTRACKER_HTTPS", "1")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "https-test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'https.db'}",
            "WTF_CSRF_ENABLED": False,
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    with app.app_context():
        with unit_of_work():
            init_db()
        with unit_of_work():
            create_user("lead@example.org", PASSWORD, "lead")
    client = app.test_client()
    response = client.post(
        "https://localhost/login",
        data={"email": "lead@example.org", "password": PASSWORD, "remember": "y"},
    )
    assert response.status_code == 302
    for name in ("session", "remember_token"):
        flags = _flags(_cookie(response, name))
        assert {"secure", "httponly", "samesite=lax"} <= flags, (name, flags)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    with app.app_context():
        db.engine.dispose()


# --- the sign-in rate limit ---------------------------------------------------------------------


def _post_login(client, email: str, password: str, ip: str = "192.0.2.10"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": ip},
    )


def _add_failures(count: int, email: str, ip: str, minutes_ago: float) -> None:
    """Failed sign-ins recorded `minutes_ago`, committed. (Inside an app context.)"""
    at = utcnow() - timedelta(minutes=minutes_ago)
    db.session.add_all(
        LoginAttempt(email=email, ip=ip, at=at + timedelta(seconds=i), success=False)
        for i in range(count)
    )
    db.session.commit()


def test_five_failures_lock_the_email_even_with_the_right_password(app, client, make_user):
    make_user("triager", "tess@example.org")
    for _ in range(5):
        response = _post_login(client, "tess@example.org", "wrong password")
        assert response.status_code == 200
        assert "do not match" in response.get_data(as_text=True)
    refused = _post_login(client, "Tess@Example.org ", PASSWORD)  # the same email, typed anyhow
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Too many failed sign-ins for this email address" in page
    assert "paused for 15 minutes" in page
    assert int(refused.headers["Retry-After"]) == pytest.approx(900, abs=5)
    assert_secure_headers(refused, "429")
    with client.session_transaction() as session:
        assert "_user_id" not in session  # not signed in
    # Refused attempts are not recorded: the lock does not extend itself.
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 5


def test_the_lock_ends_after_fifteen_minutes(app, client, make_user):
    make_user("triager", "tess@example.org")
    with app.app_context():
        _add_failures(5, "tess@example.org", "192.0.2.10", minutes_ago=14)
    assert _post_login(client, "tess@example.org", PASSWORD).status_code == 429
    with app.app_context():
        db.session.execute(LoginAttempt.__table__.delete())
        _add_failures(5, "tess@example.org", "192.0.2.10", minutes_ago=16)
    assert _post_login(client, "tess@example.org", PASSWORD).status_code == 302


def test_failures_spread_wider_than_the_window_do_not_lock(app_context, make_user):
    make_user("triager", "tess@example.org")
    now = utcnow()
    for minutes in (40, 30, 20, 10):  # four failures, ten minutes apart
        at = now - timedelta(minutes=minutes)
        assert sign_in("tess@example.org", "nope", "192.0.2.1", at) is None
    # A fifth failure now: only 3 of the others are within 15 minutes of it.
    assert sign_in("tess@example.org", "nope", "192.0.2.1", now) is None
    assert sign_in("tess@example.org", PASSWORD, "192.0.2.1", now + timedelta(seconds=1))


def test_a_fake_clock_walks_through_lock_and_release(app_context, make_user):
    make_user("triager", "tess@example.org")
    start = utcnow()
    for second in range(5):
        at = start + timedelta(seconds=second)
        assert sign_in("tess@example.org", "nope", "192.0.2.1", at) is None
    locked_at = start + timedelta(minutes=10)
    with pytest.raises(TooManyAttempts) as refused:
        sign_in("tess@example.org", PASSWORD, "192.0.2.1", locked_at)
    assert refused.value.retry_after_seconds == 5 * 60 + 4
    released = start + timedelta(minutes=15, seconds=5)
    assert sign_in("tess@example.org", PASSWORD, "192.0.2.1", released) is not None


def test_a_success_resets_the_count_for_that_email(app, client, make_user):
    make_user("triager", "tess@example.org")
    with app.app_context():
        _add_failures(4, "tess@example.org", "192.0.2.10", minutes_ago=5)
    assert _post_login(client, "tess@example.org", PASSWORD).status_code == 302
    client.post("/logout")
    for _ in range(4):
        assert _post_login(client, "tess@example.org", "wrong").status_code == 200
    assert _post_login(client, "tess@example.org", PASSWORD).status_code == 302


def test_unknown_emails_are_limited_too(client):
    for _ in range(5):
        assert _post_login(client, "nobody@example.org", "guess").status_code == 200
    assert _post_login(client, "nobody@example.org", "guess").status_code == 429


def test_one_address_trying_many_emails_is_locked(app, client, make_user):
    make_user("viewer", "victim@example.org")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    for n in range(limit):
        response = _post_login(client, f"user{n}@example.org", "guess", ip="198.51.100.7")
        assert response.status_code == 200
    refused = _post_login(client, "victim@example.org", PASSWORD, ip="198.51.100.7")
    assert refused.status_code == 429
    assert "from your network address" in refused.get_data(as_text=True)
    # Another address is not affected.
    assert _post_login(client, "victim@example.org", PASSWORD, ip="203.0.113.5").status_code == 302


def test_the_limits_come_from_the_config(app, client, make_user):
    app.config["LOGIN_MAX_FAILURES"] = 2
    make_user("viewer", "v@example.org")
    for _ in range(2):
        _post_login(client, "v@example.org", "wrong")
    assert _post_login(client, "v@example.org", PASSWORD).status_code == 429


def test_old_attempts_are_pruned(app_context):
    _add_failures(3, "old@example.org", "192.0.2.1", minutes_ago=2 * 24 * 60)
    _add_failures(2, "recent@example.org", "192.0.2.1", minutes_ago=60)
    sign_in("someone@example.org", "x", "192.0.2.2")
    emails = db.session.scalars(select(LoginAttempt.email)).all()
    assert sorted(set(emails)) == ["recent@example.org", "someone@example.org"]
    assert len(emails) == 3


def test_attempts_record_success_and_address(app, client, make_user):
    make_user("viewer", "v@example.org")
    _post_login(client, "v@example.org", "wrong", ip="192.0.2.44")
    _post_login(client, "v@example.org", PASSWORD, ip="192.0.2.44")
    with app.app_context():
        rows = db.session.execute(
            select(LoginAttempt.email, LoginAttempt.ip, LoginAttempt.success).order_by(
                LoginAttempt.id
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("v@example.org", "192.0.2.44", False),
        ("v@example.org", "192.0.2.44", True),
    ]

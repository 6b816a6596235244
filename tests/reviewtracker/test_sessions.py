"""Sign-ins end for real: old session and remember-me cookies, replayed, sign nobody in after
sign-out, a password change, a role change, a deactivation or "sign out everywhere"; and a
sign-in ends by itself after 14 days."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from reviewtracker.extensions import db
from reviewtracker.models import User, UserSession, utcnow
from reviewtracker.services.sessions import session_user

from .factories import signed_in_id

PASSWORD = "secret-password"  # make_user's
NEW_PASSWORD = "a-new-password-2"
COOKIES = ("session", "remember_token")


def _request(app, browser, method: str, path: str, **kwargs):
    """One request as a server runs it: the test client gives it an app context of its own
    (the `app` fixture pushes none), so nothing (the signed-in user Flask-Login caches, the
    database session) carries over from an earlier request."""
    return browser.open(path, method=method, **kwargs)


def _sign_in(app, email: str, password: str = PASSWORD, remember: bool = True):
    """A new browser signed in as `email` (with "keep me signed in")."""
    browser = app.test_client()
    data = {"email": email, "password": password} | ({"remember": "y"} if remember else {})
    response = _request(app, browser, "POST", "/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return browser


def _cookies(browser) -> dict[str, str]:
    found = {name: browser.get_cookie(name) for name in COOKIES}
    return {name: cookie.value for name, cookie in found.items() if cookie is not None}


def _signed_in(app, cookies: dict[str, str]) -> bool:
    """True if a fresh browser holding just these cookies is signed in."""
    browser = app.test_client()
    for name, value in cookies.items():
        browser.set_cookie(name, value)
    response = _request(app, browser, "GET", "/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def _replays(app, cookies: dict[str, str]) -> list[bool]:
    """Signed in with both cookies, with the session cookie alone, with the remember-me one
    alone?"""
    return [
        _signed_in(app, cookies),
        _signed_in(app, {"session": cookies["session"]}),
        _signed_in(app, {"remember_token": cookies["remember_token"]}),
    ]


@pytest.fixture
def viewer(make_user) -> User:
    return make_user("viewer", "vera@example.org")


def test_cookies_sign_in_until_sign_out_and_never_after(app, viewer):
    browser = _sign_in(app, viewer.email)
    old = _cookies(browser)
    assert set(old) == set(COOKIES)
    assert _replays(app, old) == [True, True, True]

    response = _request(app, browser, "POST", "/logout")
    assert response.status_code == 302
    assert _replays(app, old) == [False, False, False]
    assert _request(app, browser, "GET", "/").status_code == 302  # this browser too


def test_sign_out_ends_only_this_browsers_sign_in(app, viewer):
    laptop, phone = _sign_in(app, viewer.email), _sign_in(app, viewer.email)
    laptop_cookies = _cookies(laptop)
    _request(app, phone, "POST", "/logout")
    assert _signed_in(app, laptop_cookies)


def test_sign_out_everywhere_ends_every_sign_in(app, viewer):
    laptop, phone = _sign_in(app, viewer.email), _sign_in(app, viewer.email)
    laptop_cookies, phone_cookies = _cookies(laptop), _cookies(phone)
    page = _request(app, laptop, "GET", "/account").get_data(as_text=True)
    assert "signed in in 2 browsers" in page

    response = _request(app, laptop, "POST", "/account/sign-out-everywhere")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert _replays(app, laptop_cookies) == [False, False, False]
    assert _replays(app, phone_cookies) == [False, False, False]
    assert _request(app, phone, "GET", "/").status_code == 302


def test_a_password_change_ends_every_other_sign_in(app, viewer):
    laptop, phone = _sign_in(app, viewer.email), _sign_in(app, viewer.email)
    laptop_before, phone_cookies = _cookies(laptop), _cookies(phone)
    form = {"current": PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD}

    response = _request(app, laptop, "POST", "/account", data=form)
    assert response.status_code == 302
    assert _replays(app, phone_cookies) == [False, False, False]
    assert _replays(app, laptop_before) == [False, False, False]
    # The browser that changed it stays signed in, remembered, with new cookies.
    laptop_after = _cookies(laptop)
    assert laptop_after["remember_token"] != laptop_before["remember_token"]
    assert _replays(app, laptop_after) == [True, True, True]
    # And the new password is the one that signs in.
    _sign_in(app, viewer.email, NEW_PASSWORD)
    refused = _request(
        app, app.test_client(), "POST", "/login", data={"email": viewer.email, "password": PASSWORD}
    )
    assert refused.status_code == 200 and "do not match" in refused.get_data(as_text=True)


@pytest.mark.parametrize(
    "form, message",
    [
        ({"current": "not-my-password", "new": NEW_PASSWORD}, "not your current password"),
        ({"current": PASSWORD, "new": PASSWORD}, "the same as the current one"),
    ],
)
def test_a_refused_password_change_changes_nothing(app, viewer, form, message):
    browser = _sign_in(app, viewer.email)
    cookies = _cookies(browser)
    response = _request(app, browser, "POST", "/account", data=form | {"repeat": form["new"]})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _signed_in(app, cookies)
    with app.app_context():
        assert db.session.get(User, viewer.id).check_password(PASSWORD)


def test_the_two_new_passwords_must_match(app, viewer):
    browser = _sign_in(app, viewer.email)
    form = {"current": PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD + "x"}
    response = _request(app, browser, "POST", "/account", data=form)
    assert response.status_code == 400
    assert "The two new passwords differ." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "change",
    [
        {"role": "triager", "active": "y"},  # a new role
        {"role": "viewer"},  # deactivated (an unticked box is not sent)
    ],
    ids=["role change", "deactivation"],
)
def test_a_role_change_or_deactivation_ends_the_users_sign_ins(app, make_user, viewer, change):
    cookies = _cookies(_sign_in(app, viewer.email))
    make_user("admin", "ada@example.org")
    admin = _sign_in(app, "ada@example.org")
    prefix = f"u{viewer.id}-"
    data = {prefix + name: value for name, value in change.items()}
    assert _request(app, admin, "POST", f"/users/{viewer.id}", data=data).status_code == 302
    assert _replays(app, cookies) == [False, False, False]
    # Made active again (or given the old role back): the old cookies stay dead.
    data = {prefix + "role": "viewer", prefix + "active": "y"}
    _request(app, admin, "POST", f"/users/{viewer.id}", data=data)
    with app.app_context():
        assert db.session.get(User, viewer.id).active
    assert _replays(app, cookies) == [False, False, False]
    assert _signed_in(app, _cookies(admin))  # the admin's own sign-in is untouched


def test_saving_a_user_unchanged_keeps_their_sign_ins(app, make_user, viewer):
    cookies = _cookies(_sign_in(app, viewer.email))
    make_user("admin", "ada@example.org")
    admin = _sign_in(app, "ada@example.org")
    data = {f"u{viewer.id}-role": "viewer", f"u{viewer.id}-active": "y"}
    _request(app, admin, "POST", f"/users/{viewer.id}", data=data)
    assert _signed_in(app, cookies)


def test_a_sign_in_lasts_fourteen_days_remembered_or_not(app, viewer):
    browser = _sign_in(app, viewer.email)
    cookies = _cookies(browser)
    with app.app_context():
        row = db.session.scalars(select(UserSession).where(UserSession.user_id == viewer.id)).one()
        assert row.expires_at - row.created_at == timedelta(days=14)
        expires_at = row.expires_at
    expires = browser.get_cookie("remember_token").expires.replace(tzinfo=None)
    assert abs(expires - expires_at) < timedelta(hours=1)  # the browser keeps it as long

    # Fifteen days on, as far as the database knows: neither cookie signs in.
    with app.app_context():
        db.session.execute(update(UserSession).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert _replays(app, cookies) == [False, False, False]


@pytest.mark.parametrize(
    "cookie_id",
    ["", "1", "1:", ":token", "²:token", "١:token", "99999999999999999999:token", "1:" + "a" * 500],
)
def test_a_malformed_cookie_id_signs_nobody_in(app_context, viewer, cookie_id):
    signed_in_id(db.session.get(User, viewer.id))
    assert session_user(cookie_id) is None


def test_the_request_log_names_the_user_not_the_sign_in_token(app, viewer, caplog):
    browser = _sign_in(app, viewer.email)
    # The remember-me cookie: "<user id>:<token>|<signature>".
    token = _cookies(browser)["remember_token"].split("|")[0].split(":")[1]
    with caplog.at_level("INFO", logger="reviewtracker.requests"):
        _request(app, browser, "GET", "/")
    logged = [record for record in caplog.records if record.name == "reviewtracker.requests"]
    assert logged and logged[-1].user_id == str(viewer.id)
    assert token not in caplog.text

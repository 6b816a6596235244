"""Sign-in, sign-out, roles on the server, CSRF, and the admin's user page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from reviewtracker import create_app
from reviewtracker.extensions import db
from reviewtracker.models import User
from reviewtracker.services.reference import init_db
from reviewtracker.unit_of_work import unit_of_work


def _sign_in(client, email: str, password: str, next_url: str = ""):
    return client.post(
        f"/login{'?next=' + next_url if next_url else ''}",
        data={"email": email, "password": password},
    )


def test_sign_in_and_out(client, make_user):
    make_user("viewer", "viewer@example.org")
    assert client.get("/").status_code == 302
    wrong = _sign_in(client, "viewer@example.org", "not the password")
    assert wrong.status_code == 200 and b"do not match" in wrong.data
    assert client.get("/").status_code == 302
    response = _sign_in(client, "VIEWER@example.org", "secret-password", "/tranches/1")
    assert response.status_code == 302 and response.headers["Location"] == "/tranches/1"
    assert client.get("/").status_code == 200
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_sign_in_never_redirects_off_site(client, make_user):
    make_user("viewer", "viewer@example.org")
    response = _sign_in(client, "viewer@example.org", "secret-password", "https://evil.example")
    assert response.headers["Location"] == "/"


def test_inactive_user_cannot_sign_in(app, client, make_user):
    user = make_user("triager", "gone@example.org")
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    response = _sign_in(client, "gone@example.org", "secret-password")
    assert b"do not match" in response.data
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("triager", 403), ("admin", 200)])
def test_only_admins_manage_users(client, login, role, status):
    login(role)
    assert client.get("/users").status_code == status


def test_admin_adds_a_user_and_changes_a_role(app, client, login):
    admin = login("admin")
    response = client.post(
        "/users",
        data={"email": "New@Example.org", "name": "New", "role": "viewer", "password": "x" * 12},
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new@example.org"))
        assert user.role == "viewer" and user.check_password("x" * 12)
        user_id = user.id
    prefix = f"u{user_id}-"
    client.post(f"/users/{user_id}", data={prefix + "role": "lead", prefix + "active": "y"})
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.role == "lead" and user.active
    # An admin cannot lock themselves out.
    own = f"u{admin.id}-"
    client.post(f"/users/{admin.id}", data={own + "role": "viewer", own + "active": "y"})
    with app.app_context():
        assert db.session.get(User, admin.id).role == "admin"


def test_navigation_follows_the_role(client, login):
    login("viewer")
    page = client.get("/").get_data(as_text=True)
    assert 'href="/users"' not in page and "Sign out" in page


def test_csrf_is_enforced(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "csrf-test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'csrf.db'}",
        }
    )
    with app.app_context():
        with unit_of_work():
            init_db()
        user = User(email="admin@example.org", role="admin")
        user.set_password("secret-password")
        db.session.add(user)
        db.session.commit()
    client = app.test_client()
    refused = client.post(
        "/login", data={"email": "admin@example.org", "password": "secret-password"}
    )
    assert refused.status_code == 400
    assert client.get("/").status_code == 302  # not signed in
    with app.app_context():
        db.engine.dispose()

"""Fixtures: an app on a fresh database with the schema and reference data.

SQLite in a temporary folder by default. Set REVIEWTRACKER_TEST_DATABASE_URL to a
PostgreSQL database (it is emptied before each test) to run the same tests there.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import g

from reviewtracker import create_app
from reviewtracker.config import normalise_url
from reviewtracker.extensions import db
from reviewtracker.services.reference import init_db

TEST_DATABASE_URL = os.environ.get("REVIEWTRACKER_TEST_DATABASE_URL", "")


@pytest.fixture
def app(tmp_path: Path):
    url = normalise_url(TEST_DATABASE_URL) or f"sqlite:///{tmp_path / 'test.db'}"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "IMPORT_ACTOR": "tester",
        }
    )
    with app.app_context():
        if TEST_DATABASE_URL:
            db.drop_all()
        init_db()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """make_user("triager") -> a saved user with that role (password "secret-password")."""
    from reviewtracker.models import User

    def make(role: str = "triager", email: str | None = None) -> User:
        user = User(email=email or f"{role}@example.org", name=role.title(), role=role)
        user.set_password("secret-password")
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client, make_user):
    """login("viewer") signs the test client in as a new user with that role."""

    def sign_in(role: str = "triager", email: str | None = None):
        user = make_user(role, email)
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
        # The fixture's app context outlives requests: forget the user Flask-Login cached.
        g.pop("_login_user", None)
        return user

    return sign_in

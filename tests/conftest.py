"""Fixtures: an app on a fresh database with the schema and reference data.

SQLite in a temporary folder by default (a copy of one migrated template). Set
REVIEWTRACKER_TEST_DATABASE_URL to a PostgreSQL database (migrated once, its tables emptied
before each test) to run the same tests there.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from flask import g
from sqlalchemy import inspect, text

from reviewtracker import create_app
from reviewtracker.config import normalise_url
from reviewtracker.extensions import db
from reviewtracker.services.reference import init_db
from tests.reviewtracker.factories import signed_in_id

TEST_DATABASE_URL = os.environ.get("REVIEWTRACKER_TEST_DATABASE_URL", "")


def _config(url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "IMPORT_ACTOR": "tester",
    }


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """On SQLite: one database migrated by init_db() for the whole session, copied for each
    test (milliseconds, where running the migrations each time takes a quarter second)."""
    if TEST_DATABASE_URL:
        return None
    path = tmp_path_factory.getbasetemp() / "schema-template.db"
    template = create_app(_config(f"sqlite:///{path}"))
    with template.app_context():
        init_db()
        db.session.remove()
        db.engine.dispose()
    return path


def _copy_sqlite(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _empty_postgres() -> None:
    """Empty every table of a migrated database (fast), or drop a stale schema."""
    inspector = inspect(db.engine)
    if not inspector.has_table("alembic_version"):
        db.drop_all()
        return
    names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    db.session.commit()


@pytest.fixture
def app(tmp_path: Path, schema_template: Path | None):
    if schema_template is not None:
        _copy_sqlite(schema_template, tmp_path / "test.db")
    url = normalise_url(TEST_DATABASE_URL) or f"sqlite:///{tmp_path / 'test.db'}"
    app = create_app(_config(url))
    with app.app_context():
        if TEST_DATABASE_URL:
            _empty_postgres()
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
    """make_user("triager") -> a saved user with that role (password "secret-password").
    A reviewer needs `organisation=` (an Organisation or its id)."""
    from reviewtracker.models import User

    def make(role: str = "triager", email: str | None = None, organisation=None) -> User:
        organisation_id = getattr(organisation, "id", organisation)
        user = User(
            email=email or f"{role}@example.org",
            name=role.title(),
            role=role,
            organisation_id=organisation_id,
        )
        user.set_password("secret-password")
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client, make_user):
    """login("viewer") signs the test client in as a new user with that role;
    login("reviewer", organisation=org) as a reviewer of that organisation."""

    def sign_in(role: str = "triager", email: str | None = None, organisation=None):
        user = make_user(role, email, organisation)
        with client.session_transaction() as session:
            session["_user_id"] = signed_in_id(user)
            session["_fresh"] = True
        # The fixture's app context outlives requests: forget the user Flask-Login cached.
        g.pop("_login_user", None)
        return user

    return sign_in

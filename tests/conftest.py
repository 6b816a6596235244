"""Fixtures: an app on a fresh database with the schema and reference data.

As in Flask's tutorial, `app` yields the app with no context pushed: each test request gets a
context of its own, exactly as a real request would, and never sees the test's session or `g`.
A test that calls services or reads the database asks for `app_context` (a whole module:
`pytestmark = pytest.mark.usefixtures("app_context")`) or opens `with app.app_context():`
around that part. A request made while the test holds an app context is refused (see
`RequestClient`).

SQLite in a temporary folder by default (a copy of one migrated template). Set
REVIEWTRACKER_TEST_DATABASE_URL to a PostgreSQL database (migrated once, its tables emptied
before each test) to run the same tests there.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from pathlib import Path

import pytest
from flask import current_app, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, inspect, make_url, text

from reviewtracker import create_app
from reviewtracker.config import normalise_url
from reviewtracker.extensions import db
from reviewtracker.models import User
from reviewtracker.services.reference import init_db
from reviewtracker.unit_of_work import unit_of_work
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
        with unit_of_work():
            init_db()
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


class RequestClient(FlaskClient):
    """The test client, refusing a request made inside the test's own app context: the
    request would share the test's session and `g`, which no real request ever does."""

    def open(self, *args, **kwargs):
        if has_app_context() and current_app._get_current_object() is self.application:
            raise RuntimeError(
                "a test request made inside the test's app context: end the "
                "`with app.app_context():` block (or drop the app_context fixture) first"
            )
        return super().open(*args, **kwargs)


@pytest.fixture
def app(tmp_path: Path, schema_template: Path | None):
    if schema_template is not None:
        _copy_sqlite(schema_template, tmp_path / "test.db")
    url = normalise_url(TEST_DATABASE_URL) or f"sqlite:///{tmp_path / 'test.db'}"
    app = create_app(_config(url))
    app.test_client_class = RequestClient
    if TEST_DATABASE_URL:
        with app.app_context():
            _empty_postgres()
            with unit_of_work():
                init_db()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app_context(app):
    """The app's context, for a test that calls services or reads the database directly."""
    with app.app_context():
        yield


@pytest.fixture
def empty_app(tmp_path: Path):
    """An app, its context pushed, on a database with no tables at all (not even Alembic's):
    a SQLite file of its own, or with REVIEWTRACKER_TEST_DATABASE_URL a schema of its own on
    that server, dropped afterwards, so the suite's database is never touched. Not to be used
    with `app`."""
    if not TEST_DATABASE_URL:
        yield from _app_on(f"sqlite:///{tmp_path / 'empty.db'}")
        return
    server = normalise_url(TEST_DATABASE_URL)
    schema = f"empty_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        # The schema first on the search path: every table the migrations make goes there.
        url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
        yield from _app_on(url.render_as_string(hide_password=False))
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _app_on(url: str):
    app = create_app(_config(url))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def add_user(role: str = "triager", email: str | None = None, organisation=None) -> User:
    """A saved user with that role (password "secret-password"), committed; call inside an
    app context. A reviewer needs `organisation=` (an Organisation or its id)."""
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


@pytest.fixture
def make_user(app):
    """make_user("triager") -> a saved user with that role (password "secret-password"),
    detached with its columns loaded (its id, email, role ...). A reviewer needs
    `organisation=` (an Organisation or its id)."""

    def make(role: str = "triager", email: str | None = None, organisation=None) -> User:
        with app.app_context():
            user = add_user(role, email, organisation)
            db.session.refresh(user)
            db.session.expunge(user)
        return user

    return make


@pytest.fixture
def login(app, client, make_user):
    """login("viewer") signs the test client in as a new user with that role;
    login("reviewer", organisation=org) as a reviewer of that organisation."""

    def sign_in(role: str = "triager", email: str | None = None, organisation=None):
        user = make_user(role, email, organisation)
        with app.app_context():
            cookie_id = signed_in_id(db.session.get(User, user.id))
        with client.session_transaction() as session:
            session["_user_id"] = cookie_id
            session["_fresh"] = True
        return user

    return sign_in

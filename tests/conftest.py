"""Fixtures: an app on a temporary SQLite database with the schema and reference data."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewtracker import create_app
from reviewtracker.extensions import db
from reviewtracker.services.reference import init_db


@pytest.fixture
def app(tmp_path: Path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}",
            "WTF_CSRF_ENABLED": False,
            "IMPORT_ACTOR": "tester",
        }
    )
    with app.app_context():
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

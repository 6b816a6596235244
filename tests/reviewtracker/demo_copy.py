"""The demo data set, loaded once per test session and copied into each test's database.

`load_demo()` imports ~950 comments through the real import and triage services: seconds per
test. On SQLite the first call builds it in a template database and every later call copies
that file into the test's database with SQLite's backup API (milliseconds). On any other
database (REVIEWTRACKER_TEST_DATABASE_URL) it simply loads the demo.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from flask import Flask

from reviewtracker import create_app
from reviewtracker.demo import load_demo
from reviewtracker.extensions import db
from reviewtracker.services.reference import init_db
from reviewtracker.unit_of_work import unit_of_work

SQLITE = "sqlite:///"


def load_demo_copy(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The demo data set in `app`'s database (outside any app context, or inside one)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith(SQLITE):
        with app.app_context():
            load_demo()
        return
    template = tmp_path_factory.getbasetemp() / "demo-template.db"
    if not template.exists():
        _build(template)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    with sqlite3.connect(template) as source, sqlite3.connect(url[len(SQLITE) :]) as target:
        source.backup(target)
    source.close()
    target.close()


def _build(path: Path) -> None:
    building = path.with_suffix(".building")
    template_app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": SQLITE + str(building),
            "IMPORT_ACTOR": "tester",
        }
    )
    with template_app.app_context():
        with unit_of_work():
            init_db()
        load_demo()
        db.engine.dispose()
    with sqlite3.connect(building) as source, sqlite3.connect(path) as target:
        source.backup(target)  # one self-contained file, WAL folded in
    source.close()
    target.close()

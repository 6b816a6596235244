"""reviewtracker: industry review of design artefacts, from comment logs to the board pack."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .config import default_config
from .extensions import csrf, db, migrate

# The templates: `templates/` at the top of a checkout; inside the package once installed
# (pyproject.toml maps the one onto the other when it builds a wheel).
PACKAGED_TEMPLATES = Path(__file__).resolve().parent / "templates"
CHECKOUT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def template_folder() -> str:
    return str(PACKAGED_TEMPLATES if PACKAGED_TEMPLATES.is_dir() else CHECKOUT_TEMPLATES)


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, template_folder=template_folder())
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(default_config(app.instance_path))
    if test_config is None:
        # Per-installation settings, if any, live beside the database.
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.update(test_config)
    # The JSON keeps the order its view builds (the tables' own: tranche, then rows, then
    # totals), as `reviewtracker rollup --json` does, rather than Flask's alphabetical one.
    app.json.sort_keys = False

    from . import (
        api,
        artefacts,
        auth,
        cli,
        comments,
        dashboard,
        dissensus,
        downloads,
        errors,
        governance,
        imports,
        inputs,
        lifecycle,
        logs,
        navigation,
        ops,
        resolution,
        rounds,
        security,
        submissions,
        templating,
        unit_of_work,
        vocabulary,
    )

    logs.init_app(app)  # first: its request timer starts before the other hooks run
    db.init_app(app)
    migrate.init_app(app, db)
    csrf.init_app(app)
    unit_of_work.init_app(app)
    inputs.init_app(app)  # before any route: its `int` converter

    security.init_app(app)
    auth.init_app(app)
    for feature in (
        ops,
        vocabulary,
        dashboard,
        artefacts,
        lifecycle,
        rounds,
        comments,
        resolution,
        dissensus,
        imports,
        submissions,
        api,
        downloads,
        governance,
    ):
        app.register_blueprint(feature.bp)
    navigation.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    return app


# SQLite has one writer at a time. A save that finds another write under way waits up to this
# long for it rather than failing with "database is locked" (a 500): longer than an import of a
# large log holds the lock (seconds), and than the waits measured with 20 triagers saving at
# once on a busy machine (bench/README.md, "soak"), where Python's default 5 s was not enough.
SQLITE_BUSY_TIMEOUT_MS = 30_000


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Foreign keys on; WAL so readers don't block the importer (not for :memory:); a writer
    that finds the database locked by another waits for it instead of failing (see
    SQLITE_BUSY_TIMEOUT_MS)."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


__all__ = ["create_app"]

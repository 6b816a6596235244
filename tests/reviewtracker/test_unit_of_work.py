"""One owner of the transaction: the edge commits or rolls back, a service never does; a GET
writes nothing; a request that wrote without committing fails loudly instead of losing it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from reviewtracker.auth import PUBLIC_ENDPOINTS
from reviewtracker.extensions import db
from reviewtracker.models import Service
from reviewtracker.unit_of_work import (
    ReadOnlyRequest,
    UncommittedWrites,
    pending_writes,
    unit_of_work,
)

SERVICES = Path(__file__).resolve().parents[2] / "reviewtracker" / "services"
# The one service that owns its transaction (one per file, documented in unit_of_work.py).
OWNS_ITS_TRANSACTION = {"comment_import/__init__.py"}


def _services(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Service))


@pytest.fixture
def routes(app):
    """Three test-only routes, added before the app's first request."""

    @app.get("/test-only/get-that-writes")
    def get_that_writes():
        db.session.add(Service(name="Written by a GET"))
        db.session.flush()
        return "written"

    @app.post("/test-only/post-without-commit")
    def post_without_commit():
        db.session.add(Service(name="Never committed"))
        db.session.flush()
        return "flushed"

    @app.post("/test-only/post-in-a-unit-of-work")
    def post_in_a_unit_of_work():
        with unit_of_work():
            db.session.add(Service(name="Committed"))
        return "committed"

    # Open to anonymous visitors, so that the login gate lets the requests through.
    added = {"get_that_writes", "post_without_commit", "post_in_a_unit_of_work"}
    PUBLIC_ENDPOINTS.update(added)
    yield
    PUBLIC_ENDPOINTS.difference_update(added)


def test_a_get_that_writes_is_refused_and_writes_nothing(app, client, routes):
    with pytest.raises(ReadOnlyRequest, match="GET /test-only/get-that-writes tried to write"):
        client.get("/test-only/get-that-writes")
    assert _services(app) == 0


def test_a_request_that_wrote_without_committing_fails_loudly(app, client, routes):
    with pytest.raises(UncommittedWrites, match="wrap the change in `with unit_of_work"):
        client.post("/test-only/post-without-commit")
    assert _services(app) == 0


def test_a_unit_of_work_commits_what_the_request_did(app, client, routes):
    assert client.post("/test-only/post-in-a-unit-of-work").status_code == 200
    assert _services(app) == 1


def test_a_unit_of_work_rolls_back_on_an_error_and_on_discard(app_context):
    with pytest.raises(RuntimeError, match="refused"), unit_of_work():
        db.session.add(Service(name="Half a change"))
        db.session.flush()
        assert pending_writes()
        raise RuntimeError("refused")
    assert not pending_writes()
    with unit_of_work() as work:
        db.session.add(Service(name="A dry run"))
        db.session.flush()
        work.discard()
    assert db.session.scalar(select(func.count()).select_from(Service)) == 0
    with unit_of_work():
        db.session.add(Service(name="Kept"))
    assert db.session.scalar(select(Service.name)) == "Kept"


def test_no_service_commits_or_rolls_back_but_the_import():
    """Services flush; the edge owns the transaction. The comment log import is the one
    documented exception (one transaction per file)."""
    found = {
        str(path.relative_to(SERVICES))
        for path in SERVICES.rglob("*.py")
        if re.search(r"\.(commit|rollback)\(\)", path.read_text(encoding="utf-8"))
    }
    assert found == OWNS_ITS_TRANSACTION

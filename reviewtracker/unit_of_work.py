"""One owner of the transaction: the edge (a view, a CLI command), never a service.

Services add, update and flush; they never commit or roll back. The code at the edge wraps
what one user action changes in `unit_of_work()`:

    try:
        with unit_of_work():
            triage.triage_comment(comment_id, changes, actor=..., expected_version=...)
    except ServiceError as refused:
        flash(str(refused), "error")      # already rolled back: nothing of it was written

It commits when the block ends normally and rolls back when anything escapes it (a
ServiceError included), so a refusal never leaves half a change behind. `work.discard()` ends
the block with a rollback instead (a dry run).

The exception is the comment log import (`services/comment_import/`): one transaction per
file, which it commits or rolls back itself, because the SQLite full-text triggers are dropped
and re-created inside it. Call it outside any unit of work: it refuses (RuntimeError) to start
over uncommitted changes. Its dry run (the import preview, `--dry-run`) only reads.

Two guards keep the rule true (`init_app`):
- A GET (or HEAD, OPTIONS) writes nothing: a write statement in one raises `ReadOnlyRequest`.
- A request that wrote without committing (a view that forgot its unit of work) fails loudly
  with `UncommittedWrites` instead of losing the change silently at the end of the request.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool
from werkzeug.wrappers import Response

from .extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Statements that change the database (what a GET may not run).
_WRITE = re.compile(
    r"^\s*(INSERT|UPDATE|DELETE|REPLACE|UPSERT|MERGE|CREATE|DROP|ALTER|TRUNCATE|COPY)\b",
    re.IGNORECASE,
)
_WROTE = "reviewtracker.wrote"  # key in a connection's info: it wrote since its last commit


class ReadOnlyRequest(RuntimeError):
    """A GET tried to write to the database."""


class UncommittedWrites(RuntimeError):
    """A request wrote to the database and ended without committing or rolling back."""


class UnitOfWork:
    """The handle `unit_of_work()` yields: `discard()` makes it roll back at the end."""

    __slots__ = ("discarded",)

    def __init__(self) -> None:
        self.discarded = False

    def discard(self) -> None:
        self.discarded = True


@contextmanager
def unit_of_work() -> Iterator[UnitOfWork]:
    """Commit what the block did, or roll it all back if anything escapes it (or if
    `discard()` was called)."""
    work = UnitOfWork()
    try:
        yield work
    except BaseException:
        db.session.rollback()
        raise
    if work.discarded:
        db.session.rollback()
    else:
        db.session.commit()


def is_write(statement: str) -> bool:
    return _WRITE.match(statement) is not None


@event.listens_for(Engine, "before_cursor_execute")
def _watch_writes(conn, _cursor, statement, _parameters, _context, _executemany) -> None:
    if not is_write(statement):
        return
    if has_request_context() and request.method in SAFE_METHODS:
        raise ReadOnlyRequest(
            f"{request.method} {request.path} tried to write to the database "
            f"({statement.split(None, 1)[0].upper()}): a GET writes nothing"
        )
    conn.info[_WROTE] = True


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _forget_writes(conn) -> None:
    conn.info.pop(_WROTE, None)


@event.listens_for(Pool, "reset")
def _forget_writes_on_return(_dbapi_connection, record, _reset_state) -> None:
    record.info.pop(_WROTE, None)


def pending_writes() -> bool:
    """True if the session's transaction has written and not yet committed."""
    session = db.session()  # the request's own Session behind the scoped proxy
    if not session.in_transaction():
        return False
    return bool(session.connection().info.get(_WROTE))


def _check_uncommitted(response: Response) -> Response:
    if pending_writes():
        db.session.rollback()
        raise UncommittedWrites(
            f"{request.method} {request.path} wrote to the database without committing: wrap "
            "the change in `with unit_of_work():`"
        )
    return response


def init_app(app: Flask) -> None:
    app.after_request(_check_uncommitted)


__all__ = [
    "ReadOnlyRequest",
    "UncommittedWrites",
    "UnitOfWork",
    "init_app",
    "is_write",
    "pending_writes",
    "unit_of_work",
]

"""Store a log as it is compared: record the batch, create the new organisations and review
rounds, bulk-insert the new comments a chunk at a time while the rest is read, then
bulk-update the changed ones and audit every decision the log set. Runs inside the import's
own transaction (see the package's docstring)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from itertools import chain, repeat
from operator import attrgetter

from sqlalchemy import Table, and_, bindparam, insert, literal, select, update

from importers.records import CommentRecord

from ...extensions import db
from ...models import AuditEvent, Comment, ImportBatch, Organisation, ReviewRound, utcnow
from .. import search
from ..triage import clear_actions_outside_action, propagate_to_duplicates
from .compare import REVIEWER_FIELDS, Comparison, Update
from .report import ImportReport
from .resolve import Key, Resolution

CHUNK = 5000
# The record's attributes stored as REVIEWER_FIELDS, in that order (the log's "comment" is the
# stored "text").
RECORD_FIELDS = tuple("comment" if name == "text" else name for name in REVIEWER_FIELDS)
_RAISED_ON = RECORD_FIELDS.index("raised_on")
Progress = Callable[[str, int, int | None], None]  # phase, done, total (None: not known yet)
# The columns a new comment is inserted with, in the order Writer._new_row gives them.
NEW_COLUMNS = (
    "artefact_id",
    "review_round_id",
    "organisation_id",
    "source_key",
    *REVIEWER_FIELDS,
    "disposition",
    "disposition_origin",
    "response",
    "response_origin",
    "version",
    "import_batch_id",
    "last_import_batch_id",
    "source_file",
    "source_sheet",
    "source_row",
    "created_at",
    "updated_at",
)


def tick(progress: Progress | None, phase: str, done: int, total: int | None) -> None:
    if progress is not None:
        progress(phase, done, total)


def add_batch(report: ImportReport, actor: str) -> ImportBatch:
    """The import's batch row, flushed: the file's first write, which on SQLite takes the
    write lock before the comparison reads the comments the import then changes. Its column
    mapping and counts are filled in by close_batch, once the whole log is read."""
    batch = ImportBatch(
        kind="comments",
        file_name=report.file,
        sha256=report.sha256,
        imported_by=actor,
        column_mapping={},
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def close_batch(batch: ImportBatch, report: ImportReport) -> None:
    batch.column_mapping = {s.name: s.mapping for s in report.sheets if s.mapping}
    batch.added, batch.unchanged, batch.updated = report.added, report.unchanged, report.updated
    batch.conflicts = len(report.conflicts)
    batch.problems = [str(p) for p in report.warnings] + [str(c) for c in report.conflicts]


class Creator:
    """Creates the organisations and review rounds a log needs as the resolver finds them (in
    the import's transaction), and turns stand-in ids in keys into theirs."""

    def __init__(self, resolution: Resolution) -> None:
        self.resolution = resolution
        self.organisation_ids: dict[int, int] = {}
        self.round_ids: dict[int, int] = {}

    def keys(self, keys: list[Key | None]) -> list[Key | None]:
        """The keys with real ids, creating what is new since the last call."""
        organisations = {
            stand_in: Organisation(
                name=new.name, name_key=new.name_key, constituency_id=new.constituency_id
            )
            for stand_in, new in self.resolution.organisations.items()
            if stand_in not in self.organisation_ids
        }
        rounds = {
            stand_in: ReviewRound(tranche_id=new.tranche_id, number=new.number)
            for stand_in, new in self.resolution.rounds.items()
            if stand_in not in self.round_ids
        }
        if organisations or rounds:
            db.session.add_all([*organisations.values(), *rounds.values()])
            db.session.flush()
            self.organisation_ids |= {stand_in: row.id for stand_in, row in organisations.items()}
            self.round_ids |= {stand_in: row.id for stand_in, row in rounds.items()}
        if not (self.organisation_ids or self.round_ids):
            return keys
        rounds, organisations = self.round_ids, self.organisation_ids
        return [
            None
            if key is None
            else (key[0], rounds.get(key[1], key[1]), organisations.get(key[2], key[2]), key[3])
            for key in keys
        ]


class Writer:
    """Bulk-inserts new comments, bulk-updates changed ones, and writes their audit events."""

    def __init__(self, batch_id: int, actor: str, file: str) -> None:
        self.batch_id = batch_id
        self.actor = actor
        self.file = file
        self.now = utcnow()
        # The bulk insert hands values to the driver as they are: convert the timestamp once,
        # and dates with the dialect's own processor (SQLite stores them as text, in
        # SQLAlchemy's format; the generic types have no processor, their dialect's do).
        table = Comment.__table__
        dialect = db.session.get_bind().dialect
        stamp = table.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
        self.stamp = stamp(self.now) if stamp else self.now
        self.day = table.c.raised_on.type.dialect_impl(dialect).bind_processor(dialect)
        self._insert_rows: Callable[[list[tuple]], None] | None = None
        self.inserted = 0

    def insert(self, new: list[tuple[CommentRecord, Key]]) -> None:
        """Insert new comments, a chunk at a time as the log is read: inside
        `search.bulk_insert(batch)`, which indexes them all afterwards."""
        if not new:
            return
        if self._insert_rows is None:
            self._insert_rows = driver_insert(Comment.__table__, NEW_COLUMNS)
        for start in range(0, len(new), CHUNK):
            chunk = new[start : start + CHUNK]
            self._insert_rows(self._new_rows(chunk))
            self.inserted += len(chunk)

    def finish(self, comparison: Comparison) -> None:
        """After the inserts: audit the decisions the new comments came with, update the
        changed comments and audit the decisions the log changed."""
        if self.inserted:
            self._audit_new_rows()
        self._update(comparison.updates)
        audit = [
            self._audit(change.comment_id, *decision)
            for change in comparison.updates
            for decision in change.decisions
        ]
        if audit:
            db.session.execute(insert(AuditEvent.__table__), audit)
            # An action owner belongs to a comment in Action (see triage.py).
            moved = {e["comment_id"] for e in audit if e["field"] == "disposition"}
            clear_actions_outside_action(
                moved, actor=self.actor, origin="import", import_batch_id=self.batch_id
            )
            # Duplicates marked in the browser follow their original's new decision.
            propagate_to_duplicates({event["comment_id"] for event in audit}, self.actor)

    def _new_rows(self, new: list[tuple[CommentRecord, Key]]) -> list[tuple]:
        """The rows of NEW_COLUMNS for new comments, built a column at a time (map and zip
        run in C: a 100,000-row log)."""
        records = [record for record, _key in new]
        size = len(records)
        keys = zip(*(key for _record, key in new), strict=True)

        def column(name: str) -> Iterable:
            return map(attrgetter(name), records)

        values = [column(name) for name in RECORD_FIELDS]
        if self.day is not None:  # SQLite: dates as the text SQLAlchemy stores
            day = self.day
            values[_RAISED_ON] = [None if d is None else day(d) for d in column("raised_on")]
        dispositions = [d or "open" for d in column("disposition")]
        responses = list(column("response"))
        constant = partial(repeat, times=size)
        return list(
            zip(
                *keys,
                *values,
                dispositions,
                [None if d == "open" else "import" for d in dispositions],
                responses,
                ["import" if r else None for r in responses],
                constant(1),
                constant(self.batch_id),
                constant(self.batch_id),
                constant(self.file),
                column("sheet"),
                column("row"),
                constant(self.stamp),
                constant(self.stamp),
                strict=True,
            )
        )

    def _audit(self, comment_id: int, field_name: str, before, after) -> dict:
        return {
            "comment_id": comment_id,
            "field": field_name,
            "before": before,
            "after": after,
            "actor": self.actor,
            "at": self.now,
            "origin": "import",
            "import_batch_id": self.batch_id,
        }

    def _audit_new_rows(self) -> None:
        """One audit event per decision the import set on a new comment, in one statement each."""
        audit = AuditEvent.__table__
        comment = Comment.__table__
        columns = ["comment_id", "field", "before", "after", "actor", "at", "origin"]
        columns.append("import_batch_id")
        for field_name, before, condition in (
            ("disposition", "open", comment.c.disposition != "open"),
            ("response", None, comment.c.response.is_not(None)),
        ):
            source = select(
                comment.c.id,
                literal(field_name),
                literal(before),
                comment.c[field_name],
                literal(self.actor),
                literal(self.now),
                literal("import"),
                literal(self.batch_id),
            ).where(and_(comment.c.import_batch_id == self.batch_id, condition))
            db.session.execute(insert(audit).from_select(columns, source))

    def _update(self, updates: list[Update]) -> None:
        if not updates:
            return
        table = Comment.__table__
        names = [*REVIEWER_FIELDS, "disposition", "response"]
        names += ["disposition_origin", "response_origin"]
        statement = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values(
                {name: bindparam(name) for name in names}
                | {
                    "version": table.c.version + 1,
                    "updated_at": self.now,
                    "last_import_batch_id": self.batch_id,
                }
            )
        )
        rows = [change.values | {"_id": change.comment_id} for change in updates]
        with search.bulk_update([change.comment_id for change in updates]):
            for start in range(0, len(rows), CHUNK):
                db.session.connection().execute(statement, rows[start : start + CHUNK])


def driver_insert(table: Table, columns: Sequence[str]) -> Callable[[list[tuple]], None]:
    """A bulk insert straight to the database driver: rows go as tuples, already in the
    driver's types (see Writer: dates on SQLite).

    SQLite: INSERT of many rows a statement, as many as its limit on parameters allows. Per
    row, an executemany pays a statement's start (the table and its eight indexes opened
    again) and a return to Python; one statement of thousands of rows runs in SQLite alone,
    without the GIL, while the reading thread parses on (100,000 rows: 1.48 s down to 1.11 s).
    PostgreSQL: COPY, one stream per chunk instead of a statement per row (psycopg pipelines
    an executemany, but the server still plans and runs each row's INSERT).
    """
    connection = db.session.connection()
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    if dialect.name == "postgresql":
        raw = connection.connection.dbapi_connection
        copy_sql = f"COPY {quote(table.name)} ({names}) FROM STDIN"

        def copy(rows: list[tuple]) -> None:
            with raw.cursor() as cursor, cursor.copy(copy_sql) as stream:
                for row in rows:
                    stream.write_row(row)

        return copy
    head = f"INSERT INTO {quote(table.name)} ({names}) VALUES "
    row = f"({', '.join('?' * len(columns))})"
    rows_a_statement = _rows_a_statement(connection.connection.dbapi_connection, head, row)

    def run(rows: list[tuple]) -> None:
        for start in range(0, len(rows), rows_a_statement):
            part = rows[start : start + rows_a_statement]
            values = tuple(chain.from_iterable(part))
            connection.exec_driver_sql(head + ", ".join([row] * len(part)), values)

    return run


def _rows_a_statement(raw: sqlite3.Connection, head: str, row: str) -> int:
    """As many rows as this SQLite's limits on a statement's parameters and length allow
    (compiled in: Debian's allow 250,000 parameters, SQLite's own default 32,766)."""
    parameters = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // row.count("?")
    length = (raw.getlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH) - len(head)) // (len(row) + 2)
    return max(1, min(parameters, length))


__all__ = ["Creator", "Writer", "add_batch", "close_batch", "driver_insert", "tick"]

"""Import one comment log into the database: one transaction, set-based, idempotent.

The reader (importers/) gives typed records and a problem report; this module matches them
to artefacts, organisations and review rounds, then inserts new comments and updates changed
ones in bulk. A file with any error writes nothing. A decision taken in the browser is never
overwritten: the log's differing value is reported as a conflict instead.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from rapidfuzz import process
from sqlalchemy import Table, and_, bindparam, insert, literal, select, update

from importers import read_comment_log
from importers.guards import MAX_FILE_BYTES
from importers.normalise import fold_name, tidy_name
from importers.records import CommentRecord, Problem, ProblemReport, SheetReport

from ..extensions import db
from ..logs import log_import  # one log record per import: counts, never text
from ..models import (
    Artefact,
    AuditEvent,
    Comment,
    Constituency,
    ImportBatch,
    Organisation,
    Tranche,
    utcnow,
)
from . import search
from .reference import get_or_create_round
from .triage import _propagate_to_duplicates

# The reviewer's own words: a re-import may update these.
REVIEWER_FIELDS = (
    "log_comment_id",
    "section",
    "page",
    "line",
    "text",
    "proposed_change",
    "comment_type",
    "reviewer",
    "raised_on",
)
# Record fields stored in length-limited columns, with the column's length.
LIMITED_FIELDS = tuple(
    (name, Comment.__table__.c[column].type.length)
    for name, column in (
        ("log_comment_id", "log_comment_id"),
        ("source_key", "source_key"),
        ("section", "section"),
        ("page", "page"),
        ("line", "line"),
        ("comment_type", "comment_type"),
        ("reviewer", "reviewer"),
    )
)
# A refusal lists this many problems at most, then says how many more there were.
MAX_PROBLEMS = 200
CHUNK = 5000

Progress = Callable[[str, int, int], None]  # phase, done, total


@dataclass(slots=True)
class ImportOptions:
    """What the user said about the log on the command line or the upload form."""

    tranche: str | None = None
    review_round: int | None = None
    organisation: str | None = None
    constituency: str | None = None
    column_overrides: dict[str, str | None] | None = None
    actor: str | None = None  # default: the app's IMPORT_ACTOR
    dry_run: bool = False
    # Keep the first N records as read on the report (ImportReport.sample), for a preview.
    sample_rows: int = 0


@dataclass(slots=True)
class Conflict:
    """The log offers a value for a decision that was taken in the browser; the browser's stays."""

    sheet: str
    row: int
    reference: str
    field: str
    kept: str | None
    offered: str | None

    def __str__(self) -> str:
        return (
            f"sheet '{self.sheet}', row {self.row} ({self.reference}): {self.field} set in the "
            f"browser kept as {self.kept!r}; the log says {self.offered!r}"
        )


@dataclass(slots=True)
class ImportReport(ProblemReport):
    file: str
    sha256: str = ""
    added: int = 0
    unchanged: int = 0
    updated: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sheets: list[SheetReport] = field(default_factory=list)
    encoding: str | None = None
    batch_id: int | None = None
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)
    sample: list[CommentRecord] = field(default_factory=list)  # see ImportOptions.sample_rows

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run


class _Refused(Exception):
    """Raised inside the transaction when resolving found errors: roll back, write nothing."""


@log_import
def import_comment_log(
    source: str | Path | bytes | BinaryIO,
    *,
    filename: str | None = None,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Read, check and store one log. Returns the report; writes nothing unless it is clean."""
    options = options or ImportOptions()
    options.actor = options.actor or current_app.config["IMPORT_ACTOR"]
    data, digest, filename = _load(source, filename)
    report = ImportReport(file=filename, sha256=digest)
    report.dry_run = options.dry_run
    _tick(progress, "read", 0, 1)
    read = read_comment_log(
        data,
        filename=filename,
        defaults=_defaults(options),
        column_overrides=options.column_overrides,
    )
    _tick(progress, "read", 1, 1)
    report.problems.extend(read.problems)
    report.sheets = read.sheets
    report.encoding = read.encoding
    report.sample = read.records[: options.sample_rows]
    if not read.ok:
        return report
    db.session.rollback()  # start from a clean transaction
    try:
        _store(read.records, report, options, progress)
    except _Refused:
        db.session.rollback()
        return report
    except Exception:
        db.session.rollback()
        raise
    if options.dry_run:
        db.session.rollback()
        report.batch_id = None
    else:
        db.session.commit()
    return report


def _load(
    source: str | Path | bytes | BinaryIO, filename: str | None
) -> tuple[Path | bytes, str, str]:
    """(what the reader reads, its sha256, its name). A path stays a path: calamine reads the
    file itself, faster than from a copy of its bytes."""
    # A file over the size limit is refused by the reader: it is not read through for a hash
    # first (nor, from a stream, read past the limit).
    if isinstance(source, str | Path):
        path = Path(source)
        with path.open("rb") as handle:
            if os.fstat(handle.fileno()).st_size > MAX_FILE_BYTES:
                return path, "", filename or path.name
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        return path, digest, filename or path.name
    data = source if isinstance(source, bytes) else source.read(MAX_FILE_BYTES + 1)
    name = filename or getattr(source, "name", None) or "upload"
    return data, hashlib.sha256(data).hexdigest(), name


def _defaults(options: ImportOptions) -> dict[str, str | int]:
    given = {
        "tranche": options.tranche,
        "review_round": options.review_round,
        "organisation": options.organisation,
        "constituency": options.constituency,
    }
    return {key: value for key, value in given.items() if value not in (None, "")}


def _tick(progress: Progress | None, phase: str, done: int, total: int) -> None:
    if progress is not None:
        progress(phase, done, total)


def _store(
    records: list[CommentRecord],
    report: ImportReport,
    options: ImportOptions,
    progress: Progress | None,
) -> None:
    resolver = _Resolver(report)
    keys = resolver.resolve(records)
    if report.errors:
        raise _Refused
    previous = db.session.scalar(
        select(ImportBatch).where(ImportBatch.sha256 == report.sha256).order_by(ImportBatch.id)
    )
    if previous is not None:
        report.notes.append(
            f"this file was imported before, on {previous.imported_at:%Y-%m-%d %H:%M} "
            f"(batch {previous.id})"
        )
    batch = ImportBatch(
        kind="comments",
        file_name=report.file,
        sha256=report.sha256,
        imported_by=options.actor,
        column_mapping={s.name: s.mapping for s in report.sheets if s.mapping},
    )
    db.session.add(batch)
    db.session.flush()
    report.batch_id = batch.id
    writer = _Writer(batch.id, options.actor, report, progress)
    writer.write(records, keys, resolver.existing(keys))
    batch.added, batch.unchanged, batch.updated = report.added, report.unchanged, report.updated
    batch.conflicts = len(report.conflicts)
    batch.problems = [str(p) for p in report.warnings] + [str(c) for c in report.conflicts]


Key = tuple[int, int, int, str]  # artefact, round, organisation, source key


class _Resolver:
    """Matches the records' artefacts, organisations and rounds to ids; reports what it can't."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.columns = {s.name: s.mapping for s in report.sheets}
        self.reported = 0

    def problem(self, message: str, record: CommentRecord | None = None, **kw) -> None:
        severity = kw.pop("severity", "error")
        if severity == "error":
            self.reported += 1
            if self.reported > MAX_PROBLEMS:
                return
        where = {"sheet": record.sheet, "row": record.row} if record else {}
        self.report.problems.append(
            Problem(self.report.file, message, severity=severity, **where, **kw)
        )

    def column(self, record: CommentRecord, field_name: str) -> str | None:
        return self.columns.get(record.sheet, {}).get(field_name)

    def resolve(self, records: list[CommentRecord]) -> list[Key | None]:
        artefacts = self._artefacts(records)
        organisations = self._organisations(records)
        rounds: dict[tuple[int, int], int] = {}
        tranche_ids = dict(db.session.execute(select(Tranche.code, Tranche.id)).all())

        def ids(artefact: str | None, organisation: str | None, tranche, number):
            """(artefact, round, organisation) ids; None where the row was refused."""
            found = artefacts.get(artefact or "")
            organisation_id = organisations.get(fold_name(organisation or ""))
            if found is None or organisation_id is None:
                return None
            tranche_id = tranche_ids[tranche or found[1] or "TBC"]
            return found[0], get_or_create_round(tranche_id, number or 1, rounds), organisation_id

        # Logs repeat a handful of (artefact, organisation, tranche, round) combinations.
        combinations: dict[tuple, tuple[int, int, int] | None] = {}
        keys: list[Key | None] = []
        for record in records:
            combination = (record.artefact, record.organisation, record.tranche)
            combination += (record.review_round,)
            if combination not in combinations:
                combinations[combination] = ids(*combination)
            found = combinations[combination]
            keys.append(None if found is None else (*found, record.source_key))
        self._duplicates(records, keys)
        self._lengths(records)
        if self.reported > MAX_PROBLEMS:
            self.report.problems.append(
                Problem(self.report.file, f"... and {self.reported - MAX_PROBLEMS} more errors")
            )
        return keys

    def _lengths(self, records: list[CommentRecord]) -> None:
        """A value longer than its column is refused here, naming the cell: PostgreSQL would
        refuse the whole insert with a database error instead."""
        for record in records:
            for name, limit in LIMITED_FIELDS:
                value = getattr(record, name)
                if value is not None and len(value) > limit:
                    self.problem(
                        f"{len(value)} characters is too long for {name.replace('_', ' ')}; "
                        f"the limit is {limit}",
                        record,
                        column=self.column(record, name),
                    )

    def _duplicates(self, records: list[CommentRecord], keys: list[Key | None]) -> None:
        """Two rows that would be the same comment (the same id twice in a log)."""
        if len(set(keys)) + keys.count(None) - (None in keys) == len(keys):
            return
        seen: dict[Key, CommentRecord] = {}
        for record, key in zip(records, keys, strict=True):
            if key is None:
                continue
            if key in seen:
                first = seen[key]
                self.problem(
                    f"comment {record.source_key} on {record.artefact} appears twice "
                    f"(also sheet '{first.sheet}', row {first.row})",
                    record,
                )
            seen[key] = record

    def _artefacts(self, records: list[CommentRecord]) -> dict[str, tuple[int, str | None]]:
        """reference -> (id, tranche code); every unknown reference is reported per row."""
        rows = db.session.execute(
            select(Artefact.reference, Artefact.id, Tranche.code)
            .outerjoin(Tranche)
            .order_by(Artefact.reference)
        ).all()
        known = {reference: (artefact_id, code) for reference, artefact_id, code in rows}
        hints: dict[str, str] = {}
        warned: set[str] = set()
        for record in records:
            reference = record.artefact or ""
            if reference not in known:
                if reference not in hints:
                    hints[reference] = self._hint(reference, known)
                self.problem(
                    "unknown artefact reference {value}: not in the artefact register "
                    f"(import it with import-artefacts){hints[reference]}",
                    record,
                    column=self.column(record, "artefact"),
                    value=reference,
                )
            elif record.tranche and known[reference][1] not in (None, record.tranche):
                if reference in warned:
                    continue
                warned.add(reference)
                self.problem(
                    f"{reference} is in another tranche in the register; "
                    f"its comments here count towards tranche {record.tranche}",
                    record,
                    severity="warning",
                )
        return known

    @staticmethod
    def _hint(reference: str, known: dict) -> str:
        match = process.extractOne(reference, list(known)) if known else None
        return f"; did you mean {match[0]}?" if match and match[1] >= 80 else ""

    def _organisations(self, records: list[CommentRecord]) -> dict[str, int]:
        """Folded name -> id, creating organisations not yet known with their constituency."""
        first: dict[str, CommentRecord] = {}
        constituency_of: dict[str, str] = {}
        for record in records:
            key = fold_name(record.organisation or "")
            first.setdefault(key, record)
            if record.constituency and key not in constituency_of:
                constituency_of[key] = record.constituency
        known = dict(
            db.session.execute(
                select(Organisation.name_key, Organisation.id).where(
                    Organisation.name_key.in_(list(first))
                )
            ).all()
        )
        constituencies = dict(db.session.execute(select(Constituency.name, Constituency.id)).all())
        for key, record in first.items():
            if key in known:
                continue
            if not key:
                self.problem("no organisation for this comment", record)
                continue
            name = constituency_of.get(key)
            if name is None:
                self.problem(
                    f"organisation {record.organisation!r} is not known yet and the log gives no "
                    "constituency for it: add a Constituency column, a 'Constituency:' line "
                    "above the table, or pass --constituency",
                    record,
                    column=self.column(record, "organisation"),
                )
            elif name not in constituencies:
                self.problem(
                    "constituency {value} is not in the reference list (run init-db?)",
                    record,
                    column=self.column(record, "constituency"),
                    value=name,
                )
            else:
                organisation = Organisation(
                    name=tidy_name(record.organisation or ""),
                    name_key=key,
                    constituency_id=constituencies[name],
                )
                db.session.add(organisation)
                db.session.flush()
                known[key] = organisation.id
        return known

    def existing(self, keys: Iterable[Key | None]) -> dict[Key, Sequence]:
        """The comments already stored under these keys, with the fields a re-import compares."""
        wanted = {key for key in keys if key is not None}
        if not wanted:
            return {}
        scope = {part: sorted({key[i] for key in wanted}) for i, part in enumerate("aro")}
        query = select(*STORED_COLUMNS).where(
            Comment.organisation_id.in_(scope["o"]),
            Comment.review_round_id.in_(scope["r"]),
            Comment.artefact_id.in_(scope["a"]),
        )
        # Plain rows from the connection: no ORM identity work for a 100,000-row re-import.
        found: dict[Key, Sequence] = {}
        for row in db.session.connection().execute(query):
            key = tuple(row[1:5])
            if key in wanted:
                found[key] = row
        return found


# What a re-import reads back: id, the natural key, the decisions, then REVIEWER_FIELDS.
STORED_COLUMNS = (
    Comment.id,
    Comment.artefact_id,
    Comment.review_round_id,
    Comment.organisation_id,
    Comment.source_key,
    Comment.disposition,
    Comment.response,
    Comment.disposition_origin,
    Comment.response_origin,
    *(getattr(Comment, name) for name in REVIEWER_FIELDS),
)
DECISIONS = {"disposition": 5, "response": 6}  # field -> position in STORED_COLUMNS
FIRST_REVIEWER_FIELD = 9
# The columns a new comment is inserted with, in the order _Writer._new_row gives them.
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


def _reviewer_values(record: CommentRecord) -> tuple:
    """The record's REVIEWER_FIELDS, in order (the log's "comment" is the stored "text")."""
    return (
        record.log_comment_id,
        record.section,
        record.page,
        record.line,
        record.comment,
        record.proposed_change,
        record.comment_type,
        record.reviewer,
        record.raised_on,
    )


class _Writer:
    """Bulk-inserts new comments, bulk-updates changed ones, and writes their audit events."""

    def __init__(self, batch_id: int, actor: str, report: ImportReport, progress) -> None:
        self.batch_id = batch_id
        self.actor = actor
        self.report = report
        self.progress = progress
        self.now = utcnow()
        self.audit: list[dict] = []
        # The bulk insert hands values to the driver as they are: convert the timestamp once,
        # and dates with the dialect's own processor (SQLite stores them as text, in
        # SQLAlchemy's format; the generic types have no processor, their dialect's do).
        table = Comment.__table__
        dialect = db.session.get_bind().dialect
        stamp = table.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
        self.stamp = stamp(self.now) if stamp else self.now
        self.day = table.c.raised_on.type.dialect_impl(dialect).bind_processor(dialect)

    def write(self, records: list[CommentRecord], keys: list[Key | None], existing: dict) -> None:
        new_rows: list[tuple] = []
        changed: list[dict] = []
        for record, key in zip(records, keys, strict=True):
            if key is None:
                continue
            stored = existing.get(key)
            if stored is None:
                new_rows.append(self._new_row(record, key))
                continue
            change = self._changes(record, stored)
            if change:
                changed.append(change)
            else:
                self.report.unchanged += 1
        self._insert(new_rows)
        self._update(changed)
        if self.audit:
            db.session.execute(insert(AuditEvent.__table__), self.audit)
            # Duplicates marked in the browser follow their original's new decision.
            _propagate_to_duplicates({event["comment_id"] for event in self.audit}, self.actor)
        self.report.added = len(new_rows)
        self.report.updated = len(changed)

    def _new_row(self, record: CommentRecord, key: Key) -> tuple:
        disposition = record.disposition or "open"
        values = _reviewer_values(record)
        if self.day is not None and record.raised_on is not None:
            values = (*values[:-1], self.day(record.raised_on))
        return (
            *key,
            *values,
            disposition,
            "import" if disposition != "open" else None,
            record.response,
            "import" if record.response else None,
            1,
            self.batch_id,
            self.batch_id,
            self.report.file,
            record.sheet,
            record.row,
            self.stamp,
            self.stamp,
        )

    def _changes(self, record: CommentRecord, stored: Sequence) -> dict | None:
        """The update for one stored comment, or None if the log says nothing new."""
        incoming = _reviewer_values(record)
        dirty = incoming != tuple(stored[FIRST_REVIEWER_FIELD:])
        decisions = {name: stored[i] for name, i in DECISIONS.items()}
        origins = {name: stored[i + 2] for name, i in DECISIONS.items()}
        # A blank status in the log never undoes a decision already stored.
        offered = {
            "disposition": record.disposition if record.disposition != "open" else None,
            "response": record.response,
        }
        for name, value in offered.items():
            if value is None or value == decisions[name]:
                continue
            if origins[name] == "browser":
                where = (record.sheet, record.row, record.artefact or "")
                self.report.conflicts.append(Conflict(*where, name, decisions[name], value))
                continue
            self.audit.append(self._audit(stored[0], name, decisions[name], value))
            decisions[name] = value
            origins[name] = "import"
            dirty = True
        if not dirty:
            return None
        row = dict(zip(REVIEWER_FIELDS, incoming, strict=True)) | decisions
        row |= {f"{name}_origin": origin for name, origin in origins.items()}
        row["_id"] = stored[0]
        return row

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

    def _insert(self, rows: list[tuple]) -> None:
        if not rows:
            return
        insert_rows = _driver_insert(Comment.__table__, NEW_COLUMNS)
        # The search index takes the batch's rows in one statement afterwards (see search).
        with search.bulk_insert(self.batch_id):
            for start in range(0, len(rows), CHUNK):
                insert_rows(rows[start : start + CHUNK])
                _tick(self.progress, "write", min(start + CHUNK, len(rows)), len(rows))
        self._audit_new_rows()

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

    def _update(self, rows: list[dict]) -> None:
        if not rows:
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
        with search.bulk_update([row["_id"] for row in rows]):
            for start in range(0, len(rows), CHUNK):
                db.session.connection().execute(statement, rows[start : start + CHUNK])


def _driver_insert(table: Table, columns: Sequence[str]) -> Callable[[list[tuple]], None]:
    """A bulk insert straight to the database driver: rows go as tuples, already in the
    driver's types (see _Writer: dates on SQLite).

    SQLite: an executemany (SQLAlchemy's per-row parameter handling cost as much as SQLite's
    own insert). PostgreSQL: COPY, one stream per chunk instead of a statement per row (psycopg
    pipelines an executemany, but the server still plans and runs each row's INSERT).
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
    marker = "?" if dialect.paramstyle in ("qmark", "numeric") else "%s"
    sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({', '.join([marker] * len(columns))})"

    def run(rows: list[tuple]) -> None:
        connection.exec_driver_sql(sql, rows)

    return run


__all__ = [
    "Conflict",
    "fold_name",
    "ImportOptions",
    "ImportReport",
    "import_comment_log",
    "REVIEWER_FIELDS",
]

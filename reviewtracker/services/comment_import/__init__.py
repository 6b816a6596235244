"""Import one comment log into the database: one transaction per file, set-based, idempotent.

    read (importers/)  ->  resolve.py  artefacts, organisations, review rounds (SELECTs only)
                       ->  compare.py  with the comments stored under the same natural keys
                       ->  write.py    organisations and rounds, batch, inserts, updates, audit

A file with any error writes nothing. A decision taken in the browser is never overwritten:
the log's differing value is reported as a conflict instead. A dry run (the browser's
preview, the CLI's --dry-run) stops after the comparison: it writes nothing, and counts
exactly what the import would (a new organisation or round is listed as one that would be
created). A preview keeps the file as read (ParsedLog) so that it is not read again.

The import owns its transaction, one per file: the exception to the rule that the edge owns
it (see unit_of_work.py), because the SQLite full-text triggers are dropped and re-created
inside it. It commits or rolls back only its own work, and refuses to start over a caller's
uncommitted writes rather than commit or lose them.
"""

from __future__ import annotations

import hashlib
import os
from datetime import date
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import select

from importers import read_comment_log
from importers.guards import MAX_FILE_BYTES
from importers.records import CommentRecord

from ...extensions import db
from ...logs import log_import  # one log record per import: counts, never text
from ...models import ImportBatch
from ...unit_of_work import pending_writes
from .compare import REVIEWER_FIELDS, Comparison, compare, stored_comments
from .report import Conflict, ImportOptions, ImportReport, ParsedLog
from .resolve import Resolution, Resolver
from .round_checks import check_rounds
from .write import Progress, Writer, add_batch, close_batch, create_missing, tick

Source = str | Path | bytes | BinaryIO


def parse_comment_log(
    source: Source,
    *,
    filename: str | None = None,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> ParsedLog:
    """Read one log with the options' defaults and column choices; no database."""
    options = options or ImportOptions()
    data, digest, filename = _load(source, filename)
    defaults = options.reader_defaults()
    overrides = dict(options.column_overrides or {})
    tick(progress, "read", 0, 1)
    read = read_comment_log(
        data, filename=filename, defaults=defaults, column_overrides=overrides or None
    )
    tick(progress, "read", 1, 1)
    return ParsedLog(filename, digest, read, defaults, overrides)


@log_import
def import_comment_log(
    source: Source | ParsedLog,
    *,
    filename: str | None = None,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Read, check and store one log; with `options.dry_run`, only count what storing it would
    do. Returns the report; writes nothing unless the file is clean. `source` may be the log
    as parse_comment_log read it with the same options (a preview's), not to read it again."""
    options = options or ImportOptions()
    options.actor = options.actor or current_app.config["IMPORT_ACTOR"]
    if not options.dry_run:
        _refuse_callers_work()
    parsed = _parsed(source, filename, options, progress)
    report = _report(parsed, options)
    if not report.ok:
        return report
    records = parsed.read.records
    resolver = Resolver(report)
    resolution = resolver.resolve(records)
    if report.ok:
        report.late = check_rounds(
            resolver,
            records,
            resolution.keys,
            allow_other_artefacts=options.allow_other_artefacts,
            today=date.today(),
        )
    if not report.ok:
        return report
    report.created = resolution.creations()
    _note_earlier_import(report)
    if options.dry_run:
        _count(report, compare(records, resolution.keys, stored_comments(resolution.keys)))
    else:
        _store(records, resolution, report, options, progress)
    return report


def _parsed(
    source: Source | ParsedLog,
    filename: str | None,
    options: ImportOptions,
    progress: Progress | None,
) -> ParsedLog:
    if not isinstance(source, ParsedLog):
        return parse_comment_log(source, filename=filename, options=options, progress=progress)
    if not source.fits(options):
        raise ValueError(f"{source.file} was read with other defaults or column choices")
    return source


def _refuse_callers_work() -> None:
    session = db.session()
    if pending_writes() or session.new or session.dirty or session.deleted:
        raise RuntimeError(
            "import_comment_log commits or rolls back its own transaction, one per file, and "
            "the session holds uncommitted changes: commit them (end the unit of work) first"
        )


def _load(source: Source, filename: str | None) -> tuple[Path | bytes, str, str]:
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


def _report(parsed: ParsedLog, options: ImportOptions) -> ImportReport:
    read = parsed.read
    organisations: dict[str, str | None] = {}
    for record in read.records:
        if record.organisation and not organisations.get(record.organisation):
            organisations[record.organisation] = record.constituency
    return ImportReport(
        file=parsed.file,
        sha256=parsed.sha256,
        problems=list(read.problems),  # a copy: the resolver adds to it, the parse is kept
        sheets=read.sheets,
        encoding=read.encoding,
        dry_run=options.dry_run,
        sample=read.records[: options.sample_rows],
        records=len(read.records),
        organisations=organisations,
    )


def _note_earlier_import(report: ImportReport) -> None:
    earlier = db.session.scalar(
        select(ImportBatch).where(ImportBatch.sha256 == report.sha256).order_by(ImportBatch.id)
    )
    if earlier is not None:
        report.notes.append(
            f"this file was imported before, on {earlier.imported_at:%Y-%m-%d %H:%M} "
            f"(batch {earlier.id})"
        )


def _count(report: ImportReport, comparison: Comparison) -> None:
    report.added = len(comparison.new)
    report.updated = len(comparison.updates)
    report.unchanged = comparison.unchanged
    report.conflicts = comparison.conflicts


def _store(
    records: list[CommentRecord],
    resolution: Resolution,
    report: ImportReport,
    options: ImportOptions,
    progress: Progress | None,
) -> None:
    """The file's one transaction: committed whole, or rolled back whole on any failure."""
    try:
        batch = add_batch(report, options.actor or "")
        keys = create_missing(resolution)
        comparison = compare(records, keys, stored_comments(keys))
        Writer(batch.id, options.actor or "", report.file, progress).write(comparison)
        _count(report, comparison)
        close_batch(batch, report)
        report.batch_id = batch.id
        if options.on_batch is not None:
            options.on_batch(batch.id)
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


__all__ = [
    "REVIEWER_FIELDS",
    "Conflict",
    "ImportOptions",
    "ImportReport",
    "ParsedLog",
    "import_comment_log",
    "parse_comment_log",
]

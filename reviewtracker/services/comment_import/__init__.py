"""Import one comment log into the database: one transaction per file, set-based, idempotent.

    feed.py          read (importers/) in a thread, handing over a chunk of records at a time
    resolve.py       artefacts, organisations, review rounds (SELECTs only)
    round_checks.py  each comment against its round's artefacts and window (SELECTs only)
    compare.py       with the comments stored under the same natural keys
    write.py         organisations and rounds, batch, inserts (chunk by chunk while the rest
                     is read), then updates and audit

A file with any error writes nothing: what was stored of it before the error was read is
rolled back with the rest. A decision taken in the browser is never overwritten: the log's
differing value is reported as a conflict instead. A dry run (the browser's preview, the
CLI's --dry-run) writes nothing, and counts exactly what the import would (a new organisation
or round is listed as one that would be created). A preview keeps the file as read
(ParsedLog) so that it is not read again.

The import owns its transaction, one per file: the exception to the rule that the edge owns
it (see unit_of_work.py), because the SQLite full-text triggers are dropped and re-created
inside it. It commits or rolls back only its own work, and refuses to start over a caller's
uncommitted writes rather than commit or lose them.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date

from flask import current_app
from sqlalchemy import select

from importers.records import CommentRecord

from ...extensions import db
from ...logs import log_import  # one log record per import: counts, never text
from ...models import ImportBatch
from ...unit_of_work import pending_writes
from .. import search
from .compare import REVIEWER_FIELDS, Comparison, StoredComments, compare
from .feed import Feed, Source, parse_comment_log
from .report import Conflict, ImportOptions, ImportReport, ParsedLog
from .resolve import Key, Resolution, Resolver
from .round_checks import RoundChecks
from .write import Creator, Progress, Writer, add_batch, close_batch, tick


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
    as parse_comment_log read it with the same options (a preview's), not to read it again.

    A file is read in a thread while its records are matched and, for an import, stored a
    chunk at a time in the file's transaction (see Feed); a file with any error is rolled
    back whole at the end, so nothing of it is written."""
    options = options or ImportOptions()
    options.actor = options.actor or current_app.config["IMPORT_ACTOR"]
    if not options.dry_run:
        _refuse_callers_work()
    if isinstance(source, ParsedLog) and not source.fits(options):
        raise ValueError(f"{source.file} was read with other defaults or column choices")
    feed = Feed(source, filename, options)
    try:
        return _import(feed, options, progress)
    finally:
        feed.close()


class _Refused(Exception):
    """The file has errors: what was written of it is rolled back."""


def _import(feed: Feed, options: ImportOptions, progress: Progress | None) -> ImportReport:
    report = ImportReport(file=feed.file, sha256=feed.sha256, dry_run=options.dry_run)
    if feed.parsed is not None and not feed.parsed.read.ok:
        _add_read(report, feed.parsed, feed.sample)  # read before: nothing to match
        report.records = len(feed.parsed.read.records)
        _note_organisations(report, feed.parsed.read.records)
        return report
    resolver = Resolver(report.file)
    rounds = RoundChecks(
        resolver, allow_other_artefacts=options.allow_other_artefacts, today=date.today()
    )
    comparison, stored = Comparison(), StoredComments()
    store: _Store | None = None
    try:
        store = None if options.dry_run else _Store(report, options, resolver.resolution)
        with store.indexing() if store else nullcontext():
            for records, clean in feed:
                keys = resolver.resolve(records)
                rounds.check(records, keys)
                _note_organisations(report, records)
                new = _compare(records, keys, stored, comparison, store, clean and resolver.ok)
                if store is not None and clean and resolver.ok:
                    store.writer.insert(new)
                tick(progress, "reading and storing", feed.count, None)
            parsed = feed.result()
            records, keys = resolver.finish(parsed.read.sheets)
            rounds.check(records, keys)
            report.late = rounds.finish()
            new = _compare(records, keys, stored, comparison, store, resolver.ok)
            _add_read(report, parsed, feed.sample)
            report.records = feed.count
            if parsed.read.ok:
                report.problems += resolver.problems_found
            if not report.ok:
                raise _Refused
            if store is not None:
                store.writer.insert(new)
    except _Refused:
        if store is not None:
            db.session.rollback()
        return report
    except BaseException:
        if not options.dry_run:
            db.session.rollback()
        raise
    report.created = resolver.resolution.creations()
    _note_earlier_import(report)
    _count(report, comparison)
    if store is not None:
        store.finish(comparison)
    return report


def _compare(
    records: list[CommentRecord],
    keys: list[Key | None],
    stored: StoredComments,
    comparison: Comparison,
    store: _Store | None,
    writing: bool,
) -> list[tuple[CommentRecord, Key]]:
    """The chunk compared with the stored comments (for an import, with the organisations and
    rounds it needs created first); returns its new comments."""
    if store is not None and writing:
        keys = store.creator.keys(keys)
    return compare(records, keys, stored.get(keys), comparison)


class _Store:
    """An import's writing side, in the file's one transaction: the batch first (on SQLite
    the write lock), the search index filled once afterwards, the batch closed and committed
    at the end."""

    def __init__(
        self, report: ImportReport, options: ImportOptions, resolution: Resolution
    ) -> None:
        self.report = report
        self.options = options
        self.batch = add_batch(report, options.actor or "")
        self.writer = Writer(self.batch.id, options.actor or "", report.file)
        self.creator = Creator(resolution)

    def indexing(self):
        return search.bulk_insert(self.batch.id)

    def finish(self, comparison: Comparison) -> None:
        try:
            self.writer.finish(comparison)
            close_batch(self.batch, self.report)
            self.report.batch_id = self.batch.id
            if self.options.on_batch is not None:
                self.options.on_batch(self.batch.id)  # in the file's transaction, with it
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()


def _add_read(report: ImportReport, parsed: ParsedLog, sample: list[CommentRecord]) -> None:
    read = parsed.read
    report.problems = list(read.problems)  # a copy: the resolver adds to it, the parse is kept
    report.sheets = read.sheets
    report.encoding = read.encoding
    report.sample = sample


def _note_organisations(report: ImportReport, records: list[CommentRecord]) -> None:
    """The organisations the records name, each with the first constituency given for it, in
    the order the file names them (the preview's summary)."""
    organisations = report.organisations
    for record in records:
        if record.organisation and not organisations.get(record.organisation):
            organisations[record.organisation] = record.constituency


def _refuse_callers_work() -> None:
    session = db.session()
    if pending_writes() or session.new or session.dirty or session.deleted:
        raise RuntimeError(
            "import_comment_log commits or rolls back its own transaction, one per file, and "
            "the session holds uncommitted changes: commit them (end the unit of work) first"
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
    report.added = comparison.added
    report.updated = len(comparison.updates)
    report.unchanged = comparison.unchanged
    report.conflicts = comparison.conflicts


__all__ = [
    "REVIEWER_FIELDS",
    "Conflict",
    "ImportOptions",
    "ImportReport",
    "ParsedLog",
    "import_comment_log",
    "parse_comment_log",
]

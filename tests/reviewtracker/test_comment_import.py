"""The import service: one transaction per file, idempotent, never overwriting the browser.

Service tests: each runs in the app's context (the import commits its own transaction per
file, so a test that writes before an import commits that first).
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import event, select, text

from reviewtracker.extensions import db
from reviewtracker.models import AuditEvent, Comment, ImportBatch, Organisation, ReviewRound
from reviewtracker.services.comment_filter import CommentFilter
from reviewtracker.services.comment_import import (
    ImportOptions,
    import_comment_log,
    parse_comment_log,
)
from reviewtracker.services.comment_queries import count_comments
from reviewtracker.services.rollups import constituency_table
from reviewtracker.services.scope import Scope
from reviewtracker.services.triage import StaleComment, mark_duplicate, triage_comment
from reviewtracker.unit_of_work import ReadOnlyRequest, unit_of_work
from tests.logmaker import write_csv_log, write_xlsx_log

from .factories import add_artefacts, comment_rows, count

ACME = {"Organisation": "Acme Energy", "Constituency": "Supplier - Large"}

pytestmark = pytest.mark.usefixtures("app_context")


def utc_now() -> datetime:
    """Now in UTC without a zone, as the database keeps it."""
    return datetime.now(UTC).replace(tzinfo=None)


@pytest.fixture
def artefacts(app_context):
    add_artefacts(("BP004", "1"), ("BP005", "1"), ("IF005", "1"))


def test_import_adds_comments_organisation_and_batch(artefacts, tmp_path: Path):
    path = write_xlsx_log(tmp_path / "acme.xlsx", comment_rows(), key_values=ACME)
    report = import_comment_log(path)
    assert report.ok and report.written
    assert (report.added, report.unchanged, report.updated) == (3, 0, 0)
    organisation = db.session.scalar(select(Organisation))
    assert organisation.name == "Acme Energy"
    assert organisation.constituency.name == "Supplier- Large"
    comments = db.session.scalars(select(Comment).order_by(Comment.id)).all()
    assert [c.artefact.reference for c in comments] == ["BP004", "BP005", "IF005"]
    assert comments[0].source_file == "acme.xlsx" and comments[0].source_row > 3
    assert all(c.disposition == "open" for c in comments)
    batch = db.session.get(ImportBatch, report.batch_id)
    assert batch.added == 3 and batch.file_name == "acme.xlsx" and len(batch.sha256) == 64
    assert batch.column_mapping["Comments"]["comment"]


def test_reimport_of_the_same_log_adds_nothing(artefacts, tmp_path: Path):
    path = write_xlsx_log(
        tmp_path / "acme.xlsx", comment_rows(disposition="Accepted"), key_values=ACME
    )
    assert import_comment_log(path).added == 3
    audit_before = count(AuditEvent)
    again = import_comment_log(path)
    assert (again.added, again.unchanged, again.updated) == (0, 3, 0)
    assert count(Comment) == 3
    assert count(AuditEvent) == audit_before
    assert any("imported before" in note for note in again.notes)


def test_imported_dispositions_are_audited(artefacts, tmp_path: Path):
    rows = comment_rows(disposition="Accepted", response="Agreed, updated in v1.1")
    import_comment_log(write_xlsx_log(tmp_path / "acme.xlsx", rows, key_values=ACME))
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    dispositions = [e for e in events if e.field == "disposition"]
    assert len(dispositions) == 3
    assert {(e.before, e.after, e.origin, e.actor) for e in dispositions} == {
        ("open", "accepted", "import", "tester")
    }
    assert sum(e.field == "response" for e in events) == 3


def test_a_file_with_an_error_writes_nothing(artefacts, tmp_path: Path):
    rows = comment_rows()
    rows[1]["artefact"] = "BP999"
    path = write_xlsx_log(tmp_path / "bad.xlsx", rows, key_values=ACME)
    report = import_comment_log(path)
    assert not report.ok and not report.written
    (error,) = report.errors
    assert error.file == "bad.xlsx" and error.sheet == "Comments" and error.value == "BP999"
    assert error.row is not None and error.column
    assert "bad.xlsx" in str(error) and "BP999" in str(error)
    assert count(Comment) == count(Organisation) == count(ImportBatch) == 0


def test_unknown_reference_suggests_the_near_one(artefacts, tmp_path: Path):
    rows = comment_rows(1, artefact="BP044")
    report = import_comment_log(write_xlsx_log(tmp_path / "near.xlsx", rows, key_values=ACME))
    assert "did you mean BP004" in str(report.errors[0])


def test_new_organisation_without_constituency_is_refused(artefacts, tmp_path: Path):
    path = write_xlsx_log(tmp_path / "x.xlsx", comment_rows(), key_values={"Organisation": "Newco"})
    report = import_comment_log(path)
    assert not report.ok
    assert "Newco" in str(report.errors[0]) and "constituency" in str(report.errors[0])
    assert count(Comment) == 0
    # The same log with the constituency given on the command line goes in.
    report = import_comment_log(path, options=ImportOptions(constituency="Supplier- Small"))
    assert report.ok and report.added == 3


def test_updated_log_updates_text_and_imported_decisions(artefacts, tmp_path: Path):
    import_comment_log(write_xlsx_log(tmp_path / "v1.xlsx", comment_rows(), key_values=ACME))
    rows = comment_rows(disposition="Rejected")
    rows[0]["comment"] = "Comment number 1, reworded by the reviewer."
    rows[1]["disposition"] = ""  # a blank status never undoes anything
    report = import_comment_log(write_xlsx_log(tmp_path / "v2.xlsx", rows, key_values=ACME))
    assert (report.added, report.unchanged, report.updated) == (0, 1, 2)
    first = db.session.scalar(select(Comment).where(Comment.log_comment_id == "1"))
    assert first.text == "Comment number 1, reworded by the reviewer."
    assert first.disposition == "rejected" and first.disposition_origin == "import"
    assert first.version == 2
    second = db.session.scalar(select(Comment).where(Comment.log_comment_id == "2"))
    assert second.disposition == "open"


def test_reimport_never_overwrites_a_browser_decision(artefacts, tmp_path: Path):
    rows = comment_rows(disposition="Accepted", response="Agreed")
    import_comment_log(write_xlsx_log(tmp_path / "v1.xlsx", rows, key_values=ACME))
    comment = db.session.scalar(select(Comment).where(Comment.log_comment_id == "2"))
    with unit_of_work():
        triage_comment(
            comment.id,
            {"disposition": "action", "response": "Sub-group to discuss"},
            actor="triager@example.org",
            expected_version=comment.version,
        )
    rows = comment_rows(disposition="Rejected", response="Not needed")
    report = import_comment_log(write_xlsx_log(tmp_path / "v2.xlsx", rows, key_values=ACME))
    assert report.ok
    kept = db.session.get(Comment, comment.id)
    db.session.refresh(kept)
    assert (kept.disposition, kept.response) == ("action", "Sub-group to discuss")
    conflicts = {(c.field, c.kept, c.offered) for c in report.conflicts}
    assert conflicts == {
        ("disposition", "action", "rejected"),
        ("response", "Sub-group to discuss", "Not needed"),
    }
    # The other two comments' imported decisions did follow the log.
    others = db.session.scalars(select(Comment.disposition).where(Comment.id != comment.id))
    assert set(others) == {"rejected"}
    batch = db.session.get(ImportBatch, report.batch_id)
    assert batch.conflicts == 2 and any("kept" in p for p in batch.problems)


def test_triage_is_audited_and_refuses_a_stale_save(artefacts, tmp_path: Path):
    import_comment_log(write_xlsx_log(tmp_path / "v1.xlsx", comment_rows(1), key_values=ACME))
    comment = db.session.scalar(select(Comment))
    triage_comment(comment.id, {"disposition": "accepted"}, actor="a@x", expected_version=1)
    with pytest.raises(StaleComment):
        triage_comment(comment.id, {"disposition": "rejected"}, actor="b@x", expected_version=1)
    db.session.refresh(comment)
    assert comment.disposition == "accepted" and comment.disposition_origin == "browser"
    (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.origin == "browser"))
    assert (event.field, event.before, event.after, event.actor) == (
        "disposition",
        "open",
        "accepted",
        "a@x",
    )


def test_dry_run_counts_but_writes_nothing(artefacts, tmp_path: Path):
    path = write_xlsx_log(tmp_path / "acme.xlsx", comment_rows(), key_values=ACME)
    report = import_comment_log(path, options=ImportOptions(dry_run=True))
    assert report.ok and not report.written and report.added == 3
    assert count(Comment) == count(Organisation) == count(ImportBatch) == 0


def test_a_dry_run_only_reads_even_with_new_organisation_and_round(app, artefacts, tmp_path: Path):
    """It would create Acme Energy and tranche 1's review round 2: it says so, and runs
    where any write statement is refused (the guard of a GET request)."""
    path = write_xlsx_log(tmp_path / "acme.xlsx", comment_rows(), key_values=ACME)
    created = ["organisation 'Acme Energy' (Supplier- Large)", "review round 2 of tranche 1"]
    options = ImportOptions(review_round=2, dry_run=True)
    with app.test_request_context("/imports/preview/x", method="GET"):
        report = import_comment_log(path, options=options)
        with pytest.raises(ReadOnlyRequest):  # the guard is on: a write would have failed
            db.session.execute(text("DELETE FROM comment"))
    db.session.rollback()
    assert report.ok and (report.added, report.unchanged, report.updated) == (3, 0, 0)
    assert report.created == created and report.batch_id is None
    assert count(Organisation) == count(ReviewRound) == count(ImportBatch) == 0

    real = import_comment_log(path, options=ImportOptions(review_round=2))
    assert (real.added, real.unchanged, real.updated, real.created) == (3, 0, 0, created)
    assert count(Organisation) == count(ReviewRound) == 1 and count(Comment) == 3


def test_a_dry_run_counts_what_the_import_then_does(artefacts, tmp_path: Path):
    """v1 has comments 1-4; comment 2 is then triaged in the browser. v2 repeats 1 as it was,
    offers 2 another disposition (a conflict: the browser's stays), rewords 3, accepts 4 and
    adds 5 and 6: added 2, unchanged 2 (1, and 2 with its conflict), updated 2 (3 and 4)."""
    import_comment_log(write_xlsx_log(tmp_path / "v1.xlsx", comment_rows(4), key_values=ACME))
    second = db.session.scalar(select(Comment).where(Comment.log_comment_id == "2"))
    with unit_of_work():
        triage_comment(second.id, {"disposition": "action"}, actor="triager@example.org")
    rows = comment_rows(6)
    rows[1]["disposition"] = "Rejected"
    rows[2]["comment"] = "Comment number 3, reworded by the reviewer."
    rows[3]["disposition"] = "Accepted"
    v2 = write_xlsx_log(tmp_path / "v2.xlsx", rows, key_values=ACME)
    audit = count(AuditEvent)

    def counts(report) -> tuple:
        conflicts = [(c.row, c.field, c.kept, c.offered) for c in report.conflicts]
        return report.added, report.unchanged, report.updated, conflicts, report.created

    # 2 title rows, Organisation: and Constituency:, a blank row, the header: 2 is on row 8.
    expected = (2, 2, 2, [(8, "disposition", "action", "rejected")], [])
    dry = import_comment_log(v2, options=ImportOptions(dry_run=True))
    assert counts(dry) == expected
    assert count(Comment) == 4 and count(ImportBatch) == 1 and count(AuditEvent) == audit
    real = import_comment_log(v2)
    assert counts(real) == expected
    assert count(Comment) == 6 and count(ImportBatch) == 2
    assert count(AuditEvent) == audit + 1  # comment 4's disposition, set by the log


def test_an_import_refuses_to_start_over_uncommitted_changes(artefacts, tmp_path: Path):
    """It commits its own transaction: it would commit or lose the caller's changes with it."""
    path = write_xlsx_log(tmp_path / "acme.xlsx", comment_rows(), key_values=ACME)
    newco = Organisation(name="Newco", name_key="newco", constituency_id=1)
    db.session.add(newco)
    with pytest.raises(RuntimeError, match="uncommitted changes"):
        import_comment_log(path)
    db.session.flush()
    with pytest.raises(RuntimeError, match="uncommitted changes"):
        import_comment_log(path)
    db.session.commit()  # the caller's change was neither lost nor committed by the import
    assert count(Organisation) == 1 and count(Comment) == 0
    assert import_comment_log(path).added == 3


def test_an_import_from_the_log_as_read_before(artefacts, tmp_path: Path):
    path = write_xlsx_log(tmp_path / "acme.xlsx", comment_rows(), key_values=ACME)
    options = ImportOptions(review_round=2)
    parsed = parse_comment_log(path, options=options)
    path.unlink()  # the import reads nothing of the file again
    with pytest.raises(ValueError, match="other defaults or column choices"):
        import_comment_log(parsed, options=ImportOptions(review_round=3))
    report = import_comment_log(parsed, options=options)
    assert report.added == 3 and report.sha256 == parsed.sha256 and report.file == "acme.xlsx"


def test_cp1252_csv_with_options_for_what_the_log_lacks(artefacts, tmp_path: Path):
    rows = comment_rows(2, comment="Costs of £5k – see section 4 “Exceptions”")
    path = write_csv_log(tmp_path / "acme.csv", rows, encoding="cp1252")
    options = ImportOptions(organisation="Acme Energy", constituency="Supplier- Large")
    report = import_comment_log(path, options=options)
    assert report.ok, [str(p) for p in report.problems]
    assert report.encoding and "1252" in report.encoding
    texts = set(db.session.scalars(select(Comment.text)))
    assert texts == {"Costs of £5k – see section 4 “Exceptions”"}


def test_round_and_tranche_options_place_comments(artefacts, tmp_path: Path):
    path = write_xlsx_log(tmp_path / "acme.xlsx", comment_rows(), key_values=ACME)
    first = import_comment_log(path, options=ImportOptions(review_round=1))
    second = import_comment_log(path, options=ImportOptions(review_round=2))
    assert first.added == second.added == 3
    rounds = set(db.session.scalars(select(Comment.review_round_id)))
    assert len(rounds) == 2
    # One organisation that commented in two rounds is still one organisation.
    row = constituency_table("1").constituencies[0]
    assert (row.constituency, row.organisations, row.comments) == ("Supplier- Large", 1, 6)
    assert constituency_table("1", review_round=2).totals == {"organisations": 1, "comments": 3}


def test_tranche_option_against_the_register_warns_once(artefacts, tmp_path: Path):
    path = write_xlsx_log(tmp_path / "acme.xlsx", comment_rows(6), key_values=ACME)
    report = import_comment_log(path, options=ImportOptions(tranche="2"))
    assert report.ok and report.added == 6
    warnings = [str(w) for w in report.warnings]
    assert len(warnings) == 3  # one per artefact, not one per row
    assert all("count towards tranche 2" in w for w in warnings)


def test_dates_round_trip_and_reimport_compares_them(artefacts, tmp_path: Path):
    rows = comment_rows(2, raised_on=date(2022, 3, 28))
    path = write_xlsx_log(tmp_path / "dated.xlsx", rows, key_values=ACME, serial_dates=True)
    before = utc_now()
    assert import_comment_log(path).added == 2
    after = utc_now()
    comment = db.session.scalar(select(Comment))
    assert comment.raised_on == date(2022, 3, 28)
    assert before <= comment.created_at <= after  # stamped by the import, not the log's date
    again = import_comment_log(path)
    assert (again.added, again.unchanged, again.updated) == (0, 2, 0)


def test_the_bulk_insert_hands_sqlite_text_dates(artefacts, tmp_path: Path, monkeypatch):
    """SQLite keeps dates as text: the bulk insert converts them with SQLAlchemy's own format
    (the one the browser's saves write, so they sort together), never through sqlite3's
    default adapters (deprecated since Python 3.12, and a call per value)."""
    if db.session.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite's text dates")

    def refuse(value):
        raise AssertionError(f"sqlite3 adapted {value!r}: the import handed it a raw date")

    for kind in (date, datetime):
        monkeypatch.setitem(sqlite3.adapters, (kind, sqlite3.PrepareProtocol), refuse)
    rows = comment_rows(2, raised_on=date(2022, 3, 28))
    path = write_xlsx_log(tmp_path / "dated.xlsx", rows, key_values=ACME, serial_dates=True)
    assert import_comment_log(path).added == 2
    stored = db.session.execute(
        text("SELECT created_at, updated_at, raised_on FROM comment LIMIT 1")
    ).one()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", stored.created_at)
    assert stored.updated_at == stored.created_at
    assert stored.raised_on == "2022-03-28"


def test_the_bulk_insert_splits_rows_at_sqlites_parameter_limit(artefacts, tmp_path: Path):
    """SQLite inserts many rows a statement, as many as its limit on parameters allows: with
    the limit set to 7 rows' worth, 30 rows go as 4 statements of 7 and one of 2, every row
    whole and in its place."""
    if db.session.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite's multi-row INSERT (PostgreSQL copies)")
    from reviewtracker.services.comment_import.write import NEW_COLUMNS

    raw = db.session.connection().connection.dbapi_connection
    limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    statements: list[int] = []

    def count_inserts(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if statement.startswith("INSERT INTO comment ("):
            statements.append(len(parameters) // len(NEW_COLUMNS))

    db.session.commit()
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 7 * len(NEW_COLUMNS) + 3)
    event.listen(db.engine, "before_cursor_execute", count_inserts)
    try:
        path = write_csv_log(tmp_path / "thirty.csv", comment_rows(30), key_values=ACME)
        assert import_comment_log(path).added == 30
    finally:
        event.remove(db.engine, "before_cursor_execute", count_inserts)
        raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    assert statements == [7, 7, 7, 7, 2]
    stored = db.session.execute(
        select(Comment.log_comment_id, Comment.section, Comment.text, Comment.source_row)
    ).all()
    assert sorted(int(log_id) for log_id, *_ in stored) == list(range(1, 31))
    for log_id, section, comment, _row in stored:
        assert section == f"3.{log_id}"
        assert comment == f"Comment number {log_id}: the trigger for step {log_id} is unclear."
    # Each row's file row is its own: one row further down the file per comment number.
    assert len({row - int(log_id) for log_id, _section, _comment, row in stored}) == 1


def test_duplicates_follow_a_decision_changed_by_a_reimport(artefacts, tmp_path: Path):
    rows = comment_rows(3, artefact="MHHSP-BP004", disposition="Action")
    import_comment_log(write_xlsx_log(tmp_path / "v1.xlsx", rows, key_values=ACME))
    original, duplicate, _other = db.session.scalars(select(Comment).order_by(Comment.id)).all()
    with unit_of_work():
        mark_duplicate(duplicate.id, original.id, actor="triager@example.org")
    rows[0]["disposition"] = "Accepted"
    rows[0]["response"] = "Agreed"
    report = import_comment_log(write_xlsx_log(tmp_path / "v2.xlsx", rows, key_values=ACME))
    assert report.updated == 1
    db.session.refresh(duplicate)
    assert (duplicate.disposition, duplicate.response) == ("accepted", "Agreed")


def test_a_value_longer_than_its_column_is_refused_naming_the_cell(artefacts, tmp_path: Path):
    rows = comment_rows(2)
    rows[1]["section"] = "§" * 301
    report = import_comment_log(write_xlsx_log(tmp_path / "long.xlsx", rows, key_values=ACME))
    assert not report.ok
    (error,) = report.errors
    assert error.column == "Section / Page" and error.row is not None
    assert "301 characters" in str(error) and "limit is 300" in str(error)
    assert count(Comment) == 0


# --- storing while reading: a log of more than one chunk (the reader hands over 2,048 rows) ---

CHUNKS_OF_ROWS = 2_100  # two chunks of the reader's


def _stored_chunks(monkeypatch) -> list[int]:
    """The sizes of the chunks of new comments the import stored, in order."""
    from reviewtracker.services.comment_import import write

    sizes: list[int] = []
    insert = write.Writer.insert

    def counted(writer, new):
        sizes.append(len(new))
        return insert(writer, new)

    monkeypatch.setattr(write.Writer, "insert", counted)
    return sizes


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("artefact", "BP999", "unknown artefact reference"),  # found when matching
        ("disposition", "Perhaps", "unknown disposition"),  # found by the reader
    ],
)
def test_an_error_after_the_first_chunk_rolls_back_what_was_stored(
    artefacts, tmp_path: Path, monkeypatch, field, value, message
):
    rows = comment_rows(CHUNKS_OF_ROWS)
    rows[-1][field] = value
    path = write_csv_log(tmp_path / "late.csv", rows, key_values=ACME)
    stored = _stored_chunks(monkeypatch)
    report = import_comment_log(path)
    assert not report.written
    (error,) = report.errors
    assert message in error.message
    assert error.row == report.sheets[0].header_row + CHUNKS_OF_ROWS  # the last row
    assert stored and stored[0] == 2048  # the first chunk went in before the error was read
    assert count(Comment) == count(Organisation) == count(ImportBatch) == 0
    assert _found("trigger") == 0  # the search index has none of them either
    # The search index is kept up to date after the rollback (the SQLite triggers are back).
    good = write_csv_log(tmp_path / "ok.csv", comment_rows(2), key_values=ACME)
    report = import_comment_log(good)
    assert report.added == 2 and _found("trigger") == 2
    db.session.execute(text("UPDATE comment SET text = 'a zebra' WHERE log_comment_id = '1'"))
    db.session.commit()
    assert _found("zebra") == 1 and _found("trigger") == 1


def _found(word: str) -> int:
    """Comments the full-text search finds for `word`."""
    return count_comments(CommentFilter(q=word, scope=Scope.staff()))


def test_a_constituency_given_after_the_first_chunk_creates_the_organisation(
    artefacts, tmp_path: Path
):
    """A new organisation's rows wait for its constituency until the log gives it."""
    rows = comment_rows(CHUNKS_OF_ROWS, organisation="Newco Energy")
    rows[-1]["constituency"] = "Supplier- Small"
    report = import_comment_log(write_csv_log(tmp_path / "newco.csv", rows))
    assert report.ok and report.added == CHUNKS_OF_ROWS
    assert "organisation 'Newco Energy' (Supplier- Small)" in report.created
    (organisation,) = db.session.scalars(select(Organisation)).all()
    assert organisation.constituency.name == "Supplier- Small"
    assert count(Comment, Comment.organisation_id == organisation.id) == CHUNKS_OF_ROWS


def test_a_failure_while_storing_stops_the_reader_and_writes_nothing(
    artefacts, tmp_path: Path, monkeypatch
):
    """The reading thread, chunks ahead and waiting to hand over more, is stopped and waited
    for; the file's transaction is rolled back."""
    import threading

    from reviewtracker.services.comment_import import feed, write

    rows = comment_rows(2048 * (feed.AHEAD + 3))
    path = write_csv_log(tmp_path / "long.csv", rows, key_values=ACME)

    def fail(_writer, _new):
        raise OSError("disk full")

    monkeypatch.setattr(write.Writer, "insert", fail)
    with pytest.raises(OSError, match="disk full"):
        import_comment_log(path)
    assert not [t for t in threading.enumerate() if t.name == "comment-log-reader"]
    assert count(Comment) == count(Organisation) == count(ImportBatch) == 0

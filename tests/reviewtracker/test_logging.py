"""Structured logging: JSON lines, a record per request and per import, never a password or
a comment's text."""

from __future__ import annotations

import io
import json
import logging
import sys
from pathlib import Path

import pytest

from reviewtracker import create_app, logs
from reviewtracker.extensions import db
from reviewtracker.logs import JsonFormatter, TextFormatter, configure_logging, record_fields
from reviewtracker.services import comment_import
from reviewtracker.services.comment_import import ImportOptions, import_comment_log
from tests.logmaker import write_csv_log, write_xlsx_log

from .factories import add_artefacts

PASSWORD = "secret-password"
COMMENT = "The trigger for step 4 is unclear to implementers of the Confidential-Marker-81."


@pytest.fixture
def restore_logging():
    """Put the root logger back as pytest had it after a test that configures logging."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def _record(name="reviewtracker.test", level=logging.INFO, message="hello %s", args=("world",)):
    return logging.LogRecord(name, level, __file__, 1, message, args, None)


def _json_lines(records: list[logging.LogRecord]) -> list[dict]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(record)) for record in records]


# --- the formats ---------------------------------------------------------------------------------


def test_json_lines_have_time_level_logger_message_and_the_fields():
    record = _record()
    record.status = 200
    record.path = "/comments/"
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "INFO" and entry["logger"] == "reviewtracker.test"
    assert entry["message"] == "hello world"
    assert entry["status"] == 200 and entry["path"] == "/comments/"
    assert entry["time"].endswith("Z") and entry["time"][:2] == "20"
    assert list(entry)[:4] == ["time", "level", "logger", "message"]


def test_json_keeps_one_line_for_multiline_messages_and_exceptions():
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "two\nlines", (), sys.exc_info()
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "two\nlines"
    assert "ValueError: bad" in entry["exception"]


def test_json_writes_values_it_cannot_encode_as_text():
    record = _record()
    record.where = Path("/tmp/x")
    assert json.loads(JsonFormatter().format(record))["where"] == "/tmp/x"


def test_text_format_is_one_readable_line():
    record = _record()
    record.status = 404
    record.path = "/a b"
    line = TextFormatter().format(record)
    assert " INFO reviewtracker.test: hello world " in line
    assert "status=404" in line and 'path="/a b"' in line


def test_configure_logging_writes_json_to_stderr_once(restore_logging, capsys):
    configure_logging("json")
    configure_logging("json")  # a second app in the same process: still one line per record
    logging.getLogger("reviewtracker.test").info("hello", extra={"n": 1})
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["n"] == 1


def test_configure_logging_refuses_an_unknown_format(restore_logging):
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        configure_logging("xml")


def _plain_app(tmp_path: Path):
    return create_app(
        {
            "TESTING": False,
            "SECRET_KEY": "logging-test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'log.db'}",
        }
    )


def test_create_app_configures_json_logging_unless_testing(restore_logging, tmp_path, monkeypatch):
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    ours = [h for h in logging.getLogger().handlers if getattr(h, "reviewtracker", False)]
    assert not ours  # the test apps (TESTING) leave logging alone
    _plain_app(tmp_path)
    ours = [h for h in logging.getLogger().handlers if getattr(h, "reviewtracker", False)]
    assert len(ours) == 1 and isinstance(ours[0].formatter, JsonFormatter)
    assert ours[0].stream is sys.stderr


def test_log_format_text_for_people(restore_logging, tmp_path, monkeypatch):
    monkeypatch.setenv("LOG_FORMAT", "text")
    app = _plain_app(tmp_path)
    assert app.config["LOG_FORMAT"] == "text"
    ours = [h for h in logging.getLogger().handlers if getattr(h, "reviewtracker", False)]
    assert len(ours) == 1 and isinstance(ours[0].formatter, TextFormatter)


def test_the_apps_own_records_are_not_printed_twice(restore_logging, tmp_path, monkeypatch):
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    app = _plain_app(tmp_path)
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    app.logger.error("once")
    lines = stream.getvalue().strip().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["logger"] == "reviewtracker"


# --- requests ------------------------------------------------------------------------------------


def _request_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "reviewtracker.requests"]


def test_every_request_is_logged_with_status_duration_and_user(client, login, caplog):
    caplog.set_level(logging.INFO)
    user = login("viewer")
    client.get("/comments/?q=Confidential-Marker-81", environ_base={"REMOTE_ADDR": "192.0.2.9"})
    (record,) = _request_records(caplog)
    fields = record_fields(record)
    assert fields["method"] == "GET" and fields["path"] == "/comments/"
    assert fields["status"] == 200
    assert isinstance(fields["duration_ms"], float) and fields["duration_ms"] >= 0
    assert fields["user_id"] == str(user.id)
    assert fields["remote_addr"] == "192.0.2.9"
    assert record.getMessage() == "GET /comments/ 200"
    # The query string (a search, a filter) is not logged.
    assert "Confidential-Marker-81" not in json.dumps(_json_lines(caplog.records))


def test_anonymous_redirects_errors_and_static_files_are_logged(client, caplog):
    caplog.set_level(logging.INFO)
    client.get("/comments/")
    client.get("/health")
    client.get("/static/app.css").close()
    client.get("/no-such-page")
    logged = [(r.path, r.status, r.user_id) for r in _request_records(caplog)]
    assert logged == [
        ("/comments/", 302, None),
        ("/health", 200, None),
        ("/static/app.css", 200, None),
        ("/no-such-page", 404, None),
    ]


def test_passwords_are_never_logged(client, make_user, caplog):
    caplog.set_level(logging.DEBUG)
    make_user("viewer", "v@example.org")
    for password in ("wrong-Hunter2-password", "wrong-Hunter2-password", PASSWORD):
        client.post("/login", data={"email": "v@example.org", "password": password})
    client.post("/logout")
    for _ in range(6):  # the sixth is refused
        client.post("/login", data={"email": "x@example.org", "password": "Hunter2-again"})
    text = json.dumps(_json_lines(caplog.records)) + caplog.text
    assert "Hunter2" not in text and PASSWORD not in text
    messages = [r.getMessage() for r in caplog.records if r.name == "reviewtracker.auth"]
    assert messages.count("sign-in failed") == 7 and "signed in" in messages
    assert "sign-in refused" in messages


# --- imports -------------------------------------------------------------------------------------

ACME = {"Organisation": "Acme Energy", "Constituency": "Supplier - Large"}
ROWS = [
    {"log_comment_id": "1", "artefact": "BP004", "comment": COMMENT, "disposition": ""},
    {"log_comment_id": "2", "artefact": "BP004", "comment": "Second " + COMMENT},
]


def _import_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "reviewtracker.imports"]


@pytest.mark.usefixtures("app_context")
def test_every_import_is_logged_with_its_counts_and_never_the_text(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    add_artefacts(("BP004", "1"))
    path = write_xlsx_log(tmp_path / "acme.xlsx", ROWS, key_values=ACME)
    report = import_comment_log(path, options=ImportOptions(actor="tess@example.org"))
    again = import_comment_log(path)
    first, second = _import_records(caplog)
    assert first.levelname == "INFO" and first.getMessage() == "comment log imported: acme.xlsx"
    fields = record_fields(first)
    assert fields["file"] == "acme.xlsx" and fields["sha256"] == report.sha256
    assert len(fields["sha256"]) == 64
    assert (fields["added"], fields["unchanged"], fields["updated"]) == (2, 0, 0)
    assert (fields["conflicts"], fields["errors"]) == (0, 0)
    assert fields["actor"] == "tess@example.org" and fields["batch_id"] == report.batch_id
    assert fields["duration_ms"] >= 0 and fields["dry_run"] is False
    assert (second.added, second.unchanged, second.actor) == (0, 2, "tester")
    assert again.unchanged == 2
    assert "Confidential-Marker" not in json.dumps(_json_lines(caplog.records))


@pytest.mark.usefixtures("app_context")
def test_a_refused_import_is_a_warning_with_its_error_count(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    rows = [{"log_comment_id": "1", "artefact": "ZZ999", "comment": COMMENT}]
    path = write_csv_log(tmp_path / "bad.csv", rows)
    report = import_comment_log(path)
    assert not report.ok
    (record,) = _import_records(caplog)
    assert record.levelname == "WARNING" and record.outcome == "refused"
    assert record.errors == len(report.errors) > 0 and record.added == 0
    assert "Confidential-Marker" not in json.dumps(_json_lines(caplog.records))


@pytest.mark.usefixtures("app_context")
def test_a_dry_run_and_an_upload_are_logged_as_such(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    add_artefacts(("BP004", "1"))
    data = write_csv_log(tmp_path / "acme.csv", ROWS, key_values=ACME).read_bytes()
    import_comment_log(data, filename="upload.csv", options=ImportOptions(dry_run=True))
    (record,) = _import_records(caplog)
    assert (record.file, record.outcome, record.dry_run, record.batch_id) == (
        "upload.csv",
        "dry run",
        True,
        None,
    )


@pytest.mark.usefixtures("app_context")
def test_a_crashing_import_is_logged_and_raised(tmp_path, caplog, monkeypatch):
    caplog.set_level(logging.INFO)

    def boom(*_args, **_kwargs):
        raise RuntimeError("reader crashed")

    monkeypatch.setattr(comment_import.feed, "read_comment_log", boom)
    path = write_csv_log(tmp_path / "acme.csv", ROWS)
    with pytest.raises(RuntimeError):
        import_comment_log(path)
    (record,) = _import_records(caplog)
    assert record.levelname == "ERROR" and record.getMessage() == "comment log import failed"
    assert record.file == "acme.csv" and record.actor == "tester"
    assert "reader crashed" in _json_lines([record])[0]["exception"]
    db.session.rollback()


def test_the_import_logger_is_the_documented_one():
    assert logs.IMPORT_LOG.name == "reviewtracker.imports"
    assert logs.REQUEST_LOG.name == "reviewtracker.requests"

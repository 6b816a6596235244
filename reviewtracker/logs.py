"""Structured logging: one JSON object per line on stderr, a line per request and per import.

Every record is `{"time", "level", "logger", "message", ...fields}`; the fields come from
`extra=` (`log.info("request", extra={"status": 200})`). LOG_FORMAT=text writes the same
records as one readable line each, for a person at a terminal. Tests (TESTING) keep Python's
default logging, so pytest captures the records as usual.

Never put a password or a comment's text into a record: requests log the path without its
query string, imports log counts, names and hashes.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, request
from flask.logging import default_handler
from flask_login import current_user

REQUEST_LOG = logging.getLogger("reviewtracker.requests")
IMPORT_LOG = logging.getLogger("reviewtracker.imports")
FORMATS = ("json", "text")

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_RECORD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}


def record_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The `extra=` fields of a record."""
    return {
        key: value
        for key, value in record.__dict__.items()
        if key not in _RECORD_ATTRIBUTES and not key.startswith("_")
    }


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (newlines inside values are escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record_fields(record).items():
            entry.setdefault(key, value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """`time LEVEL logger: message key=value ...`, values quoted when they need it."""

    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(
            f"{key}={_text_value(value)}" for key, value in record_fields(record).items()
        )
        line = f"{_timestamp(record)} {record.levelname} {record.name}: {record.getMessage()}"
        line = f"{line} {fields}" if fields else line
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def _text_value(value: Any) -> str:
    text = str(value)
    if not text or any(c.isspace() or c in "\"'=" for c in text):
        return json.dumps(text, ensure_ascii=False)
    return text


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (a test runner swaps it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure_logging(log_format: str = "json", level: str | int = "INFO") -> logging.Handler:
    """Send every log record (the app's, waitress', SQLAlchemy's warnings) to stderr in
    `log_format`. Replaces the handler an earlier call installed, so calling it again (one
    process, several apps) never doubles the lines."""
    if log_format not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {log_format!r}")
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "reviewtracker", False)]:
        root.removeHandler(handler)
    handler = StderrHandler()
    handler.reviewtracker = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level if isinstance(level, int) else level.upper())
    return handler


def init_app(app: Flask) -> None:
    """Log every request; outside tests, also send all logging to stderr as JSON (or text)."""
    if not app.testing:
        configure_logging(app.config.get("LOG_FORMAT", "json"), app.config.get("LOG_LEVEL", "INFO"))
        # Flask's own handler would print the app's records a second time.
        app.logger.removeHandler(default_handler)
    app.before_request(_start_timer)
    app.after_request(_log_request)


def _start_timer() -> None:
    g.request_started = time.perf_counter()


def _user_id() -> str | None:
    # Static files never load the user (no database query for a stylesheet).
    if request.endpoint == "static":
        return None
    try:
        # The id alone: get_id() also holds the sign-in's token, which never goes to a log.
        return str(current_user.id) if current_user.is_authenticated else None
    except Exception:  # the database is down: still log the request
        return None


def _log_request(response):
    started = g.get("request_started")
    duration = (time.perf_counter() - started) * 1000 if started is not None else None
    REQUEST_LOG.info(
        "%s %s %s",
        request.method,
        request.path,
        response.status_code,
        extra={
            "method": request.method,
            "path": request.path,  # never the query string: it may hold search text
            "status": response.status_code,
            "duration_ms": round(duration, 1) if duration is not None else None,
            "user_id": _user_id(),
            "remote_addr": request.remote_addr,
        },
    )
    return response


def log_import(function: Callable) -> Callable:
    """Decorate `import_comment_log`: one record per import with the file, its sha256, the
    counts, the actor and the duration; a crash is logged with its exception and re-raised.
    Never the comments' text."""

    @functools.wraps(function)
    def logged(*args, **kwargs):
        started = time.perf_counter()
        try:
            report = function(*args, **kwargs)
        except Exception:
            options = kwargs.get("options")
            IMPORT_LOG.exception(
                "comment log import failed",
                extra={
                    "file": kwargs.get("filename") or _source_name(args),
                    "actor": _actor(options),
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            raise
        _log_report(report, kwargs.get("options"), time.perf_counter() - started)
        return report

    return logged


def _source_name(args: tuple) -> str | None:
    source = args[0] if args else None
    if isinstance(source, str | Path):
        return Path(source).name
    name = getattr(source, "name", None)  # an open file; bytes have no name
    return Path(str(name)).name if name else None


def _actor(options) -> str:
    actor = getattr(options, "actor", None)
    return actor or current_app.config.get("IMPORT_ACTOR", "")


def _log_report(report, options, seconds: float) -> None:
    outcome = "refused" if not report.ok else "dry run" if report.dry_run else "imported"
    IMPORT_LOG.log(
        logging.INFO if report.ok else logging.WARNING,
        "comment log %s: %s",
        outcome,
        report.file,
        extra={
            "file": report.file,
            "sha256": report.sha256,
            "outcome": outcome,
            "added": report.added,
            "unchanged": report.unchanged,
            "updated": report.updated,
            "conflicts": len(report.conflicts),
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "batch_id": report.batch_id,
            "dry_run": report.dry_run,
            "actor": _actor(options),
            "duration_ms": round(seconds * 1000, 1),
        },
    )

"""The records of one log for the import, a chunk at a time, as they are read.

A file is read in a thread (importers/ is pure Python: no app, no database) while the import
matches, compares and stores each chunk in the file's transaction: calamine and SQLite (or the
PostgreSQL server) do much of their work without Python's lock, so reading and storing overlap
on a second core. The reader says with each chunk whether the file is clean so far; the import
stops storing at the first error and rolls the file back at the end. A log read before (a
preview's ParsedLog) is handed over from its list.

On SQLite the import takes the write lock (its batch row) before the first chunk arrives, so
it holds the lock while the file is read as well as stored: about 5 s for a 100,000-row log,
within the 30 s other writers wait for it (SQLITE_BUSY_TIMEOUT_MS).
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO

from importers import read_comment_log
from importers.guards import MAX_FILE_BYTES
from importers.records import CommentRecord

from .report import ImportOptions, ParsedLog
from .write import Progress, tick

Source = str | Path | bytes | BinaryIO
CHUNK = 5000  # records per chunk handed over from a ParsedLog
AHEAD = 4  # chunks the reading thread may be ahead of the import


def parse_comment_log(
    source: Source,
    *,
    filename: str | None = None,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
    on_records=None,
    keep_records: bool = True,
) -> ParsedLog:
    """Read one log with the options' defaults and column choices; no database. `on_records`
    is told each chunk of records as it is made (see importers.comment_log.RecordsHook); with
    `keep_records=False` the ParsedLog holds none (they went to `on_records`)."""
    options = options or ImportOptions()
    data, digest, filename = load(source, filename)
    defaults = options.reader_defaults()
    overrides = dict(options.column_overrides or {})
    tick(progress, "read", 0, 1)
    read = read_comment_log(
        data,
        filename=filename,
        defaults=defaults,
        column_overrides=overrides or None,
        on_records=on_records,
        keep_records=keep_records,
    )
    tick(progress, "read", 1, 1)
    return ParsedLog(filename, digest, read, defaults, overrides)


def load(source: Source, filename: str | None) -> tuple[Path | bytes, str, str]:
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


class _Stopped(Exception):
    """The import stopped listening: the reading thread ends at its next chunk."""


class Feed:
    """Iterate for (records, clean so far) chunks; then `result()` is the ParsedLog (without
    its records when the file was read here: they were handed over and are let go once
    stored; `sample` keeps the first options.sample_rows of them)."""

    def __init__(self, source: Source | ParsedLog, filename: str | None, options: ImportOptions):
        self.count = 0  # records handed over so far
        self.parsed = source if isinstance(source, ParsedLog) else None
        self.sample_rows = options.sample_rows
        self.sample: list[CommentRecord] = []
        self._thread: threading.Thread | None = None
        if self.parsed is not None:
            self.file, self.sha256 = self.parsed.file, self.parsed.sha256
            self.sample = self.parsed.read.records[: self.sample_rows]
            return
        data, self.sha256, self.file = load(source, filename)
        # A few chunks ahead at most: the reader waits rather than hold the whole log.
        self._chunks: queue.Queue = queue.Queue(maxsize=AHEAD)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._read, args=(data, options), name="comment-log-reader", daemon=True
        )
        self._thread.start()

    def _read(self, data: Path | bytes, options: ImportOptions) -> None:
        try:
            parsed = parse_comment_log(
                data,
                filename=self.file,
                options=options,
                on_records=self._hand_over,
                keep_records=False,
            )
            parsed.sha256 = self.sha256
        except BaseException as exc:  # raised again in the importing thread
            self._chunks.put(("failed", exc))
        else:
            self._chunks.put(("done", parsed))

    def _hand_over(self, records: list[CommentRecord], clean: bool) -> None:
        if self._stop.is_set():
            raise _Stopped("the import stopped")
        if len(self.sample) < self.sample_rows:
            self.sample += records[: self.sample_rows - len(self.sample)]
        self._chunks.put(("records", (records, clean)))

    def __iter__(self) -> Iterator[tuple[list[CommentRecord], bool]]:
        if self.parsed is not None:
            records = self.parsed.read.records
            for start in range(0, len(records), CHUNK):
                self.count = min(start + CHUNK, len(records))
                yield records[start : start + CHUNK], True
            return
        while True:
            kind, item = self._chunks.get()
            if kind == "records":
                self.count += len(item[0])
                yield item
            elif kind == "done":
                self.parsed = item
                return
            else:
                raise item

    def result(self) -> ParsedLog:
        """The log as read, once every chunk has been handed over."""
        if self.parsed is None:
            for _chunk in self:
                pass
        assert self.parsed is not None
        return self.parsed

    def close(self) -> None:
        """Stop the reading thread (if the import ended early) and wait for it: what it
        still hands over is taken and dropped, so that it is never left waiting to."""
        if self._thread is None:
            return
        self._stop.set()
        while self._thread.is_alive():
            with suppress(queue.Empty):
                self._chunks.get(timeout=0.05)
        self._thread.join()
        self._thread = None


__all__ = ["Feed", "load", "parse_comment_log"]

"""What a comment log import is told (ImportOptions), what it works from (ParsedLog) and
what it tells (ImportReport, with its Conflicts)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from importers.records import CommentRecord, Problem, ProblemReport, ReadResult, SheetReport
from importers.serialise import read_result_from_json, read_result_to_json


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
    # Keep comments on artefacts the review round does not review (else each is an error).
    allow_other_artefacts: bool = False
    # Keep the first N records as read on the report (ImportReport.sample), for a preview.
    sample_rows: int = 0
    # Called with the batch id inside the file's transaction, once its comments are written:
    # what records the batch as more than an import (a reviewer's submission) commits with it.
    on_batch: Callable[[int], Any] | None = None

    def reader_defaults(self) -> dict[str, str | int]:
        """What the reader fills in where the log says nothing (`defaults`)."""
        given = {
            "tranche": self.tranche,
            "review_round": self.review_round,
            "organisation": self.organisation,
            "constituency": self.constituency,
        }
        return {key: value for key, value in given.items() if value not in (None, "")}


@dataclass(slots=True)
class ParsedLog:
    """One log as the reader read it, before anything is matched with the database.

    What a preview keeps with the staged upload (as JSON), so that neither a reload nor the
    confirm reads the spreadsheet again. It holds for the options it was read with only.
    """

    file: str
    sha256: str
    read: ReadResult
    defaults: dict[str, str | int]
    overrides: dict[str, str | None]

    def fits(self, options: ImportOptions) -> bool:
        """True if reading the file with `options` gives this again."""
        return self.defaults == options.reader_defaults() and self.overrides == dict(
            options.column_overrides or {}
        )

    def to_json(self) -> str:
        return read_result_to_json(
            self.read,
            file=self.file,
            sha256=self.sha256,
            defaults=self.defaults,
            overrides=self.overrides,
        )

    @classmethod
    def from_json(cls, text: str) -> ParsedLog:
        """The log `to_json` wrote; ValueError (or KeyError, TypeError) if the text is not one."""
        read, kept = read_result_from_json(text)
        return cls(
            file=kept["file"],
            sha256=kept["sha256"],
            read=read,
            defaults=dict(kept["defaults"]),
            overrides=dict(kept["overrides"]),
        )


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
    late: int = 0  # comments raised after their round's closing date (kept, flagged late)
    # Organisations and review rounds the import created (a dry run: would create).
    created: list[str] = field(default_factory=list)
    sample: list[CommentRecord] = field(default_factory=list)  # see ImportOptions.sample_rows
    records: int = 0  # comments read from the file
    # The organisations the file names, each with the constituency it gives (None: it gives
    # none, and the organisation must be known already), in the order the file names them.
    organisations: dict[str, str | None] = field(default_factory=dict)

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

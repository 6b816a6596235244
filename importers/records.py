"""Typed records and problem reports that the readers hand to whoever imports them.

Pure data: no Flask, no database. The import service turns these into rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, Literal

Severity = Literal["error", "warning"]


def column_letter(index: int) -> str:
    """0-based column index -> Excel letter (0 -> A, 27 -> AB)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input, located as precisely as the reader knows."""

    file: str
    message: str
    sheet: str | None = None
    row: int | None = None  # 1-based, as Excel shows it
    column: str | None = None  # the header text as written in the log
    column_index: int | None = None  # 0-based position, shown as a letter
    value: str | None = None
    severity: Severity = "error"

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet is not None:
            where.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None or self.column_index is not None:
            letter = (
                f" ({column_letter(self.column_index)})" if self.column_index is not None else ""
            )
            name = f"'{self.column}'" if self.column is not None else ""
            where.append(f"column {name}{letter}".replace("column  (", "column ("))
        message = self.message
        if "{value}" in message:
            message = message.replace("{value}", repr(self.value or ""))
        elif self.value is not None and self.value != "":
            message += f" {self.value!r}"
        text = f"{', '.join(where)}: {message}"
        return text if self.severity == "error" else f"{text} [warning]"


class ProblemReport:
    """`errors`, `warnings` and `ok` over a `problems` list: what every report of a read or
    an import has. A base for dataclasses that define `problems: list[Problem]`."""

    __slots__ = ()
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True if nothing is an error: the input can be used (warnings allowed)."""
        return not self.errors


@dataclass(slots=True)
class CommentRecord:
    """One reviewer comment read from a log, normalised but not yet matched to the database."""

    sheet: str
    row: int  # 1-based row in the sheet (or line in the CSV)
    comment: str
    artefact: str | None = None  # canonical reference, e.g. "BP004"
    log_comment_id: str | None = None  # the log's own id for the comment, as text
    section: str | None = None
    page: str | None = None
    line: str | None = None
    proposed_change: str | None = None
    comment_type: str | None = None  # general/technical/editorial/critical/major/minor, or as given
    response: str | None = None
    # A key of vocabulary.DISPOSITIONS. None: the log says nothing (no status column);
    # "open": the log has the column, blank.
    disposition: str | None = None
    organisation: str | None = None
    constituency: str | None = None  # canonical name from the reference list
    reviewer: str | None = None
    raised_on: date | None = None
    tranche: str | None = None  # "1".."4" or "TBC"
    review_round: int | None = None

    @property
    def source_key(self) -> str:
        """The log's own id if it has one, else where the row sits: stable across re-imports."""
        return self.log_comment_id if self.log_comment_id else f"{self.sheet}!{self.row}"


@dataclass(slots=True)
class ArtefactRecord:
    """One artefact from a Design Artefact Tracker (register)."""

    sheet: str
    row: int
    reference: str  # canonical, e.g. "BP004"
    title: str
    document_type: str
    tranche: str | None = None
    service: str | None = None
    status: str | None = None  # the lifecycle state as the register writes it
    action_with: str | None = None
    version: str | None = None
    # A key of vocabulary.ARTEFACT_STATES (None: blank, or a form the reader does not know).
    state: str | None = None
    expected_dag_month: str | None = None  # "YYYY-MM"
    responsible: str | None = None


@dataclass(slots=True)
class InvitationRecord:
    """One organisation of a review round's invitation list."""

    sheet: str
    row: int
    organisation: str  # as written, spaces tidied
    constituency: str | None = None  # canonical name from the reference list


@dataclass(slots=True)
class SheetReport:
    """What the reader did with one sheet: found the header where, mapped which columns."""

    name: str
    header_row: int | None = None  # 1-based
    mapping: dict[str, str] = field(default_factory=dict)  # field -> header text in the log
    unmapped: list[str] = field(default_factory=list)  # header texts that matched no field
    context: dict[str, str] = field(default_factory=dict)  # key/value block, sheet-level values
    records: int = 0
    skipped: str | None = None  # why the sheet was not read, if it was not


@dataclass(slots=True)
class ReadResult(ProblemReport):
    """Everything read from one file."""

    file: str
    records: list = field(default_factory=list)  # CommentRecord, ArtefactRecord, ...
    problems: list[Problem] = field(default_factory=list)
    sheets: list[SheetReport] = field(default_factory=list)
    encoding: str | None = None  # for CSV: the detected encoding

    def to_frame(self) -> Any:
        """The records as a pandas DataFrame, one row per record, one column per field (in
        the record's order), for an analyst's notebook. pandas is imported here only."""
        import pandas as pd

        if not self.records:
            return pd.DataFrame()
        names = [item.name for item in fields(self.records[0])]
        return pd.DataFrame.from_records(
            [[getattr(record, name) for name in names] for record in self.records], columns=names
        )

"""What the readers share: opening a source, a sheet's report, finding the header row,
mapping columns, the key/value block above a table, cell converters, and the problem log."""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from itertools import chain
from typing import Any

from .normalise import header_field, normalise_header
from .records import Problem, ReadResult, Severity, SheetReport
from .sources import OpenedSource, RawSheet, Row, Source, SourceError, open_source, source_name

HEADER_SCAN_ROWS = 40
# A problem repeated on many rows (a whole column of one unknown status) is listed this
# many times per sheet and column, then summarised once.
REPEAT_LIMIT = 20

_SKIP_SHEET = re.compile(r"\b(read ?me|instructions?|guidance|guide|cover( sheet)?|how to)\b")


Fill = Callable[[OpenedSource, ReadResult, "ProblemLog"], None]


def read_source(source: Source, filename: str | None, read: Fill) -> ReadResult:
    """Open `source` and let `read` fill the result. Never raises for bad input: an unreadable
    file, or a corrupt sheet deep inside a workbook, becomes a Problem like any other."""
    name = source_name(source, filename)
    result = ReadResult(file=name)
    log = ProblemLog(name)
    try:
        opened = open_source(source, filename)
        result.encoding = opened.encoding
        with gc_paused():
            read(opened, result, log)
    except SourceError as exc:
        where = {"sheet": exc.sheet, "row": exc.row, "column_index": exc.column_index}
        log.add(str(exc), **where)
    except Exception as exc:  # report, don't crash
        log.add(f"can't read the file ({type(exc).__name__}: {exc})")
    except BaseException as exc:
        # A Rust panic inside calamine reaches Python as pyo3's PanicException, which derives
        # from BaseException; anything else (KeyboardInterrupt, SystemExit) goes on.
        if type(exc).__name__ != "PanicException":
            raise
        log.add(f"can't read the file: the spreadsheet reader failed on it ({exc})")
    result.problems = log.finish()
    return result


def skip_reason(sheet_name: str) -> str | None:
    """Why a sheet is not a data sheet, judged from its name ('Read Me', 'Instructions')."""
    if _SKIP_SHEET.search(normalise_header(sheet_name)):
        return "instructions sheet (by its name)"
    return None


def sheet_report(result: ReadResult, raw: RawSheet) -> SheetReport:
    """A new report for the sheet, added to the result. Its `skipped` says why the sheet is not
    read (it can't hold a table, or its name says it is instructions); None if it is."""
    report = SheetReport(raw.name)
    result.sheets.append(report)
    report.skipped = raw.skipped or (None if raw.is_csv else skip_reason(raw.name))
    return report


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while records are built: a 100,000-row log creates
    hundreds of thousands of tracked objects and no cycles, and the collector's repeated full
    passes over them cost a third of the read time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- problems ------------------------------------------------------------------------------


class ProblemLog:
    """Collects problems for one file; caps repeats of the same problem in one column."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.errors = 0  # errors added so far, listed or not
        self._repeats: dict[tuple[Any, ...], int] = {}

    def add(
        self,
        message: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        column_index: int | None = None,
        value: object = None,
        severity: Severity = "error",
    ) -> None:
        key = (sheet, column_index, message, severity)
        self.errors += severity == "error"
        seen = self._repeats.get(key, 0)
        self._repeats[key] = seen + 1
        if seen < REPEAT_LIMIT or row is None:
            text = None if value is None else cell_text(value)
            self.problems.append(
                Problem(self.file, message, sheet, row, column, column_index, text, severity)
            )

    def finish(self) -> list[Problem]:
        """The problems in sheet and row order (file-level ones last), plus one line per capped
        repeat saying how many more rows had it."""
        for (sheet, column_index, message, severity), count in self._repeats.items():
            if count > REPEAT_LIMIT:
                text = message.replace(" {value}", "")
                self.problems.append(
                    Problem(
                        self.file,
                        f"{text}: {count - REPEAT_LIMIT} more rows like this not listed",
                        sheet,
                        column_index=column_index,
                        severity=severity,
                    )
                )
        # Columns are converted one at a time, so problems arrive grouped by column.
        rank: dict[str | None, int] = {}
        for problem in self.problems:
            rank.setdefault(problem.sheet, len(rank))
        rank[None] = len(rank)
        self.problems.sort(
            key=lambda p: (rank[p.sheet], p.row is None, p.row or 0, p.column_index or 0)
        )
        return self.problems


# --- cell values -----------------------------------------------------------------------------


class CellProblem(Exception):
    """Raised by a converter: what is wrong, how bad, and what to store anyway."""

    def __init__(self, message: str, severity: Severity = "error", keep: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.severity: Severity = severity
        self.keep = keep


def cell_text(value: object) -> str | None:
    """Any cell value as stripped text, None if blank. 12.0 -> '12' (ids typed as numbers)."""
    kind = type(value)
    if kind is str:
        text = value.strip()  # type: ignore[union-attr]
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        return text or None
    if kind is float:
        return str(int(value)) if value.is_integer() else repr(value)  # type: ignore[union-attr]
    if value is None:
        return None
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# Excel's 1900 date system: serial 1 is 1900-01-01, and Excel counts a 29 Feb 1900 that
# never was, so serials from 61 on line up with 1899-12-30 + n days.
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
_DATE_FORMATS = (
    "%d/%m/%Y",
    "%d/%m/%y",
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %B %Y",
    "%d %b %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d %b %y",
    "%Y/%m/%d",
)


def excel_serial_date(serial: float) -> date:
    if not 1 <= serial <= _EXCEL_MAX_SERIAL:
        raise ValueError(serial)
    return _EXCEL_EPOCH + timedelta(days=int(serial))


@lru_cache(maxsize=2048)
def _parse_date_text(text: str) -> date | None:
    text = text.strip()
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    try:
        return excel_serial_date(float(text))
    except ValueError:
        return None


def cell_date(value: object) -> date | None:
    """A date cell, an Excel serial number, or a date written as text (UK order first)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    parsed: date | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            parsed = excel_serial_date(value)
        except ValueError:
            parsed = None
    elif isinstance(value, str):
        if not value.strip():
            return None
        parsed = _parse_date_text(value)
    if parsed is None:
        raise CellProblem("not a date", "warning")
    return parsed


# --- header row ----------------------------------------------------------------------------


@dataclass(slots=True)
class Header:
    """The header row found in a sheet and the column each field maps to."""

    row: int  # 0-based sheet row
    cells: list[str]  # header text per column, as written (stripped)
    columns: dict[str, int] = field(default_factory=dict)  # field -> column (0-based, in row)
    unmapped: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)  # field, kept, ignored

    def mapping(self) -> dict[str, str]:
        return {name: self.cells[col] for name, col in self.columns.items()}


def _fields_in(row: Row, lookup: Mapping[str, str]) -> list[tuple[int, str, str]]:
    found = []
    for col, value in enumerate(row):
        if isinstance(value, str) and value.strip():
            name = header_field(value, lookup)  # type: ignore[arg-type]
            if name is not None:
                found.append((col, name, value.strip()))
    return found


def find_header(
    rows: Iterator[Row], lookup: Mapping[str, str], required: str
) -> tuple[Header | None, list[tuple[int, Row]], Iterator[Row]]:
    """Scan the first rows for the header: the first row where at least two cells name known
    fields and one is the required field. Returns it, the rows above it (title, key/value
    block) and the rows below it."""
    above: list[tuple[int, Row]] = []
    for index, row in enumerate(rows):
        if index >= HEADER_SCAN_ROWS:
            break
        found = _fields_in(row, lookup)
        if len({name for _, name, _ in found}) >= 2 and any(n == required for _, n, _ in found):
            header = _header(index, row, found)
            return header, above, _below_header(header, rows, lookup, required)
        if any(v != "" for v in row):
            above.append((index, row))
    return None, above, rows


def _header(index: int, row: Row, found: list[tuple[int, str, str]]) -> Header:
    cells = [cell_text(v) or "" for v in row]
    header = Header(index, cells)
    for col, name, _text in found:
        if name in header.columns:
            header.duplicates.append((name, header.columns[name], col))
        else:
            header.columns[name] = col
    _set_unmapped(header)
    return header


def _set_unmapped(header: Header) -> None:
    mapped = {col for _, _, col in header.duplicates} | set(header.columns.values())
    header.unmapped = [text for col, text in enumerate(header.cells) if text and col not in mapped]


def _below_header(
    header: Header, rows: Iterator[Row], lookup: Mapping[str, str], required: str
) -> Iterator[Row]:
    """Take in a second header row, as under a cell merged over two rows: 'Comment' merged
    down (so repeated below, see fill_merged) beside 'Location' over 'Section | Page | Line'.
    Fields from it fill only columns and fields the first row left unmapped."""
    following = next(rows, None)
    if following is None:
        return rows
    col = header.columns[required]
    if col >= len(following) or cell_text(following[col]) != header.cells[col]:
        return chain([following], rows)
    header.row += 1
    taken = set(header.columns.values())
    for col, name, text in _fields_in(following, lookup):
        if name not in header.columns and col not in taken:
            header.columns[name] = col
            header.cells[col] = text
    _set_unmapped(header)
    return rows


def apply_overrides(
    header: Header, overrides: Mapping[str, str | None], fields: Iterable[str]
) -> list[str]:
    """Apply the user's field -> header choices; returns messages for those that can't be."""
    known, errors = set(fields), []
    for name, wanted in overrides.items():
        if name not in known:
            errors.append(f"column override for unknown field '{name}'")
        elif wanted is None:
            header.columns.pop(name, None)
        else:
            col = _find_column(header.cells, wanted)
            if col is None:
                errors.append(f"column override for '{name}': no column headed '{wanted}'")
                continue
            # The chosen column now belongs to this field only.
            for other, other_col in list(header.columns.items()):
                if other_col == col and other not in overrides:
                    del header.columns[other]
            header.columns[name] = col
    _set_unmapped(header)
    return errors


def _find_column(cells: list[str], wanted: str) -> int | None:
    exact = [col for col, text in enumerate(cells) if text == wanted.strip()]
    if exact:
        return exact[0]
    folded = normalise_header(wanted)
    return next((col for col, text in enumerate(cells) if normalise_header(text) == folded), None)


# --- the block above the table --------------------------------------------------------------


@dataclass(slots=True)
class ContextValue:
    value: str
    row: int  # 0-based sheet row
    col: int  # 0-based column in the row
    label: str


def read_context(
    above: list[tuple[int, Row]], lookup: Mapping[str, str], wanted: Iterable[str]
) -> tuple[dict[str, ContextValue], list[tuple[int, int, str]]]:
    """Key/value lines above the header ('Organisation: | Acme', 'Tranche: 1') for the wanted
    fields, and the other texts there (titles) as (row, col, text)."""
    wanted = set(wanted)
    context: dict[str, ContextValue] = {}
    titles: list[tuple[int, int, str]] = []
    for index, row in above:
        cells = [(col, text) for col, v in enumerate(row) if (text := cell_text(v))]
        used: set[int] = set()
        for pos, (col, text) in enumerate(cells):
            if col in used:
                continue
            pair = _key_value(text, col, cells[pos + 1 :], lookup, wanted)
            if pair is None:
                titles.append((index, col, text))
                continue
            name, label, value, value_col = pair
            used.add(value_col)
            context.setdefault(name, ContextValue(value, index, value_col, label))
    return context, titles


def _key_value(
    text: str, col: int, rest: list[tuple[int, str]], lookup: Mapping[str, str], wanted: set[str]
) -> tuple[str, str, str, int] | None:
    """(field, label, value, value column) if text labels a wanted field: 'Organisation:'
    with the value in the next non-empty cell, or 'Organisation: Acme' in one cell."""
    label, sep, inline = text.partition(":")
    name = header_field(label, lookup) if len(label) < 40 else None
    if name is None or name not in wanted:
        return None
    if sep and inline.strip():
        return name, label.strip(), inline.strip(), col
    if rest:
        return name, label.strip(), rest[0][1], rest[0][0]
    return None

"""Open a spreadsheet (xlsx via calamine, or csv) as sheets of raw cell rows.

Rows come out as lists of cell values (str, float, int, bool, date, datetime...), with ''
for an empty cell. Row i of a sheet's iterator is sheet row i (0-based), so row numbers in
problems match what Excel shows. Nothing here knows about comment logs.

Files are untrusted: guards.py checks an .xlsx archive before calamine opens it and each sheet
before calamine loads it; here the file size, the CSV encoding and, as rows are read, the length
of every cell (MAX_CELL_CHARS) and the width of every CSV row (MAX_COLUMNS) are checked.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import PurePath
from typing import Any, BinaryIO

from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from . import guards
from .guards import CheckedWorkbook, SourceError, check_archive, check_file_size

Row = list[Any]
Source = str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO

SPREADSHEET_EXTENSIONS = frozenset({".xlsx", ".xlsm"})
# calamine reads these too, but its .ods reader expands repeated cells into up to 100 million
# (3 GB) from a few bytes, and .xls is rare enough now to ask for an .xlsx.
REFUSED_EXTENSIONS = frozenset({".xls", ".ods"})
CSV_EXTENSIONS = frozenset({".csv", ".txt", ".tsv"})
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_CSV_ENCODINGS = ("utf-8-sig", "cp1252")
_DELIMITERS = (",", ";", "\t")
_SNIFF_CHARS = 64 * 1024
_CHECK_ROWS = 1024  # rows checked at a time for long cells (see checked_rows)
_is_text = str.__instancecheck__

# The csv module stops at 131,072 characters a field with an error that names no column; let
# it read any field up to the file size limit, so that MAX_CELL_CHARS can name the cell.
if csv.field_size_limit() < guards.MAX_FILE_BYTES:
    csv.field_size_limit(guards.MAX_FILE_BYTES)


@dataclass(slots=True)
class RawSheet:
    """One sheet's rows, streamed. col_offset: sheet column of each row's first cell."""

    name: str
    rows: Iterator[Row]
    col_offset: int = 0
    skipped: str | None = None  # set when the sheet can't hold a table (chart, hidden)
    is_csv: bool = False


@dataclass(slots=True)
class OpenedSource:
    file: str
    kind: str  # "xlsx" or "csv"
    sheets: Iterator[RawSheet]
    encoding: str | None = None
    sheet_names: list[str] = field(default_factory=list)


def source_name(source: Source, filename: str | None) -> str:
    """The name problems use: the given filename, else the path's basename."""
    if filename:
        return filename
    if isinstance(source, str | os.PathLike):
        return PurePath(os.fspath(source)).name
    # An upload object's .filename (werkzeug) before a file object's .name.
    for attribute in ("filename", "name"):
        name = getattr(source, attribute, None)
        if isinstance(name, str) and name:
            return PurePath(name).name
    return "upload"


def open_source(source: Source, filename: str | None = None) -> OpenedSource:
    """Open any supported input; raises SourceError with a user-facing message."""
    name = source_name(source, filename)
    data, path = _load(source)
    if not data:
        raise SourceError("the file is empty")
    kind = _kind(name, data)
    if kind == "csv":
        text, encoding = decode_csv(data)
        stem = PurePath(name).stem or "csv"
        sheet = RawSheet(stem, checked_rows(csv_rows(text), None, csv=True), is_csv=True)
        return OpenedSource(name, "csv", iter([sheet]), encoding, [stem])
    guard = check_archive(path if path is not None else data)
    guard.start_scan()  # runs while calamine opens the workbook
    workbook = _open_workbook(path, data)
    sheets = workbook_sheets(workbook, guard)
    return OpenedSource(name, "xlsx", sheets, None, workbook.sheet_names)


def _load(source: Source) -> tuple[bytes, str | None]:
    """(bytes, path). For a path only the first bytes are read: calamine reads the file itself."""
    if isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        try:
            with open(path, "rb") as handle:
                check_file_size(os.fstat(handle.fileno()).st_size)
                workbook = PurePath(path).suffix.lower() in SPREADSHEET_EXTENSIONS
                head = handle.read(len(_OLE_MAGIC)) if workbook else handle.read()
        except FileNotFoundError:
            raise SourceError("file not found") from None
        except IsADirectoryError:
            raise SourceError("a folder, not a file") from None
        except OSError as exc:
            raise SourceError(f"can't read the file ({exc.strerror or exc})") from None
        return head, path
    if isinstance(source, bytes | bytearray | memoryview):
        check_file_size(len(source))
        return bytes(source), None
    data = source.read(guards.MAX_FILE_BYTES + 1)
    if not isinstance(data, bytes | bytearray):
        raise SourceError("expected a binary file object (open the file with 'rb')")
    check_file_size(len(data))
    return bytes(data), None


def _kind(name: str, data: bytes) -> str:
    suffix = PurePath(name).suffix.lower()
    if suffix in CSV_EXTENSIONS:
        return "csv"
    if suffix in REFUSED_EXTENSIONS:
        raise SourceError(f"{suffix} files are not read: save the log from Excel as .xlsx")
    if suffix in SPREADSHEET_EXTENSIONS:
        if data.startswith(_ZIP_MAGIC):
            return "xlsx"
        if data.startswith(_OLE_MAGIC):  # Excel encrypts a protected .xlsx into this container
            raise SourceError(
                f"not a valid {suffix} file: it is password-protected or an old .xls renamed;"
                " save it from Excel as a normal .xlsx"
            )
        raise SourceError(f"not a valid {suffix} file (the content is not a spreadsheet)")
    if suffix:
        raise SourceError(f"unsupported file type '{suffix}': use .xlsx or .csv")
    # No extension (an upload without a name): go by content.
    if data.startswith(_OLE_MAGIC):
        raise SourceError("an old .xls or a password-protected workbook: save it as .xlsx")
    return "xlsx" if data.startswith(_ZIP_MAGIC) else "csv"


def _open_workbook(path: str | None, data: bytes) -> CalamineWorkbook:
    try:
        if path is not None:
            return CalamineWorkbook.from_path(path)
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises several types for a corrupt file
        raise SourceError(f"can't open the spreadsheet, the file may be corrupt ({exc})") from None


def workbook_sheets(workbook: CalamineWorkbook, guard: CheckedWorkbook) -> Iterator[RawSheet]:
    """Every sheet in workbook order; each is loaded only when the caller gets to it, and
    only once the guard has found its extent within the limits."""
    for meta in workbook.sheets_metadata:
        if meta.typ != SheetTypeEnum.WorkSheet:
            yield RawSheet(meta.name, iter(()), skipped="not a worksheet (chart or macro sheet)")
        elif meta.visible != SheetVisibleEnum.Visible:
            yield RawSheet(meta.name, iter(()), skipped="hidden sheet")
        else:
            guard.check_sheet(meta.name)
            yield _worksheet(workbook, meta.name)


def _worksheet(workbook: CalamineWorkbook, name: str) -> RawSheet:
    try:
        sheet = workbook.get_sheet_by_name(name)
    except Exception as exc:  # calamine raises several types for a damaged sheet
        raise SourceError(
            f"the sheet can't be read, it may be damaged ({exc})", sheet=name
        ) from None
    start = sheet.start
    if start is None:
        return RawSheet(name, iter(()))
    if sheet.width > guards.MAX_COLUMNS:  # the guard's scan has said so already
        raise SourceError(
            f"the sheet is {sheet.width:,} columns wide; the limit is {guards.MAX_COLUMNS:,}",
            sheet=name,
        )
    # iter_rows pads the rows above the data but starts each row at the first used column.
    offset = start[1]
    rows: Iterator[Row] = sheet.iter_rows()
    merged = sheet.merged_cell_ranges
    if merged:
        rows = fill_merged(rows, merged, offset)
    return RawSheet(name, checked_rows(rows, name, offset), col_offset=offset)


def checked_rows(
    rows: Iterator[Row], sheet: str | None, offset: int = 0, *, csv: bool = False
) -> Iterator[Row]:
    """The rows, refused at the first cell longer than MAX_CELL_CHARS (and, for a CSV, the
    first row wider than MAX_COLUMNS). Checked a block of rows at a time in C loops, about
    60 ms for 100,000 rows of 9 columns; the cell is looked for only in a block over the limit."""
    number = 0  # 0-based row of the block's first row
    longest, widest = guards.MAX_CELL_CHARS, guards.MAX_COLUMNS
    while block := list(islice(rows, _CHECK_ROWS)):
        cells = chain.from_iterable(block)
        if max(map(len, filter(_is_text, cells)), default=0) > longest:
            _refuse_long_cell(block, number, sheet, offset)
        if csv and max(map(len, block)) > widest:
            index = next(i for i, row in enumerate(block) if len(row) > widest)
            raise SourceError(
                f"the row has {len(block[index]):,} cells; the limit is {widest:,} columns",
                sheet=sheet,
                row=number + index + 1,
            )
        yield from block
        number += len(block)


def _refuse_long_cell(block: list[Row], number: int, sheet: str | None, offset: int) -> None:
    for index, row in enumerate(block):
        for col, value in enumerate(row):
            if isinstance(value, str) and len(value) > guards.MAX_CELL_CHARS:
                raise SourceError(
                    f"the cell is {len(value):,} characters long; the limit is "
                    f"{guards.MAX_CELL_CHARS:,} (Excel's own)",
                    sheet=sheet,
                    row=number + index + 1,
                    column_index=col + offset,
                )


def fill_merged(
    rows: Iterator[Row], ranges: list[tuple[tuple[int, int], tuple[int, int]]], offset: int
) -> Iterator[Row]:
    """Copy each merged range's value down its first column (an artefact cell merged over five
    rows names the artefact of all five). Merges across columns are not copied sideways: a
    comment merged over B:D is one comment, not three."""
    anchors: dict[int, list[int]] = {}
    fills: dict[int, list[tuple[int, tuple[int, int]]]] = {}
    for (r0, c0), (r1, _c1) in ranges:
        col = c0 - offset
        if r1 <= r0 or col < 0:
            continue
        anchors.setdefault(r0, []).append(col)
        for r in range(r0 + 1, r1 + 1):
            fills.setdefault(r, []).append((col, (r0, col)))
    values: dict[tuple[int, int], Any] = {}
    for r, row in enumerate(rows):
        for col in anchors.get(r, ()):
            values[(r, col)] = row[col] if col < len(row) else ""
        for col, anchor in fills.get(r, ()):
            if col < len(row) and row[col] == "":
                row[col] = values.get(anchor, "")
        yield row


def decode_csv(data: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (with or without BOM) first, then Windows cp1252.
    NUL bytes mean UTF-16 (Excel's 'Unicode text') or a binary file: refused, as is text
    that is neither UTF-8 nor cp1252."""
    if data.startswith(_UTF16_BOMS):
        raise SourceError(_UTF16)
    if b"\x00" in data:
        raise SourceError(_BINARY)
    for encoding in _CSV_ENCODINGS:
        try:
            text = codecs.decode(data, encoding, errors="strict")
        except UnicodeDecodeError:
            continue
        return text, "utf-8" if encoding == "utf-8-sig" else encoding
    raise SourceError(_UNKNOWN_ENCODING)


_UNKNOWN_ENCODING = (
    "unknown encoding: the text is neither UTF-8 nor Windows-1252; save the file from Excel "
    "as 'CSV UTF-8'"
)
_UTF16 = (
    "unknown encoding: the file is UTF-16 text (Excel's 'Unicode text'); save it from Excel "
    "as 'CSV UTF-8'"
)
_BINARY = (
    "unknown encoding: the file has NUL bytes, so it is a binary file or UTF-16 text without a "
    "byte order mark, not a CSV; save it from Excel as 'CSV UTF-8'"
)


def sniff_delimiter(text: str) -> str:
    """The delimiter under which most sample rows share the same width (>1 column).

    csv.Sniffer trips over title rows and over commas inside semicolon files' text, which
    Excel leaves unquoted; consistent row width is what tells a real delimiter apart.
    """
    sample = text[:_SNIFF_CHARS]
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        widths: dict[int, int] = {}
        try:
            for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter):
                if len(row) > 1:
                    widths[len(row)] = widths.get(len(row), 0) + 1
        except csv.Error:
            continue
        if widths:
            width, count = max(widths.items(), key=lambda item: (item[1], item[0]))
            if (count, width) > best_score:
                best, best_score = delimiter, (count, width)
    return best


def csv_rows(text: str) -> Iterator[Row]:
    delimiter = sniff_delimiter(text)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:
        raise SourceError(f"can't read the CSV ({exc})") from None

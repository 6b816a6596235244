"""Open a spreadsheet (xlsx via calamine, or csv) as sheets of raw cell rows.

Rows come out as lists of cell values (str, float, int, bool, date, datetime...), with ''
for an empty cell. Row i of a sheet's iterator is sheet row i (0-based), so row numbers in
problems match what Excel shows. Nothing here knows about comment logs.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, BinaryIO

from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

Row = list[Any]
Source = str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO

SPREADSHEET_EXTENSIONS = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})
CSV_EXTENSIONS = frozenset({".csv", ".txt", ".tsv"})
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CSV_ENCODINGS = ("utf-8-sig", "cp1252")
_DELIMITERS = (",", ";", "\t")
_SNIFF_CHARS = 64 * 1024


class SourceError(Exception):
    """The file can't be opened as a spreadsheet; the message is meant for the user."""


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
        sheet = RawSheet(stem, csv_rows(text), is_csv=True)
        return OpenedSource(name, "csv", iter([sheet]), encoding, [stem])
    workbook = _open_workbook(path, data)
    return OpenedSource(name, "xlsx", workbook_sheets(workbook), None, workbook.sheet_names)


def _load(source: Source) -> tuple[bytes, str | None]:
    """(bytes, path). For a path only the first bytes are read: calamine reads the file itself."""
    if isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        try:
            with open(path, "rb") as handle:
                workbook = PurePath(path).suffix.lower() in SPREADSHEET_EXTENSIONS
                head = handle.read(len(_OLE_MAGIC)) if workbook else handle.read()
        except FileNotFoundError:
            raise SourceError("file not found") from None
        except OSError as exc:
            raise SourceError(f"can't read the file ({exc.strerror or exc})") from None
        return head, path
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), None
    data = source.read()
    if not isinstance(data, bytes | bytearray):
        raise SourceError("expected a binary file object (open the file with 'rb')")
    return bytes(data), None


def _kind(name: str, data: bytes) -> str:
    suffix = PurePath(name).suffix.lower()
    if suffix in CSV_EXTENSIONS:
        return "csv"
    if suffix in SPREADSHEET_EXTENSIONS:
        magic = _OLE_MAGIC if suffix == ".xls" else _ZIP_MAGIC
        if data.startswith(magic):
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
    return "xlsx" if data.startswith((_ZIP_MAGIC, _OLE_MAGIC)) else "csv"


def _open_workbook(path: str | None, data: bytes) -> CalamineWorkbook:
    try:
        if path is not None:
            return CalamineWorkbook.from_path(path)
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises several types for a corrupt file
        raise SourceError(f"can't open the spreadsheet, the file may be corrupt ({exc})") from None


def workbook_sheets(workbook: CalamineWorkbook) -> Iterator[RawSheet]:
    """Every sheet in workbook order; each is loaded only when the caller gets to it."""
    for meta in workbook.sheets_metadata:
        if meta.typ != SheetTypeEnum.WorkSheet:
            yield RawSheet(meta.name, iter(()), skipped="not a worksheet (chart or macro sheet)")
        elif meta.visible != SheetVisibleEnum.Visible:
            yield RawSheet(meta.name, iter(()), skipped="hidden sheet")
        else:
            yield _worksheet(workbook, meta.name)


def _worksheet(workbook: CalamineWorkbook, name: str) -> RawSheet:
    sheet = workbook.get_sheet_by_name(name)
    start = sheet.start
    if start is None:
        return RawSheet(name, iter(()))
    # iter_rows pads the rows above the data but starts each row at the first used column.
    offset = start[1]
    rows: Iterator[Row] = sheet.iter_rows()
    merged = sheet.merged_cell_ranges
    if merged:
        rows = fill_merged(rows, merged, offset)
    return RawSheet(name, rows, col_offset=offset)


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
    """Text and encoding name: UTF-8 (with or without BOM) first, then Windows cp1252."""
    if b"\x00" in data:
        # UTF-16 ('Unicode text' from Excel) or a binary file: neither is a CSV we read.
        raise SourceError("unknown encoding: save the file as CSV UTF-8")
    for encoding in _CSV_ENCODINGS:
        try:
            text = codecs.decode(data, encoding, errors="strict")
        except UnicodeDecodeError:
            continue
        return text, "utf-8" if encoding == "utf-8-sig" else encoding
    raise SourceError("unknown encoding: save the file as CSV UTF-8")


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

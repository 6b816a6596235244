"""Limits on untrusted spreadsheet files, checked before a reader parses them.

Comment logs come from outside the programme, and python-calamine (a Rust reader) trusts what
it reads: it inflates whatever the zip archive holds, and it builds every sheet as a dense grid
of rows x columns (32 bytes a cell) before returning a single row. So before calamine sees an
.xlsx:

- the archive's directory is checked (nothing is inflated for this): the declared sizes (a
  "zip bomb" declares gigabytes), each member's compression ratio, duplicate, encrypted or
  oddly compressed members. calamine refuses a member that inflates past its declared size,
  and Python's zipfile stops there too, so the declared sizes bound what either inflates;
- the first bytes of every XML part are read, at most XML_PROLOG_BYTES of each: no DOCTYPE
  (so no entity declarations, no "billion laughs"; calamine refuses undeclared entities
  anyway, see tests/importers/test_hostile_input.py) and UTF-8 only, as Excel writes them;
- the cell references of every worksheet are scanned for the sheet's extent: one cell at
  XFD1048576 makes calamine allocate 1,048,576 x 16,384 cells (550 GB) and the process
  aborts, whatever Python tries to catch (calamine issue #693, open as of python-calamine
  0.9; drop the scan once calamine bounds that allocation itself). For a 100,000-row log the
  scan costs about 0.2 s of CPU when the sheet has a <dimension> (Excel's), 0.4-0.5 s for the
  76 MB of XML of one without (openpyxl's write-only mode, inline strings), read in bulk; only
  tags in an unusual form are visited one by one. It runs in a thread while calamine opens
  the workbook (calamine releases the GIL), so with a core free it adds little wall time.

Cell text and CSV rows are checked as they are read (sources.py). Every refusal is a
SourceError whose message is meant for the user.
"""

from __future__ import annotations

import io
import re
import struct
import threading
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import BinaryIO

from defusedxml import ElementTree

MB = 1024 * 1024
# The largest file read at all (the web upload has its own, smaller MAX_CONTENT_LENGTH).
MAX_FILE_BYTES = 50 * MB
# A 100,000-row log is about 6 MB zipped and 60-100 MB of XML. calamine holds up to about two
# bytes of memory per byte of XML (a cell or a shared string is a 24-32 byte record), so the
# XML an archive may hold in all bounds what reading it can cost.
MAX_UNCOMPRESSED_BYTES = 300 * MB
# Excel's XML compresses 5-20:1; deflate can reach 1,032:1. Members over RATIO_FROM_BYTES
# must stay under MAX_COMPRESSION_RATIO (small ones can't do harm whatever their ratio).
MAX_COMPRESSION_RATIO = 200
RATIO_FROM_BYTES = 10 * MB
MAX_ARCHIVE_MEMBERS = 10_000
# An XML part's prolog (declaration, comments) must end within this many bytes: Excel's is
# one 56-byte line. The head read for it also holds a worksheet's <dimension>.
XML_PROLOG_BYTES = 16 * 1024
# Excel's own limit for the text of one cell.
MAX_CELL_CHARS = 32_767
# A comment log has tens of columns; a sheet or CSV wider than this is something else.
MAX_COLUMNS = 1_000
# calamine's grid for one sheet is rows x columns x 32 bytes: 5,000,000 cells is 160 MB, room
# for 100,000 rows of 50 columns. (The 100,000-row benchmark log is 900,000 cells.)
MAX_SHEET_CELLS = 5_000_000

_SCAN_CHUNK = 256 * 1024
_MAX_TAG_BYTES = 1 * MB  # Excel's longest tags (a data validation's list) are a few KB
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_MAP_PART_BYTES = 8 * MB  # workbook.xml and its relationships are read for sheet names
_WORKSHEET_ROOTS = frozenset({"worksheet", "dialogsheet", "macrosheet"})
_ZIP_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_XML_DECLARATION = re.compile(rb"<\?xml\s[^?]*?encoding\s*=\s*[\"']([\w.:-]+)[\"']")
_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_DIMENSION = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref=\"([A-Z]{1,3})?(\d{1,7})?"
    rb"(?::([A-Z]{1,3})(\d{1,7}))?\"\s*/>"
)
# Any cell or row start tag, prefixed or not, with its attributes; and the r attributes in it.
_TAG = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])((?:[^>\"']++|\"[^\"]*+\"|'[^']*+')*+)>"
)
# An r attribute, however written (quick-xml does not insist on a space before it).
_R_ATTRIBUTE = re.compile(rb"(?:^|[\s\"'])r\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
# A whole tag, with '>' allowed inside quoted attribute values.
_WHOLE_TAG = re.compile(rb"<(?:[^>\"']++|\"[^\"]*+\"|'[^']*+')*+>")
_TAG_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:row|c)(?=[\s/>])")
_REFERENCE = re.compile(rb"([A-Za-z]*)(\d*)")
_PREFIXED_CELL = re.compile(rb":(?:c|row)[\s/>]")


class SourceError(Exception):
    """The file can't be read as a spreadsheet; the message is meant for the user, and says
    where the trouble is when it is in one sheet, row or column."""

    def __init__(
        self,
        message: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column_index: int | None = None,
    ) -> None:
        super().__init__(message)
        self.sheet = sheet
        self.row = row  # 1-based
        self.column_index = column_index  # 0-based


def megabytes(size: int) -> str:
    return f"{size / MB:,.1f} MB"


def check_file_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise SourceError(
            f"the file is too large: {megabytes(size)}; the limit is {megabytes(MAX_FILE_BYTES)}"
        )


def column_name(index: int) -> str:
    """0-based column index -> Excel letters."""
    letters = ""
    index += 1
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _column_number(letters: bytes) -> int:
    """Excel letters (any case, as calamine takes them) -> 1-based column number."""
    number = 0
    for byte in letters.upper():
        number = number * 26 + byte - 64
    return number


# --- the archive ---------------------------------------------------------------------------


@dataclass(slots=True)
class SheetPart:
    name: str
    part: str | None  # the member holding the sheet's XML, if the workbook says
    visible: bool


@dataclass(slots=True)
class Extent:
    rows: int
    columns: int

    @property
    def cells(self) -> int:
        return self.rows * self.columns


@dataclass
class CheckedWorkbook:
    """An .xlsx whose archive passed the checks; `check_sheet` before loading each sheet."""

    source: str | bytes
    sheets: dict[str, SheetPart] = field(default_factory=dict)
    # What calamine may read cells from: part -> (its directory entry, its first bytes).
    worksheet_parts: dict[str, tuple[zipfile.ZipInfo, bytes]] = field(default_factory=dict)
    _extents: dict[str, Extent | SourceError] = field(default_factory=dict)
    _thread: threading.Thread | None = None
    _scanned: bool = False

    def start_scan(self) -> None:
        """Scan the worksheets' extents in a thread (see the module docstring)."""
        self._thread = threading.Thread(target=self._scan, name="xlsx-extent-scan", daemon=True)
        self._thread.start()

    def _scan(self) -> None:
        self._scanned = True
        try:
            for part, (info, head) in self.worksheet_parts.items():
                try:
                    self._extents[part] = sheet_extent(self.source, info, head)
                except SourceError as refused:
                    self._extents[part] = refused
        except Exception as exc:  # reported by check_sheet, never lost
            failure = SourceError(f"the workbook is damaged ({exc})")
            for part in self.worksheet_parts:
                self._extents.setdefault(part, failure)

    def check_sheet(self, name: str) -> None:
        """Raise SourceError if loading this sheet would build too large a grid."""
        if self._thread is not None:
            self._thread.join()
        elif not self._scanned:
            self._scan()
        sheet = self.sheets.get(name)
        # A sheet we can't place is judged by every worksheet in the archive.
        parts = [sheet.part] if sheet and sheet.part in self.worksheet_parts else self._extents
        for part in parts:
            verdict = self._extents[part]
            if isinstance(verdict, SourceError):
                raise SourceError(str(verdict), sheet=name)
            _check_extent(verdict, name)


def _check_extent(extent: Extent, sheet: str) -> None:
    corner = f"{column_name(extent.columns - 1)}{extent.rows}"
    if extent.columns > MAX_COLUMNS:
        raise SourceError(
            f"the sheet has cells out to column {column_name(extent.columns - 1)} "
            f"({extent.columns:,} columns); the limit is {MAX_COLUMNS:,} columns: delete the "
            "stray cells to the right of the table",
            sheet=sheet,
        )
    if extent.cells > MAX_SHEET_CELLS:
        raise SourceError(
            f"the sheet spans {extent.rows:,} rows by {extent.columns:,} columns (to cell "
            f"{corner}), {extent.cells:,} cells; the limit is {MAX_SHEET_CELLS:,} cells: delete "
            "stray cells far below or right of the table, or split the log",
            sheet=sheet,
        )


def _open_zip(source: str | bytes) -> zipfile.ZipFile:
    handle: str | BinaryIO = io.BytesIO(source) if isinstance(source, bytes) else source
    return zipfile.ZipFile(handle)


def check_archive(source: str | bytes, *, require: str = "xl/workbook.xml") -> CheckedWorkbook:
    """Check an .xlsx archive (a path or its bytes) before any reader inflates it."""
    try:
        with _open_zip(source) as archive:
            members = _check_directory(archive.infolist(), require)
            checked = CheckedWorkbook(source)
            checked.sheets = _sheet_parts(archive, members)
            placed = {sheet.part for sheet in checked.sheets.values() if sheet.visible}
            heads: dict[str, tuple[zipfile.ZipInfo, bytes, str]] = {}
            for info in members:
                if info.filename in placed or _read_by_calamine(info.filename):
                    head = _read_head(archive, info)
                    heads[info.filename] = info, head, _check_prolog(head, info.filename)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, ValueError) as exc:
        raise SourceError(f"not a valid .xlsx file: the workbook is damaged ({exc})") from None
    except NotImplementedError as exc:
        raise SourceError(f"not a valid .xlsx file ({exc})") from None
    # What calamine may read cells from: every part whose root is a worksheet and every part
    # a visible sheet names; if a visible sheet can't be placed, every XML part.
    unplaced = not checked.sheets or None in placed
    checked.worksheet_parts = {
        part: (info, head)
        for part, (info, head, root) in heads.items()
        if unplaced or part in placed or root in _WORKSHEET_ROOTS
    }
    return checked


def _read_by_calamine(name: str) -> bool:
    """The parts a reader of the workbook may parse: the package's own XML, that under xl/, and
    anything in xl/worksheets/ (calamine loads a sheet from any name there). customXml/ and
    docProps/ are left alone: SharePoint writes some of them in UTF-16."""
    lower = name.lower()
    if name.startswith("xl/worksheets/"):
        return True
    return lower.endswith(_XML_SUFFIXES) and (
        lower.startswith(("xl/", "_rels/")) or lower == "[content_types].xml"
    )


def _check_directory(members: list[zipfile.ZipInfo], require: str) -> list[zipfile.ZipInfo]:
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise SourceError(
            f"not a valid .xlsx file: the archive has {len(members):,} parts "
            f"(the limit is {MAX_ARCHIVE_MEMBERS:,})"
        )
    names = [info.filename for info in members]
    if require not in names:
        raise SourceError(
            "can't open the spreadsheet: the file is a zip archive, but not an Excel workbook"
        )
    if len(set(names)) != len(names):
        raise SourceError("not a valid .xlsx file: the archive holds two parts with one name")
    total = 0
    for info in members:
        if info.flag_bits & 0x1:
            raise SourceError(
                "not a valid .xlsx file: its parts are encrypted; save it from Excel without "
                "a password"
            )
        if info.compress_type not in _ZIP_METHODS:
            raise SourceError(
                f"not a valid .xlsx file: part '{info.filename}' uses an unusual compression "
                f"(method {info.compress_type})"
            )
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FROM_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise SourceError(
                f"refused as a zip bomb: part '{info.filename}' would inflate "
                f"{info.compress_size:,} bytes to {megabytes(info.file_size)} ({ratio:,.0f}:1; "
                f"the limit is {MAX_COMPRESSION_RATIO}:1)"
            )
    if total > MAX_UNCOMPRESSED_BYTES:
        raise SourceError(
            f"refused as a zip bomb or too large: the workbook would inflate to "
            f"{megabytes(total)} of XML; the limit is {megabytes(MAX_UNCOMPRESSED_BYTES)}"
        )
    return members


def _read_head(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The first bytes of a member: zipfile inflates only about as much as it returns."""
    with archive.open(info) as member:
        return member.read(XML_PROLOG_BYTES)


def _check_prolog(head: bytes, part: str) -> str:
    """Check an XML part's prolog; returns the root element's local name."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        raise SourceError(f"not a valid .xlsx file: part '{part}' is not UTF-8 XML")
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise _doctype(part)
    text, at = head.removeprefix(b"\xef\xbb\xbf"), 0
    while True:
        at = len(text) - len(text[at:].lstrip())
        if text.startswith(b"<?", at):
            end = text.find(b"?>", at)
            if end < 0:
                break
            declared = _XML_DECLARATION.match(text, at, end + 2)
            if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
                encoding = declared.group(1).decode("ascii", "replace")
                raise SourceError(
                    f"not a valid .xlsx file: part '{part}' is in {encoding}, not UTF-8"
                )
            at = end + 2
        elif text.startswith(b"<!--", at):
            end = text.find(b"-->", at)
            if end < 0:
                break
            at = end + 3
        elif text.startswith(b"<!", at):
            raise _doctype(part)
        else:
            root = _ROOT.match(text, at)
            if root is None:
                break
            return root.group(1).decode("ascii")
    raise SourceError(
        f"not a valid .xlsx file: part '{part}' does not start like XML within its first "
        f"{XML_PROLOG_BYTES:,} bytes"
    )


def _doctype(part: str) -> SourceError:
    return SourceError(
        f"refused: part '{part}' declares a DOCTYPE or entities, which Excel never writes "
        "(an XML entity expansion attack)"
    )


def _sheet_parts(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> dict[str, SheetPart]:
    """Sheet name -> the member holding it, from workbook.xml and its relationships, read as
    calamine reads them. Anything unusual leaves a sheet unplaced (judged conservatively)."""
    sizes = {info.filename: info.file_size for info in members}
    rels_name = "xl/_rels/workbook.xml.rels"
    if "xl/workbook.xml" not in sizes:
        return {}
    if sizes["xl/workbook.xml"] > _MAP_PART_BYTES or sizes.get(rels_name, 0) > _MAP_PART_BYTES:
        return {}
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read(rels_name)) if rels_name in sizes else None
    except Exception:  # calamine reports a broken workbook itself
        return {}
    targets: dict[str, str] = {}
    for rel in rels.iter(f"{_PKG_REL_NS}Relationship") if rels is not None else ():
        rid, target = rel.get("Id"), rel.get("Target") or ""
        if rid in targets:
            return {}
        targets[rid] = _calamine_path(target)
    sheets: dict[str, SheetPart] = {}
    for sheet in workbook.iter(f"{_MAIN_NS}sheet"):
        name = sheet.get("name") or ""
        if name in sheets:
            return {}
        part = targets.get(sheet.get(f"{_REL_NS}id") or "")
        visible = (sheet.get("state") or "visible") == "visible"
        sheets[name] = SheetPart(name, part if part in sizes else None, visible)
    return sheets


def _calamine_path(target: str) -> str:
    """A relationship's Target as calamine turns it into a member name (no normalising)."""
    if target.startswith("/xl/"):
        return target[1:]
    return target if target.startswith("xl/") else f"xl/{target}"


# --- a worksheet's extent ------------------------------------------------------------------


def sheet_extent(source: str | bytes, info: zipfile.ZipInfo, head: bytes) -> Extent:
    """Rows and columns calamine's grid for this sheet can span at most.

    The fast path trusts nothing: it takes the sheet's <dimension ref="A1:I100005"/> as a
    claim and checks in one regular-expression pass per chunk that every cell tag is in the
    form Excel writes (<c r="B7" s="1" t="s">) with a reference inside the claim. Anything
    else (no dimension, a cell outside it, cells without a reference, prefixed tags) goes to
    the exact scan, which reads every cell and row tag (in bulk where they are canonical)."""
    claim = _DIMENSION.search(head)
    if claim and (claim.group(2) or claim.group(4)):
        letters, digits = claim.group(3, 4) if claim.group(4) else claim.group(1, 2)
        extent = Extent(int(digits), _column_number(letters or b"A"))
        fits = extent.cells <= MAX_SHEET_CELLS and extent.columns <= MAX_COLUMNS
        # A claim over the limits still gets the exact scan: Excel's dimension also counts
        # formatted empty cells, which calamine leaves out of its grid.
        if fits and _within(source, info, extent):
            return extent
    return _exact_extent(source, info)


def _chunks(source: str | bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member's XML in pieces of about _SCAN_CHUNK that each end before a tag starts (no
    tag is split). Inflated here with zlib, three times faster than through zipfile; like
    calamine, refused if it inflates past its declared size."""
    carry, total = b"", 0
    for data in _inflate(source, info):
        total += len(data)
        if total > info.file_size:
            raise SourceError(
                f"refused as a zip bomb: part '{info.filename}' inflates past its declared size"
            )
        data = carry + data
        cut = data.rfind(b"<")
        if cut < 0 or _WHOLE_TAG.match(data, cut):  # ends in text, which holds no tag
            carry = b""
            yield data
            continue
        carry = data[cut:]  # a tag begun: scanned with the next piece
        if len(carry) > _MAX_TAG_BYTES:
            raise SourceError(
                f"not a valid .xlsx file: part '{info.filename}' has a tag longer than "
                f"{_MAX_TAG_BYTES:,} bytes"
            )
        yield data[:cut]
    if carry:
        yield carry


def _inflate(source: str | bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member's bytes, inflated a piece at a time from its compressed data."""
    handle = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")  # noqa: SIM115
    with handle:
        left = _seek_member(handle, info)
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        pending = b""
        while left or pending:
            if not pending:
                pending = handle.read(min(left, _SCAN_CHUNK // 4))
                left -= len(pending)
                if not pending:
                    return
            if info.compress_type == zipfile.ZIP_STORED:
                data, pending = pending, b""
            else:
                data = inflater.decompress(pending, _SCAN_CHUNK)
                pending = inflater.unconsumed_tail
            if data:
                yield data
            elif not pending and inflater.eof:
                return


def _seek_member(handle: BinaryIO, info: zipfile.ZipInfo) -> int:
    """Move to the member's compressed data, found through its local header as zip readers
    do; returns its compressed size."""
    handle.seek(info.header_offset)
    header = handle.read(30)
    if len(header) < 30 or not header.startswith(b"PK\x03\x04"):
        raise SourceError(f"not a valid .xlsx file: part '{info.filename}' is damaged")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    handle.seek(info.header_offset + 30 + name_length + extra_length)
    return info.compress_size


def _at_most(number: int) -> bytes:
    """A regex for the decimal numbers 1..number, written without leading zeros."""
    digits = str(number)
    size = len(digits)
    options = [b"[1-9]\\d{0,%d}" % (size - 2)] if size > 1 else []
    for at, digit in enumerate(digits):
        low = 1 if at == 0 else 0
        if int(digit) > low:
            head = f"{digits[:at]}[{low}-{int(digit) - 1}]"
            options.append(f"{head}\\d{{{size - at - 1}}}".encode())
    options.append(digits.encode())
    return b"(?:" + b"|".join(options) + b")"


def _columns_at_most(count: int) -> bytes:
    """A regex for the column letters A..column_name(count - 1), upper case."""
    last = column_name(count - 1)
    size = len(last)
    options = [b"[A-Z]{1,%d}" % (size - 1)] if size > 1 else []
    for at, letter in enumerate(last):
        if letter > "A":
            options.append(
                f"{last[:at]}[A-{chr(ord(letter) - 1)}][A-Z]{{{size - at - 1}}}".encode()
            )
    options.append(last.encode())
    return b"(?:" + b"|".join(options) + b")"


# The tags of a chunk in the form Excel and openpyxl write them: `<c r="B7" ...>` and
# `<row r="7" ...>`, unprefixed, the reference first, written without leading zeros, and no
# other attribute named r (see _ExtentScan.bulk).
_CANONICAL_ATTRIBUTES = rb'(?: (?:[a-qs-z][\w:]*+|r[\w:]++)="[^"<]*+")*+/?>'
_CANONICAL_CELL = re.compile(rb'<c r="([A-Z]{1,3})([1-9]\d{0,6})"' + _CANONICAL_ATTRIBUTES)
_ROW_NUMBER = re.compile(rb'<row r="([1-9]\d{0,6})"')
_CELL_START = re.compile(rb"<c(?=[\s/>])")


def _largest(letters: set[bytes]) -> bytes:
    """The furthest of these upper-case column letters: a longer one, then the later."""
    return max(letters, key=lambda value: (len(value), value))


@lru_cache(maxsize=16)
def _outside(columns: int, rows: int) -> re.Pattern[bytes]:
    """A cell tag that is not canonical, or whose reference is outside columns x rows."""
    return re.compile(
        rb'<c(?=[\s/>])(?! r="'
        + _columns_at_most(columns)
        + _at_most(rows)
        + rb'"'
        + _CANONICAL_ATTRIBUTES
        + rb")"
    )


def _within(source: str | bytes, info: zipfile.ZipInfo, extent: Extent) -> bool:
    """True if every cell tag is canonical, its reference inside the extent and no other
    attribute named r (calamine takes the last one)."""
    outside = _outside(extent.columns, extent.rows)
    for chunk in _chunks(source, info):
        if outside.search(chunk) or _PREFIXED_CELL.search(chunk):
            return False
    return True


class _ExtentScan:
    """The exact scan's state between chunks (see _exact_extent)."""

    __slots__ = ("max_row", "max_column", "implied_rows", "widest", "cells_in_row", "implied")

    def __init__(self) -> None:
        self.max_row = self.max_column = 0
        self.implied_rows = self.widest = self.cells_in_row = 0
        self.implied = False  # a cell without a reference was seen

    def extent(self) -> Extent:
        columns = self.max_column + (self.widest if self.implied else 0)
        return Extent(max(self.max_row + self.implied_rows, 1), max(columns, 1))

    def bulk(self, chunk: bytes) -> bool:
        """Read a chunk whose cell tags are all canonical without visiting them one by one;
        False, with nothing read, if one is not. A cell with a reference is placed by it
        alone (calamine reads the row's r only for cells without one), so row tags need no
        checking here.

        The furthest row tag is the chunk's claim: one search (in C, like _within's) proves
        that every cell is canonical and inside the columns seen so far and that row. Only
        a chunk that reaches further (the first with cells, a wider table, a stray cell)
        has its cells' references collected, by findall, the largest taken from their set."""
        if _PREFIXED_CELL.search(chunk):  # a prefixed tag (or a colon before c/row in text)
            return False
        max_row = max(self.max_row, max(map(int, _ROW_NUMBER.findall(chunk)), default=0))
        if self.max_column and max_row and not _outside(self.max_column, max_row).search(chunk):
            self.max_row = max_row
            return True
        cells = _CANONICAL_CELL.findall(chunk)
        if len(cells) != len(_CELL_START.findall(chunk)):
            return False
        if cells:
            columns, rows = zip(*cells, strict=True)
            max_row = max(max_row, *map(int, set(rows)))
            self.max_column = max(self.max_column, _column_number(_largest(set(columns))))
        self.max_row = max_row
        return True

    def careful(self, chunk: bytes) -> None:
        """Read every tag of a chunk one by one. calamine places a cell by its (last) r
        attribute, else after the previous cell of the row; a row by its r, else after the
        previous row. Bound those: the furthest reference, plus one step for every tag
        without one (for a cell: the most cells in any row so far)."""
        for tag, attributes in _TAG.findall(chunk):
            references = [a or b for a, b in _R_ATTRIBUTE.findall(attributes)]
            if tag == b"row":
                self.cells_in_row = 0
                self.implied_rows += not references
            else:
                self.cells_in_row += 1
                self.widest = max(self.widest, self.cells_in_row)
                self.implied = self.implied or not references
            for reference in references:
                letters, digits = _REFERENCE.match(reference).groups()  # type: ignore[union-attr]
                if digits:
                    number = int(digits) if len(digits) < 10 else 10**10
                    self.max_row = max(self.max_row, number)
                if letters:
                    self.max_column = max(self.max_column, _column_number(letters[:8]))


def _exact_extent(source: str | bytes, info: zipfile.ZipInfo, *, bulk: bool = True) -> Extent:
    """Read every cell and row tag for the furthest place calamine may put a cell.

    Chunks whose tags are all canonical (as Excel, openpyxl and most writers make them) are
    read in bulk (_ExtentScan.bulk): about 0.3 s of CPU for the 76 MB of XML of a 100,000-row
    log written by openpyxl. Any other chunk is read tag by tag (careful), about 20 times
    slower. A cell without a reference is placed after the one before it, so its bound needs
    the most cells of any row, which the bulk reading does not count: the first such cell
    makes the scan start again, every chunk tag by tag."""
    scan = _ExtentScan()
    for chunk in _chunks(source, info):
        if bulk and scan.bulk(chunk):
            continue
        if len(_TAG.findall(chunk)) != len(_TAG_START.findall(chunk)):
            # A cell or row tag that doesn't close as XML says ('<' in a value, a quote left
            # open): calamine is lenient there, so its reading of the tag can't be known.
            raise SourceError(
                f"not a valid .xlsx file: part '{info.filename}' has a malformed cell or row tag"
            )
        scan.careful(chunk)
        if bulk and scan.implied:
            return _exact_extent(source, info, bulk=False)
    return scan.extent()

"""A one-sheet .xlsx written row by row and streamed as it is written: the large exports.

The comment register runs to 100,000 rows. openpyxl's write-only mode took 47 s for them and
xlsxwriter's constant_memory mode 25 s (a Python object and a type dispatch per cell); a
binding of rust_xlsxwriter (rustpy-xlsxwriter) 3 s, but it has no column widths, wrapping or
quote prefix, and one maintainer. This writer makes the sheet's XML itself, a row at a time
into a zip stream (deflate level 1): the 100,000-row register in about 4 s, reading the rows
included (`make bench`), and the first bytes leave at once (the sizes of each part follow it
in the zip, so nothing is seeked back to).
openpyxl stays where formatting matters and volume is small (the board pack, a responses
log).

What it writes is SpreadsheetML as Excel writes it: inline strings (Excel turns them into
shared strings when it saves), numbers, dates as serial numbers with a date format, one header
row (bold, filled, boxed), column widths, wrapping per column, the header row frozen and an
autofilter on it. Formula safety is spreadsheet.py's: every text cell is a string cell (never
`<f>`), cleaned by `clean_text`, and text that `looks_like_formula` gets Excel's quote prefix,
so that editing the cell keeps it text.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from .formula_safety import looks_like_formula
from .spreadsheet import MAX_CELL_TEXT, clean_text

ROWS_PER_WRITE = 500
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_DAY_ZERO = datetime(1899, 12, 30)
_DAY_SECONDS = 86_400.0

# Styles (cellXfs, by position): what each kind of cell is written with.
DEFAULT, HEADER, WRAPPED, DATE, DATETIME, QUOTED, QUOTED_WRAPPED = range(7)
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>\
<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>\
<fills count="3"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill>\
<fill><patternFill patternType="solid"><fgColor rgb="FFE9EEF5"/><bgColor indexed="64"/>\
</patternFill></fill></fills>\
<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>\
<border><left style="thin"><color rgb="FFD9DEE4"/></left><right style="thin">\
<color rgb="FFD9DEE4"/></right><top style="thin"><color rgb="FFD9DEE4"/></top>\
<bottom style="thin"><color rgb="FFD9DEE4"/></bottom><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="7">\
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" \
applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center" \
wrapText="1"/></xf>\
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">\
<alignment vertical="top" wrapText="1"/></xf>\
<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>\
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1" \
applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>\
</cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
</styleSheet>"""
_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
<Override PartName="/xl/styles.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
Target="xl/workbook.xml"/></Relationships>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" \
Target="worksheets/sheet1.xml"/>\
<Relationship Id="rId2" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" \
Target="styles.xml"/></Relationships>"""


@dataclass(frozen=True, slots=True)
class StreamColumn:
    label: str
    width: float
    wrap: bool = False


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(text: str) -> str:
    return _escape(text).replace('"', "&quot;")


class _Sink:
    """Where the zip writes: the bytes wait here until the stream hands them on."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def xlsx_stream(
    sheet_name: str, columns: Sequence[StreamColumn], rows: Iterable[Sequence[object]]
) -> Iterator[bytes]:
    """The workbook's bytes, a piece at a time as `rows` are written (a row: one value per
    column, None for an empty cell)."""
    sink = _Sink()
    writer = _SheetWriter(columns)
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES)
        book.writestr("_rels/.rels", _RELS)
        book.writestr("xl/workbook.xml", _workbook(sheet_name, len(columns)))
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        book.writestr("xl/styles.xml", _STYLES)
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(writer.head().encode())
            yield sink.take()
            rows = iter(rows)
            while block := list(islice(rows, ROWS_PER_WRITE)):
                sheet.write(writer.rows(block).encode())
                if data := sink.take():
                    yield data
            sheet.write(writer.tail().encode())
    yield sink.take()


def _workbook(sheet_name: str, width: int) -> str:
    name = _attribute(sheet_name)
    quoted = "'" + sheet_name.replace("'", "''") + "'"
    last = get_column_letter(width)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets>'
        '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
        f"{_escape(quoted)}!$A$1:${last}$1</definedName></definedNames></workbook>"
    )


class _SheetWriter:
    """The worksheet's XML: its head, its rows (numbered from 1, the header first), its tail."""

    def __init__(self, columns: Sequence[StreamColumn]) -> None:
        self.columns = columns
        self.letters = [get_column_letter(i) for i in range(1, len(columns) + 1)]
        self.text_styles = [
            (WRAPPED, QUOTED_WRAPPED) if c.wrap else (DEFAULT, QUOTED) for c in columns
        ]
        self.number = 0

    def head(self) -> str:
        widths = "".join(
            f'<col min="{i}" max="{i}" width="{c.width}" customWidth="1"/>'
            for i, c in enumerate(self.columns, start=1)
        )
        self.number = 1
        header = "".join(
            f'<c r="{letter}1" t="inlineStr" s="{HEADER}"><is><t>{_escape(clean_text(c.label))}'
            "</t></is></c>"
            for letter, c in zip(self.letters, self.columns, strict=True)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
            'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" '
            'activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{widths}</cols>'
            f'<sheetData><row r="1">{header}</row>'
        )

    def rows(self, block: list[Sequence[object]]) -> str:
        out = []
        for values in block:
            self.number += 1
            row = self._row(self.number, values)
            if ILLEGAL_CHARACTERS_RE.search(row):  # rare: clean cell by cell, only then
                row = self._row(self.number, values, clean=True)
            out.append(row)
        return "".join(out)

    def tail(self) -> str:
        last = self.letters[-1]
        return f'</sheetData><autoFilter ref="A1:{last}1"/></worksheet>'

    def _row(self, number: int, values: Sequence[object], clean: bool = False) -> str:
        cells = [f'<row r="{number}">']
        for letter, styles, value in zip(self.letters, self.text_styles, values, strict=True):
            if value is None:
                continue
            kind = type(value)
            if kind is int or kind is float:
                cells.append(f'<c r="{letter}{number}"><v>{value!r}</v></c>')
            elif kind is datetime:
                serial = (value - _EXCEL_DAY_ZERO).total_seconds() / _DAY_SECONDS  # type: ignore[operator]
                cells.append(f'<c r="{letter}{number}" s="{DATETIME}"><v>{serial!r}</v></c>')
            elif kind is date:
                serial = (value - _EXCEL_EPOCH).days  # type: ignore[operator]
                cells.append(f'<c r="{letter}{number}" s="{DATE}"><v>{serial}</v></c>')
            elif kind is bool:
                cells.append(f'<c r="{letter}{number}" t="b"><v>{int(value)}</v></c>')  # type: ignore[call-overload]
            else:  # text, and anything else as its text
                text = value if kind is str else str(value)
                cells.append(self._text(f"{letter}{number}", text, styles, clean))  # type: ignore[arg-type]
        cells.append("</row>")
        return "".join(cells)

    @staticmethod
    def _text(ref: str, text: str, styles: tuple[int, int], clean: bool) -> str:
        """A string cell, never a formula: Excel's quote prefix on formula-like text."""
        if clean:
            text = clean_text(text)
        elif len(text) > MAX_CELL_TEXT:
            text = text[:MAX_CELL_TEXT]
        if not text:
            return ""
        # Most text starts with a letter or digit, which no formula does: no check needed.
        risky = not text[0].isalnum() and looks_like_formula(text)
        style = styles[1] if risky else styles[0]
        return (
            f'<c r="{ref}" t="inlineStr" s="{style}"><is><t xml:space="preserve">'
            f"{_escape(text)}</t></is></c>"
        )


__all__ = ["StreamColumn", "xlsx_stream"]

"""Write messy comment logs and artefact registers, the way reviewers' spreadsheets look.

Used by the importer tests and by any test that needs a log file. Rows are dicts keyed by
CommentRecord field names, with values as a reviewer would write them: the artefact as
'MHHSP-BP004', the disposition as 'Accepted', raised_on as a date (or an int/float, which is
written as an Excel serial number).
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import struct
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

DEFAULT_TITLE_ROWS: tuple[str, ...] = (
    "MHHS Programme – Design Artefact Comment Log",
    "Please complete all mandatory fields",
)
DEFAULT_HEADERS: dict[str, str] = {
    "log_comment_id": "Comment No.",
    "artefact": "Design Artefact",
    "section": "Section / Page",
    "comment": "Reviewer Comment",
    "proposed_change": "Proposed Amendment",
    "disposition": "Status",
    "response": "MHHS Response",
}
# Headers for the other fields, used when rows carry them and no headers are given.
EXTRA_HEADERS: dict[str, str] = {
    "page": "Page",
    "line": "Line No",
    "comment_type": "Comment Type",
    "organisation": "Organisation",
    "constituency": "Constituency",
    "reviewer": "Raised By",
    "raised_on": "Date Raised",
    "tranche": "Tranche",
    "review_round": "Review Round",
}
REGISTER_HEADERS: dict[str, str] = {
    "tranche": "Tranche",
    "service": "MHHS Service",
    "document_type": "Document Type",
    "reference": "Reference",
    "title": "Name / Description",
    "status": "Status",
    "action_with": "Action With",
    "version": "Version",
}
REGISTER_TITLE_ROWS: tuple[str, ...] = (
    "MHHS Programme – Design Artefact Tracker",
    "Status as at DAG #8",
)
_GROUPED = ("tranche", "service", "document_type")
_DATE_FORMAT = "dd/mm/yyyy"


def default_headers(rows: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """The default header set plus a header for every other field the rows use."""
    headers = dict(DEFAULT_HEADERS)
    for row in rows:
        for name in row:
            if name not in headers and name in EXTRA_HEADERS:
                headers[name] = EXTRA_HEADERS[name]
    return headers


# --- xlsx comment logs ---------------------------------------------------------------------


def write_xlsx_log(
    path: str | os.PathLike[str],
    rows: list[dict[str, Any]],
    *,
    headers: Mapping[str, str] | None = None,
    sheet: str = "Comments",
    title_rows: Sequence[str] = DEFAULT_TITLE_ROWS,
    key_values: Mapping[str, str] | None = None,
    readme_sheet: bool = True,
    blank_row_every: int | None = None,
    merge_artefact_cells: bool = False,
    extra_sheets: Mapping[str, list[dict[str, Any]]] | None = None,
    formula_ids: bool = False,
    serial_dates: bool = False,
) -> Path:
    """A comment log workbook: optional 'Read Me' sheet, then the comment sheet(s).

    Each comment sheet has merged title rows, 'Key:' | value rows, a blank row, the header
    row and the rows. formula_ids writes ids as =ROW()-n formulas with Excel-style cached
    values; serial_dates writes dates as Excel serial numbers.
    """
    path = Path(path)
    workbook = Workbook()
    workbook.remove(workbook.active)
    if readme_sheet:
        _write_readme(workbook.create_sheet("Read Me"))
    sheets = {sheet: rows, **(extra_sheets or {})}
    all_rows = [row for sheet_rows in sheets.values() for row in sheet_rows]
    layout = _Layout(
        headers=dict(headers) if headers is not None else default_headers(all_rows),
        title_rows=title_rows,
        key_values=key_values or {},
        blank_row_every=blank_row_every,
        merge_artefact_cells=merge_artefact_cells,
        formula_ids=formula_ids,
        serial_dates=serial_dates,
    )
    cached: dict[str, dict[str, float]] = {}
    for name, sheet_rows in sheets.items():
        cached[name] = layout.write(workbook.create_sheet(name), sheet_rows)
    workbook.save(path)
    _inject_cached_values(path, workbook.sheetnames, cached)
    return path


def write_per_artefact_workbook(
    path: str | os.PathLike[str],
    rows_by_artefact: Mapping[str, list[dict[str, Any]]],
    *,
    sheet_name: str = "MHHSP-{ref}",
    headers: Mapping[str, str] | None = None,
    key_values: Mapping[str, str] | None = None,
) -> Path:
    """One sheet per artefact, named after it; the sheets have no artefact column."""
    all_rows = [row for rows in rows_by_artefact.values() for row in rows]
    if headers is None:
        headers = {k: v for k, v in default_headers(all_rows).items() if k != "artefact"}
    sheets = {sheet_name.format(ref=ref): rows for ref, rows in rows_by_artefact.items()}
    first, *others = sheets
    return write_xlsx_log(
        path,
        sheets[first],
        headers=headers,
        sheet=first,
        key_values=key_values,
        extra_sheets={name: sheets[name] for name in others},
    )


def _write_readme(ws: Worksheet) -> None:
    ws.append(["How to complete this comment log"])
    ws.append(["Column", "What to enter"])
    ws.append(["Comment No.", "A unique number for each comment"])
    ws.append(["Reviewer Comment", "Your comment on the artefact"])
    ws.append(["Status", "Left blank by reviewers: Accepted / Rejected / Action"])


class _Layout:
    """Where things go on a comment sheet; write() returns the formula cells' cached values."""

    def __init__(self, **options: Any) -> None:
        self.headers: dict[str, str] = options["headers"]
        self.title_rows: Sequence[str] = options["title_rows"]
        self.key_values: Mapping[str, str] = options["key_values"]
        self.blank_row_every: int | None = options["blank_row_every"]
        self.merge: bool = options["merge_artefact_cells"]
        self.formula_ids: bool = options["formula_ids"]
        self.serial_dates: bool = options["serial_dates"]
        self.fields = list(self.headers)

    def write(self, ws: Worksheet, rows: list[dict[str, Any]]) -> dict[str, float]:
        width = max(len(self.fields), 2)
        for title in self.title_rows:
            ws.append([title])
            # Title rows are merged across the table, as templates do.
            ws.merge_cells(
                start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width
            )
        for key, value in self.key_values.items():
            ws.append([f"{key}:", value])
        ws.append([])
        ws.append([self.headers[name] for name in self.fields])
        return self._write_rows(ws, rows, header_row=ws.max_row)

    def _write_rows(
        self, ws: Worksheet, rows: list[dict[str, Any]], header_row: int
    ) -> dict[str, float]:
        cached: dict[str, float] = {}
        for index, row in enumerate(rows):
            if self.blank_row_every and index and index % self.blank_row_every == 0:
                ws.append([])
            ws.append([self._cell(name, row.get(name)) for name in self.fields])
            self._dates(ws, row)
            if self.formula_ids and "log_comment_id" in self.fields:
                col = get_column_letter(self.fields.index("log_comment_id") + 1)
                ref = f"{col}{ws.max_row}"
                ws[ref] = f"=ROW()-{header_row}"
                cached[ref] = ws.max_row - header_row
        if self.merge and "artefact" in self.fields:
            _merge_runs(ws, self.fields.index("artefact") + 1, header_row + 1, ws.max_row)
        return cached

    def _cell(self, name: str, value: Any) -> Any:
        if name == "raised_on" and self.serial_dates and isinstance(value, date):
            return excel_serial(value)
        return value

    def _dates(self, ws: Worksheet, row: Mapping[str, Any]) -> None:
        if "raised_on" in self.fields and isinstance(row.get("raised_on"), date):
            ws.cell(ws.max_row, self.fields.index("raised_on") + 1).number_format = _DATE_FORMAT


def excel_serial(value: date) -> int:
    """The Excel (1900 date system) serial number of a date."""
    if isinstance(value, datetime):
        value = value.date()
    return (value - date(1899, 12, 30)).days


def _merge_runs(ws: Worksheet, col: int, first: int, last: int) -> None:
    """Merge runs of the same value down a column, keeping it in the top cell only."""
    run_start = first
    for row in range(first + 1, last + 2):
        top = ws.cell(run_start, col).value
        value = ws.cell(row, col).value if row <= last else object()
        if value == top and top is not None:
            continue
        if row - 1 > run_start:
            for inner in range(run_start + 1, row):
                ws.cell(inner, col).value = None
            ws.merge_cells(start_row=run_start, start_column=col, end_row=row - 1, end_column=col)
        run_start = row


def _inject_cached_values(
    path: Path, sheet_names: list[str], cached: Mapping[str, Mapping[str, float]]
) -> None:
    """openpyxl writes formulas without a cached value (Excel computes it on open). Readers
    like calamine only see cached values, so write them in as Excel would have saved them."""
    if not any(cached.values()):
        return
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".xlsx", delete=False) as tmp:
        temp_path = Path(tmp.name)
    with (
        zipfile.ZipFile(path) as source,
        zipfile.ZipFile(temp_path, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            match = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", item.filename)
            if match:
                values = cached.get(sheet_names[int(match.group(1)) - 1], {})
                data = _with_values(data.decode("utf-8"), values).encode("utf-8")
            out.writestr(item, data)
    shutil.move(temp_path, path)


def _with_values(xml: str, values: Mapping[str, float]) -> str:
    for ref, value in values.items():
        pattern = rf'(<c r="{ref}"[^>]*><f>[^<]*</f>)<v\s*/>'
        xml = re.sub(pattern, rf"\g<1><v>{value}</v>", xml, count=1)
    return xml


# --- csv comment logs ----------------------------------------------------------------------


def write_csv_log(
    path: str | os.PathLike[str],
    rows: list[dict[str, Any]],
    *,
    headers: Mapping[str, str] | None = None,
    encoding: str = "utf-8",
    title_rows: Sequence[str] = (),
    key_values: Mapping[str, str] | None = None,
    delimiter: str = ",",
) -> Path:
    """A CSV log as Excel saves one: encoding 'utf-8', 'utf-8-sig' (BOM) or 'cp1252'; dates
    written dd/mm/yyyy."""
    path = Path(path)
    headers = dict(headers) if headers is not None else default_headers(rows)
    fields = list(headers)
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        for title in title_rows:
            writer.writerow([title])
        for key, value in (key_values or {}).items():
            writer.writerow([f"{key}:", value])
        if title_rows or key_values:
            writer.writerow([])
        writer.writerow([headers[name] for name in fields])
        for row in rows:
            writer.writerow([_csv_value(row.get(name)) for name in fields])
    return path


def _csv_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else value


# --- artefact register ---------------------------------------------------------------------


def write_register_xlsx(
    path: str | os.PathLike[str],
    artefacts: list[dict[str, Any]],
    *,
    title_rows: Sequence[str] = REGISTER_TITLE_ROWS,
    grouped: bool = True,
    headers: Mapping[str, str] | None = None,
) -> Path:
    """A Design Artefact Tracker. artefacts: dicts keyed by ArtefactRecord field names, values
    as written. grouped leaves Tranche / MHHS Service / Document Type blank below the first
    row of a run of equal values, as the real tracker does."""
    path = Path(path)
    headers = dict(headers) if headers is not None else dict(REGISTER_HEADERS)
    fields = list(headers)
    workbook = Workbook()
    ws = workbook.active
    ws.title = "Design Artefact Tracker"
    for title in title_rows:
        ws.append([title])
        ws.merge_cells(
            start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=len(fields)
        )
    ws.append([])
    ws.append([headers[name] for name in fields])
    previous: dict[str, Any] = {}
    for artefact in artefacts:
        values = {name: artefact.get(name) for name in fields}
        if grouped:
            for name in _GROUPED:
                if (
                    name in values
                    and values[name] == previous.get(name)
                    and values[name] is not None
                ):
                    values[name] = None
                elif name in values:
                    previous[name] = values[name]
        ws.append([values[name] for name in fields])
    workbook.save(path)
    return path


# --- hostile files -------------------------------------------------------------------------
# Small, fast stand-ins for what an attacker (or a broken tool) could send. Nothing here ever
# inflates a bomb: sizes are declared, not written.

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
HOSTILE_HEADER = ("Comment No.", "Design Artefact", "Reviewer Comment")


def xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def inline_cell(ref: str, value: Any) -> str:
    """One cell as raw sheet XML: a number, or text as an inline string."""
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{xml_text(str(value))}</t></is></c>'


def sheet_rows_xml(rows: Sequence[Sequence[Any]], first_row: int = 1) -> str:
    """<row> elements for a table of values (None or '' leaves a cell out)."""
    out = []
    for number, values in enumerate(rows, start=first_row):
        cells = "".join(
            inline_cell(f"{get_column_letter(col)}{number}", value)
            for col, value in enumerate(values, start=1)
            if value not in (None, "")
        )
        out.append(f'<row r="{number}">{cells}</row>')
    return "".join(out)


def hostile_log_rows(count: int = 2, comment: str = "The trigger is unclear.") -> list[list[Any]]:
    """A header and `count` comment rows in the HOSTILE_HEADER layout."""
    return [list(HOSTILE_HEADER)] + [
        [index, "MHHSP-BP004", comment] for index in range(1, count + 1)
    ]


def write_raw_xlsx(
    path: str | os.PathLike[str],
    sheets: Mapping[str, str],
    *,
    dimensions: Mapping[str, str] | None = None,
    doctypes: Mapping[str, str] | None = None,
    shared_strings: Sequence[str] | None = None,
    extra_parts: Mapping[str, str | bytes] | None = None,
) -> Path:
    """An .xlsx written part by part, for what openpyxl won't write. sheets: name -> the XML
    inside <sheetData>; dimensions: name -> a <dimension ref>; doctypes: part name -> a
    DOCTYPE put before that part's root element."""
    path = Path(path)
    doctypes = doctypes or {}
    parts: dict[str, str | bytes] = {}
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    parts["[Content_Types].xml"] = (
        f'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        f'officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>'
    )
    parts["_rels/.rels"] = (
        f'<Relationships xmlns="{_PKG_NS}"><Relationship Id="rId1" Type="{_REL_NS}/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    entries = "".join(
        f'<sheet name="{xml_text(name)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate(sheets, start=1)
    )
    parts["xl/workbook.xml"] = (
        f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><sheets>{entries}</sheets></workbook>'
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    if shared_strings is not None:
        rels += (
            f'<Relationship Id="rId{len(sheets) + 1}" Type="{_REL_NS}/sharedStrings" '
            'Target="sharedStrings.xml"/>'
        )
        items = "".join(f"<si><t>{xml_text(text)}</t></si>" for text in shared_strings)
        parts["xl/sharedStrings.xml"] = (
            f'<sst xmlns="{_MAIN_NS}" count="{len(shared_strings)}" '
            f'uniqueCount="{len(shared_strings)}">{items}</sst>'
        )
    parts["xl/_rels/workbook.xml.rels"] = f'<Relationships xmlns="{_PKG_NS}">{rels}</Relationships>'
    for i, (name, data) in enumerate(sheets.items(), start=1):
        dimension = (dimensions or {}).get(name)
        head = f'<dimension ref="{dimension}"/>' if dimension else ""
        parts[f"xl/worksheets/sheet{i}.xml"] = (
            f'<worksheet xmlns="{_MAIN_NS}">{head}<sheetData>{data}</sheetData></worksheet>'
        )
    parts.update(extra_parts or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            if isinstance(content, str):
                content = (_XML_HEAD + doctypes.get(name, "") + content).encode("utf-8")
            archive.writestr(name, content)
    return path


def billion_laughs(root: str, levels: int = 10) -> str:
    """The classic entity expansion DOCTYPE: &lol9; would be 10**9 'lol's."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels)
    ]
    return f"<!DOCTYPE {root} [{''.join(entities)}]>\n"


def patch_declared_size(path: str | os.PathLike[str], member: str, size: int) -> Path:
    """Rewrite the uncompressed size a zip declares for one member, in its local header and in
    the central directory, leaving the data as it is: a member that claims gigabytes (a zip
    bomb as the directory sees it) or one that lies low about what it inflates to."""
    path = Path(path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    struct.pack_into("<I", data, info.header_offset + 22, size)
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + name_length]) == member.encode():
            struct.pack_into("<I", data, at + 24, size)
        at += 4
    path.write_bytes(bytes(data))
    return path


def write_padded_xlsx(path: str | os.PathLike[str], padding: int) -> Path:
    """A comment log whose sheet XML carries `padding` bytes of whitespace: it deflates about
    1,000:1, an honest bomb (the test never inflates it; calamine would)."""
    rows = sheet_rows_xml(hostile_log_rows())
    return write_raw_xlsx(path, {"Comments": rows + " " * padding})

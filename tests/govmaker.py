"""Write the advisory group's action and decision logs the way the papers lay them out.

Rows are dicts keyed by the readers' field names (area, reference, action or decision, owner,
due, raised_on, status, update, meeting, artefacts) with values as a secretariat would write
them. The area is written once for a run of rows (blank below, or merged with `merge_areas`);
a row `{"heading": "Previous meetings"}` is a heading row of its own. Dates are written in one
of the papers' styles: a date cell, dd/mm/yyyy text, dd/mm/yy text or an Excel serial number.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Literal

from openpyxl import Workbook

from tests.logmaker import excel_serial

ACTION_HEADERS: dict[str, str] = {
    "area": "Area",
    "reference": "Action Ref",
    "action": "Action",
    "owner": "Owner",
    "due": "Due Date",
}
# The DAG #8 pack's layout: no area, a Date column and a Status column with the update in it.
PACK_ACTION_HEADERS: dict[str, str] = {
    "reference": "Ref",
    "raised_on": "Date",
    "action": "Action",
    "owner": "Owner",
    "due": "Due Date",
    "status": "Status",
}
DECISION_HEADERS: dict[str, str] = {"area": "Area", "reference": "Dec Ref", "decision": "Decision"}
HEADLINE_TITLE = ("MHHS Design Advisory Group (DAG) Headline Report",)
DateStyle = Literal["date", "text", "short", "serial"]
_DATE_FIELDS = ("due", "raised_on")


def _date_value(value: Any, style: DateStyle) -> Any:
    if not isinstance(value, date):
        return value
    if style == "text":
        return value.strftime("%d/%m/%Y")
    if style == "short":
        return value.strftime("%d/%m/%y")
    if style == "serial":
        return excel_serial(value)
    return value


def _cells(row: Mapping[str, Any], fields: Sequence[str], style: DateStyle, area: Any) -> list[Any]:
    values = []
    for name in fields:
        value = area if name == "area" else row.get(name)
        values.append(_date_value(value, style) if name in _DATE_FIELDS else value)
    return values


def _date_formats(ws: Any, row: Mapping[str, Any], fields: list[str], offset: int) -> None:
    """Date cells shown as the papers show them (Excel keeps the date, shows dd/mm/yyyy)."""
    for name in _DATE_FIELDS:
        if name in fields and isinstance(row.get(name), date):
            ws.cell(ws.max_row, fields.index(name) + 1 + offset).number_format = "dd/mm/yyyy"


def _merge_runs(ws: Any, runs: list[tuple[int, int]], column: int) -> None:
    for start, end in runs:
        if end > start:
            ws.merge_cells(start_row=start, start_column=column, end_row=end, end_column=column)


def write_log_xlsx(
    path: str | os.PathLike[str],
    rows: list[dict[str, Any]],
    *,
    headers: Mapping[str, str],
    sheet: str = "Actions",
    title_rows: Sequence[str] = HEADLINE_TITLE,
    key_values: Mapping[str, str] | None = None,
    merge_areas: bool = False,
    label_column: str | None = None,
    dates: DateStyle = "date",
) -> Path:
    """A log workbook: title rows, 'Key | value' lines (as "Meeting Number | DAG013"), a blank
    row, the header and the rows. `label_column` puts a first column with that word merged
    down the table (the CCAG paper's "Actions"); `merge_areas` merges each run's area cells."""
    path = Path(path)
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet
    fields = list(headers)
    offset = 1 if label_column else 0
    for title in title_rows:
        ws.append([title])
    for key, value in (key_values or {}).items():
        ws.append([key, value])
    ws.append([])
    ws.append([None] * offset + [headers[name] for name in fields])
    first = ws.max_row + 1
    runs: list[tuple[int, int]] = []
    previous_area: Any = None
    for row in rows:
        if "heading" in row:
            ws.append([None] * offset + [row["heading"]])
            previous_area = None
            continue
        area = row.get("area")
        written = None if area is not None and area == previous_area else area
        if written is not None or area is None:
            runs.append((ws.max_row + 1, ws.max_row + 1))
        else:
            runs[-1] = (runs[-1][0], ws.max_row + 1)
        previous_area = area
        ws.append([None] * offset + _cells(row, fields, dates, written))
        if dates == "date":
            for name in _DATE_FIELDS:
                if name in fields and isinstance(row.get(name), date):
                    ws.cell(
                        ws.max_row, fields.index(name) + 1 + offset
                    ).number_format = "dd/mm/yyyy"
    if merge_areas and "area" in fields:
        _merge_runs(ws, runs, fields.index("area") + 1 + offset)
    if label_column and ws.max_row >= first:
        ws.cell(first, 1).value = label_column
        ws.merge_cells(start_row=first, start_column=1, end_row=ws.max_row, end_column=1)
    workbook.save(path)
    return path


def write_log_csv(
    path: str | os.PathLike[str],
    rows: list[dict[str, Any]],
    *,
    headers: Mapping[str, str],
    key_values: Mapping[str, str] | None = None,
    dates: DateStyle = "text",
    encoding: str = "utf-8",
) -> Path:
    """The same log saved as CSV (dates as dd/mm/yyyy or dd/mm/yy text)."""
    path = Path(path)
    fields = list(headers)
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        for key, value in (key_values or {}).items():
            writer.writerow([key, value])
        if key_values:
            writer.writerow([])
        writer.writerow([headers[name] for name in fields])
        previous_area: Any = None
        for row in rows:
            if "heading" in row:
                writer.writerow([row["heading"]])
                previous_area = None
                continue
            area = row.get("area")
            written = None if area is not None and area == previous_area else area
            previous_area = area
            writer.writerow(["" if v is None else v for v in _cells(row, fields, dates, written)])
    return path

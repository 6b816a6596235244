"""read_design_dashboard on the DAG pack's "MHHS Design Dashboard" table, as a spreadsheet."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from importers import DesignDashboardRecord, normalise_rag, read_design_dashboard

HEADER = [
    "Tranche",
    "MHHS Service",
    "Artefacts",
    "RAG",
    None,
    "Planned DAG Month",
    "Expected DAG Month",
    "Current status and issues",
    "Actions to resolve",
]
COMMENTS_TEXT = "• High levels of comments in first review. Initial updates made, republished"
# (tranche, service, artefacts, RAG last month, RAG this month, planned, expected, status, actions)
PACK_ROWS: list[tuple] = [
    ("1", "Load Shaping Service", 5, "Green", "Amber", "Apr", "Apr", COMMENTS_TEXT, "• Resolve"),
    ("1", "Registration Service", 16, "G", "A", "Apr", "Apr", COMMENTS_TEXT, "• Resolve"),
    ("1", "DIP Technical Documents", 3, "On track", "Complete", "Mar", "Mar", "• Approved", None),
    ("2", "Registration Service", 15, "Green", "Red", "May", "May", "• Lack of input", "• Explore"),
    ("2", "Smart Data Service", 2, "Green", "TBD", "May", "TBC", "• Ongoing", None),
]
LATER_ROWS: list[tuple] = [
    ("3", "Global", 2, "Amber", "Amber", "June", "June", "• Behind schedule", "• Options"),
    ("TBC", "Security Artefacts", 4, "Green", "Green", "July", "July", "• On schedule", None),
]


def write_pack_xlsx(
    path: Path,
    rows: Sequence[tuple] = PACK_ROWS,
    *,
    later: Sequence[tuple] = (),
    merge_header_down: bool = False,
    sheet_title: str = "Design Dashboard",
) -> Path:
    """The pack's slide as a workbook: title rows, 'RAG' merged over 'Last month | This month',
    the tranche written once per group, the legend below; `later` repeats the table below."""
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    sheet.append(["MHHS Design Dashboard"])
    sheet.append(["INFORMATION: Updates from DAG Working Groups"])
    sheet.append([])
    for table in (rows, later):
        if not table:
            continue
        _append_table(sheet, table, merge_header_down)
        sheet.append([])
        sheet.append(["● On track      ● Complete"])
        sheet.append([None, "● At Risk      ● To be determined"])
        sheet.append([None, "● Not on track, at high risk"])
        sheet.append([])
    book.save(path)
    return path


def _append_table(sheet, rows: Sequence[tuple], merge_header_down: bool) -> None:
    sheet.append(HEADER)
    top = sheet.max_row
    sheet.append([None, None, None, "Last month", "This month"])
    sheet.merge_cells(start_row=top, start_column=4, end_row=top, end_column=5)
    if merge_header_down:
        for column in (1, 2, 3, 6, 7, 8, 9):
            sheet.merge_cells(
                start_row=top, start_column=column, end_row=top + 1, end_column=column
            )
    previous = None
    for tranche, *rest in rows:
        sheet.append([None if tranche == previous else tranche, *rest])
        previous = tranche


def test_reads_the_pack_layout(tmp_path):
    result = read_design_dashboard(write_pack_xlsx(tmp_path / "dashboard.xlsx"))
    assert result.ok, [str(p) for p in result.problems]
    assert result.sheets[0].header_row == 5  # the header's second row
    assert result.sheets[0].mapping["rag_last_month"] == "RAG Last month"
    assert result.sheets[0].mapping["rag_this_month"] == "RAG This month"
    first, registration, dip, t2_registration, smart = result.records
    assert first == DesignDashboardRecord(
        sheet="Design Dashboard",
        row=6,
        tranche="1",
        service="Load Shaping Service",
        artefacts=5,
        rag_last_month="on_track",
        rag_this_month="at_risk",
        planned="Apr",
        expected="Apr",
        status_and_issues=COMMENTS_TEXT,
        actions="• Resolve",
    )
    # Tranche cells left blank below a group's first row are filled down.
    assert [r.tranche for r in result.records] == ["1", "1", "1", "2", "2"]
    assert (registration.rag_last_month, registration.rag_this_month) == ("on_track", "at_risk")
    assert (dip.rag_this_month, dip.actions) == ("complete", "")
    assert t2_registration.rag_this_month == "not_on_track"
    assert (smart.rag_this_month, smart.expected) == ("tbd", "TBC")


def test_a_repeated_table_and_the_legends_between_are_read_through(tmp_path):
    path = write_pack_xlsx(tmp_path / "dashboard.xlsx", later=LATER_ROWS, merge_header_down=True)
    result = read_design_dashboard(path)
    assert result.ok, [str(p) for p in result.problems]
    assert [(r.tranche, r.service) for r in result.records] == [
        *((r[0], r[1]) for r in PACK_ROWS),
        ("3", "Global"),
        ("TBC", "Security Artefacts"),
    ]


def test_unknown_rag_names_file_sheet_row_column_and_value(tmp_path):
    rows = list(PACK_ROWS)
    rows[1] = ("1", "Registration Service", 16, "Green", "Purple", "Apr", "Apr", "", None)
    result = read_design_dashboard(write_pack_xlsx(tmp_path / "pack.xlsx", rows))
    assert not result.ok
    (problem,) = result.errors
    assert (problem.sheet, problem.row, problem.column, problem.value) == (
        "Design Dashboard",
        7,
        "RAG This month",
        "Purple",
    )
    text = str(problem)
    assert text.startswith(
        "pack.xlsx, sheet 'Design Dashboard', row 7, column 'RAG This month' (E)"
    )
    assert "unknown RAG 'Purple'" in text


def test_a_rag_written_as_a_coloured_dot_asks_for_a_word(tmp_path):
    rows = [("1", "Load Shaping Service", 5, "●", "Green", "Apr", "Apr", "", None)]
    result = read_design_dashboard(write_pack_xlsx(tmp_path / "dots.xlsx", rows))
    assert [str(p) for p in result.errors] == [
        "dots.xlsx, sheet 'Design Dashboard', row 6, column 'RAG Last month' (D): a coloured "
        "dot '●' can't be read: write the RAG as a word (use Green, Amber, Red, Complete or TBD)"
    ]


def test_csv_with_a_one_row_header_and_lone_tranche_headings(tmp_path):
    path = tmp_path / "dashboard.csv"
    path.write_text(
        "MHHS Design Dashboard,,,,,,,\n"
        "Tranche,MHHS Service,Artefacts,RAG Last month,RAG This month,Planned DAG Month,"
        "Expected DAG Month,Current status and issues,Actions to resolve\n"
        "Tranche 1,,,,,,,,\n"
        ',Load Shaping Service,5,Green,At risk,Apr,Apr,"• One\n• Two",\n'
        "Tranche 2,Registration Service,x,Not on track / high risk,To be determined,May,,,\n",
        encoding="utf-8",
    )
    result = read_design_dashboard(path)
    assert result.ok, [str(p) for p in result.problems]
    lss, reg = result.records
    assert (lss.tranche, lss.row, lss.status_and_issues) == ("1", 4, "• One\n• Two")
    assert (reg.tranche, reg.rag_last_month, reg.rag_this_month) == ("2", "not_on_track", "tbd")
    assert reg.expected is None
    # A count that is not a number is only a warning: the app counts the register itself.
    assert [p.column for p in result.warnings] == ["Artefacts"]


def test_a_lone_rag_column_is_this_month_and_date_cells_are_months(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Tranche", "MHHS Service", "RAG", "Planned DAG Month", "Expected DAG Month"])
    sheet.append(["2", "Smart Data Service", "Amber", datetime(2022, 5, 1), "June"])
    book.save(tmp_path / "one.xlsx")
    (record,) = read_design_dashboard(tmp_path / "one.xlsx").records
    assert (record.rag_last_month, record.rag_this_month) == (None, "at_risk")
    assert (record.planned, record.expected) == ("2022-05", "June")


def test_rows_without_a_tranche_unknown_tranches_and_duplicates_are_errors(tmp_path):
    rows = [
        (None, "Orphan Service", 1, "Green", "Green", "Apr", "Apr", "", None),
        ("Tranche 9", "Registration Service", 1, "Green", "Green", "Apr", "Apr", "", None),
        ("2", "Registration Service", 1, "Green", "Green", "Apr", "Apr", "", None),
        ("2", "registration  service", 1, "Green", "Green", "Apr", "Apr", "", None),
    ]
    result = read_design_dashboard(write_pack_xlsx(tmp_path / "bad.xlsx", rows))
    messages = [(p.row, p.column, p.message) for p in result.errors]
    assert messages == [
        (6, "MHHS Service", "no tranche for this row, and none above it in its group"),
        (7, "Tranche", "unknown tranche {value} (use 1, 2, 3, 4 or TBC)"),
        (
            9,
            "MHHS Service",
            "tranche 2 lists this service twice (first at sheet 'Design Dashboard' row 8):",
        ),
    ]
    assert [r.service for r in result.records] == ["Registration Service"]


def test_a_table_without_a_tranche_column_is_refused_once(tmp_path):
    book = Workbook()
    book.active.title = "Status"
    book.active.append(["MHHS Service", "RAG This month"])
    for service in ("Registration Service", "Load Shaping Service"):
        book.active.append([service, "Green"])
    book.save(tmp_path / "no-tranche.xlsx")
    result = read_design_dashboard(tmp_path / "no-tranche.xlsx")
    assert [str(p) for p in result.errors] == [
        "no-tranche.xlsx, sheet 'Status': the table (header row 1) has no Tranche column"
    ]
    assert result.records == []


def test_a_file_without_the_table_says_so(tmp_path):
    book = Workbook()
    book.active.append(["Just", "some", "notes"])
    book.save(tmp_path / "notes.xlsx")
    result = read_design_dashboard(tmp_path / "notes.xlsx")
    assert [p.message for p in result.errors] == [
        "no design dashboard table found: no sheet has a header row with a 'MHHS Service' "
        "column in its first 40 rows"
    ]


@pytest.mark.parametrize(
    ("written", "rag"),
    [
        ("Green", "on_track"),
        ("g", "on_track"),
        ("On track", "on_track"),
        ("AMBER", "at_risk"),
        ("A", "at_risk"),
        ("At Risk", "at_risk"),
        ("Red", "not_on_track"),
        ("R", "not_on_track"),
        ("Not on track", "not_on_track"),
        ("Not on track, at high risk", "not_on_track"),
        ("Complete", "complete"),
        ("TBD", "tbd"),
        ("To be determined", "tbd"),
        ("", None),
        ("Purple", None),
        ("●", None),
    ],
)
def test_normalise_rag(written, rag):
    assert normalise_rag(written) == rag

"""The board's meeting pack as xlsx: the DAG pack's tables, the design dashboard, the
definitions, the advisory group's actions and decisions. Its tables come from the same rollup
functions as the pages and the JSON, so the three can never disagree."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from importers.vocabulary import DISPOSITIONS, RAG_STATUSES

from ..models import round_label, tranche_label
from .design_status import design_dashboard
from .dissensus_export import board_pack_sheet
from .engagement import engagement_sheet, round_engagement
from .governance_sheets import governance_sheets
from .months import month_label
from .progress_sheet import progress_sheet
from .reference import rounds_of_tranche
from .rollups import comment_status, constituency_table
from .scope import Scope
from .spreadsheet import (
    BOLD,
    BOX,
    CENTRE,
    HEAD_FILL,
    TOP,
    WRAP,
    header_row,
    set_widths,
    title_rows,
    workbook_bytes,
    xlsx_cell,
)
from .tracker import TrackerFilter, tracker_sheet


def _scope(tranche: str, review_round: int | None) -> str:
    label = tranche_label(tranche)
    return f"{label}, {round_label(review_round)}" if review_round else label


def _comment_status_sheet(book: Workbook, tranche: str, review_round: int | None) -> None:
    status = comment_status(tranche, review_round, scope=Scope.staff())
    columns = status.columns
    sheet = book.create_sheet("Comment status")
    title_rows(
        sheet,
        f"MHHS Design- Design Artefact Status Update- {_scope(tranche, review_round)}",
        "Comments received per design artefact, by comment status.",
    )
    header_row(sheet, ["Design Artefacts", *(DISPOSITIONS[c].label for c in columns), "Total"])
    first = sheet.max_row + 1
    for row in status.artefacts:
        name = f"{row.reference}- {row.title}" if row.title else row.reference
        numbers = [row[c] or None for c in columns]  # blank for zero, as the pack
        sheet.append(
            [
                xlsx_cell(sheet, name, alignment=WRAP, border=BOX),
                *(xlsx_cell(sheet, n, border=BOX) for n in numbers),
                xlsx_cell(sheet, row.total, border=BOX),
            ]
        )
    last = sheet.max_row
    totals = [status.totals[c] for c in (*columns, "total")]
    sheet.append(
        [xlsx_cell(sheet, "Grand Total", font=BOLD, fill=HEAD_FILL, border=BOX)]
        + [xlsx_cell(sheet, n, font=BOLD, fill=HEAD_FILL, border=BOX) for n in totals]
    )
    sheet.append([])
    sheet.append(
        [
            xlsx_cell(
                sheet, f"Triaged (not open): {status.triaged_percent}% of {totals[-1]} comments"
            )
        ]
    )
    sheet.freeze_panes = "B4"
    set_widths(sheet, [52, *([14] * len(columns)), 10])
    if status.artefacts:
        _disposition_chart(sheet, columns, first, last)


def _disposition_chart(sheet: Worksheet, columns: Sequence[str], first: int, last: int) -> None:
    """The page's stacked bar chart, drawn by Excel from the table, in the page's colours."""
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = "Comments per disposition"
    chart.y_axis.title = "Comments"
    chart.x_axis.scaling.orientation = "maxMin"  # first artefact at the top, as the table
    data = Reference(sheet, min_col=2, max_col=1 + len(columns), min_row=first - 1, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=first, max_row=last))
    for series, name in zip(chart.series, columns, strict=True):
        series.graphicalProperties.solidFill = DISPOSITIONS[name].rgb
        series.graphicalProperties.line.solidFill = DISPOSITIONS[name].rgb
    chart.height = max(7.5, 0.5 * (last - first + 1) + 2)
    chart.width = 18
    sheet.add_chart(chart, f"{get_column_letter(len(columns) + 4)}3")


def _constituency_sheet(book: Workbook, tranche: str, review_round: int | None) -> None:
    table = constituency_table(tranche, review_round)
    sheet = book.create_sheet("Constituencies")
    title_rows(sheet, f"Comments by constituency- {_scope(tranche, review_round)}")
    header_row(sheet, ["Constituency", "No. Organisations", "Total Comments"])
    for row in table.constituencies:
        sheet.append(
            [
                xlsx_cell(sheet, row.constituency, border=BOX),
                xlsx_cell(sheet, row.organisations, border=BOX),
                xlsx_cell(sheet, row.comments, border=BOX),
            ]
        )
    totals = (table.totals["organisations"], table.totals["comments"])
    sheet.append(
        [xlsx_cell(sheet, "Total", font=BOLD, fill=HEAD_FILL, border=BOX)]
        + [xlsx_cell(sheet, n, font=BOLD, fill=HEAD_FILL, border=BOX) for n in totals]
    )
    sheet.freeze_panes = "A4"
    set_widths(sheet, [40, 20, 18])


DESIGN_DASHBOARD_COLUMNS = (
    ("Tranche", 9),
    ("MHHS Service", 30),
    ("Artefacts", 10),
    ("Last month", 13),
    ("This month", 13),
    ("Planned DAG Month", 12),
    ("Expected DAG Month", 12),
    ("Current status and issues", 55),
    ("Actions to resolve", 45),
)


def _rag_cell(sheet: Worksheet, rag: str | None) -> Cell:
    """A RAG as the pack shows it: the cell filled with the RAG's colour, labelled in words."""
    if not rag:
        return xlsx_cell(sheet, None, border=BOX)
    term = RAG_STATUSES[rag]
    fill = PatternFill("solid", fgColor=term.rgb)
    return xlsx_cell(sheet, term.label, fill=fill, alignment=CENTRE, border=BOX)


def _design_dashboard_sheet(book: Workbook, month: str | None) -> None:
    dashboard = design_dashboard(month)
    sheet = book.create_sheet("Design dashboard")
    when = month_label(dashboard.month)
    title_rows(sheet, f"MHHS Design Dashboard- {when}", "RAG status per tranche and service.")
    # Two header rows, as the pack: "RAG" over "Last month | This month", the rest merged down.
    labels = [label for label, _width in DESIGN_DASHBOARD_COLUMNS]
    header_row(sheet, [*labels[:3], "RAG", None, *labels[5:]])
    header_row(sheet, [None, None, None, *labels[3:5], *([None] * (len(labels) - 5))])
    for column in range(1, len(labels) + 1):
        if column not in (4, 5):
            sheet.merge_cells(start_row=3, end_row=4, start_column=column, end_column=column)
    sheet.merge_cells(start_row=3, end_row=3, start_column=4, end_column=5)
    for row in dashboard.rows:
        sheet.append(
            [
                xlsx_cell(sheet, row.tranche, alignment=TOP, border=BOX),
                xlsx_cell(sheet, row.service, alignment=WRAP, border=BOX),
                xlsx_cell(sheet, row.artefacts, alignment=TOP, border=BOX),
                _rag_cell(sheet, row.rag_last_month),
                _rag_cell(sheet, row.rag_this_month),
                xlsx_cell(sheet, row.planned_month or "", alignment=TOP, border=BOX),
                xlsx_cell(sheet, row.expected_month or "", alignment=TOP, border=BOX),
                xlsx_cell(sheet, row.status_and_issues or "", alignment=WRAP, border=BOX),
                xlsx_cell(sheet, row.actions_to_resolve or "", alignment=WRAP, border=BOX),
            ]
        )
    sheet.append([])
    sheet.append([xlsx_cell(sheet, "Legend", font=BOLD)])
    for term in RAG_STATUSES:
        sheet.append([_rag_cell(sheet, term.key), xlsx_cell(sheet, term.definition)])
    sheet.freeze_panes = "C5"
    set_widths(sheet, [width for _label, width in DESIGN_DASHBOARD_COLUMNS])


def _definitions_sheet(book: Workbook) -> None:
    sheet = book.create_sheet("Status definitions")
    title_rows(sheet, "Comment status definitions")
    header_row(sheet, ["Status", "Definition"])
    for term in DISPOSITIONS:
        sheet.append(
            [
                xlsx_cell(sheet, term.label, font=BOLD, alignment=TOP, border=BOX),
                xlsx_cell(sheet, term.definition, alignment=WRAP, border=BOX),
            ]
        )
    sheet.append([])
    sheet.append(
        [
            xlsx_cell(sheet, "Counted as", font=BOLD, alignment=TOP),
            xlsx_cell(sheet, INTERNAL_VALUES_NOTE, alignment=WRAP),
        ]
    )
    sheet.freeze_panes = "A4"
    set_widths(sheet, [32, 90])


# The pack is the programme's own: it counts the design team's current dispositions, published
# to reviewers or not (the tranche pages a reviewer sees count the published ones).
INTERNAL_VALUES_NOTE = (
    "The comment status tables count each comment's current disposition as the design team "
    "has set it, including dispositions not yet published to the reviewer (whom the tranche "
    "pages and their JSON show only published dispositions, the rest as open)."
)


def board_pack(
    tranche: str,
    review_round: int | None = None,
    month: str | None = None,
    meeting: str | None = None,
    *,
    today: date | None = None,
) -> bytes:
    """The board's meeting pack for a tranche as xlsx: the comment status table (with a
    chart), the constituency table, the design dashboard for `month` (default: the latest),
    progress over time, the status definitions, the advisory group's actions and decisions for
    `meeting` (default: the next meeting; services/governance_sheets.py), the dissensus log,
    the engagement of the tranche's review rounds (the one asked for, else each) and the
    tranche's Design Artefact Tracker. Raises ServiceError for an unknown tranche, a bad month
    or an unknown meeting."""
    book = Workbook()
    book.remove(book.active)
    _comment_status_sheet(book, tranche, review_round)
    _constituency_sheet(book, tranche, review_round)
    _design_dashboard_sheet(book, month)
    progress_sheet(book, tranche, review_round)
    _definitions_sheet(book)
    governance_sheets(book, meeting, today or date.today())
    board_pack_sheet(book)  # the dissensus log
    _engagement_sheets(book, tranche, review_round, today or date.today())
    tracker_sheet(book, TrackerFilter(tranche=tranche), Scope.staff())
    return workbook_bytes(book)


def _engagement_sheets(book: Workbook, tranche: str, number: int | None, today: date) -> None:
    """Who was invited and who answered, a sheet per review round of the tranche (or the one
    asked for): "Engagement" alone, or "Engagement R1", "Engagement R2", ..."""
    rounds = [r for r in rounds_of_tranche(tranche) if number is None or r.number == number]
    for review_round in rounds:
        name = "Engagement" if len(rounds) == 1 else f"Engagement R{review_round.number}"
        engagement_sheet(book, round_engagement(review_round.id, today, Scope.staff()), name)


def board_pack_filename(
    tranche: str, review_round: int | None, month: str | None, meeting: str | None = None
) -> str:
    parts = ["board-pack", f"tranche-{tranche}"]
    if review_round:
        parts.append(f"round-{review_round}")
    if month:
        parts.append(month)
    if meeting:
        parts.append(meeting)
    return "-".join(parts).lower() + ".xlsx"


__all__ = ["board_pack", "board_pack_filename"]

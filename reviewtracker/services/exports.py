"""Exports built as bytes: the board pack, a reviewer's responses log, the comment register.

The views only send these bytes and the CLI only writes them to a file. The board pack's
tables come from the same rollup functions as the pages and the JSON, so the three can
never disagree.

Formula injection: a comment is text from outside. Every value goes through one helper
(`_cell` for xlsx, `formula_safety.csv_cell` for CSV) that makes formula-like text inert
(what counts as such: `formula_safety.looks_like_formula`): in xlsx it is stored as a string
cell (never a formula) with Excel's own "quote prefix" flag; in CSV it gets a leading `'`.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select

from importers import match_constituency, normalise_artefact_ref

from ..extensions import db
from ..models import (
    DISPOSITION_LABELS,
    Artefact,
    Comment,
    Constituency,
    Organisation,
    ReviewRound,
    Service,
    Tranche,
)
from . import ServiceError
from .charts import DISPOSITION_COLOURS
from .comment_import import fold_name as organisation_key
from .comment_queries import CommentFilter, filtered_ids, round_label
from .design_dashboard import RAG_COLOURS, RAG_LABELS, design_dashboard, month_label
from .formula_safety import FORMULA_TRIGGERS, csv_cell, looks_like_formula
from .rollups import DISPOSITION_DEFINITIONS, comment_status, constituency_table

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv"  # Flask adds "; charset=utf-8"

# Excel's limit for the text of one cell.
MAX_CELL_TEXT = 32_767
# Rows fetched from the database at a time (and ids per IN (...) list, well under every
# backend's limit on bound parameters).
CHUNK_ROWS = 500

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEAD_FILL = PatternFill("solid", fgColor="E9EEF5")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
THIN = Side(style="thin", color="D9DEE4")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


# --- the one cell helper ------------------------------------------------------------------


def _clean_text(value: str) -> str:
    """Text as an xlsx cell can hold it: no XML-illegal control characters, Excel's length."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL_TEXT]


def _cell(sheet: Any, value: object, **style: Any) -> Cell:
    """A cell for `sheet.append([...])`: every xlsx export writes every value through here.

    Text is always a string cell (openpyxl would otherwise store "=..." as a formula), and
    formula-like text also gets Excel's quote prefix, so editing the cell keeps it text.
    `style`: font, fill, alignment, border, number_format.
    """
    if isinstance(value, str):
        value = _clean_text(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _value(sheet: Any, value: object) -> object:
    """`value` for `sheet.append` as it is when openpyxl would store it unchanged (a number,
    a date, None, plain text), else its `_cell`: a cell object per value costs a third of a
    large register's time, and most values need none."""
    if value is None or isinstance(value, int | float | date):
        return value
    if isinstance(value, str) and not looks_like_formula(value) and value == _clean_text(value):
        return value
    return _cell(sheet, value)


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _set_widths(sheet: Any, widths: Sequence[float]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _title_rows(sheet: Worksheet, title: str, subtitle: str = "") -> None:
    """Rows 1-2: the sheet's title (and what it covers); the table starts on row 3."""
    sheet.append([_cell(sheet, title, font=TITLE)])
    sheet.append([_cell(sheet, subtitle)] if subtitle else [])


def _header(sheet: Any, labels: Iterable[str | None]) -> None:
    sheet.append(
        [
            _cell(sheet, label, font=BOLD, fill=HEAD_FILL, alignment=CENTRE, border=BOX)
            for label in labels
        ]
    )


# --- the board pack -----------------------------------------------------------------------


def _scope(tranche: str, review_round: int | None) -> str:
    label = "Tranche TBC" if tranche == "TBC" else f"Tranche {tranche}"
    return f"{label}, {round_label(review_round)}" if review_round else label


def _comment_status_sheet(book: Workbook, tranche: str, review_round: int | None) -> None:
    status = comment_status(tranche, review_round)
    columns = status.columns
    sheet = book.create_sheet("Comment status")
    _title_rows(
        sheet,
        f"MHHS Design- Design Artefact Status Update- {_scope(tranche, review_round)}",
        "Comments received per design artefact, by comment status.",
    )
    _header(sheet, ["Design Artefacts", *(DISPOSITION_LABELS[c] for c in columns), "Total"])
    first = sheet.max_row + 1
    for row in status.artefacts:
        name = f"{row.reference}- {row.title}" if row.title else row.reference
        numbers = [getattr(row, c) or None for c in columns]  # blank for zero, as the pack
        sheet.append(
            [
                _cell(sheet, name, alignment=WRAP, border=BOX),
                *(_cell(sheet, n, border=BOX) for n in numbers),
                _cell(sheet, row.total, border=BOX),
            ]
        )
    last = sheet.max_row
    totals = [status.totals[c] for c in (*columns, "total")]
    sheet.append(
        [_cell(sheet, "Grand Total", font=BOLD, fill=HEAD_FILL, border=BOX)]
        + [_cell(sheet, n, font=BOLD, fill=HEAD_FILL, border=BOX) for n in totals]
    )
    sheet.append([])
    sheet.append(
        [_cell(sheet, f"Triaged (not open): {status.triaged_percent}% of {totals[-1]} comments")]
    )
    sheet.freeze_panes = "B4"
    _set_widths(sheet, [52, *([14] * len(columns)), 10])
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
        series.graphicalProperties.solidFill = DISPOSITION_COLOURS[name]
        series.graphicalProperties.line.solidFill = DISPOSITION_COLOURS[name]
    chart.height = max(7.5, 0.5 * (last - first + 1) + 2)
    chart.width = 18
    sheet.add_chart(chart, f"{get_column_letter(len(columns) + 4)}3")


def _constituency_sheet(book: Workbook, tranche: str, review_round: int | None) -> None:
    table = constituency_table(tranche, review_round)
    sheet = book.create_sheet("Constituencies")
    _title_rows(sheet, f"Comments by constituency- {_scope(tranche, review_round)}")
    _header(sheet, ["Constituency", "No. Organisations", "Total Comments"])
    for row in table.constituencies:
        sheet.append(
            [
                _cell(sheet, row.constituency, border=BOX),
                _cell(sheet, row.organisations, border=BOX),
                _cell(sheet, row.comments, border=BOX),
            ]
        )
    totals = (table.totals["organisations"], table.totals["comments"])
    sheet.append(
        [_cell(sheet, "Total", font=BOLD, fill=HEAD_FILL, border=BOX)]
        + [_cell(sheet, n, font=BOLD, fill=HEAD_FILL, border=BOX) for n in totals]
    )
    sheet.freeze_panes = "A4"
    _set_widths(sheet, [40, 20, 18])


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
        return _cell(sheet, None, border=BOX)
    fill = PatternFill("solid", fgColor=RAG_COLOURS[rag].lstrip("#").upper())
    return _cell(sheet, RAG_LABELS[rag], fill=fill, alignment=CENTRE, border=BOX)


def _design_dashboard_sheet(book: Workbook, month: str | None) -> None:
    dashboard = design_dashboard(month)
    sheet = book.create_sheet("Design dashboard")
    when = month_label(dashboard.month)
    _title_rows(sheet, f"MHHS Design Dashboard- {when}", "RAG status per tranche and service.")
    # Two header rows, as the pack: "RAG" over "Last month | This month", the rest merged down.
    labels = [label for label, _width in DESIGN_DASHBOARD_COLUMNS]
    _header(sheet, [*labels[:3], "RAG", None, *labels[5:]])
    _header(sheet, [None, None, None, *labels[3:5], *([None] * (len(labels) - 5))])
    for column in range(1, len(labels) + 1):
        if column not in (4, 5):
            sheet.merge_cells(start_row=3, end_row=4, start_column=column, end_column=column)
    sheet.merge_cells(start_row=3, end_row=3, start_column=4, end_column=5)
    for row in dashboard.rows:
        sheet.append(
            [
                _cell(sheet, row.tranche, alignment=TOP, border=BOX),
                _cell(sheet, row.service, alignment=WRAP, border=BOX),
                _cell(sheet, row.artefacts, alignment=TOP, border=BOX),
                _rag_cell(sheet, row.rag_last_month),
                _rag_cell(sheet, row.rag_this_month),
                _cell(sheet, row.planned_month or "", alignment=TOP, border=BOX),
                _cell(sheet, row.expected_month or "", alignment=TOP, border=BOX),
                _cell(sheet, row.status_and_issues or "", alignment=WRAP, border=BOX),
                _cell(sheet, row.actions_to_resolve or "", alignment=WRAP, border=BOX),
            ]
        )
    sheet.append([])
    sheet.append([_cell(sheet, "Legend", font=BOLD)])
    for rag, label in RAG_LABELS.items():
        sheet.append([_rag_cell(sheet, rag), _cell(sheet, label)])
    sheet.freeze_panes = "C5"
    _set_widths(sheet, [width for _label, width in DESIGN_DASHBOARD_COLUMNS])


def _definitions_sheet(book: Workbook) -> None:
    sheet = book.create_sheet("Status definitions")
    _title_rows(sheet, "Comment status definitions")
    _header(sheet, ["Status", "Definition"])
    for name, definition in DISPOSITION_DEFINITIONS.items():
        sheet.append(
            [
                _cell(sheet, DISPOSITION_LABELS[name], font=BOLD, alignment=TOP, border=BOX),
                _cell(sheet, definition, alignment=WRAP, border=BOX),
            ]
        )
    sheet.freeze_panes = "A4"
    _set_widths(sheet, [32, 90])


def board_pack(tranche: str, review_round: int | None = None, month: str | None = None) -> bytes:
    """The board's meeting pack for a tranche as xlsx: the comment status table (with a
    chart), the constituency table, the design dashboard for `month` (default: the latest),
    and the status definitions. Raises ServiceError for an unknown tranche or a bad month."""
    book = Workbook()
    book.remove(book.active)
    _comment_status_sheet(book, tranche, review_round)
    _constituency_sheet(book, tranche, review_round)
    _design_dashboard_sheet(book, month)
    _definitions_sheet(book)
    return _save(book)


def board_pack_filename(tranche: str, review_round: int | None, month: str | None) -> str:
    parts = ["board-pack", f"tranche-{tranche}"]
    if review_round:
        parts.append(f"round-{review_round}")
    if month:
        parts.append(month)
    return "-".join(parts).lower() + ".xlsx"


# --- a reviewer's responses ----------------------------------------------------------------

RESPONSE_COLUMNS = (
    ("Tranche", 9),
    ("Review Round", 12),
    ("Design Artefact", 12),
    ("Artefact Title", 36),
    ("Comment ID", 11),
    ("Section", 12),
    ("Page", 8),
    ("Comment", 60),
    ("Proposed Change", 45),
    ("Disposition", 16),
    ("Response", 60),
)


def organisation_by_name(name: str) -> Organisation:
    """The organisation called `name`, matched as the importer matches it (case and spaces
    folded: "ACME  energy" finds "Acme Energy"); a ServiceError naming close matches if none."""
    organisation = db.session.scalar(
        select(Organisation).where(Organisation.name_key == organisation_key(name))
    )
    if organisation is None:
        names = list(db.session.scalars(select(Organisation.name)))
        close = difflib.get_close_matches(name.strip(), names, n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(repr(n) for n in close)}?" if close else ""
        raise ServiceError(f"no organisation called {name!r}{hint}")
    return organisation


def constituency_by_name(name: str) -> Constituency:
    """A reference constituency by name, written as logs write it ("Supplier - Large")."""
    known = {c.name: c for c in db.session.scalars(select(Constituency))}
    canonical = match_constituency(name, tuple(known))
    if canonical is None:
        raise ServiceError(f"no constituency called {name!r}; choose one of: {', '.join(known)}")
    return known[canonical]


def filter_from_names(
    *,
    tranche: str | None = None,
    artefact: str | None = None,
    organisation: str | None = None,
    constituency: str | None = None,
    disposition: str | None = None,
    review_round: int | None = None,
    q: str | None = None,
) -> CommentFilter:
    """The comment list's filter from what a person types (organisation and constituency
    by name); a ServiceError for a name or reference it can't use, rather than a filter
    that silently drops that part."""
    args: dict[str, str] = {}
    if artefact is not None:
        reference = normalise_artefact_ref(artefact)
        if reference is None:
            raise ServiceError(f"not an artefact reference: {artefact!r}")
        args["artefact"] = reference
    if organisation is not None:
        args["organisation"] = str(organisation_by_name(organisation).id)
    if constituency is not None:
        args["constituency"] = str(constituency_by_name(constituency).id)
    given = {"tranche": tranche, "disposition": disposition, "round": review_round, "q": q}
    args.update({key: str(value) for key, value in given.items() if value is not None})
    return CommentFilter.from_args(args)


def responses_log(organisation_id: int) -> bytes:
    """Every comment the organisation raised, with the programme's disposition and response,
    as xlsx to send back to the reviewer. Internal notes are never in it."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise ServiceError(f"no organisation with id {organisation_id}")
    # Only the columns a reviewer may see: the query itself never reads internal notes.
    query = (
        select(
            Tranche.code,
            ReviewRound.number,
            Artefact.reference,
            Artefact.title,
            Comment.log_comment_id,
            Comment.section,
            Comment.page,
            Comment.text,
            Comment.proposed_change,
            Comment.disposition,
            Comment.response,
        )
        .select_from(Comment)
        .join(Artefact, Artefact.id == Comment.artefact_id)
        .join(ReviewRound, ReviewRound.id == Comment.review_round_id)
        .join(Tranche, Tranche.id == ReviewRound.tranche_id)
        .where(Comment.organisation_id == organisation_id)
        .order_by(
            Tranche.position,
            ReviewRound.number,
            Artefact.position,
            Artefact.reference,
            Comment.source_row,
            Comment.id,
        )
    )
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Responses")
    _set_widths(sheet, [width for _label, width in RESPONSE_COLUMNS])
    sheet.freeze_panes = "A5"
    constituency = db.session.scalar(
        select(Constituency.name).where(Constituency.id == organisation.constituency_id)
    )
    sheet.append([_cell(sheet, f"Responses to the comments of {organisation.name}", font=TITLE)])
    sheet.append([_cell(sheet, "Organisation:"), _cell(sheet, organisation.name)])
    sheet.append([_cell(sheet, "Constituency:"), _cell(sheet, constituency)])
    _header(sheet, [label for label, _width in RESPONSE_COLUMNS])
    for row in _stream(query):
        tranche, number, *rest, disposition, response = row
        values = [tranche, round_label(number), *rest, DISPOSITION_LABELS[disposition], response]
        sheet.append([_cell(sheet, value, alignment=WRAP) for value in values])
    return _save(book)


def responses_filename(organisation: Organisation) -> str:
    slug = "".join(c if c.isalnum() else "-" for c in organisation.name.lower()).strip("-")
    return f"responses-{'-'.join(filter(None, slug.split('-')))}.xlsx"


# --- the comment register -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegisterColumn:
    label: str
    width: float
    wrap: bool = False


REGISTER_COLUMNS = (
    RegisterColumn("Comment", 9),
    RegisterColumn("Tranche", 8),
    RegisterColumn("Review Round", 11),
    RegisterColumn("Design Artefact", 11),
    RegisterColumn("Artefact Title", 30, wrap=True),
    RegisterColumn("MHHS Service", 22, wrap=True),
    RegisterColumn("Organisation", 26, wrap=True),
    RegisterColumn("Constituency", 26, wrap=True),
    RegisterColumn("Comment ID", 10),
    RegisterColumn("Section", 10),
    RegisterColumn("Page", 7),
    RegisterColumn("Line", 7),
    RegisterColumn("Comment Type", 12),
    RegisterColumn("Reviewer", 18),
    RegisterColumn("Date Raised", 12),
    RegisterColumn("Reviewer Comment", 60, wrap=True),
    RegisterColumn("Proposed Change", 45, wrap=True),
    RegisterColumn("Disposition", 16),
    RegisterColumn("Response", 55, wrap=True),
    RegisterColumn("Action Owner", 18),
    RegisterColumn("Action Due", 12),
    RegisterColumn("Duplicate Of", 10),
    RegisterColumn("Source File", 30),
    RegisterColumn("Source Sheet", 14),
    RegisterColumn("Source Row", 9),
    RegisterColumn("Last Changed", 18),
)
INTERNAL_NOTE_COLUMN = RegisterColumn("Internal Note", 45, wrap=True)
# The design team's working columns, left out of a reviewer's register (with the internal
# note): who owns a follow-up action and by when, and links to other comments.
REVIEWER_HIDDEN_COLUMNS = frozenset({"Action Owner", "Action Due", "Duplicate Of"})


def _register_columns_sql(internal_notes: bool, for_reviewer: bool = False) -> list:
    columns = [
        Comment.id,
        Tranche.code,
        ReviewRound.number,
        Artefact.reference,
        Artefact.title,
        Service.name,
        Organisation.name,
        Constituency.name,
        Comment.log_comment_id,
        Comment.section,
        Comment.page,
        Comment.line,
        Comment.comment_type,
        Comment.reviewer,
        Comment.raised_on,
        Comment.text,
        Comment.proposed_change,
        Comment.disposition,
        Comment.response,
        Comment.action_owner,
        Comment.action_due,
        Comment.duplicate_of_id,
        Comment.source_file,
        Comment.source_sheet,
        Comment.source_row,
        Comment.updated_at,
    ]
    if for_reviewer:
        return [
            column
            for label, column in zip((c.label for c in REGISTER_COLUMNS), columns, strict=True)
            if label not in REVIEWER_HIDDEN_COLUMNS
        ]
    return [*columns, Comment.internal_note] if internal_notes else columns


def _stream(query) -> Iterator[Sequence]:
    """Rows of a column query, fetched CHUNK_ROWS at a time (a server-side cursor where the
    database has one), never as ORM objects."""
    result = db.session.execute(query, execution_options={"yield_per": CHUNK_ROWS})
    for partition in result.partitions():
        yield from partition


def _register_rows(
    f: CommentFilter, internal_notes: bool, for_reviewer: bool = False
) -> Iterator[list]:
    """The filter's comments in the list page's order, a chunk at a time: the ids come from
    the list's own query (`filtered_ids`), then each chunk's columns in one joined query."""
    columns = _register_columns_sql(internal_notes, for_reviewer)
    disposition = next(i for i, column in enumerate(columns) if column is Comment.disposition)
    query = (
        select(*columns)
        .select_from(Comment)
        .join(Artefact, Artefact.id == Comment.artefact_id)
        .join(Organisation, Organisation.id == Comment.organisation_id)
        .join(Constituency, Constituency.id == Organisation.constituency_id)
        .join(ReviewRound, ReviewRound.id == Comment.review_round_id)
        .join(Tranche, Tranche.id == ReviewRound.tranche_id)
        .outerjoin(Service, Service.id == Artefact.service_id)
    )
    ids = db.session.execute(filtered_ids(f), execution_options={"yield_per": CHUNK_ROWS})
    for chunk in ids.scalars().partitions():
        rows = {row[0]: row for row in db.session.execute(query.where(Comment.id.in_(chunk)))}
        for comment_id in chunk:
            values = list(rows[comment_id])
            values[disposition] = DISPOSITION_LABELS[values[disposition]]
            yield values


def _register_columns(
    internal_notes: bool, for_reviewer: bool = False
) -> tuple[RegisterColumn, ...]:
    if for_reviewer:
        return tuple(c for c in REGISTER_COLUMNS if c.label not in REVIEWER_HIDDEN_COLUMNS)
    return (*REGISTER_COLUMNS, INTERNAL_NOTE_COLUMN) if internal_notes else REGISTER_COLUMNS


def comment_register(
    f: CommentFilter, *, internal_notes: bool = False, for_reviewer: bool = False
) -> bytes:
    """The comments the filter selects, as the list page orders them, as xlsx (streamed:
    a write-only workbook fed in chunks). Internal notes only if asked for; a reviewer's
    register (`for_reviewer`) never has them, nor the action owner, due date or duplicate."""
    internal_notes = internal_notes and not for_reviewer
    columns = _register_columns(internal_notes, for_reviewer)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Comments")
    _set_widths(sheet, [c.width for c in columns])
    sheet.freeze_panes = "A2"
    _header(sheet, [c.label for c in columns])
    for values in _register_rows(f, internal_notes, for_reviewer):
        sheet.append(
            [
                _cell(sheet, value, alignment=WRAP) if column.wrap else _value(sheet, value)
                for column, value in zip(columns, values, strict=True)
            ]
        )
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}1"
    return _save(book)


def comment_register_csv(
    f: CommentFilter, *, internal_notes: bool = False, for_reviewer: bool = False
) -> bytes:
    """The same register as CSV: UTF-8 with a byte order mark, so Excel reads it right."""
    internal_notes = internal_notes and not for_reviewer
    buffer = io.BytesIO()
    text = io.TextIOWrapper(buffer, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow([c.label for c in _register_columns(internal_notes, for_reviewer)])
    for values in _register_rows(f, internal_notes, for_reviewer):
        writer.writerow([csv_cell(value) for value in values])
    text.flush()
    data = buffer.getvalue()
    text.detach()
    return data


def register_filename(f: CommentFilter, suffix: str) -> str:
    parts = ["comments"]
    if f.tranche:
        parts.append(f"tranche-{f.tranche}")
    if f.review_round:
        parts.append(f"round-{f.review_round}")
    if f.artefact:
        parts.append(f.artefact)
    if f.disposition:
        parts.append(f.disposition)
    return "-".join(parts).lower() + suffix


__all__ = [
    "CSV_MIMETYPE",
    "FORMULA_TRIGGERS",
    "XLSX_MIMETYPE",
    "board_pack",
    "board_pack_filename",
    "comment_register",
    "comment_register_csv",
    "constituency_by_name",
    "filter_from_names",
    "looks_like_formula",
    "organisation_by_name",
    "register_filename",
    "responses_filename",
    "responses_log",
]

"""The board pack's "Progress" sheet: per day received, total, dispositioned and open, and the
median days to a disposition by constituency and by artefact (services/progress.py)."""

from __future__ import annotations

from openpyxl import Workbook
from sqlalchemy import select

from ..extensions import db
from ..models import ReviewRound, Tranche
from .progress import Progress, round_progress, tranche_progress
from .scope import Scope
from .spreadsheet import header_row, set_widths, title_rows, xlsx_cell


def progress_sheet(book: Workbook, tranche: str, review_round: int | None) -> None:
    """Append the sheet to the pack (the programme's own pack: the staff's scope)."""
    progress = _progress(tranche, review_round)
    sheet = book.create_sheet("Progress")
    what = f"Tranche {tranche}" + (f", round {review_round}" if review_round else ", every round")
    title_rows(sheet, f"Progress over time - {what}", "From import times and the audit trail.")
    header_row(sheet, ["Day", "Received", "Received so far", "Dispositioned", "Still open"])
    for day in progress.days:
        sheet.append([day["day"], day["received"], day["total"], day["dispositioned"], day["open"]])
    if progress.empty:
        sheet.append([xlsx_cell(sheet, "No comments received yet.")])
    for heading, rows in (
        ("Constituency", progress.by_constituency),
        ("Artefact", progress.by_artefact),
    ):
        sheet.append([])
        header_row(sheet, [heading, "Median days to a disposition", "Comments"])
        for name, median, count in rows:
            sheet.append([xlsx_cell(sheet, name), median, count])
    set_widths(sheet, [34, 16, 16, 16, 12])


def _progress(tranche: str, review_round: int | None) -> Progress:
    scope = Scope.staff()
    if review_round is None:
        return tranche_progress(tranche, scope)
    round_id = db.session.scalar(
        select(ReviewRound.id)
        .join(Tranche, Tranche.id == ReviewRound.tranche_id)
        .where(Tranche.code == tranche, ReviewRound.number == review_round)
    )
    return round_progress(round_id, scope) if round_id else Progress()


__all__ = ["progress_sheet"]

"""A reviewer organisation's responses log as xlsx: every comment it raised, with the
programme's disposition and response as published to it, to send back. Never the design
team's working fields, never an unpublished draft (whoever downloads it: it is the log the
organisation reads)."""

from __future__ import annotations

from openpyxl import Workbook
from sqlalchemy import select

from importers.vocabulary import PUBLISHED_OUTCOMES

from ..extensions import db
from ..models import (
    Artefact,
    Comment,
    Constituency,
    Organisation,
    ReviewRound,
    Tranche,
    round_label,
)
from . import ServiceError
from .scope import Scope, require
from .spreadsheet import TITLE, WRAP, header_row, set_widths, stream, workbook_bytes, xlsx_cell

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


class NoSuchOrganisation(ServiceError):
    """No organisation with that id, or none that the scope may see (the same to a reviewer)."""


def responses_log(organisation_id: int, scope: Scope) -> bytes:
    """Every comment the organisation raised, with the programme's disposition and response,
    as xlsx to send back to the reviewer. Internal notes are never in it. A reviewer's scope
    may ask only for its own organisation's (NoSuchOrganisation otherwise)."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not require(scope).may_see_organisation(organisation_id):
        raise NoSuchOrganisation(f"no organisation with id {organisation_id}")
    # Only the columns a reviewer may see, the outcome as published to the organisation: the
    # query itself never reads internal notes or drafts.
    readers = Scope.organisation(organisation_id)
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
            readers.disposition(),
            readers.response(),
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
    set_widths(sheet, [width for _label, width in RESPONSE_COLUMNS])
    sheet.freeze_panes = "A5"
    constituency = db.session.scalar(
        select(Constituency.name).where(Constituency.id == organisation.constituency_id)
    )
    sheet.append(
        [xlsx_cell(sheet, f"Responses to the comments of {organisation.name}", font=TITLE)]
    )
    sheet.append([xlsx_cell(sheet, "Organisation:"), xlsx_cell(sheet, organisation.name)])
    sheet.append([xlsx_cell(sheet, "Constituency:"), xlsx_cell(sheet, constituency)])
    header_row(sheet, [label for label, _width in RESPONSE_COLUMNS])
    for row in stream(query):
        tranche, number, *rest, disposition, response = row
        values = [
            tranche,
            round_label(number),
            *rest,
            PUBLISHED_OUTCOMES[disposition].label,
            response,
        ]
        sheet.append([xlsx_cell(sheet, value, alignment=WRAP) for value in values])
    return workbook_bytes(book)


def responses_filename(organisation: Organisation) -> str:
    slug = "".join(c if c.isalnum() else "-" for c in organisation.name.lower()).strip("-")
    return f"responses-{'-'.join(filter(None, slug.split('-')))}.xlsx"


__all__ = ["NoSuchOrganisation", "responses_filename", "responses_log"]

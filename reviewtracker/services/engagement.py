"""Engagement in a review round: the invited organisations by constituency, who has responded
(comments received in the round, the late ones apart, the last import) and who has not, the
days left. One function (`round_engagement`) for the round's page, the tranche dashboard's
panel, the JSON and the xlsx export.

"Responded": at least one comment received in the round. An organisation that responded
without being invited is listed too, marked not invited. Late: raised (or, with no date in the
log, imported) after the round's closing date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import Workbook
from sqlalchemy import Select, case, func, select

from ..extensions import db
from ..models import Comment, Constituency, Organisation, ReviewRound, RoundInvitation, Tranche
from .rounds import closing_date, get_round, round_state
from .scope import Scope, require
from .spreadsheet import header_row, set_widths, title_rows, workbook_bytes, xlsx_cell


def late_condition(review_round: ReviewRound):
    """SQL: the comment was raised (or imported, with no date) after the round closed."""
    closes = closing_date(review_round)
    if closes is None:
        return None
    return func.coalesce(Comment.raised_on, func.date(Comment.created_at)) > closes


@dataclass(slots=True)
class OrganisationEngagement:
    organisation_id: int
    organisation: str
    constituency: str
    invited: bool
    comments: int
    late: int
    last_import: datetime | None

    @property
    def responded(self) -> bool:
        return self.comments > 0

    def as_json(self) -> dict:
        return {
            "organisation": self.organisation,
            "constituency": self.constituency,
            "invited": self.invited,
            "responded": self.responded,
            "comments": self.comments,
            "late": self.late,
            "last_import": self.last_import.isoformat(timespec="seconds")
            if self.last_import
            else None,
        }


@dataclass(slots=True)
class ConstituencyEngagement:
    constituency: str
    invited: int = 0
    responded: int = 0
    comments: int = 0
    organisations: list[OrganisationEngagement] = field(default_factory=list)

    @property
    def no_response(self) -> bool:
        """Invited, and nobody in it has answered: the panel makes it stand out."""
        return self.invited > 0 and self.responded == 0

    def as_json(self) -> dict:
        return {
            "constituency": self.constituency,
            "invited": self.invited,
            "responded": self.responded,
            "comments": self.comments,
            "no_response": self.no_response,
            "organisations": [o.as_json() for o in self.organisations],
        }


@dataclass(slots=True)
class Engagement:
    round_id: int
    tranche: str
    number: int
    title: str
    state: str
    opens_on: date | None
    closes_on: date | None
    days_left: int | None  # while open with a closing date: days until it closes
    constituencies: list[ConstituencyEngagement] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        rows = [o for c in self.constituencies for o in c.organisations]
        return {
            "invited": sum(o.invited for o in rows),
            "responded": sum(o.responded for o in rows),
            "not_responded": sum(o.invited and not o.responded for o in rows),
            "comments": sum(o.comments for o in rows),
            "late": sum(o.late for o in rows),
        }

    def as_json(self) -> dict:
        """The API's shape."""
        return {
            "tranche": self.tranche,
            "round": self.number,
            "name": self.title,
            "state": self.state,
            "opens_on": self.opens_on.isoformat() if self.opens_on else None,
            "closes_on": self.closes_on.isoformat() if self.closes_on else None,
            "days_left": self.days_left,
            "totals": self.totals,
            "constituencies": [c.as_json() for c in self.constituencies],
        }


def organisation_counts(review_round: ReviewRound, scope: Scope) -> Select:
    """Per organisation in the round: its comments, the late ones and the last import. Read
    from ix_comment_rollup_constituency alone (it holds every column this reads)."""
    late = late_condition(review_round)
    late_count = func.sum(case((late, 1), else_=0)) if late is not None else func.sum(0)
    return (
        select(
            Comment.organisation_id.label("organisation_id"),
            func.count().label("comments"),
            late_count.label("late"),
            func.max(Comment.created_at).label("last_import"),
        )
        .where(Comment.review_round_id == review_round.id, *scope.comments())
        .group_by(Comment.organisation_id)
    )


def round_engagement(round_id: int, today: date, scope: Scope) -> Engagement:
    """Every reference constituency (in the pack's order), with the organisations of it that
    were invited to or commented in the round."""
    require(scope)
    review_round = get_round(round_id)
    state = round_state(review_round, today)
    closes = closing_date(review_round)
    per_organisation = organisation_counts(review_round, scope).subquery()
    invited = select(RoundInvitation.organisation_id).where(
        RoundInvitation.review_round_id == round_id
    )
    query = (
        select(
            Organisation.id,
            Organisation.name,
            Constituency.name,
            Organisation.id.in_(invited),
            func.coalesce(per_organisation.c.comments, 0),
            func.coalesce(per_organisation.c.late, 0),
            per_organisation.c.last_import,
        )
        .join(Constituency, Constituency.id == Organisation.constituency_id)
        .outerjoin(per_organisation, per_organisation.c.organisation_id == Organisation.id)
        .where(Organisation.id.in_(invited) | per_organisation.c.organisation_id.is_not(None))
        .order_by(Organisation.name_key)
    )
    code = db.session.scalar(select(Tranche.code).where(Tranche.id == review_round.tranche_id))
    days_left = (closes - today).days if state == "open" and closes is not None else None
    table = Engagement(
        round_id,
        code,
        review_round.number,
        review_round.title,
        state,
        review_round.opens_on,
        review_round.closes_on,
        days_left,
    )
    groups = {
        name: ConstituencyEngagement(name)
        for name in db.session.scalars(select(Constituency.name).order_by(Constituency.position))
    }
    for org_id, name, constituency, was_invited, comments, late_n, last in db.session.execute(
        query
    ):
        row = OrganisationEngagement(
            org_id, name, constituency, bool(was_invited), int(comments), int(late_n or 0), last
        )
        group = groups[constituency]
        group.organisations.append(row)
        group.invited += row.invited
        group.responded += row.responded
        group.comments += row.comments
    table.constituencies = list(groups.values())
    return table


def engagement_xlsx(engagement: Engagement) -> bytes:
    book = Workbook(write_only=True)
    engagement_sheet(book, engagement)
    return workbook_bytes(book)


def engagement_sheet(book: Workbook, engagement: Engagement, name: str = "Engagement") -> None:
    """A round's engagement as a sheet of `book` (its own export, and the board pack's)."""
    sheet = book.create_sheet(name)
    set_widths(sheet, [34, 34, 10, 11, 10, 8, 20])
    window = ""
    if engagement.opens_on and engagement.closes_on:
        window = f", {engagement.opens_on} to {engagement.closes_on}"
    title_rows(
        sheet,
        f"Engagement - Tranche {engagement.tranche}, {engagement.title}",
        f"{engagement.state}{window}",
    )
    header_row(
        sheet,
        ["Constituency", "Organisation", "Invited", "Responded", "Comments", "Late", "Last import"],
    )
    for group in engagement.constituencies:
        if not group.organisations:
            sheet.append([xlsx_cell(sheet, group.constituency), None, 0, 0, 0, 0, None])
        for row in group.organisations:
            sheet.append(
                [
                    xlsx_cell(sheet, value)
                    for value in (
                        group.constituency,
                        row.organisation,
                        "yes" if row.invited else "no",
                        "yes" if row.responded else "no",
                        row.comments,
                        row.late,
                        row.last_import,
                    )
                ]
            )


__all__ = [
    "ConstituencyEngagement",
    "Engagement",
    "OrganisationEngagement",
    "engagement_sheet",
    "engagement_xlsx",
    "late_condition",
    "round_engagement",
]

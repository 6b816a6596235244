"""The DAG pack's tables, counted by the database. One function per table.

The page, the JSON and the exports all call these, so they can never disagree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.sql import Select

from importers.records import DISPOSITIONS
from importers.reference import TRANCHES

from ..extensions import db
from ..models import Artefact, Comment, Constituency, Organisation, ReviewRound, Tranche
from . import ServiceError


@dataclass(slots=True)
class ArtefactStatus:
    reference: str
    title: str
    accepted: int = 0
    action: int = 0
    rejected: int = 0
    clarification: int = 0
    open: int = 0
    total: int = 0


@dataclass(slots=True)
class CommentStatusTable:
    """Comment status per artefact of a tranche, with the grand total row."""

    tranche: str
    review_round: int | None
    artefacts: list[ArtefactStatus] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class ConstituencyRow:
    constituency: str
    organisations: int
    comments: int


@dataclass(slots=True)
class ConstituencyTable:
    """Every reference constituency: organisations that commented and their comments."""

    tranche: str
    review_round: int | None
    constituencies: list[ConstituencyRow] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)


def _rounds(tranche: str, review_round: int | None) -> Select:
    """The ids of the review rounds in scope: a tranche's rounds, or one of them."""
    if tranche not in TRANCHES:
        raise ServiceError(f"unknown tranche {tranche!r}: choose one of {', '.join(TRANCHES)}")
    query = select(ReviewRound.id).join(Tranche).where(Tranche.code == tranche)
    if review_round is not None:
        query = query.where(ReviewRound.number == review_round)
    return query


def comment_status(tranche: str, review_round: int | None = None) -> CommentStatusTable:
    """The "Design Artefact Status Update" table: one row per artefact with comments."""
    # Count in the covering index first (grouped in its column order, so no sort and no
    # table lookups whatever the planner's statistics say), then join the few grouped rows.
    counts = (
        select(Comment.artefact_id, Comment.disposition, func.count().label("n"))
        .where(Comment.review_round_id.in_(_rounds(tranche, review_round)))
        .group_by(Comment.review_round_id, Comment.artefact_id, Comment.disposition)
        .subquery()
    )
    per_disposition = [
        func.sum(case((counts.c.disposition == name, counts.c.n), else_=0)).label(name)
        for name in DISPOSITIONS
    ]
    query = (
        select(Artefact.reference, Artefact.title, *per_disposition, func.sum(counts.c.n))
        .join(counts, counts.c.artefact_id == Artefact.id)
        .group_by(Artefact.id, Artefact.reference, Artefact.title, Artefact.position)
        .order_by(Artefact.position, Artefact.reference)
    )
    table = CommentStatusTable(tranche=tranche, review_round=review_round)
    for reference, title, *numbers in db.session.execute(query):
        table.artefacts.append(ArtefactStatus(reference, title or "", *map(int, numbers)))
    # The grand total row adds up the rows above it, exactly as the pack does.
    table.totals = {
        name: sum(getattr(row, name) for row in table.artefacts)
        for name in (*DISPOSITIONS, "total")
    }
    return table


def constituency_table(tranche: str, review_round: int | None = None) -> ConstituencyTable:
    """The constituency table: every constituency, zero rows included, busiest first."""
    # Per round and organisation, in the covering index's order; an organisation that
    # commented in two rounds is one organisation, hence the DISTINCT below.
    per_organisation = (
        select(Comment.organisation_id, func.count().label("n"))
        .where(Comment.review_round_id.in_(_rounds(tranche, review_round)))
        .group_by(Comment.review_round_id, Comment.organisation_id)
        .subquery()
    )
    comments = func.coalesce(func.sum(per_organisation.c.n), 0)
    organisations = func.count(per_organisation.c.organisation_id.distinct())
    query = (
        select(Constituency.name, organisations, comments)
        .outerjoin(Organisation, Organisation.constituency_id == Constituency.id)
        .outerjoin(per_organisation, per_organisation.c.organisation_id == Organisation.id)
        .group_by(Constituency.id, Constituency.name, Constituency.position)
        .order_by(comments.desc(), Constituency.position)
    )
    table = ConstituencyTable(tranche=tranche, review_round=review_round)
    table.constituencies = [
        ConstituencyRow(name, int(organisations), int(total))
        for name, organisations, total in db.session.execute(query)
    ]
    table.totals = {
        "organisations": sum(row.organisations for row in table.constituencies),
        "comments": sum(row.comments for row in table.constituencies),
    }
    return table


def tranche_rollup(tranche: str, review_round: int | None = None) -> dict:
    """Both tables as the JSON the CLI and the API print."""
    status = comment_status(tranche, review_round)
    constituencies = constituency_table(tranche, review_round)
    return {
        "tranche": tranche,
        "artefacts": [asdict(row) for row in status.artefacts],
        "totals": status.totals,
        "constituencies": [asdict(row) for row in constituencies.constituencies],
    }


@dataclass(slots=True)
class TrancheSummary:
    tranche: str
    artefacts: int
    comments: int
    open: int

    @property
    def triaged_percent(self) -> int:
        return round(100 * (self.comments - self.open) / self.comments) if self.comments else 0


def tranche_overview() -> list[TrancheSummary]:
    """Per tranche: artefacts in the register, comments received, comments still open."""
    artefacts = dict(
        db.session.execute(
            select(Tranche.code, func.count(Artefact.id))
            .outerjoin(Artefact, Artefact.tranche_id == Tranche.id)
            .group_by(Tranche.code)
        ).all()
    )
    comments = {
        code: (int(total), int(still_open or 0))
        for code, total, still_open in db.session.execute(
            select(
                Tranche.code,
                func.count(Comment.id),
                func.sum(case((Comment.disposition == "open", 1), else_=0)),
            )
            .join(ReviewRound, ReviewRound.tranche_id == Tranche.id)
            .join(Comment, Comment.review_round_id == ReviewRound.id)
            .group_by(Tranche.code)
        )
    }
    codes = db.session.scalars(select(Tranche.code).order_by(Tranche.position))
    return [
        TrancheSummary(code, artefacts.get(code, 0), *comments.get(code, (0, 0))) for code in codes
    ]

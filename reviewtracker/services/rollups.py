"""The DAG pack's tables, counted by the database. One function per table.

The page, the JSON and the exports all call these, so they can never disagree. The comment
status tables count as their scope reads: the staff's (the board pack, the CLI, staff pages)
the working dispositions; a reviewer's the published ones, a comment not yet published
counted as "open" (under consideration), so the shape stays the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.sql import Select

from importers.reference import TRANCHES
from importers.vocabulary import DISPOSITIONS, OPEN

from ..extensions import db
from ..models import (
    Artefact,
    Comment,
    CommentResolution,
    Constituency,
    Organisation,
    PublishedResponse,
    ReviewRound,
    Service,
    Tranche,
)
from . import ServiceError
from .scope import Scope, require


@dataclass(slots=True)
class DispositionCounts:
    """Comments per disposition: one count for each of DISPOSITIONS' keys, in its order.
    `row["accepted"]` reads one (as the templates do: `row[key]`)."""

    counts: dict[str, int]

    def __getitem__(self, key: str) -> int:
        return self.total if key == "total" else self.counts[key]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def open(self) -> int:
        return self.counts[OPEN]

    @property
    def triaged_percent(self) -> int:
        """Share of the comments triaged (not open), rounded down: 100 only when every
        comment is triaged."""
        return _percent(self.total - self.open, self.total)


def _counts(numbers: list) -> dict[str, int]:
    """The per-disposition columns of a query row (in DISPOSITIONS' order) as counts."""
    return dict(zip(DISPOSITIONS.keys, map(int, numbers), strict=True))


@dataclass(slots=True, kw_only=True)
class ArtefactStatus(DispositionCounts):
    reference: str
    title: str

    def as_json(self) -> dict:
        """{"reference", "title", one count per disposition, "total"}: the API's and the
        CLI's shape."""
        return {
            "reference": self.reference,
            "title": self.title,
            **self.counts,
            "total": self.total,
        }


@dataclass(slots=True)
class CommentStatusTable:
    """Comment status per artefact of a tranche, with the grand total row."""

    tranche: str
    review_round: int | None
    artefacts: list[ArtefactStatus] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        """The dispositions the table shows: the pack's four, and "open" while any is open.
        The page and the board pack both lay the table out by this."""
        if self.totals.get(OPEN):
            return DISPOSITIONS.keys
        return DISPOSITIONS.keys_except(OPEN)

    @property
    def triaged_percent(self) -> int:
        return _percent(
            self.totals.get("total", 0) - self.totals.get(OPEN, 0), self.totals.get("total", 0)
        )

    def as_json(self) -> dict:
        """The API's shape: {"tranche", "review_round", "artefacts", "totals"}."""
        return {
            "tranche": self.tranche,
            "review_round": self.review_round,
            "artefacts": [row.as_json() for row in self.artefacts],
            "totals": self.totals,
        }


@dataclass(slots=True)
class ConstituencyRow:
    constituency: str
    organisations: int
    comments: int
    # For links to the comment list filtered by constituency; not part of the JSON.
    constituency_id: int | None = None

    def as_json(self) -> dict:
        return {
            "constituency": self.constituency,
            "organisations": self.organisations,
            "comments": self.comments,
        }


@dataclass(slots=True)
class ConstituencyTable:
    """Every reference constituency: organisations that commented and their comments."""

    tranche: str
    review_round: int | None
    constituencies: list[ConstituencyRow] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict:
        """The API's shape: {"tranche", "review_round", "constituencies", "totals"}."""
        return {
            "tranche": self.tranche,
            "review_round": self.review_round,
            "constituencies": [row.as_json() for row in self.constituencies],
            "totals": self.totals,
        }


def _percent(part: int, whole: int) -> int:
    return 100 * part // whole if whole else 0


def _rounds(tranche: str, review_round: int | None) -> Select:
    """The ids of the review rounds in scope: a tranche's rounds, or one of them."""
    if tranche not in TRANCHES:
        raise ServiceError(f"unknown tranche {tranche!r}: choose one of {', '.join(TRANCHES)}")
    query = select(ReviewRound.id).join(Tranche).where(Tranche.code == tranche)
    if review_round is not None:
        query = query.where(ReviewRound.number == review_round)
    return query


def _status_counts(tranche: str, review_round: int | None, scope: Scope):
    """(artefact_id, disposition, n) per artefact and disposition as `scope` reads them."""
    rounds = _rounds(tranche, review_round)
    if not require(scope).reads_published:
        # Count in the covering index first (grouped in its column order, so no sort and no
        # table lookups whatever the planner's statistics say), then join the few rows.
        return (
            select(Comment.artefact_id, Comment.disposition, func.count().label("n"))
            .where(Comment.review_round_id.in_(rounds))
            .group_by(Comment.review_round_id, Comment.artefact_id, Comment.disposition)
            .subquery()
        )
    published = func.coalesce(PublishedResponse.disposition, OPEN)
    return (
        select(Comment.artefact_id, published.label("disposition"), func.count().label("n"))
        .select_from(Comment)
        .outerjoin(CommentResolution, CommentResolution.comment_id == Comment.id)
        .outerjoin(PublishedResponse, PublishedResponse.id == CommentResolution.published_id)
        .where(Comment.review_round_id.in_(rounds))
        .group_by(Comment.artefact_id, published)
        .subquery()
    )


def comment_status(
    tranche: str, review_round: int | None = None, *, scope: Scope
) -> CommentStatusTable:
    """The "Design Artefact Status Update" table: one row per artefact with comments, counted
    as `scope` reads them (a reviewer's: the published dispositions, "open" until then)."""
    counts = _status_counts(tranche, review_round, scope)
    per_disposition = [
        func.sum(case((counts.c.disposition == key, counts.c.n), else_=0)).label(key)
        for key in DISPOSITIONS.keys
    ]
    query = (
        select(Artefact.reference, Artefact.title, *per_disposition)
        .join(counts, counts.c.artefact_id == Artefact.id)
        .group_by(Artefact.id, Artefact.reference, Artefact.title, Artefact.position)
        .order_by(Artefact.position, Artefact.reference)
    )
    table = CommentStatusTable(tranche=tranche, review_round=review_round)
    for reference, title, *numbers in db.session.execute(query):
        table.artefacts.append(
            ArtefactStatus(counts=_counts(numbers), reference=reference, title=title or "")
        )
    # The grand total row adds up the rows above it, exactly as the pack does.
    table.totals = _totals(table.artefacts)
    return table


def _totals(rows: list[DispositionCounts]) -> dict[str, int]:
    """Per disposition and "total", the sums of `rows` (the tables' total rows)."""
    return {key: sum(row[key] for row in rows) for key in (*DISPOSITIONS.keys, "total")}


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
        select(Constituency.name, organisations, comments, Constituency.id)
        .outerjoin(Organisation, Organisation.constituency_id == Constituency.id)
        .outerjoin(per_organisation, per_organisation.c.organisation_id == Organisation.id)
        .group_by(Constituency.id, Constituency.name, Constituency.position)
        .order_by(comments.desc(), Constituency.position)
    )
    table = ConstituencyTable(tranche=tranche, review_round=review_round)
    table.constituencies = [
        ConstituencyRow(name, int(organisations), int(total), constituency_id)
        for name, organisations, total, constituency_id in db.session.execute(query)
    ]
    table.totals = {
        "organisations": sum(row.organisations for row in table.constituencies),
        "comments": sum(row.comments for row in table.constituencies),
    }
    return table


def tranche_rollup(tranche: str, review_round: int | None = None, *, scope: Scope) -> dict:
    """Both tables as the JSON the CLI and the API print (the status as `scope` reads it)."""
    status = comment_status(tranche, review_round, scope=scope)
    constituencies = constituency_table(tranche, review_round)
    return {
        "tranche": tranche,
        "artefacts": [row.as_json() for row in status.artefacts],
        "totals": status.totals,
        "constituencies": [row.as_json() for row in constituencies.constituencies],
    }


@dataclass(slots=True)
class TrancheSummary:
    tranche: str
    artefacts: int
    comments: int
    open: int

    @property
    def triaged_percent(self) -> int:
        return _percent(self.comments - self.open, self.comments)


def tranche_overview(scope: Scope) -> list[TrancheSummary]:
    """Per tranche: artefacts in the register, comments received, comments still open (for
    a reviewer's scope: not yet published)."""
    artefacts = dict(
        db.session.execute(
            select(Tranche.code, func.count(Artefact.id))
            .outerjoin(Artefact, Artefact.tranche_id == Tranche.id)
            .group_by(Tranche.code)
        ).all()
    )
    if require(scope).reads_published:
        still_open = CommentResolution.published_id.is_(None)
    else:
        still_open = Comment.disposition == OPEN
    query = (
        select(Tranche.code, func.count(Comment.id), func.sum(case((still_open, 1), else_=0)))
        .join(ReviewRound, ReviewRound.tranche_id == Tranche.id)
        .join(Comment, Comment.review_round_id == ReviewRound.id)
        .outerjoin(CommentResolution, CommentResolution.comment_id == Comment.id)
        .group_by(Tranche.code)
    )
    comments = {
        code: (int(total), int(open_ or 0)) for code, total, open_ in db.session.execute(query)
    }
    codes = db.session.scalars(select(Tranche.code).order_by(Tranche.position))
    return [
        TrancheSummary(code, artefacts.get(code, 0), *comments.get(code, (0, 0))) for code in codes
    ]


@dataclass(slots=True, kw_only=True)
class ArtefactCounts(DispositionCounts):
    """One artefact of the register with its comments per disposition (zeros included)."""

    reference: str
    title: str
    document_type: str
    version: str | None
    state: str | None
    # The artefact's tranche now, where it has moved on from the tranche listed (its comments
    # received in this tranche's rounds stay counted here); None while it is in this tranche.
    moved_to: str | None = None


@dataclass(slots=True)
class ServiceArtefacts:
    """The artefacts of one MHHS service in a tranche, with their totals."""

    service: str | None  # None: artefacts the register gives no service
    service_id: int | None
    artefacts: list[ArtefactCounts] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class TrancheArtefacts:
    tranche: str
    services: list[ServiceArtefacts] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def artefact_count(self) -> int:
        return sum(len(group.artefacts) for group in self.services)


def tranche_artefacts(tranche: str) -> TrancheArtefacts:
    """A tranche's artefacts grouped by service, with the comments received in the tranche's
    review rounds per disposition. Listed: every artefact in the tranche now (with or without
    comments), and every artefact that was reviewed in it and has since moved to another
    tranche (marked `moved_to`). So each comment is counted in exactly one tranche, the one
    whose round received it, whatever happened to its artefact later: the totals are the
    tranche's comment status table's, the tranches add up to every comment, and each number is
    the comment list filtered to the tranche and artefact (and disposition). A comment carried
    into a later round is one comment, counted in the round that received it."""
    rounds = _rounds(tranche, None)
    tranche_id = select(Tranche.id).where(Tranche.code == tranche).scalar_subquery()
    counts = (
        select(Comment.artefact_id, Comment.disposition, func.count().label("n"))
        .where(Comment.review_round_id.in_(rounds))
        .group_by(Comment.artefact_id, Comment.disposition)
        .subquery()
    )
    reviewed_here = select(counts.c.artefact_id)
    per_disposition = [
        func.coalesce(func.sum(case((counts.c.disposition == key, counts.c.n), else_=0)), 0)
        for key in DISPOSITIONS.keys
    ]
    described = (Artefact.reference, Artefact.title, Artefact.document_type, Artefact.version)
    described += (Artefact.state, Tranche.code)
    query = (
        select(Service.id, Service.name, *described, *per_disposition)
        .select_from(Artefact)
        .outerjoin(Tranche, Tranche.id == Artefact.tranche_id)
        .outerjoin(Service, Service.id == Artefact.service_id)
        .outerjoin(counts, counts.c.artefact_id == Artefact.id)
        .where((Artefact.tranche_id == tranche_id) | Artefact.id.in_(reviewed_here))
        .group_by(Artefact.id, Service.id, Service.name, *described, Artefact.position)
        .order_by(Service.name.is_(None), Service.name, Artefact.position, Artefact.reference)
    )
    table = TrancheArtefacts(tranche=tranche)
    for (
        service_id,
        service,
        reference,
        title,
        doc_type,
        version,
        state,
        now_in,
        *numbers,
    ) in db.session.execute(query):
        if not table.services or table.services[-1].service_id != service_id:
            table.services.append(ServiceArtefacts(service, service_id))
        row = ArtefactCounts(
            counts=_counts(numbers),
            reference=reference,
            title=title or "",
            document_type=doc_type or "",
            version=version,
            state=state,
            moved_to=(now_in or "none") if now_in != tranche else None,
        )
        table.services[-1].artefacts.append(row)
    for group in table.services:
        group.totals = _totals(group.artefacts)
    names = (*DISPOSITIONS.keys, "total")
    table.totals = {name: sum(g.totals[name] for g in table.services) for name in names}
    return table

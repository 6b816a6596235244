"""The live Design Artefact Tracker: one row per artefact, counted by the database. One
function (`tracker_rows`) serves the page, the xlsx export and `reviewtracker artefacts`.

The export's first columns are the register's own headings, so the team can keep editing it
in Excel and load it back with `import-artefacts` (services/artefact_import.py): a row the
export wrote and nobody edited comes back unchanged. The counted columns after them are
ignored by the import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from openpyxl import Workbook
from sqlalchemy import case, func, select
from sqlalchemy.sql import Select

from importers.reference import TRANCHES
from importers.vocabulary import ARTEFACT_STATES, DISPOSITIONS, OPEN

from ..extensions import db
from ..inputs import choice, positive_int, text_block
from ..models import Artefact, Comment, Service, Tranche
from .implementation import not_implemented_counts
from .outstanding import PARTS, Outstanding, empty, outstanding_issues
from .rollups import DispositionCounts
from .scope import Scope, require
from .spreadsheet import header_row, set_widths, title_rows, workbook_bytes, xlsx_cell

# The register's headings (what import-artefacts maps), then the counted columns.
REGISTER_HEADINGS = (
    "Tranche",
    "MHHS Service",
    "Document Type",
    "Reference",
    "Name / Description",
    "Version",
    "Status",
    "Action With",
    "Expected DAG Month",
    "Responsible",
)


@dataclass(frozen=True)
class TrackerFilter:
    """Which artefacts: every part optional, parts combine (URL args tranche, service, state,
    type)."""

    tranche: str | None = None
    service_id: int | None = None
    state: str | None = None  # a key of ARTEFACT_STATES, or "none" for not set
    document_type: str | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> TrackerFilter:
        """Tolerant: a value it cannot use is ignored."""
        state = args.get("state")
        return cls(
            tranche=choice(args.get("tranche"), TRANCHES),
            service_id=positive_int(args.get("service")),
            state=choice(state, (*ARTEFACT_STATES.keys, "none")),
            document_type=text_block(args.get("type"), 80) or None,
        )

    def to_args(self) -> dict[str, str]:
        values = {
            "tranche": self.tranche,
            "service": self.service_id,
            "state": self.state,
            "type": self.document_type,
        }
        return {key: str(value) for key, value in values.items() if value is not None}

    def artefact_ids(self) -> Select:
        """A SELECT of the ids of the artefacts this filter picks."""
        query = select(Artefact.id)
        if self.tranche is not None:
            query = query.join(Tranche, Tranche.id == Artefact.tranche_id).where(
                Tranche.code == self.tranche
            )
        if self.service_id is not None:
            query = query.where(Artefact.service_id == self.service_id)
        if self.state == "none":
            query = query.where(Artefact.state.is_(None))
        elif self.state is not None:
            query = query.where(Artefact.state == self.state)
        if self.document_type is not None:
            query = query.where(Artefact.document_type == self.document_type)
        return query


@dataclass(slots=True, kw_only=True)
class TrackerRow(DispositionCounts):
    artefact_id: int
    tranche: str | None
    service: str | None
    document_type: str
    reference: str
    title: str
    version: str | None
    state: str | None
    action_with: str | None
    expected_dag_month: str | None
    responsible: str | None
    last_change: datetime | None
    outstanding: Outstanding = field(default_factory=empty)
    accepted_not_implemented: int = 0

    @property
    def received(self) -> int:
        return self.total

    @property
    def state_label(self) -> str | None:
        return ARTEFACT_STATES[self.state].label if self.state else None

    def as_json(self) -> dict:
        """`reviewtracker artefacts --json`'s shape."""
        return {
            "reference": self.reference,
            "tranche": self.tranche,
            "service": self.service,
            "state": self.state_label,
            "version": self.version,
            "expected_dag_month": self.expected_dag_month,
        }


def tracker_rows(f: TrackerFilter, scope: Scope) -> list[TrackerRow]:
    """The tracker's rows in register order: each artefact the filter picks with its comments
    per disposition (all its comments, every round and tranche they came in), its outstanding
    issues (services/outstanding.py) and its Accepted changes not yet implemented."""
    require(scope)
    ids = f.artefact_ids()
    counts = (
        select(Comment.artefact_id, Comment.disposition, func.count().label("n"))
        .where(Comment.artefact_id.in_(ids), *scope.comments())
        .group_by(Comment.artefact_id, Comment.disposition)
        .subquery()
    )
    per_disposition = [
        func.coalesce(func.sum(case((counts.c.disposition == key, counts.c.n), else_=0)), 0)
        for key in DISPOSITIONS.keys
    ]
    described = (
        Artefact.id,
        Tranche.code,
        Service.name,
        Artefact.document_type,
        Artefact.reference,
        Artefact.title,
        Artefact.version,
        Artefact.state,
        Artefact.action_with,
        Artefact.expected_dag_month,
        Artefact.responsible,
        Artefact.updated_at,
    )
    query = (
        select(*described, *per_disposition)
        .select_from(Artefact)
        .outerjoin(Tranche, Tranche.id == Artefact.tranche_id)
        .outerjoin(Service, Service.id == Artefact.service_id)
        .outerjoin(counts, counts.c.artefact_id == Artefact.id)
        .where(Artefact.id.in_(ids))
        .group_by(*described, Artefact.position)
        .order_by(Artefact.position, Artefact.reference)
    )
    outstanding = outstanding_issues(ids, scope)
    pending = not_implemented_counts(ids, scope)
    rows = []
    for artefact_id, tranche, service, *rest in db.session.execute(query):
        values, numbers = rest[:9], rest[9:]
        row = TrackerRow(
            counts=dict(zip(DISPOSITIONS.keys, map(int, numbers), strict=True)),
            artefact_id=artefact_id,
            tranche=tranche,
            service=service,
            document_type=values[0] or "",
            reference=values[1],
            title=values[2] or "",
            version=values[3],
            state=values[4],
            action_with=values[5],
            expected_dag_month=values[6],
            responsible=values[7],
            last_change=values[8],
            outstanding=outstanding.get(artefact_id) or empty(),
            accepted_not_implemented=pending.get(artefact_id, 0),
        )
        rows.append(row)
    return rows


def filtered_artefact_ids(f: TrackerFilter) -> list[int]:
    """The ids of the artefacts the filter picks (a bulk move's), in register order."""
    return list(
        db.session.scalars(
            select(Artefact.id)
            .where(Artefact.id.in_(f.artefact_ids()))
            .order_by(Artefact.position, Artefact.reference)
        )
    )


def tracker_choices() -> dict:
    """What the filter can offer: services and document types in use."""
    services = db.session.execute(select(Service.id, Service.name).order_by(Service.name)).all()
    types = db.session.scalars(
        select(Artefact.document_type)
        .where(Artefact.document_type != "")
        .distinct()
        .order_by(Artefact.document_type)
    ).all()
    return {"services": services, "document_types": types}


def tracker_headings() -> list[str]:
    """Every column of the export, in order."""
    return [
        *REGISTER_HEADINGS,
        "Comments Received",
        *(term.label for term in DISPOSITIONS if term.key != OPEN),
        DISPOSITIONS[OPEN].label,
        "Outstanding Issues",
        *(f"Outstanding: {part.label}" for part in PARTS),
        "Accepted Not Implemented",
        "Last Change",
    ]


def tracker_xlsx(f: TrackerFilter, scope: Scope) -> bytes:
    """The tracker as an xlsx the register import reads back (see the module's docstring)."""
    book = Workbook(write_only=True)
    tracker_sheet(book, f, scope)
    return workbook_bytes(book)


def tracker_sheet(book: Workbook, f: TrackerFilter, scope: Scope) -> None:
    """The tracker as a sheet of `book` (its own export, and the board pack's)."""
    sheet = book.create_sheet("Design Artefact Tracker")
    set_widths(sheet, [8, 28, 24, 11, 44, 9, 24, 14, 12, 18, 10, 9, 9, 9, 12, 8, 11, 11, 11, 17])
    title_rows(sheet, "Design Artefact Tracker", _subtitle(f))
    header_row(sheet, tracker_headings())
    for row in tracker_rows(f, scope):
        sheet.append(
            [
                xlsx_cell(sheet, value)
                for value in (
                    row.tranche,
                    row.service,
                    row.document_type,
                    row.reference,
                    row.title,
                    row.version,
                    row.state_label,
                    row.action_with,
                    row.expected_dag_month,
                    row.responsible,
                    row.received,
                    *(row[term.key] for term in DISPOSITIONS if term.key != OPEN),
                    row.open,
                    row.outstanding.total,
                    *(row.outstanding.parts.get(part.name, 0) for part in PARTS),
                    row.accepted_not_implemented,
                    row.last_change,
                )
            ]
        )


def _subtitle(f: TrackerFilter) -> str:
    parts = [f"Tranche {f.tranche}" if f.tranche else "All tranches"]
    if f.state == "none":
        parts.append("state not set")
    elif f.state:
        parts.append(ARTEFACT_STATES[f.state].label)
    if f.document_type:
        parts.append(f.document_type)
    return ", ".join(parts) + ". Edit the first ten columns and load it back with import-artefacts."


__all__ = [
    "REGISTER_HEADINGS",
    "TrackerFilter",
    "TrackerRow",
    "filtered_artefact_ids",
    "tracker_choices",
    "tracker_headings",
    "tracker_rows",
    "tracker_sheet",
    "tracker_xlsx",
]

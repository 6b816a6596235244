"""The design dashboard's history: one tranche x service month by month, with who changed
which field when (DesignStatusEvent). Reads only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..models import DesignStatus, DesignStatusEvent
from .design_status import FIELD_LABELS, service_by_name_or_id, tranche_by_code
from .months import previous_month


@dataclass(slots=True)
class HistoryEvent:
    month: str
    field: str
    label: str
    before: str | None
    after: str | None
    actor: str
    at: datetime
    origin: str
    source_file: str | None


@dataclass(slots=True)
class HistoryMonth:
    month: str
    rag: str | None
    rag_last_month: str | None
    planned_month: str | None
    expected_month: str | None
    status_and_issues: str
    actions_to_resolve: str
    updated_by: str
    updated_at: datetime
    origin: str
    version: int
    # Newest change first; the fields of one change in the form's order.
    events: list[HistoryEvent] = field(default_factory=list)


def service_history(tranche: str, service: str | int) -> list[HistoryMonth]:
    """The months of one tranche x service (service by name or id), newest first, each with
    its changes from the audit table, newest first. Two queries."""
    tranche_row, service_row = tranche_by_code(tranche), service_by_name_or_id(service)
    records = list(
        db.session.scalars(
            select(DesignStatus)
            .where(
                DesignStatus.tranche_id == tranche_row.id,
                DesignStatus.service_id == service_row.id,
            )
            .order_by(DesignStatus.month.desc())
        )
    )
    rags = {record.month: record.rag for record in records}
    months = {
        record.id: HistoryMonth(
            month=record.month,
            rag=record.rag,
            rag_last_month=rags.get(previous_month(record.month)),
            planned_month=record.planned_month,
            expected_month=record.expected_month,
            status_and_issues=record.status_and_issues or "",
            actions_to_resolve=record.actions_to_resolve or "",
            updated_by=record.updated_by,
            updated_at=record.updated_at,
            origin=record.origin,
            version=record.version,
        )
        for record in records
    }
    if months:
        _add_events(months)
    return list(months.values())


def _add_events(months: dict[int, HistoryMonth]) -> None:
    """Each record's changes from the audit table, newest first, onto its month."""
    events = db.session.scalars(
        select(DesignStatusEvent)
        .where(DesignStatusEvent.status_id.in_(list(months)))
        .order_by(DesignStatusEvent.at.desc(), DesignStatusEvent.id)
    )
    for event in events:
        entry = months[event.status_id]
        entry.events.append(
            HistoryEvent(
                month=entry.month,
                field=event.field,
                label=FIELD_LABELS.get(event.field, event.field),
                before=event.before,
                after=event.after,
                actor=event.actor,
                at=event.at,
                origin=event.origin,
                source_file=event.source_file,
            )
        )

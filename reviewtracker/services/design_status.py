"""The design dashboard's records: the DAG pack's "MHHS Design Dashboard" slide, kept month by
month, one DesignStatus per tranche x service x month.

"RAG last month" of month M is the RAG of M-1's record, so entering May's status turns
April's "this month" into May's "last month". Every change goes through `set_status`, which
checks the version the lead's form was loaded with (optimistic locking) and audits each
changed field in DesignStatusEvent (the comment audit table is for comments only). It
flushes; the caller's unit of work commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, func, literal, select, union, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement

from importers.normalise import fold_name
from importers.vocabulary import RAG_STATUSES

from ..extensions import db
from ..models import (
    ORIGINS,
    Artefact,
    DesignStatus,
    DesignStatusEvent,
    Service,
    Tranche,
    utcnow,
)
from . import ServiceError
from .months import (
    FIRST_MONTH,
    LAST_MONTH,
    current_month,
    is_month,
    month_label,
    parse_month,
    previous_month,
)

# The fields a lead edits (and the import writes), in the form's order.
STATUS_FIELDS = (
    "rag",
    "planned_month",
    "expected_month",
    "status_and_issues",
    "actions_to_resolve",
)
FIELD_LABELS = {
    "rag": "RAG",
    "planned_month": "Planned DAG month",
    "expected_month": "Expected DAG month",
    "status_and_issues": "Current status and issues",
    "actions_to_resolve": "Actions to resolve",
}
_SHORT_FIELDS = {"planned_month": 20, "expected_month": 20}


# --- the dashboard -----------------------------------------------------------------------------


@dataclass
class DesignDashboardRow:
    tranche: str
    service: str
    artefacts: int
    rag_last_month: str | None
    rag_this_month: str | None
    planned_month: str | None
    expected_month: str | None
    status_and_issues: str
    actions_to_resolve: str


@dataclass
class DesignDashboard:
    month: str
    previous_month: str
    rows: list[DesignDashboardRow]


def _in_range() -> ColumnElement[bool]:
    """Records of the months a page can show (a bad month stored before the range was checked
    is not the dashboard's latest, nor offered in its list)."""
    return DesignStatus.month.between(FIRST_MONTH, LAST_MONTH)


def months_with_records() -> list[str]:
    """Every month from FIRST_MONTH to LAST_MONTH that has a record, newest first."""
    return list(
        db.session.scalars(
            select(DesignStatus.month)
            .where(_in_range())
            .distinct()
            .order_by(DesignStatus.month.desc())
        )
    )


def latest_month() -> str | None:
    return db.session.scalar(select(func.max(DesignStatus.month)).where(_in_range()))


def design_dashboard(month: str | None = None) -> DesignDashboard:
    """The dashboard of `month` (YYYY-MM); None: the latest month with records, else this one.

    One query: the register's artefact counts per tranche x service (GROUP BY), joined with
    this month's and last month's records. A tranche x service shows if it has artefacts or
    a record in either month; rows are in tranche order, then by service name.
    """
    if month is None:
        month = latest_month() or current_month()
    month = parse_month(month)
    last = previous_month(month)
    counts = (
        select(Artefact.tranche_id, Artefact.service_id, func.count().label("artefacts"))
        .where(Artefact.tranche_id.is_not(None), Artefact.service_id.is_not(None))
        .group_by(Artefact.tranche_id, Artefact.service_id)
        .cte("counts")
    )
    keys = union(
        select(counts.c.tranche_id, counts.c.service_id),
        select(DesignStatus.tranche_id, DesignStatus.service_id).where(
            DesignStatus.month.in_([month, last])
        ),
    ).subquery("keys")
    this, before = aliased(DesignStatus), aliased(DesignStatus)

    def same_key(table):
        return and_(table.tranche_id == keys.c.tranche_id, table.service_id == keys.c.service_id)

    query = (
        select(
            Tranche.code,
            Service.name,
            func.coalesce(counts.c.artefacts, literal(0)),
            before.rag,
            this.rag,
            this.planned_month,
            this.expected_month,
            func.coalesce(this.status_and_issues, literal("")),
            func.coalesce(this.actions_to_resolve, literal("")),
        )
        .select_from(keys)
        .join(Tranche, Tranche.id == keys.c.tranche_id)
        .join(Service, Service.id == keys.c.service_id)
        .outerjoin(counts, same_key(counts.c))
        .outerjoin(this, and_(same_key(this), this.month == month))
        .outerjoin(before, and_(same_key(before), before.month == last))
        .order_by(Tranche.position, Service.name)
    )
    rows = [DesignDashboardRow(*row) for row in db.session.execute(query)]
    return DesignDashboard(month=month, previous_month=last, rows=rows)


def service_ids_by_name() -> dict[str, int]:
    """Service name -> id, for the pages' links (the dashboard rows carry names)."""
    return dict(db.session.execute(select(Service.name, Service.id)).all())


# --- one record ---------------------------------------------------------------------------------


class StaleStatus(ServiceError):
    """Somebody else saved the record since the form was loaded."""


@dataclass(slots=True)
class StatusChange:
    """What set_status did: the record, whether it is new, and field -> (before, after)."""

    status: DesignStatus
    created: bool
    changed: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


def tranche_by_code(code: str) -> Tranche:
    tranche = db.session.scalar(select(Tranche).where(Tranche.code == str(code).strip()))
    if tranche is None:
        raise ServiceError(f"unknown tranche {code!r}")
    return tranche


def service_by_name_or_id(service: str | int) -> Service:
    if isinstance(service, int):
        found = db.session.get(Service, service)
    else:
        # Stored names are tidy (tidy_name): folding the stored one in SQL matches fold_name.
        found = db.session.scalar(
            select(Service).where(func.lower(Service.name) == fold_name(str(service)))
        )
    if found is None:
        raise ServiceError(f"unknown service {service!r}")
    return found


def find_status(tranche: str, service: str | int, month: str) -> DesignStatus | None:
    """That month's record of a tranche x service, if there is one (never for a month outside
    FIRST_MONTH..LAST_MONTH)."""
    if not is_month(month):
        return None
    return db.session.scalar(
        select(DesignStatus).where(
            DesignStatus.tranche_id == tranche_by_code(tranche).id,
            DesignStatus.service_id == service_by_name_or_id(service).id,
            DesignStatus.month == parse_month(month),
        )
    )


def clean_values(values: dict) -> dict[str, str | None]:
    """`values` (any of STATUS_FIELDS) as they are stored; ServiceError for an unknown field,
    an unknown RAG or a value too long."""
    unknown = set(values) - set(STATUS_FIELDS)
    if unknown:
        raise ServiceError(f"cannot set {', '.join(sorted(unknown))} on the design dashboard")
    cleaned: dict[str, str | None] = {}
    for name, value in values.items():
        text = "" if value is None else str(value).replace("\r\n", "\n").replace("\r", "\n")
        text = text.strip()
        if name in ("status_and_issues", "actions_to_resolve"):
            cleaned[name] = text
            continue
        if name == "rag" and text and text not in RAG_STATUSES:
            raise ServiceError(f"unknown RAG {text!r} (one of {', '.join(RAG_STATUSES.keys)})")
        if len(text) > _SHORT_FIELDS.get(name, 16):
            raise ServiceError(f"{FIELD_LABELS[name]} is too long: {text!r}")
        cleaned[name] = text or None
    return cleaned


def set_status(
    tranche: str,
    service: str | int,
    month: str,
    values: dict,
    actor: str,
    origin: str = "browser",
    *,
    expected_version: int | None = None,
    source_file: str | None = None,
) -> StatusChange:
    """Create or update the record of `tranche` x `service` (its name, or its id) for `month`
    (YYYY-MM) with `values` (any of STATUS_FIELDS), auditing each field that changes.

    `expected_version` is the version the lead's form was loaded with (0 for "no record
    yet"): if the record has moved on since, StaleStatus says so; the caller's unit of work
    then rolls back whatever the change had begun to write.
    """
    if origin not in ORIGINS:
        raise ServiceError(f"unknown origin {origin!r}")
    cleaned = clean_values(values)
    month = parse_month(month)
    tranche_row, service_row = tranche_by_code(tranche), service_by_name_or_id(service)
    status = db.session.scalar(
        select(DesignStatus).where(
            DesignStatus.tranche_id == tranche_row.id,
            DesignStatus.service_id == service_row.id,
            DesignStatus.month == month,
        )
    )
    version = status.version if status is not None else 0
    if expected_version is not None and expected_version != version:
        raise StaleStatus(
            f"{service_row.name}, tranche {tranche_row.code}, {month_label(month)} was changed "
            f"by someone else since you opened it; nothing was saved"
        )
    created = status is None
    if created:
        status = DesignStatus(
            tranche_id=tranche_row.id,
            service_id=service_row.id,
            month=month,
            status_and_issues="",
            actions_to_resolve="",
            origin=origin,
            updated_by=actor,
            version=1,
        )
        db.session.add(status)
    changed = {
        name: (getattr(status, name), value)
        for name, value in cleaned.items()
        if getattr(status, name) != value
    }
    if changed and not created:
        # The version in the WHERE clause makes the check and the write one atomic step.
        result = db.session.execute(
            update(DesignStatus)
            .where(DesignStatus.id == status.id, DesignStatus.version == version)
            .values(
                {name: after for name, (_, after) in changed.items()}
                | {"origin": origin, "updated_by": actor, "updated_at": utcnow()}
                | {"version": version + 1}
            )
            .execution_options(synchronize_session="fetch")
        )
        if result.rowcount != 1:
            raise StaleStatus("the record was changed by someone else; nothing was saved")
    elif created:
        for name, (_, after) in changed.items():
            setattr(status, name, after)
    try:
        db.session.flush()
    except IntegrityError as error:  # another lead created the same month's record meanwhile
        raise StaleStatus("the record was created by someone else meanwhile; nothing saved") from (
            error
        )
    _audit(status, changed, actor, origin, source_file)
    return StatusChange(status, created, changed)


def _audit(
    status: DesignStatus,
    changed: dict[str, tuple[str | None, str | None]],
    actor: str,
    origin: str,
    source_file: str | None,
) -> None:
    """One DesignStatusEvent per changed field, all at one time."""
    now = utcnow()
    db.session.add_all(
        DesignStatusEvent(
            status_id=status.id,
            field=name,
            before=before or None,
            after=after or None,
            actor=actor,
            at=now,
            origin=origin,
            source_file=source_file,
        )
        for name, (before, after) in changed.items()
    )
    db.session.flush()

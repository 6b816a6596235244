"""The design dashboard: the DAG pack's "MHHS Design Dashboard" slide, kept month by month.

One DesignStatus record per tranche x service x month. "RAG last month" of month M is the
RAG of M-1's record, so entering May's status turns April's "this month" into May's "last
month". Every change goes through `set_status`, which audits each changed field in
DesignStatusEvent (the comment audit table is for comments only).
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import and_, func, literal, select, union, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement

from importers import read_design_dashboard
from importers.design_dashboard import RAGS, DesignDashboardRecord
from importers.records import Problem, SheetReport

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
from .reference import get_or_create_service, tranche_ids_by_code

RAG_LABELS: dict[str, str] = {
    "on_track": "On track",
    "at_risk": "At risk",
    "not_on_track": "Not on track / high risk",
    "complete": "Complete",
    "tbd": "To be determined",
}
# CSS colours (#rrggbb, so an xlsx fill can use them without the '#'), as the pack draws them.
RAG_COLOURS: dict[str, str] = {
    "on_track": "#2e8540",
    "at_risk": "#f0a202",
    "not_on_track": "#c62828",
    "complete": "#1f6fb2",
    "tbd": "#8c96a0",
}
assert tuple(RAG_LABELS) == RAGS == tuple(RAG_COLOURS)

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
_MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])\Z")
_SHORT_FIELDS = {"planned_month": 20, "expected_month": 20}


# --- months ------------------------------------------------------------------------------------

# The months a status may be kept for. Far wider than any programme, and narrow enough that a
# typing slip ("9999-12", "0001-01") is refused instead of becoming the dashboard's latest
# month, and that every month's neighbours are months too.
FIRST_MONTH = "2000-01"
LAST_MONTH = "2100-12"


def parse_month(text: str | None) -> str:
    """'2022-04' as is; anything else, or a month outside FIRST_MONTH..LAST_MONTH, is a
    ServiceError."""
    text = (text or "").strip()
    if not _MONTH.match(text):
        raise ServiceError(f"not a month: {text!r} (write it as YYYY-MM, e.g. 2022-04)")
    if not FIRST_MONTH <= text <= LAST_MONTH:
        raise ServiceError(f"{text} is not a month from {FIRST_MONTH} to {LAST_MONTH}")
    return text


def is_month(text: str | None) -> bool:
    """True for YYYY-MM from FIRST_MONTH to LAST_MONTH (what `parse_month` accepts)."""
    return bool(text and _MONTH.match(text) and FIRST_MONTH <= text <= LAST_MONTH)


def _shift(month: str, months: int) -> str:
    """The month `months` after `month`: YYYY-MM of any year (a month stored before the range
    was checked has neighbours too); anything else is a ServiceError."""
    match = _MONTH.match((month or "").strip())
    if match is None:
        raise ServiceError(f"not a month: {month!r} (write it as YYYY-MM, e.g. 2022-04)")
    index = int(match.group(1)) * 12 + int(match.group(2)) - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def previous_month(month: str) -> str:
    return _shift(month, -1)


def next_month(month: str) -> str:
    return _shift(month, 1)


def current_month() -> str:
    return utcnow().strftime("%Y-%m")


def month_label(month: str | None) -> str:
    """'2022-04' -> 'April 2022'. A stored month that is no calendar month (from before the
    range was checked) is shown as it is."""
    try:
        return datetime.strptime(month or "", "%Y-%m").strftime("%B %Y")
    except ValueError:
        return month or ""


def neighbour_in_range(month: str) -> str | None:
    """`month` if it is one a page may link to (see `is_month`), else None."""
    return month if is_month(month) else None


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


def _tranche(code: str) -> Tranche:
    tranche = db.session.scalar(select(Tranche).where(Tranche.code == str(code).strip()))
    if tranche is None:
        raise ServiceError(f"unknown tranche {code!r}")
    return tranche


def _service(service: str | int) -> Service:
    if isinstance(service, int):
        found = db.session.get(Service, service)
    else:
        name = " ".join(str(service).split())
        found = db.session.scalar(select(Service).where(func.lower(Service.name) == name.lower()))
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
            DesignStatus.tranche_id == _tranche(tranche).id,
            DesignStatus.service_id == _service(service).id,
            DesignStatus.month == parse_month(month),
        )
    )


def _clean(values: dict) -> dict[str, str | None]:
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
        if name == "rag" and text and text not in RAGS:
            raise ServiceError(f"unknown RAG {text!r} (one of {', '.join(RAGS)})")
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
    commit: bool = True,
) -> StatusChange:
    """Create or update the record of `tranche` x `service` (its name, or its id) for `month`
    (YYYY-MM) with `values` (any of STATUS_FIELDS), auditing each field that changes.

    `expected_version` is the version the lead's form was loaded with (0 for "no record
    yet"): if the record has moved on since, nothing is saved and StaleStatus says so.
    """
    if origin not in ORIGINS:
        raise ServiceError(f"unknown origin {origin!r}")
    cleaned = _clean(values)
    month = parse_month(month)
    tranche_row, service_row = _tranche(tranche), _service(service)
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
            db.session.rollback()
            raise StaleStatus("the record was changed by someone else; nothing was saved")
    elif created:
        for name, (_, after) in changed.items():
            setattr(status, name, after)
    try:
        db.session.flush()
    except IntegrityError as error:  # another lead created the same month's record meanwhile
        db.session.rollback()
        raise StaleStatus("the record was created by someone else meanwhile; nothing saved") from (
            error
        )
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
    if commit:
        db.session.commit()
    return StatusChange(status, created, changed)


# --- history -----------------------------------------------------------------------------------


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
    tranche_row, service_row = _tranche(tranche), _service(service)
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
    return list(months.values())


# --- import ------------------------------------------------------------------------------------


@dataclass(slots=True)
class DesignImportReport:
    file: str
    month: str
    created: int = 0  # this month's records
    updated: int = 0
    unchanged: int = 0
    previous_created: int = 0  # last month's records made from the "RAG last month" column
    services_created: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # browser changes kept
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sheets: list[SheetReport] = field(default_factory=list)
    dry_run: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors


def _record_values(record: DesignDashboardRecord) -> dict[str, str | None]:
    return {
        "rag": record.rag_this_month,
        "planned_month": record.planned,
        "expected_month": record.expected,
        "status_and_issues": record.status_and_issues,
        "actions_to_resolve": record.actions,
    }


def _check_records(records: list[DesignDashboardRecord], report: DesignImportReport) -> None:
    """What the reader can't know: tranches missing from the database, values too long."""
    tranches = tranche_ids_by_code()
    for record in records:
        where = {"sheet": record.sheet, "row": record.row}
        if record.tranche not in tranches:
            report.problems.append(
                Problem(
                    report.file,
                    "unknown tranche {value} (not in the database: run reviewtracker init-db)",
                    column="Tranche",
                    value=record.tranche,
                    **where,
                )
            )
        try:
            _clean(_record_values(record))
        except ServiceError as error:
            report.problems.append(Problem(report.file, str(error), **where))


def import_design_dashboard(
    path: str | Path,
    month: str,
    actor: str,
    *,
    filename: str | None = None,
    dry_run: bool = False,
) -> DesignImportReport:
    """Write `month`'s records from a design dashboard file's "this month" columns, and the
    previous month's RAG from "last month" where that month has no record yet (so the
    column survives). One transaction: a file with any error writes nothing. A service not
    yet known is created; a record last changed in the browser is kept (listed as a
    conflict), never overwritten."""
    month = parse_month(month)
    path = Path(path)
    filename = filename or path.name
    read = read_design_dashboard(path.read_bytes(), filename=filename)
    report = DesignImportReport(
        file=filename, month=month, problems=list(read.problems), sheets=read.sheets
    )
    report.dry_run = dry_run
    if read.ok:
        _check_records(read.records, report)
    if not report.ok:
        return report
    db.session.rollback()
    try:
        known = {name.lower() for name in db.session.scalars(select(Service.name))}
        services: dict[str, int] = {}
        for record in read.records:
            service_id = get_or_create_service(record.service, services)
            if record.service.lower() not in known:
                known.add(record.service.lower())
                report.services_created.append(record.service)
            _import_record(record, service_id, month, actor, report)
    except Exception:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return report


def _import_record(
    record: DesignDashboardRecord,
    service_id: int,
    month: str,
    actor: str,
    report: DesignImportReport,
) -> None:
    where = f"row {record.row}: tranche {record.tranche}, {record.service}"
    values = _clean(_record_values(record))
    existing = find_status(record.tranche, service_id, month)
    differs = existing is not None and any(getattr(existing, n) != v for n, v in values.items())
    if existing is not None and existing.origin == "browser" and differs:
        report.conflicts.append(
            f"{where}: {month_label(month)} was changed in the browser by "
            f"{existing.updated_by}; kept, the file's values not imported"
        )
    else:
        change = set_status(
            record.tranche, service_id, month, values, actor, "import",
            source_file=report.file, commit=False,
        )  # fmt: skip
        if change.created:
            report.created += 1
        elif change.changed:
            report.updated += 1
        else:
            report.unchanged += 1
    if record.rag_last_month is None:
        return
    last = previous_month(month)
    before = find_status(record.tranche, service_id, last)
    if before is None:
        set_status(
            record.tranche, service_id, last, {"rag": record.rag_last_month}, actor, "import",
            source_file=report.file, commit=False,
        )  # fmt: skip
        report.previous_created += 1
    elif before.rag != record.rag_last_month:
        report.notes.append(
            f"{where}: the file's last month RAG ({RAG_LABELS[record.rag_last_month]}) differs "
            f"from {month_label(last)}'s record "
            f"({RAG_LABELS.get(before.rag or '', 'blank')}); the record is kept"
        )


# --- demo ----------------------------------------------------------------------------------------

_T1_STATUS = (
    "• High levels of comments in first review. Initial updates made, republished for review"
)
_T1_ACTION = "• Resolution of outstanding comments"
_T2_STATUS = (
    "• Design activity ongoing with {} Sub-working Group, on schedule for Tranche 2 release"
)
# The DAG #8 pack's design dashboard for tranches 1 and 2 (April 2022): tranche, service,
# artefacts, RAG last month, RAG this month, planned, expected, status and issues, actions.
DAG8_DESIGN_DASHBOARD: tuple[tuple, ...] = (
    *(
        ("1", service, count, "Green", "Amber", "Apr", "Apr", _T1_STATUS, _T1_ACTION)
        for service, count in (
            ("Load Shaping Service", 5),
            ("Registration Service", 16),
            ("Metering and Data Services", 6),
        )
    ),
    (
        "1", "DIP Technical Documents", 3, "Green", "Green", "Mar", "Mar",
        "• Approved for issue within DIP RFP, accepted that further iteration is expected", "",
    ),
    (
        "2", "Registration Service", 15, "Green", "Amber", "May", "May",
        "• Lack of supplier input into Change of Service work-groups",
        "• Explore options to specifically seek supplier feedback in initial Tranche 2 review",
    ),
    *(
        ("2", service, count, "Green", "Green", "May", "May", _T2_STATUS.format(group), "")
        for service, count, group in (
            ("Advanced Data Service", 2, "Advanced"),
            ("Unmetered Data Service", 1, "Unmetered"),
            ("Smart Data Service", 2, "Smart"),
            ("Demand Disconnection Event", 4, "ECS"),
            ("Marketwide Data Service", 4, "ECS"),
            ("Volume Allocation Service", 4, "ECS"),
        )
    ),
)  # fmt: skip
DEMO_MONTH = "2022-04"
_XLSX_HEADER = (
    "Tranche", "MHHS Service", "Artefacts", "RAG", None, "Planned DAG Month",
    "Expected DAG Month", "Current status and issues", "Actions to resolve",
)  # fmt: skip


def write_design_dashboard_xlsx(path: Path, rows=DAG8_DESIGN_DASHBOARD) -> Path:
    """The pack's slide as a workbook: title rows, "RAG" merged over "Last month | This
    month", the tranche written once per group, the legend below."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Design Dashboard"
    sheet.append(["MHHS Design Dashboard"])
    sheet.append(["INFORMATION: Updates from DAG Working Groups"])
    sheet.append([])
    sheet.append(list(_XLSX_HEADER))
    sheet.append([None, None, None, "Last month", "This month"])
    sheet.merge_cells("D4:E4")
    previous = None
    for tranche, *rest in rows:
        sheet.append([None if tranche == previous else tranche, *rest])
        previous = tranche
    sheet.append([])
    for legend in ("● On track      ● Complete", "● At Risk      ● To be determined"):
        sheet.append([legend])
    sheet.append(["● Not on track, at high risk"])
    book.save(path)
    return path


def load_design_dashboard_demo(actor: str = "demo") -> dict[str, int]:
    """The DAG #8 pack's design dashboard for tranches 1 and 2, imported as April 2022 (March
    gets the pack's "last month" RAGs), through the real import path."""
    with tempfile.TemporaryDirectory() as folder:
        path = write_design_dashboard_xlsx(Path(folder) / "MHHS Design Dashboard - DAG 8.xlsx")
        report = import_design_dashboard(path, DEMO_MONTH, actor)
    if not report.ok:
        raise RuntimeError("; ".join(str(p) for p in report.errors))
    return {
        "design_records": report.created + report.updated + report.unchanged,
        "design_previous": report.previous_created,
    }

"""Import the DAG pack's "MHHS Design Dashboard" table into the design dashboard's records.

The file's "this month" columns become `month`'s records, its "last month" RAG the previous
month's where that month has no record yet (so the column survives). A record last changed in
the browser is kept and listed as a conflict, never overwritten. The import writes through
`set_status` (audited) and flushes; the caller's unit of work commits it, or rolls it back (a
file with any error writes nothing; a dry run discards).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from importers import read_design_dashboard
from importers.design_dashboard import DesignDashboardRecord
from importers.normalise import fold_name
from importers.records import Problem, ProblemReport, SheetReport
from importers.vocabulary import RAG_STATUSES

from ..extensions import db
from ..models import Service
from . import ServiceError
from .design_status import clean_values, find_status, set_status
from .months import month_label, parse_month, previous_month
from .reference import get_or_create_service, tranche_ids_by_code


@dataclass(slots=True)
class DesignImportReport(ProblemReport):
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
            clean_values(_record_values(record))
        except ServiceError as error:
            report.problems.append(Problem(report.file, str(error), **where))


def import_design_dashboard(
    path: str | Path,
    month: str,
    actor: str,
    *,
    filename: str | None = None,
) -> DesignImportReport:
    """Write `month`'s records from a design dashboard file's "this month" columns, and the
    previous month's RAG from "last month" where that month has no record yet (so the
    column survives). A file with any error writes nothing (the report lists the problems).
    A service not yet known is created; a record last changed in the browser is kept
    (listed as a conflict), never overwritten. Flushes: call it in a unit of work."""
    month = parse_month(month)
    path = Path(path)
    filename = filename or path.name
    read = read_design_dashboard(path.read_bytes(), filename=filename)
    report = DesignImportReport(
        file=filename, month=month, problems=list(read.problems), sheets=read.sheets
    )
    if read.ok:
        _check_records(read.records, report)
    if not report.ok:
        return report
    known = {fold_name(name) for name in db.session.scalars(select(Service.name))}
    services: dict[str, int] = {}
    for record in read.records:
        service_id = get_or_create_service(record.service, services)
        if fold_name(record.service) not in known:
            known.add(fold_name(record.service))
            report.services_created.append(record.service)
        _import_record(record, service_id, month, actor, report)
    return report


def _rag_label(rag: str | None) -> str:
    term = RAG_STATUSES.get(rag)
    return term.label if term is not None else "blank"


def _import_record(
    record: DesignDashboardRecord,
    service_id: int,
    month: str,
    actor: str,
    report: DesignImportReport,
) -> None:
    _import_this_month(record, service_id, month, actor, report)
    if record.rag_last_month is not None:
        _import_last_month(record, service_id, previous_month(month), actor, report)


def _where(record: DesignDashboardRecord) -> str:
    return f"row {record.row}: tranche {record.tranche}, {record.service}"


def _import_this_month(
    record: DesignDashboardRecord,
    service_id: int,
    month: str,
    actor: str,
    report: DesignImportReport,
) -> None:
    values = clean_values(_record_values(record))
    existing = find_status(record.tranche, service_id, month)
    differs = existing is not None and any(getattr(existing, n) != v for n, v in values.items())
    if existing is not None and existing.origin == "browser" and differs:
        report.conflicts.append(
            f"{_where(record)}: {month_label(month)} was changed in the browser by "
            f"{existing.updated_by}; kept, the file's values not imported"
        )
        return
    change = set_status(
        record.tranche, service_id, month, values, actor, "import", source_file=report.file
    )
    if change.created:
        report.created += 1
    elif change.changed:
        report.updated += 1
    else:
        report.unchanged += 1


def _import_last_month(
    record: DesignDashboardRecord,
    service_id: int,
    last: str,
    actor: str,
    report: DesignImportReport,
) -> None:
    """The file's "last month" RAG, where that month has no record yet; else a note if the
    record says otherwise (the record is kept)."""
    before = find_status(record.tranche, service_id, last)
    values = {"rag": record.rag_last_month}
    if before is None:
        set_status(
            record.tranche, service_id, last, values, actor, "import", source_file=report.file
        )
        report.previous_created += 1
    elif before.rag != record.rag_last_month:
        report.notes.append(
            f"{_where(record)}: the file's last month RAG "
            f"({RAG_STATUSES[record.rag_last_month].label}) differs from {month_label(last)}'s "
            f"record ({_rag_label(before.rag)}); the record is kept"
        )

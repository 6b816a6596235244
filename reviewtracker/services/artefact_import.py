"""Import the Design Artefact Tracker: artefacts with their tranche, service and state."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from importers import read_artefact_register
from importers.records import ArtefactRecord, Problem, ProblemReport, SheetReport

from ..extensions import db
from ..models import Artefact, ImportBatch
from .dialect import upsert
from .reference import get_or_create_service, tranche_ids_by_code

FIELDS = ("title", "document_type", "tranche_id", "service_id", "version", "review_state")
FIELDS += ("action_with", "position")


@dataclass(slots=True)
class RegisterReport(ProblemReport):
    file: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    sheets: list[SheetReport] = field(default_factory=list)
    batch_id: int | None = None


def import_artefact_register(
    path: str | Path, *, filename: str | None = None, actor: str | None = None
) -> RegisterReport:
    """Add new artefacts and update known ones (matched by reference), and record the batch.
    Flushes, never commits: the caller's unit of work keeps it, or discards it for a dry run.
    A file with any error writes nothing."""
    data = Path(path).read_bytes()
    filename = filename or Path(path).name
    read = read_artefact_register(data, filename=filename)
    report = RegisterReport(file=filename, problems=list(read.problems), sheets=read.sheets)
    if not read.ok:
        return report
    rows = _rows(read.records)
    _count(rows, report)
    if report.added or report.updated:
        db.session.execute(upsert(Artefact.__table__, ["reference"], list(FIELDS)), rows)
    batch = ImportBatch(
        kind="artefacts",
        file_name=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        imported_by=actor or current_app.config["IMPORT_ACTOR"],
        added=report.added,
        updated=report.updated,
        unchanged=report.unchanged,
        column_mapping={s.name: s.mapping for s in read.sheets if s.mapping},
        problems=[str(p) for p in read.problems],
    )
    db.session.add(batch)
    db.session.flush()
    report.batch_id = batch.id
    return report


def _rows(records: list[ArtefactRecord]) -> list[dict]:
    tranches = tranche_ids_by_code()
    services: dict[str, int] = {}
    return [
        {
            "reference": record.reference,
            "title": record.title,
            "document_type": record.document_type,
            "tranche_id": tranches.get(record.tranche) if record.tranche else None,
            "service_id": get_or_create_service(record.service, services)
            if record.service
            else None,
            "version": record.version,
            "review_state": record.status,
            "action_with": record.action_with,
            "position": position,
        }
        for position, record in enumerate(records)
    ]


def _count(rows: list[dict], report: RegisterReport) -> None:
    columns = [getattr(Artefact, name) for name in ("reference", *FIELDS)]
    stored = {
        row.reference: tuple(row)[1:]
        for row in db.session.execute(
            select(*columns).where(Artefact.reference.in_([r["reference"] for r in rows]))
        )
    }
    for row in rows:
        before = stored.get(row["reference"])
        if before is None:
            report.added += 1
        elif before != tuple(row[name] for name in FIELDS):
            report.updated += 1
        else:
            report.unchanged += 1

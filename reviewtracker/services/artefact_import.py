"""Import the Design Artefact Tracker: artefacts with their tranche, service and state.

One function for the command line (`import-artefacts`) and the browser (Import > Artefact
register): `import_artefact_register` adds new artefacts and updates known ones, matched by
their normalised reference. It flushes and never commits: the caller's unit of work keeps or
discards what it wrote. A dry run (the browser's preview, `--dry-run`) writes nothing at all
and reports what the import would do. A preview keeps the file as read (ParsedRegister) with
the staged upload, so that a reload and the confirm do not read it again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from importers import read_artefact_register
from importers.normalise import fold_name, tidy_name
from importers.records import ArtefactRecord, Problem, ProblemReport, ReadResult, SheetReport
from importers.serialise import read_result_from_json, read_result_to_json

from ..extensions import db
from ..models import Artefact, ImportBatch, Service, Tranche
from .dialect import upsert

FIELDS = ("title", "document_type", "tranche_id", "service_id", "version", "review_state")
FIELDS += ("action_with", "position")
# How the preview names each field an update changes.
FIELD_LABELS = {
    "title": "title",
    "document_type": "type",
    "tranche_id": "tranche",
    "service_id": "service",
    "version": "version",
    "review_state": "status",
    "action_with": "action with",
    "position": "place in the register",
}
KIND = "artefact register"  # what a kept reading says it is
MAX_LISTED = 200  # a report lists this many added and updated artefacts, then counts the rest


@dataclass(slots=True)
class ParsedRegister:
    """One register as the reader read it: what a preview keeps with the staged upload."""

    file: str
    sha256: str
    read: ReadResult

    def to_json(self) -> str:
        return read_result_to_json(self.read, kind=KIND, file=self.file, sha256=self.sha256)

    @classmethod
    def from_json(cls, text: str) -> ParsedRegister:
        """The register `to_json` wrote; ValueError (or KeyError, TypeError) if the text is not
        one (a comment log's reading of the same file, say)."""
        read, kept = read_result_from_json(text)
        if kept.get("kind") != KIND:
            raise ValueError("not an artefact register as read")
        return cls(file=kept["file"], sha256=kept["sha256"], read=read)


@dataclass(slots=True)
class ArtefactChange:
    """An artefact the register updates: which fields, from what to what (as shown)."""

    reference: str
    fields: list[tuple[str, str | None, str | None]]  # (label, before, after)


@dataclass(slots=True)
class RegisterReport(ProblemReport):
    file: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    sheets: list[SheetReport] = field(default_factory=list)
    batch_id: int | None = None
    dry_run: bool = False
    sample: list[ArtefactRecord] = field(default_factory=list)  # the first rows, for a preview
    added_references: list[str] = field(default_factory=list)  # the first MAX_LISTED
    changes: list[ArtefactChange] = field(default_factory=list)  # the first MAX_LISTED
    services_created: list[str] = field(default_factory=list)  # (a dry run: would create)
    records: int = 0  # artefacts read

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run and self.batch_id is not None


def parse_artefact_register(
    source: str | Path | bytes, *, filename: str | None = None
) -> ParsedRegister:
    """Read a register; no database."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    filename = filename or (Path(source).name if not isinstance(source, bytes) else "register")
    read = read_artefact_register(data, filename=filename)
    return ParsedRegister(filename, hashlib.sha256(data).hexdigest(), read)


def import_artefact_register(
    source: str | Path | bytes | ParsedRegister,
    *,
    filename: str | None = None,
    actor: str | None = None,
    dry_run: bool = False,
    sample_rows: int = 0,
) -> RegisterReport:
    """Add new artefacts and update known ones (matched by reference), and record the batch.
    Flushes, never commits: the caller's unit of work keeps it. A file with any error writes
    nothing; `dry_run` writes nothing either, and reports what the import would do.
    `source` may be the register as parse_artefact_register read it (a preview's)."""
    if isinstance(source, ParsedRegister):
        parsed = source
    else:
        parsed = parse_artefact_register(source, filename=filename)
    read = parsed.read
    report = RegisterReport(
        file=parsed.file,
        problems=list(read.problems),
        sheets=read.sheets,
        dry_run=dry_run,
        sample=read.records[:sample_rows],
        records=len(read.records),
    )
    if not read.ok:
        return report
    services = _services(read.records, report, create=not dry_run)
    rows = _rows(read.records, services)
    _compare(rows, report)
    if dry_run:
        return report
    if report.added or report.updated:
        db.session.execute(upsert(Artefact.__table__, ["reference"], list(FIELDS)), rows)
    batch = ImportBatch(
        kind="artefacts",
        file_name=parsed.file,
        sha256=parsed.sha256,
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


def _services(records: list[ArtefactRecord], report: RegisterReport, *, create: bool) -> dict:
    """Folded service name -> id: the stored services, and those the register names that are
    new (created; a dry run gives them stand-in ids, negative, that match nothing stored)."""
    known = {fold_name(name): i for name, i in db.session.execute(select(Service.name, Service.id))}
    new: dict[str, str] = {}
    for record in records:
        if record.service and fold_name(record.service) not in known:
            new.setdefault(fold_name(record.service), tidy_name(record.service))
    report.services_created = list(new.values())
    for index, (key, name) in enumerate(new.items(), start=1):
        if create:
            service = Service(name=name)
            db.session.add(service)
            db.session.flush()
            known[key] = service.id
        else:
            known[key] = -index
    return known


def _rows(records: list[ArtefactRecord], services: dict[str, int]) -> list[dict]:
    tranches = dict(db.session.execute(select(Tranche.code, Tranche.id)).all())
    return [
        {
            "reference": record.reference,
            "title": record.title,
            "document_type": record.document_type,
            "tranche_id": tranches.get(record.tranche) if record.tranche else None,
            "service_id": services[fold_name(record.service)] if record.service else None,
            "version": record.version,
            "review_state": record.status,
            "action_with": record.action_with,
            "position": position,
        }
        for position, record in enumerate(records)
    ]


def _compare(rows: list[dict], report: RegisterReport) -> None:
    """Count what the import adds, updates and leaves; list the first of each."""
    columns = [getattr(Artefact, name) for name in ("reference", *FIELDS)]
    stored = {
        row.reference: dict(zip(FIELDS, tuple(row)[1:], strict=True))
        for row in db.session.execute(
            select(*columns).where(Artefact.reference.in_([r["reference"] for r in rows]))
        )
    }
    shown = _Shown(report.services_created)
    for row in rows:
        before = stored.get(row["reference"])
        if before is None:
            report.added += 1
            if len(report.added_references) < MAX_LISTED:
                report.added_references.append(row["reference"])
            continue
        changed = [name for name in FIELDS if before[name] != row[name]]
        if not changed:
            report.unchanged += 1
            continue
        report.updated += 1
        if len(report.changes) < MAX_LISTED:
            fields = [
                (FIELD_LABELS[n], shown(n, before[n]), shown(n, row[n]))
                for n in changed
                if n != "position"
            ] or [(FIELD_LABELS["position"], None, None)]
            report.changes.append(ArtefactChange(row["reference"], fields))


class _Shown:
    """A stored value as the preview shows it: tranches and services by name."""

    def __init__(self, new_services: list[str]) -> None:
        self.tranches = {
            i: code for code, i in db.session.execute(select(Tranche.code, Tranche.id))
        }
        self.services = {
            i: name for name, i in db.session.execute(select(Service.name, Service.id))
        }
        # A dry run's stand-ins for the services the register would create (see _services).
        self.services.update({-index: name for index, name in enumerate(new_services, 1)})

    def __call__(self, name: str, value: object) -> str | None:
        if value is None:
            return None
        if name == "tranche_id":
            return f"Tranche {self.tranches.get(value, value)}"
        if name == "service_id":
            return str(self.services.get(value, value))
        return str(value)


__all__ = [
    "ArtefactChange",
    "ParsedRegister",
    "RegisterReport",
    "import_artefact_register",
    "parse_artefact_register",
]

"""Import the Design Artefact Tracker: artefacts with their tranche, service, lifecycle state,
version and the tracker's fields. The live tracker's export (services/tracker.py) comes back
through here: a row the export wrote and nobody edited is reported unchanged.

A changed state is a lifecycle move, checked against the moves allowed (a refused move is an
error naming the file, sheet, row and column: the file writes nothing); a changed tranche is a
move to that tranche; a new version is issued; every change is recorded on the artefact's
timeline (origin "import", with the file's name), as the browser's changes are.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import func, insert, select, update

from importers import read_artefact_register
from importers.records import ArtefactRecord, Problem, ProblemReport, SheetReport
from importers.vocabulary import allowed_moves, refused_move_message

from ..extensions import db
from ..models import Artefact, ArtefactEvent, ArtefactVersion, ImportBatch, Tranche, utcnow
from .reference import get_or_create_service, tranche_ids_by_code

# What the register sets, compared field by field with what is stored.
DESCRIBED = ("title", "document_type", "service_id")
TRACKED = ("action_with", "expected_dag_month", "responsible")
CHUNK = 500


@dataclass(slots=True)
class RegisterReport(ProblemReport):
    file: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    sheets: list[SheetReport] = field(default_factory=list)
    batch_id: int | None = None
    notes: list[str] = field(default_factory=list)


def import_artefact_register(
    path: str | Path, *, filename: str | None = None, actor: str | None = None
) -> RegisterReport:
    """Add new artefacts and update known ones (matched by reference), and record the batch.
    Flushes, never commits: the caller's unit of work keeps it, or discards it for a dry run.
    A file with any error writes nothing."""
    data = Path(path).read_bytes()
    filename = filename or Path(path).name
    actor = actor or current_app.config["IMPORT_ACTOR"]
    read = read_artefact_register(data, filename=filename)
    report = RegisterReport(file=filename, problems=list(read.problems), sheets=read.sheets)
    if not read.ok:
        return report
    plan = _Plan(read.records, report, {s.name: s.mapping for s in read.sheets})
    if not report.ok:
        return report
    plan.write(actor, filename)
    batch = ImportBatch(
        kind="artefacts",
        file_name=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        imported_by=actor,
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


def _stored(references: list[str]) -> dict[str, dict]:
    columns = (
        Artefact.id,
        Artefact.reference,
        Artefact.position,
        Artefact.state,
        Artefact.version,
        Artefact.tranche_id,
        Tranche.code,
        *(getattr(Artefact, name) for name in DESCRIBED + TRACKED),
    )
    found = {}
    for start in range(0, len(references), CHUNK):
        query = (
            select(*columns)
            .outerjoin(Tranche, Tranche.id == Artefact.tranche_id)
            .where(Artefact.reference.in_(references[start : start + CHUNK]))
        )
        for row in db.session.execute(query):
            found[row.reference] = row._asdict()
    return found


class _Plan:
    """Each row compared with the stored artefact: new rows, changed fields, moves, versions;
    a refused move reported where the row says it."""

    def __init__(self, records: list[ArtefactRecord], report: RegisterReport, mapping) -> None:
        self.report = report
        self.mapping = mapping
        self.tranches = tranche_ids_by_code()
        services: dict[str, int] = {}
        self.records = records
        self.wanted = [
            {
                "reference": r.reference,
                "title": r.title,
                "document_type": r.document_type,
                "service_id": get_or_create_service(r.service, services) if r.service else None,
                "tranche": r.tranche,
                "version": r.version,
                "state": r.state,
                "action_with": r.action_with,
                "expected_dag_month": r.expected_dag_month,
                "responsible": r.responsible,
            }
            for r in records
        ]
        self.stored = _stored([w["reference"] for w in self.wanted])
        self.positions = self._positions()
        self.changes: list[tuple[dict, dict | None, dict]] = []  # (wanted, stored, changed)
        for record, wanted in zip(records, self.wanted, strict=True):
            self._compare(record, wanted)

    def _positions(self) -> dict[str, int]:
        """Register order: kept as stored while the file lists the known artefacts in the same
        order (new ones go after them); else the file's order throughout."""
        known = [
            self.stored[w["reference"]]["position"]
            for w in self.wanted
            if w["reference"] in self.stored
        ]
        if known != sorted(known) or len(set(known)) != len(known):
            self.report.notes.append("the register's order changed: artefacts take the file's")
            return {w["reference"]: i for i, w in enumerate(self.wanted)}
        last = db.session.scalar(select(func.max(Artefact.position)))
        after = (last if last is not None else -1) + 1
        positions = {}
        for wanted in self.wanted:
            stored = self.stored.get(wanted["reference"])
            if stored is not None:
                positions[wanted["reference"]] = stored["position"]
            else:
                positions[wanted["reference"]] = after
                after += 1
        return positions

    def _problem(self, record: ArtefactRecord, name: str, message: str) -> None:
        self.report.problems.append(
            Problem(
                self.report.file,
                message,
                sheet=record.sheet,
                row=record.row,
                column=self.mapping.get(record.sheet, {}).get(name),
            )
        )

    def _compare(self, record: ArtefactRecord, wanted: dict) -> None:
        stored = self.stored.get(wanted["reference"])
        position = self.positions[wanted["reference"]]
        if stored is None:
            self.report.added += 1
            self.changes.append((wanted, None, {}))
            return
        changed = {
            name: wanted[name] for name in DESCRIBED + TRACKED if wanted[name] != stored[name]
        }
        if position != stored["position"]:
            changed["position"] = position
        if wanted["tranche"] != stored["code"] and wanted["tranche"] is not None:
            changed["tranche"] = wanted["tranche"]
        if wanted["version"] is not None and wanted["version"] != stored["version"]:
            changed["version"] = wanted["version"]
        if wanted["state"] is not None and wanted["state"] != stored["state"]:
            if wanted["state"] not in allowed_moves(stored["state"]):
                message = refused_move_message(
                    wanted["reference"], stored["state"], wanted["state"]
                )
                self._problem(record, "status", message)
                return
            changed["state"] = wanted["state"]
        if changed:
            self.report.updated += 1
            self.changes.append((wanted, stored, changed))
        else:
            self.report.unchanged += 1

    def write(self, actor: str, filename: str) -> None:
        now = utcnow()
        new = [w for w, stored, _ in self.changes if stored is None]
        if new:
            db.session.execute(insert(Artefact), [self._new_row(w, now) for w in new])
        ids = (
            dict(
                db.session.execute(
                    select(Artefact.reference, Artefact.id).where(
                        Artefact.reference.in_([w["reference"] for w, _, _ in self.changes])
                    )
                ).all()
            )
            if self.changes
            else {}
        )
        events, versions = [], []
        for wanted, stored, changed in self.changes:
            artefact_id = ids[wanted["reference"]]
            event = _Events(artefact_id, actor, filename, now, events)
            if stored is None:
                if wanted["state"] is not None:
                    event.add("state", None, wanted["state"])
                if wanted["version"] is not None:
                    versions.append(_version_row(artefact_id, wanted["version"], actor, now))
                    event.add("version", None, wanted["version"])
                continue
            self._update(artefact_id, stored, changed, event, now)
            if "version" in changed:
                versions.append(_version_row(artefact_id, changed["version"], actor, now))
        if versions:
            _add_versions(versions)
        if events:
            db.session.execute(insert(ArtefactEvent), events)

    def _new_row(self, wanted: dict, now) -> dict:
        return {
            **{name: wanted[name] for name in ("reference", *DESCRIBED, *TRACKED)},
            "version": wanted["version"],
            "state": wanted["state"],
            "tranche_id": self.tranches.get(wanted["tranche"]) if wanted["tranche"] else None,
            "position": self.positions[wanted["reference"]],
            "updated_at": now,
        }

    def _update(self, artefact_id: int, stored: dict, changed: dict, event, now) -> None:
        values = {name: value for name, value in changed.items() if name != "tranche"}
        if "tranche" in changed:
            values["tranche_id"] = self.tranches[changed["tranche"]]
            event.add("tranche", stored["code"], changed["tranche"])
        for name in ("state", "version", *TRACKED):
            if name in changed:
                event.add(name, stored[name], changed[name])
        if set(changed) - {"position"}:
            values["updated_at"] = now
        db.session.execute(update(Artefact).where(Artefact.id == artefact_id).values(values))


@dataclass(slots=True)
class _Events:
    artefact_id: int
    actor: str
    filename: str
    now: object
    events: list

    def add(self, name: str, before: object, after: object) -> None:
        self.events.append(
            {
                "artefact_id": self.artefact_id,
                "field": name,
                "before": None if before is None else str(before),
                "after": None if after is None else str(after),
                "effective_on": None,
                "note": f"from the register {self.filename}",
                "decision_ref": None,
                "source_file": self.filename[:300],
                "actor": self.actor,
                "at": self.now,
                "origin": "import",
            }
        )


def _version_row(artefact_id: int, label: str, actor: str, now) -> dict:
    return {
        "artefact_id": artefact_id,
        "label": label[:20],
        "issued_on": None,
        "note": "from the register",
        "created_by": actor,
        "created_at": now,
    }


def _add_versions(rows: list[dict]) -> None:
    """Versions the register names that the artefact does not have yet (a register that goes
    back to an earlier label makes it current again without issuing it twice)."""
    known = set(
        db.session.execute(
            select(ArtefactVersion.artefact_id, ArtefactVersion.label).where(
                ArtefactVersion.artefact_id.in_({row["artefact_id"] for row in rows})
            )
        ).all()
    )
    fresh = [row for row in rows if (row["artefact_id"], row["label"]) not in known]
    if fresh:
        db.session.execute(insert(ArtefactVersion), fresh)

"""Import the Design Artefact Tracker: artefacts with their tranche, service, lifecycle state,
version and the tracker's fields. The live tracker's export (services/tracker.py) comes back
through here: a row the export wrote and nobody edited is reported unchanged.

One function for the command line (`import-artefacts`) and the browser (Import > Artefact
register): `import_artefact_register`. A changed state is a lifecycle move, checked against the
moves allowed (a refused move is an error naming the file, sheet, row and column: the file
writes nothing); a changed tranche is a move to that tranche; a new version is issued; every
change is recorded on the artefact's timeline (origin "import", with the file's name), as the
browser's changes are. It flushes and never commits: the caller's unit of work keeps or
discards what it wrote. A dry run (the browser's preview, `--dry-run`) writes nothing at all
and reports what the import would do; a preview keeps the file as read (ParsedRegister) with
the staged upload, so that a reload and the confirm do not read it again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import func, insert, select, update

from importers import read_artefact_register
from importers.normalise import fold_name, tidy_name
from importers.records import ArtefactRecord, Problem, ProblemReport, ReadResult, SheetReport
from importers.serialise import read_result_from_json, read_result_to_json
from importers.vocabulary import ARTEFACT_STATES, allowed_moves, refused_move_message

from ..extensions import db
from ..models import (
    Artefact,
    ArtefactEvent,
    ArtefactVersion,
    ImportBatch,
    Service,
    Tranche,
    utcnow,
)
from .reference import tranche_ids_by_code

# What the register sets, compared field by field with what is stored.
DESCRIBED = ("title", "document_type", "service_id")
TRACKED = ("action_with", "expected_dag_month", "responsible")
# How the preview names each field an update changes.
FIELD_LABELS = {
    "title": "title",
    "document_type": "type",
    "service_id": "service",
    "action_with": "action with",
    "expected_dag_month": "expected DAG month",
    "responsible": "responsible",
    "tranche": "tranche",
    "version": "version",
    "state": "state",
    "position": "place in the register",
}
CHUNK = 500
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
    notes: list[str] = field(default_factory=list)

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
    plan = _Plan(read.records, report, {s.name: s.mapping for s in read.sheets}, services)
    if not report.ok or dry_run:
        return report
    actor = actor or current_app.config["IMPORT_ACTOR"]
    plan.write(actor, parsed.file)
    batch = ImportBatch(
        kind="artefacts",
        file_name=parsed.file,
        sha256=parsed.sha256,
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

    def __init__(
        self,
        records: list[ArtefactRecord],
        report: RegisterReport,
        mapping: dict,
        services: dict[str, int],
    ) -> None:
        self.report = report
        self.mapping = mapping
        self.tranches = tranche_ids_by_code()
        self.records = records
        self.wanted = [
            {
                "reference": r.reference,
                "title": r.title,
                "document_type": r.document_type,
                "service_id": services[fold_name(r.service)] if r.service else None,
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
        self.shown = _Shown(report.services_created)
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
            if len(self.report.added_references) < MAX_LISTED:
                self.report.added_references.append(wanted["reference"])
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
            if len(self.report.changes) < MAX_LISTED:
                self.report.changes.append(self._shown_change(wanted["reference"], stored, changed))
        else:
            self.report.unchanged += 1

    def _shown_change(self, reference: str, stored: dict, changed: dict) -> ArtefactChange:
        """The change as the preview lists it: each field, before and after, by name."""
        before = {**stored, "tranche": stored["code"]}
        fields = [
            (FIELD_LABELS[name], self.shown(name, before[name]), self.shown(name, after))
            for name, after in changed.items()
            if name != "position"
        ] or [(FIELD_LABELS["position"], None, None)]
        return ArtefactChange(reference, fields)

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


class _Shown:
    """A stored value as the preview shows it: services by name, states by label."""

    def __init__(self, new_services: list[str]) -> None:
        self.services = {
            i: name for name, i in db.session.execute(select(Service.name, Service.id))
        }
        # A dry run's stand-ins for the services the register would create (see _services).
        self.services.update({-index: name for index, name in enumerate(new_services, 1)})

    def __call__(self, name: str, value: object) -> str | None:
        if value is None:
            return None
        if name == "tranche":
            return f"Tranche {value}"
        if name == "service_id":
            return str(self.services.get(value, value))
        if name == "state":
            return ARTEFACT_STATES[value].label if value in ARTEFACT_STATES else str(value)
        return str(value)


__all__ = [
    "ArtefactChange",
    "ParsedRegister",
    "RegisterReport",
    "import_artefact_register",
    "parse_artefact_register",
]

"""Import the advisory group's decision log from a paper's table (importers/governance_logs.py).

As the action log's import (services/action_import.py): idempotent by reference (DAG-DEC75 and
DAG-DEC-75 are one decision); a decision last changed in the browser is kept, its differences
listed; a file with any error writes nothing; the caller's unit of work is the file's
transaction. A decision's meeting: --meeting, else the row's Meeting column, else the paper's
"Meeting Number" line. Its artefacts (an optional Artefacts column) are linked; links are only
added, never removed, by an import.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from importers.governance import decision_sort_key
from importers.governance_logs import DecisionRecord, read_decision_log

from ..extensions import db
from ..models import Artefact, Decision, DecisionArtefact
from .action_import import GovernanceImportReport, LogFile, given_meeting
from .decisions import AREA_MAX, TEXT_MAX
from .meetings import touch


def import_decision_log(
    path: str | Path,
    *,
    meeting: str | None = None,
    public: bool | None = None,
    filename: str | None = None,
) -> GovernanceImportReport:
    """Import one decision log. `public` as import_action_log's. Flushes; the caller commits."""
    given = given_meeting(meeting)
    path = Path(path)
    read = read_decision_log(path.read_bytes(), filename=filename or path.name)
    report = GovernanceImportReport(
        file=read.file, problems=list(read.problems), sheets=read.sheets
    )
    log = LogFile(read, report)
    artefacts = _artefact_ids(read.records)
    records: list[tuple[DecisionRecord, str]] = []
    for record in read.records:
        owner_meeting = log.meeting_of(record, given)
        if _check(log, record, artefacts) and owner_meeting is not None:
            records.append((record, owner_meeting))
    if not report.ok:
        return report
    meeting_ids = log.meetings({m for _, m in records})
    public = public if public is not None else read.public
    _write(report, records, meeting_ids, artefacts, public)
    return report


def _artefact_ids(records: list[DecisionRecord]) -> dict[str, int]:
    wanted = {reference for record in records for reference in record.artefacts}
    if not wanted:
        return {}
    query = select(Artefact.reference, Artefact.id).where(Artefact.reference.in_(wanted))
    return dict(db.session.execute(query).all())


def _check(log: LogFile, record: DecisionRecord, artefacts: dict[str, int]) -> bool:
    ok = True
    unknown = [reference for reference in record.artefacts if reference not in artefacts]
    if unknown:
        log.problem(
            record,
            "artefacts",
            "not in the artefact register (import it first with import-artefacts):",
            ", ".join(unknown),
        )
        ok = False
    for name, value, limit in (
        ("area", record.area, AREA_MAX),
        ("decision", record.text, TEXT_MAX),
    ):
        if value is not None and len(value) > limit:
            log.problem(record, name, f"longer than {limit} characters ({len(value)})")
            ok = False
    return ok


def _write(
    report: GovernanceImportReport,
    records: list[tuple[DecisionRecord, str]],
    meeting_ids: dict[str, int],
    artefacts: dict[str, int],
    public: bool | None,
) -> None:
    references = [record.reference for record, _ in records]
    known = {
        decision.reference: decision
        for decision in db.session.scalars(
            select(Decision).where(Decision.reference.in_(references))
        )
    }
    linked = _linked([decision.id for decision in known.values()])
    new: list[tuple[Decision, DecisionRecord]] = []
    for record, meeting in records:
        values: dict[str, object] = {"meeting_id": meeting_ids[meeting], "text": record.text}
        if record.area is not None:
            values["area"] = record.area
        if public is not None:
            values["public"] = public
        decision = known.get(record.reference)
        if decision is None:
            decision = Decision(
                reference=record.reference,
                sort_key=decision_sort_key(record.reference),
                origin="import",
                **({"area": "", "public": False} | values),
            )
            new.append((decision, record))
            continue
        _update(report, decision, record, values, linked.get(decision.id, set()), artefacts)
    db.session.add_all([decision for decision, _ in new])
    db.session.flush()
    for decision, record in new:
        _link(decision, record.artefacts, set(), artefacts)
    report.added = len(new)
    db.session.flush()


def _linked(decision_ids: list[int]) -> dict[int, set[int]]:
    linked: dict[int, set[int]] = {}
    if decision_ids:
        rows = db.session.execute(
            select(DecisionArtefact.decision_id, DecisionArtefact.artefact_id).where(
                DecisionArtefact.decision_id.in_(decision_ids)
            )
        )
        for decision_id, artefact_id in rows:
            linked.setdefault(decision_id, set()).add(artefact_id)
    return linked


def _link(
    decision: Decision, references: list[str], linked: set[int], artefacts: dict[str, int]
) -> int:
    added = 0
    for reference in references:
        if artefacts[reference] not in linked:
            db.session.add(
                DecisionArtefact(decision_id=decision.id, artefact_id=artefacts[reference])
            )
            added += 1
    return added


def _update(
    report: GovernanceImportReport,
    decision: Decision,
    record: DecisionRecord,
    values: dict[str, object],
    linked: set[int],
    artefacts: dict[str, int],
) -> None:
    changes = {name: v for name, v in values.items() if getattr(decision, name) != v}
    if changes and decision.origin == "browser":
        report.kept.append(
            f"row {record.row}: {decision.reference} was last changed in the browser; kept, "
            f"the file's {', '.join(changes)} not imported"
        )
        changes = {}
    for name, value in changes.items():
        setattr(decision, name, value)
    if changes:
        decision.origin = "import"
        touch(decision)
    links = _link(decision, record.artefacts, linked, artefacts)
    if changes or links:
        report.updated += 1
    else:
        report.unchanged += 1


__all__ = ["import_decision_log"]

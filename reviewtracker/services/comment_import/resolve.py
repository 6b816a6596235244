"""Match a log's records to artefacts, organisations and review rounds: SELECTs only.

Organisations and review rounds not in the database yet are not created here: they get
stand-in ids (negative, so that no stored comment matches them) and are listed on the
Resolution, for the import to create first (write.create_missing) or a dry run to report.
Every record that can't be matched is a problem naming its sheet, row and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter

from rapidfuzz import process
from sqlalchemy import select

from importers.normalise import fold_name, tidy_name
from importers.records import CommentRecord, Problem

from ...extensions import db
from ...models import Artefact, Comment, Constituency, Organisation, ReviewRound, Tranche
from .report import ImportReport

Key = tuple[int, int, int, str]  # artefact, review round, organisation, source key

# A refusal lists this many problems at most, then says how many more there were.
MAX_PROBLEMS = 200
# Record fields stored in length-limited columns, with the column's length.
LIMITED_FIELDS = tuple(
    (name, Comment.__table__.c[name].type.length)
    for name in (
        "log_comment_id",
        "source_key",
        "section",
        "page",
        "line",
        "comment_type",
        "reviewer",
    )
)


@dataclass(slots=True)
class NewOrganisation:
    name: str
    name_key: str
    constituency_id: int
    constituency: str


@dataclass(slots=True)
class NewRound:
    tranche_id: int
    tranche: str
    number: int


@dataclass(slots=True)
class Resolution:
    """Each record's natural key (None where the record was refused), and the organisations
    and review rounds the import must create first, by their stand-in ids."""

    keys: list[Key | None] = field(default_factory=list)
    organisations: dict[int, NewOrganisation] = field(default_factory=dict)
    rounds: dict[int, NewRound] = field(default_factory=dict)

    def creations(self) -> list[str]:
        """What the import creates besides comments, as the report lists it."""
        made = [f"organisation '{o.name}' ({o.constituency})" for o in self.organisations.values()]
        made += [f"review round {r.number} of tranche {r.tranche}" for r in self.rounds.values()]
        return made


class Resolver:
    """Matches the records' artefacts, organisations and rounds to ids; reports what it can't."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.columns = {s.name: s.mapping for s in report.sheets}
        self.reported = 0
        self.resolution = Resolution()

    def problem(self, message: str, record: CommentRecord | None = None, **kw) -> None:
        severity = kw.pop("severity", "error")
        if severity == "error":
            self.reported += 1
            if self.reported > MAX_PROBLEMS:
                return
        where = {"sheet": record.sheet, "row": record.row} if record else {}
        self.report.problems.append(
            Problem(self.report.file, message, severity=severity, **where, **kw)
        )

    def column(self, record: CommentRecord, field_name: str) -> str | None:
        return self.columns.get(record.sheet, {}).get(field_name)

    def resolve(self, records: list[CommentRecord]) -> Resolution:
        """The records' keys, with every record that can't be matched reported."""
        artefacts = self._artefacts(records)
        organisations = self._organisations(records)
        rounds = _Rounds(self.resolution)

        def ids(artefact: str | None, organisation: str | None, tranche, number):
            """(artefact, round, organisation) ids; None where the row was refused."""
            found = artefacts.get(artefact or "")
            organisation_id = organisations.get(fold_name(organisation or ""))
            if found is None or organisation_id is None:
                return None
            return found[0], rounds.id(tranche or found[1] or "TBC", number or 1), organisation_id

        # Logs repeat a handful of (artefact, organisation, tranche, round) combinations.
        combinations: dict[tuple, tuple[int, int, int] | None] = {}
        keys = self.resolution.keys
        for record in records:
            combination = (record.artefact, record.organisation, record.tranche)
            combination += (record.review_round,)
            if combination not in combinations:
                combinations[combination] = ids(*combination)
            found = combinations[combination]
            keys.append(None if found is None else (*found, record.source_key))
        self._duplicates(records, keys)
        self._lengths(records)
        if self.reported > MAX_PROBLEMS:
            self.report.problems.append(
                Problem(self.report.file, f"... and {self.reported - MAX_PROBLEMS} more errors")
            )
        return self.resolution

    def _lengths(self, records: list[CommentRecord]) -> None:
        """A value longer than its column is refused here, naming the cell: PostgreSQL would
        refuse the whole insert with a database error instead."""
        too_long: list[tuple[int, int, str, int]] = []  # record, field (index, name), limit
        for position, (name, limit) in enumerate(LIMITED_FIELDS):
            values = list(map(attrgetter(name), records))  # a column at a time: 100,000 rows
            if max(map(len, filter(None, values)), default=0) > limit:
                too_long += [
                    (index, position, name, limit)
                    for index, value in enumerate(values)
                    if value is not None and len(value) > limit
                ]
        for index, _position, name, limit in sorted(too_long):
            record = records[index]
            self.problem(
                f"{len(getattr(record, name))} characters is too long for "
                f"{name.replace('_', ' ')}; the limit is {limit}",
                record,
                column=self.column(record, name),
            )

    def _duplicates(self, records: list[CommentRecord], keys: list[Key | None]) -> None:
        """Two rows that would be the same comment (the same id twice in a log)."""
        if len(set(keys)) + keys.count(None) - (None in keys) == len(keys):
            return
        seen: dict[Key, CommentRecord] = {}
        for record, key in zip(records, keys, strict=True):
            if key is None:
                continue
            if key in seen:
                first = seen[key]
                self.problem(
                    f"comment {record.source_key} on {record.artefact} appears twice "
                    f"(also sheet '{first.sheet}', row {first.row})",
                    record,
                )
            seen[key] = record

    def _artefacts(self, records: list[CommentRecord]) -> dict[str, tuple[int, str | None]]:
        """reference -> (id, tranche code); every unknown reference is reported per row."""
        rows = db.session.execute(
            select(Artefact.reference, Artefact.id, Tranche.code)
            .outerjoin(Tranche)
            .order_by(Artefact.reference)
        ).all()
        known = {reference: (artefact_id, code) for reference, artefact_id, code in rows}
        hints: dict[str, str] = {}
        warned: set[str] = set()
        for record in records:
            reference = record.artefact or ""
            if reference not in known:
                if reference not in hints:
                    hints[reference] = self._hint(reference, known)
                self.problem(
                    "unknown artefact reference {value}: not in the artefact register "
                    f"(import it with import-artefacts){hints[reference]}",
                    record,
                    column=self.column(record, "artefact"),
                    value=reference,
                )
            elif record.tranche and known[reference][1] not in (None, record.tranche):
                if reference in warned:
                    continue
                warned.add(reference)
                self.problem(
                    f"{reference} is in another tranche in the register; "
                    f"its comments here count towards tranche {record.tranche}",
                    record,
                    severity="warning",
                )
        return known

    @staticmethod
    def _hint(reference: str, known: dict) -> str:
        match = process.extractOne(reference, list(known)) if known else None
        return f"; did you mean {match[0]}?" if match and match[1] >= 80 else ""

    def _organisations(self, records: list[CommentRecord]) -> dict[str, int]:
        """Folded name -> id; an organisation not yet known gets a stand-in id if the log
        gives its constituency, else it is reported."""
        first: dict[str, CommentRecord] = {}
        constituency_of: dict[str, str] = {}
        for record in records:
            key = fold_name(record.organisation or "")
            first.setdefault(key, record)
            if record.constituency and key not in constituency_of:
                constituency_of[key] = record.constituency
        known = dict(
            db.session.execute(
                select(Organisation.name_key, Organisation.id).where(
                    Organisation.name_key.in_(list(first))
                )
            ).all()
        )
        constituencies = dict(db.session.execute(select(Constituency.name, Constituency.id)).all())
        for key, record in first.items():
            if key in known:
                continue
            if not key:
                self.problem("no organisation for this comment", record)
                continue
            name = constituency_of.get(key)
            if name is None:
                self.problem(
                    f"organisation {record.organisation!r} is not known yet and the log gives no "
                    "constituency for it: add a Constituency column, a 'Constituency:' line "
                    "above the table, or pass --constituency",
                    record,
                    column=self.column(record, "organisation"),
                )
            elif name not in constituencies:
                self.problem(
                    "constituency {value} is not in the reference list (run init-db?)",
                    record,
                    column=self.column(record, "constituency"),
                    value=name,
                )
            else:
                new = self.resolution.organisations
                known[key] = stand_in = -(len(new) + 1)
                name_shown = tidy_name(record.organisation or "")
                new[stand_in] = NewOrganisation(name_shown, key, constituencies[name], name)
        return known


class _Rounds:
    """Review round ids by tranche code and number: the stored ones, read once, and stand-ins
    for those the import would create."""

    def __init__(self, resolution: Resolution) -> None:
        self.resolution = resolution
        rows = db.session.execute(
            select(Tranche.code, Tranche.id, ReviewRound.number, ReviewRound.id).outerjoin(
                ReviewRound
            )
        ).all()
        self.tranches = {code: tranche_id for code, tranche_id, _number, _id in rows}
        self.ids = {(code, n): i for code, _tranche, n, i in rows if i is not None}

    def id(self, tranche: str, number: int) -> int:
        key = (tranche, number)
        if key not in self.ids:
            new = self.resolution.rounds
            self.ids[key] = stand_in = -(len(new) + 1)
            new[stand_in] = NewRound(self.tranches[tranche], tranche, number)
        return self.ids[key]


__all__ = ["Key", "NewOrganisation", "NewRound", "Resolution", "Resolver"]

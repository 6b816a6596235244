"""Match a log's records to artefacts, organisations and review rounds: SELECTs only.

Organisations and review rounds not in the database yet are not created here: they get
stand-in ids (negative, so that no stored comment matches them) and are listed on the
Resolution, for the import to create first (write.create_missing) or a dry run to report.
Every record that can't be matched is a problem naming its sheet, row and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from operator import attrgetter

from rapidfuzz import process
from sqlalchemy import select

from importers.normalise import fold_name, tidy_name
from importers.records import CommentRecord, Problem, SheetReport

from ...extensions import db
from ...models import Artefact, Comment, Constituency, Organisation, ReviewRound, Tranche

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
    """The organisations and review rounds the import must create first, by their stand-in
    ids."""

    organisations: dict[int, NewOrganisation] = field(default_factory=dict)
    rounds: dict[int, NewRound] = field(default_factory=dict)

    def creations(self) -> list[str]:
        """What the import creates besides comments, as the report lists it."""
        made = [f"organisation '{o.name}' ({o.constituency})" for o in self.organisations.values()]
        made += [f"review round {r.number} of tranche {r.tranche}" for r in self.rounds.values()]
        return made


class Resolver:
    """Matches the records' artefacts, organisations and rounds to ids, a chunk of records at
    a time as the log is read; reports what it can't match.

    A record whose organisation is not known yet and has no constituency so far waits for
    `finish`: a later row of the log may give it. Problems name the column by field; the
    column's header is filled in by `finish`, once the reader has reported every sheet."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[tuple[Problem, str | None]] = []  # with the field of its column
        self.reported = 0
        self.resolution = Resolution()
        self._known_artefacts: dict[str, tuple[int, str | None]] | None = None
        self._hints: dict[str, str] = {}
        self._warned: set[str] = set()
        self._organisation_ids: dict[str, int] = {}
        self._first: dict[str, CommentRecord] = {}  # folded organisation -> its first record
        self._constituency_of: dict[str, str] = {}
        self._constituencies: dict[str, int] | None = None
        self._rounds: _Rounds | None = None
        # key -> (sheet, row) of its first record: not the record, which is let go once stored
        self._seen: dict[Key, tuple[str, int]] = {}
        self._waiting: list[CommentRecord] = []
        self._reported_organisations: set[str] = set()
        self._columns: dict[str, dict[str, str]] = {}  # sheet -> field -> header, from finish

    @property
    def ok(self) -> bool:
        return not self.reported

    def problem(self, message: str, record: CommentRecord | None = None, **kw) -> None:
        severity = kw.pop("severity", "error")
        field_name = kw.pop("field", None)
        if severity == "error":
            self.reported += 1
            if self.reported > MAX_PROBLEMS:
                return
        where = {"sheet": record.sheet, "row": record.row} if record else {}
        problem = Problem(self.file, message, severity=severity, **where, **kw)
        self.problems.append((problem, field_name))

    def resolve(self, records: list[CommentRecord]) -> list[Key | None]:
        """The keys of a chunk of records: None for one refused, or waiting for `finish`."""
        self._artefacts(records)
        keys = self._keys(records, self._organisations(records))
        self._lengths(records)
        return keys

    def finish(self, sheets: list[SheetReport]) -> tuple[list[CommentRecord], list[Key | None]]:
        """The records that waited for their organisation's constituency, with their keys
        (an organisation still without one is reported at its first record). The sheets, as
        the reader reported them once it had read every one, name the problems' columns
        (`problems_found`)."""
        waiting, self._waiting = self._waiting, []
        keys: list[Key | None] = []
        if waiting:
            unknown = {fold_name(r.organisation or "") for r in waiting}
            self._create_or_report(unknown - self._organisation_ids.keys(), final=True)
            keys = self._keys(waiting, set())
        self._columns = {sheet.name: sheet.mapping for sheet in sheets}
        return waiting, keys

    @property
    def problems_found(self) -> list[Problem]:
        """Every problem, each with its column's header (once `finish` has the sheets)."""
        columns = self._columns
        found = [
            replace(problem, column=columns.get(problem.sheet or "", {}).get(name))
            if name and problem.column is None
            else problem
            for problem, name in self.problems
        ]
        if self.reported > MAX_PROBLEMS:
            found.append(Problem(self.file, f"... and {self.reported - MAX_PROBLEMS} more errors"))
        return found

    def _keys(self, records: list[CommentRecord], waiting: set[str]) -> list[Key | None]:
        artefacts = self._known_artefacts or {}
        if self._rounds is None:
            self._rounds = _Rounds(self.resolution)
        rounds, organisations = self._rounds, self._organisation_ids

        def ids(artefact: str | None, organisation: str | None, tranche, number):
            """(artefact, round, organisation) ids; None where the row was refused."""
            found = artefacts.get(artefact or "")
            organisation_id = organisations.get(fold_name(organisation or ""))
            if found is None or organisation_id is None:
                return None
            return found[0], rounds.id(tranche or found[1] or "TBC", number or 1), organisation_id

        # Logs repeat a handful of (artefact, organisation, tranche, round) combinations.
        combinations: dict[tuple, tuple[int, int, int] | None] = {}
        keys: list[Key | None] = []
        for record in records:
            if waiting and fold_name(record.organisation or "") in waiting:
                self._waiting.append(record)
                keys.append(None)
                continue
            combination = (record.artefact, record.organisation, record.tranche)
            combination += (record.review_round,)
            if combination not in combinations:
                combinations[combination] = ids(*combination)
            found = combinations[combination]
            keys.append(None if found is None else (*found, record.source_key))
        self._duplicates(records, keys)
        return keys

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
                field=name,
            )

    def _duplicates(self, records: list[CommentRecord], keys: list[Key | None]) -> None:
        """Two rows that would be the same comment (the same id twice in a log)."""
        seen = self._seen
        places = zip(
            map(attrgetter("sheet"), records), map(attrgetter("row"), records), strict=True
        )
        fresh = dict(zip(keys, places, strict=True))
        fresh.pop(None, None)
        if len(fresh) + keys.count(None) == len(keys) and seen.keys().isdisjoint(fresh):
            seen.update(fresh)  # type: ignore[arg-type]
            return
        for record, key in zip(records, keys, strict=True):
            if key is None:
                continue
            if key in seen:
                sheet, row = seen[key]
                self.problem(
                    f"comment {record.source_key} on {record.artefact} appears twice "
                    f"(also sheet '{sheet}', row {row})",
                    record,
                )
            else:
                seen[key] = (record.sheet, record.row)

    def _artefacts(self, records: list[CommentRecord]) -> None:
        """reference -> (id, tranche code); every unknown reference is reported per row."""
        if self._known_artefacts is None:
            rows = db.session.execute(
                select(Artefact.reference, Artefact.id, Tranche.code)
                .outerjoin(Tranche)
                .order_by(Artefact.reference)
            ).all()
            self._known_artefacts = {reference: (i, code) for reference, i, code in rows}
        known, hints, warned = self._known_artefacts, self._hints, self._warned
        for record in records:
            reference = record.artefact or ""
            if reference not in known:
                if reference not in hints:
                    hints[reference] = self._hint(reference, known)
                self.problem(
                    "unknown artefact reference {value}: not in the artefact register "
                    f"(import it with import-artefacts){hints[reference]}",
                    record,
                    field="artefact",
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

    @staticmethod
    def _hint(reference: str, known: dict) -> str:
        match = process.extractOne(reference, list(known)) if known else None
        return f"; did you mean {match[0]}?" if match and match[1] >= 80 else ""

    def _organisations(self, records: list[CommentRecord]) -> set[str]:
        """Match the chunk's organisations (folded names) to ids; one not yet known gets a
        stand-in id if the log has given its constituency so far. Returns those that must
        wait for a later row's constituency."""
        first, constituency_of = self._first, self._constituency_of
        new: list[str] = []
        for record in records:
            key = fold_name(record.organisation or "")
            if key not in first:
                first[key] = record
                new.append(key)
            if record.constituency and key not in constituency_of:
                constituency_of[key] = record.constituency
        if new:
            self._organisation_ids.update(
                db.session.execute(
                    select(Organisation.name_key, Organisation.id).where(
                        Organisation.name_key.in_(new)
                    )
                ).all()
            )
        unknown = {
            key
            for key in first
            if key not in self._organisation_ids and key not in self._reported_organisations
        }
        return self._create_or_report(unknown, final=False) if unknown else set()

    def _create_or_report(self, unknown: set[str], *, final: bool) -> set[str]:
        """Stand-ins for the unknown organisations whose constituency the log gives; the
        others wait (or, when `final`, are reported at their first record)."""
        if self._constituencies is None:
            self._constituencies = dict(
                db.session.execute(select(Constituency.name, Constituency.id)).all()
            )
        constituencies, waiting = self._constituencies, set()
        for key in sorted(unknown, key=lambda k: (self._first[k].sheet, self._first[k].row)):
            record = self._first[key]
            if not key:
                self.problem("no organisation for this comment", record)
                self._reported_organisations.add(key)
                continue
            name = self._constituency_of.get(key)
            if name is None:
                if not final:
                    waiting.add(key)
                    continue
                self.problem(
                    f"organisation {record.organisation!r} is not known yet and the log gives no "
                    "constituency for it: add a Constituency column, a 'Constituency:' line "
                    "above the table, or pass --constituency",
                    record,
                    field="organisation",
                )
                self._reported_organisations.add(key)
            elif name not in constituencies:
                self.problem(
                    "constituency {value} is not in the reference list (run init-db?)",
                    record,
                    field="constituency",
                    value=name,
                )
                self._reported_organisations.add(key)
            else:
                new = self.resolution.organisations
                self._organisation_ids[key] = stand_in = -(len(new) + 1)
                name_shown = tidy_name(record.organisation or "")
                new[stand_in] = NewOrganisation(name_shown, key, constituencies[name], name)
        return waiting


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

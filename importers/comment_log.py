"""Read one comment log (xlsx or csv) into CommentRecords and a problem report.

Per sheet: skip instruction sheets, find the header row, map columns through the synonym
table, read the key/value block above the table, then convert every row. Values the log
itself lacks are filled in this order: the row's cell, the key/value block, the sheet name
or a title row (artefact only), the caller's defaults.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from itertools import islice, repeat
from typing import Any

from .normalise import (
    COMMENT_FIELDS,
    COMMENT_HEADER_LOOKUP,
    match_constituency,
    normalise_artefact_ref,
    normalise_comment_type,
    normalise_disposition,
    normalise_header,
    normalise_review_round,
    normalise_tranche,
    split_artefact_ref,
)
from .records import CommentRecord, ReadResult, SheetReport
from .sources import OpenedSource, RawSheet, Row, Source
from .table import (
    CellProblem,
    Header,
    ProblemLog,
    apply_overrides,
    cell_date,
    cell_text,
    find_header,
    read_context,
    read_source,
    sheet_report,
)

# Fields that a key/value line above the table, or the caller's defaults, may supply.
CONTEXT_FIELDS: tuple[str, ...] = (
    "organisation",
    "constituency",
    "tranche",
    "review_round",
    "artefact",
    "reviewer",
    "raised_on",
)
NO_ORGANISATION = (
    "no organisation for {count} comments: add an Organisation column, an 'Organisation:' "
    "line above the table, or pass --organisation"
)
NO_ARTEFACT = (
    "no artefact: add an artefact column, an 'Artefact:' line above the table, "
    "or name the sheet after the artefact (e.g. 'BP004')"
)
NO_TABLE = (
    "no comment table found: no sheet has a header row with a comment column "
    "(e.g. 'Comment', 'Comments', 'Reviewer comment') in its first 40 rows"
)


# --- cell converters: raw cell -> field value, or CellProblem ------------------------------


@lru_cache(maxsize=4096)
def _artefact_text(text: str) -> str | None:
    if not text.strip():
        return None
    ref = normalise_artefact_ref(text)
    if ref is None:
        raise CellProblem("no artefact reference (like 'BP004') in")
    return ref


def _artefact(value: Any) -> str | None:
    return _artefact_text(value if type(value) is str else cell_text(value) or "")


def _disposition(value: Any) -> str:
    found = normalise_disposition(value if type(value) is str else cell_text(value))
    if found is None:
        raise CellProblem("unknown disposition")
    return found


def _comment_type(value: Any) -> str | None:
    text = cell_text(value)
    if text is None:
        return None
    found, known = normalise_comment_type(text)
    if not known:
        raise CellProblem("unknown comment type {value}, kept as written", "warning", found)
    return found


@lru_cache(maxsize=256)
def _constituency_text(text: str) -> str | None:
    if not text.strip():
        return None
    found = match_constituency(text)
    if found is None:
        raise CellProblem("unknown constituency")
    return found


def _constituency(value: Any) -> str | None:
    return _constituency_text(cell_text(value) or "")


def _tranche(value: Any) -> str | None:
    if cell_text(value) is None:
        return None
    found = normalise_tranche(value)
    if found is None:
        raise CellProblem("unknown tranche {value} (use 1, 2, 3, 4 or TBC)")
    return found


def _review_round(value: Any) -> int | None:
    if cell_text(value) is None:
        return None
    found = normalise_review_round(value)
    if found is None:
        raise CellProblem("unknown review round")
    return found


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "log_comment_id": cell_text,
    "artefact": _artefact,
    "section": cell_text,
    "page": cell_text,
    "line": cell_text,
    "comment": cell_text,
    "proposed_change": cell_text,
    "comment_type": _comment_type,
    "response": cell_text,
    "disposition": _disposition,
    "organisation": cell_text,
    "constituency": _constituency,
    "reviewer": cell_text,
    "raised_on": cell_date,
    "tranche": _tranche,
    "review_round": _review_round,
}
# Free text and ids: nearly every cell differs, so they are converted directly, not cached.
DIRECT_FIELDS = frozenset(
    {"comment", "proposed_change", "response", "log_comment_id", "section", "page", "line"}
)
RECORD_FIELDS = tuple(f.name for f in dataclasses.fields(CommentRecord))
CHUNK_ROWS = 2048
# Told each chunk of records as it is made (they are in the result too), and whether the file
# is clean so far (no error yet): an importer can store them while the rest is read.
RecordsHook = Callable[[list[CommentRecord], bool], None]


def read_comment_log(
    source: Source,
    *,
    filename: str | None = None,
    defaults: Mapping[str, str | int] | None = None,
    column_overrides: Mapping[str, str | None] | None = None,
    on_records: RecordsHook | None = None,
    keep_records: bool = True,
) -> ReadResult:
    """Read a comment log. Never raises for bad input: everything wrong is a Problem. With
    `keep_records=False` the result holds no records: `on_records` has had them all (an
    importer that stores them as they come need not hold 100,000 at once)."""

    def read(opened: OpenedSource, result: ReadResult, log: ProblemLog) -> None:
        reader = _LogReader(result, log, defaults or {}, column_overrides or {})
        reader.on_records = on_records
        reader.keep_records = keep_records
        reader.read(opened)

    return read_source(source, filename, read)


class _LogReader:
    """State for one file: defaults, duplicate ids seen so far, counts for file-level checks."""

    def __init__(
        self,
        result: ReadResult,
        log: ProblemLog,
        defaults: Mapping[str, str | int],
        overrides: Mapping[str, str | None],
    ) -> None:
        self.result, self.log, self.overrides = result, log, overrides
        self.lookup = dict(COMMENT_HEADER_LOOKUP)
        # A header the user named in an override counts as that field when finding the header.
        named = {f: t for f, t in overrides.items() if t and f in COMMENT_FIELDS}
        self.lookup.update({normalise_header(t): f for f, t in named.items()})
        self.defaults = self._check_defaults(defaults)
        self.tables = 0
        self.without_organisation = 0
        # sheet -> (artefact, log comment id) -> row: where each id was first seen.
        self.seen_ids: dict[str, dict[tuple[str | None, str], int]] = {}
        self.on_records: RecordsHook | None = None
        self.keep_records = True

    def _check_defaults(self, defaults: Mapping[str, str | int]) -> dict[str, Any]:
        checked: dict[str, Any] = {}
        for name, value in defaults.items():
            if name not in CONTEXT_FIELDS:
                self.log.add(
                    f"unknown default '{name}' (expected one of {', '.join(CONTEXT_FIELDS)})"
                )
                continue
            try:
                converted = CONVERTERS[name](value)
            except CellProblem as problem:
                self.log.add(f"default {name}: {problem.message}", value=value)
                continue
            if converted is not None:
                checked[name] = converted
        return checked

    def read(self, opened: OpenedSource) -> None:
        for raw in opened.sheets:
            self._read_sheet(raw)
        if not self.tables:
            self.log.add(NO_TABLE)
        if self.without_organisation:
            self.log.add(NO_ORGANISATION.format(count=self.without_organisation))

    def _read_sheet(self, raw: RawSheet) -> None:
        report = sheet_report(self.result, raw)
        if report.skipped:
            return
        header, above, raw.rows = find_header(raw.rows, self.lookup, "comment")
        if header is None:
            report.skipped = (
                "no header row with a comment column in the first 40 rows"
                if above
                else "empty sheet"
            )
            return
        sheet = _Sheet(raw, header)
        report.header_row = header.row + 1
        self._check_header(sheet)
        if "comment" not in header.columns:
            report.skipped = "the comment column is set to be ignored"
            return
        report.mapping, report.unmapped = header.mapping(), header.unmapped
        self.tables += 1
        context = self._sheet_context(sheet, above, report)
        rows = _RowReader(self, sheet, context)
        report.records = rows.read()
        if not rows.filled:
            self.log.add("the comment table is empty", sheet=sheet.label, severity="warning")

    def _check_header(self, sheet: _Sheet) -> None:
        header = sheet.header
        for message in apply_overrides(header, self.overrides, COMMENT_FIELDS):
            self.log.add(message, sheet=sheet.label, row=header.row + 1)
        for name, kept, ignored in header.duplicates:
            self.log.add(
                f"two columns map to {name}: using '{header.cells[kept]}', ignoring",
                severity="warning",
                **sheet.where(ignored),
                value=header.cells[ignored],
            )

    def _sheet_context(
        self, sheet: _Sheet, above: list[tuple[int, Row]], report: SheetReport
    ) -> dict[str, Any]:
        """Sheet-level values: key/value block, then sheet name or title row, then defaults."""
        block, titles = read_context(above, self.lookup, CONTEXT_FIELDS)
        values: dict[str, Any] = {}
        for name, item in block.items():
            report.context[name] = item.value
            try:
                values[name] = CONVERTERS[name](item.value)
            except CellProblem as problem:
                where = sheet.where(item.col)
                where["column"] = item.label
                self.log.add(problem.message, row=item.row + 1, value=item.value, **where)
        if "artefact" not in values:
            ref = self._artefact_from_names(sheet, titles)
            if ref:
                values["artefact"] = report.context["artefact"] = ref
        for name, value in self.defaults.items():
            values.setdefault(name, value)
        return {name: value for name, value in values.items() if value is not None}

    def _artefact_from_names(self, sheet: _Sheet, titles: list[tuple[int, int, str]]) -> str | None:
        """The artefact a sheet is about, from its name or else a title row, if either has one."""
        from_name = None if sheet.raw.is_csv else normalise_artefact_ref(sheet.raw.name)
        from_title = next((ref for _, _, t in titles if (ref := split_artefact_ref(t)[0])), None)
        if from_name and from_title and from_name != from_title:
            self.log.add(
                f"sheet name says {from_name} but a title row says {from_title}: using {from_name}",
                sheet=sheet.label,
                severity="warning",
            )
        return from_name or from_title


class _Sheet:
    """A sheet being read: where its cells are, for problem messages."""

    __slots__ = ("raw", "header", "label")

    def __init__(self, raw: RawSheet, header: Header) -> None:
        self.raw, self.header = raw, header
        self.label = None if raw.is_csv else raw.name  # a CSV has no sheet to name

    def where(self, col: int) -> dict[str, Any]:
        return {
            "sheet": self.label,
            "column": self.header.cells[col] if col < len(self.header.cells) else None,
            "column_index": col + self.raw.col_offset,
        }


class _RowReader:
    """Converts a sheet's rows a chunk at a time, column by column.

    Speed matters (100,000-row logs): each column is converted with one comprehension, the
    repetitive columns (artefact, status, organisation...) through a per-sheet cache keyed by
    the raw cell, and records are built with map(). Only rows that need a message are
    visited one by one.
    """

    def __init__(self, owner: _LogReader, sheet: _Sheet, context: dict[str, Any]) -> None:
        self.owner, self.sheet, self.log = owner, sheet, owner.log
        self.columns = sheet.header.columns
        self.width = max(self.columns.values()) + 1
        self.fills = context
        self.caches: dict[str, dict[Any, Any]] = {name: {} for name in self.columns}
        self.failures: dict[str, dict[Any, CellProblem]] = {name: {} for name in self.columns}
        self.count = 0  # records made
        self.filled = 0  # rows with a comment, proposed change or response

    def read(self) -> int:
        rows, number = self.sheet.raw.rows, self.sheet.header.row + 2
        while chunk := list(islice(rows, CHUNK_ROWS)):
            if self.sheet.raw.is_csv:  # CSV rows stop at their last filled cell
                width, pad = self.width, [""] * self.width
                chunk = [row if len(row) >= width else row + pad for row in chunk]
            self._chunk(number, chunk)
            number += len(chunk)
        return self.count

    def _chunk(self, start: int, chunk: list[Row]) -> None:
        bad: set[int] = set()  # rows (index in chunk) with an error: no record
        values: dict[str, Any] = {}
        table = list(zip(*chunk, strict=False))  # rows -> columns in one pass
        for name, col in self.columns.items():
            cells = table[col]
            values[name] = (
                _texts(cells) if name in DIRECT_FIELDS else self._cached(name, cells, start, bad)
            )
        skipped = self._check_texts(values, start)
        for name, fill in self.fills.items():
            column = values.get(name)
            if column is None:
                values[name] = _Constant(fill)
            elif None in column:
                values[name] = [fill if value is None else value for value in column]
        # A row whose artefact cell was already reported isn't reported again as missing.
        bad |= self._check_artefacts(values.get("artefact"), start, len(chunk), skipped | bad)
        if "log_comment_id" in values:
            bad |= self._check_ids(values, start, skipped)
        self._keep(self._build(values, start, len(chunk)), bad | skipped, values)

    def _cached(self, name: str, cells: Sequence[Any], start: int, bad: set[int]) -> list[Any]:
        """Convert each distinct raw value once per sheet; report failing cells row by row."""
        cache, failures, convert = self.caches[name], self.failures[name], CONVERTERS[name]
        distinct = set(cells)
        for value in distinct - cache.keys():
            try:
                cache[value] = convert(value)
            except CellProblem as problem:
                problem.__traceback__ = None  # kept for the sheet: don't keep its frames alive
                failures[value] = problem
                cache[value] = problem.keep
        if failures and not failures.keys().isdisjoint(distinct):
            self._report(name, cells, start, bad)
        return list(map(cache.__getitem__, cells))

    def _report(self, name: str, cells: Sequence[Any], start: int, bad: set[int]) -> None:
        failures, where = self.failures[name], self.sheet.where(self.columns[name])
        for index, value in enumerate(cells):
            problem = failures.get(value)
            if problem is not None:
                self.log.add(
                    problem.message,
                    row=start + index,
                    value=value,
                    severity=problem.severity,
                    **where,
                )
                if problem.severity == "error":
                    bad.add(index)

    def _check_texts(self, values: dict[str, Any], start: int) -> set[int]:
        """Rows without a comment: blank or template rows are skipped quietly; a row with a
        proposed change or response but no comment is an error."""
        blank = {index for index, text in enumerate(values["comment"]) if text is None}
        others = [values[name] for name in ("proposed_change", "response") if name in values]
        where = self.sheet.where(self.columns["comment"])
        self.filled += len(values["comment"]) - len(blank)
        for index in sorted(blank):
            if any(column[index] is not None for column in others):
                self.log.add("comment is empty", row=start + index, **where)
                self.filled += 1
        return blank

    def _check_artefacts(
        self, artefacts: list[Any] | _Constant | None, start: int, size: int, skipped: set[int]
    ) -> set[int]:
        if isinstance(artefacts, _Constant):
            return set()
        if artefacts is None:
            missing = set(range(size))
        else:
            missing = {index for index, ref in enumerate(artefacts) if ref is None}
        for index in sorted(missing - skipped):
            self.log.add(NO_ARTEFACT, sheet=self.sheet.label, row=start + index)
        return missing

    def _check_ids(self, values: dict[str, Any], start: int, skipped: set[int]) -> set[int]:
        """The log's own comment id must not repeat for one artefact within the file."""
        ids, artefacts = values["log_comment_id"], values.get("artefact")
        refs = (
            artefacts if isinstance(artefacts, list) else repeat(getattr(artefacts, "value", None))
        )
        seen = self.owner.seen_ids
        if not skipped and None not in ids:
            # The common case, checked with set operations: every row has an id, none repeats.
            keys = list(zip(refs, ids, strict=False))
            fresh = dict(zip(keys, range(start, start + len(keys)), strict=True))
            if len(fresh) == len(keys) and all(s.keys().isdisjoint(fresh) for s in seen.values()):
                seen.setdefault(self.sheet.raw.name, {}).update(fresh)
                return set()
        pairs = enumerate(zip(refs, ids, strict=False))
        keyed = {i: key for i, key in pairs if key[1] is not None and i not in skipped}
        return self._duplicates(keyed, start)

    def _duplicates(self, keys: dict[int, tuple[str | None, str]], start: int) -> set[int]:
        seen, bad = self.owner.seen_ids, set()
        here = seen.setdefault(self.sheet.raw.name, {})
        where = self.sheet.where(self.columns["log_comment_id"])
        for index, key in keys.items():
            first = next(((name, rows[key]) for name, rows in seen.items() if key in rows), None)
            if first is None:
                here[key] = start + index
                continue
            sheet = "" if self.sheet.raw.is_csv else f"sheet '{first[0]}' "
            self.log.add(
                f"duplicate comment id {{value}} for {key[0]} (first at {sheet}row {first[1]})",
                row=start + index,
                value=key[1],
                **where,
            )
            bad.add(index)
        return bad

    def _build(self, values: dict[str, Any], start: int, size: int) -> list[CommentRecord]:
        """One record per row, built positionally in the dataclass's field order."""
        columns: list[Any] = []
        for name in RECORD_FIELDS:
            if name == "sheet":
                columns.append(repeat(self.sheet.raw.name, size))
            elif name == "row":
                columns.append(range(start, start + size))
            else:
                column = values.get(name, _NOTHING)
                columns.append(
                    repeat(column.value, size) if isinstance(column, _Constant) else column
                )
        return list(map(CommentRecord, *columns))

    def _keep(self, records: list[CommentRecord], drop: set[int], values: dict[str, Any]) -> None:
        if drop:
            records = [record for index, record in enumerate(records) if index not in drop]
        organisations = values.get("organisation", _NOTHING)
        if not isinstance(organisations, _Constant) or organisations.value is None:
            self.owner.without_organisation += sum(r.organisation is None for r in records)
        if self.owner.keep_records:
            self.owner.result.records.extend(records)
        self.count += len(records)
        if self.owner.on_records is not None and records:
            self.owner.on_records(records, not self.log.errors)


class _Constant:
    """A column with one value for every row (from the sheet's context or defaults)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


_NOTHING = _Constant(None)


def _texts(cells: Sequence[Any]) -> list[str | None]:
    """cell_text over a column, with the common cases (a string without '\\r', a whole
    number such as an id) inline."""
    out = [
        (cell.strip() or None)
        if type(cell) is str
        else (str(int(cell)) if type(cell) is float and cell.is_integer() else cell_text(cell))
        for cell in cells
    ]
    if "\r" in "".join(filter(None, out)):  # one scan per column, not one per cell
        out = [cell_text(text) for text in out]
    return out

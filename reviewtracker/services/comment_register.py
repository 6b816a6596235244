"""The comment register: the comments a filter selects, in the list's order, as xlsx or CSV.

Streamed from the database a chunk at a time (the ids from the list's own query), never as ORM
objects or Rows (the driver's tuples: driver_query.py), and handed on a piece at a time (the
download starts at once; see xlsx_stream.py). The CSV is written a chunk at a time, column by
column (csv_text.py).
A reviewer's register (their scope) never has the design team's working columns.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import Integer, Select, bindparam, case, select

from importers.vocabulary import DISPOSITIONS, PUBLISHED_OUTCOMES

from ..extensions import db
from ..models import (
    Artefact,
    Comment,
    Constituency,
    Organisation,
    ReviewRound,
    Service,
    Tranche,
)
from .comment_filter import CommentFilter
from .comment_queries import filtered_ids
from .csv_text import csv_text
from .driver_query import DriverQuery
from .formula_safety import csv_columns
from .scope import Scope, require
from .xlsx_stream import StreamColumn, xlsx_stream

# Comments per query: ids in one IN (...) list, well under every backend's parameter limit.
REGISTER_CHUNK = 2000
ID_TYPE = Integer()  # one instance: its dialect's implementation looked up once, not 2,000 times


@dataclass(frozen=True, slots=True)
class RegisterColumn:
    label: str
    width: float
    wrap: bool = False


REGISTER_COLUMNS = (
    RegisterColumn("Comment", 9),
    RegisterColumn("Tranche", 8),
    RegisterColumn("Review Round", 11),
    RegisterColumn("Design Artefact", 11),
    RegisterColumn("Artefact Title", 30, wrap=True),
    RegisterColumn("MHHS Service", 22, wrap=True),
    RegisterColumn("Organisation", 26, wrap=True),
    RegisterColumn("Constituency", 26, wrap=True),
    RegisterColumn("Comment ID", 10),
    RegisterColumn("Section", 10),
    RegisterColumn("Page", 7),
    RegisterColumn("Line", 7),
    RegisterColumn("Comment Type", 12),
    RegisterColumn("Reviewer", 18),
    RegisterColumn("Date Raised", 12),
    RegisterColumn("Reviewer Comment", 60, wrap=True),
    RegisterColumn("Proposed Change", 45, wrap=True),
    RegisterColumn("Disposition", 16),
    RegisterColumn("Response", 55, wrap=True),
    RegisterColumn("Action Owner", 18),
    RegisterColumn("Action Due", 12),
    RegisterColumn("Duplicate Of", 10),
    RegisterColumn("Source File", 30),
    RegisterColumn("Source Sheet", 14),
    RegisterColumn("Source Row", 9),
    RegisterColumn("Last Changed", 18),
)
INTERNAL_NOTE_COLUMN = RegisterColumn("Internal Note", 45, wrap=True)
# The design team's working columns, left out of a reviewer's register (with the internal
# note): who owns a follow-up action and by when, and links to other comments.
REVIEWER_HIDDEN_COLUMNS = frozenset({"Action Owner", "Action Due", "Duplicate Of"})


def _register_columns_sql(
    internal_notes: bool, for_reviewer: bool = False, scope: Scope | None = None
) -> list:
    """The register's columns in SQL; a reviewer's `scope` reads the published outcome."""
    outcome = scope if scope is not None and scope.reads_published else Scope.staff()
    # The disposition's label, from the vocabulary (an unknown key as it is).
    labels = (PUBLISHED_OUTCOMES if outcome.reads_published else DISPOSITIONS).labels
    disposition = outcome.disposition()
    columns = [
        Comment.id,
        Tranche.code,
        ReviewRound.number,
        Artefact.reference,
        Artefact.title,
        Service.name,
        Organisation.name,
        Constituency.name,
        Comment.log_comment_id,
        Comment.section,
        Comment.page,
        Comment.line,
        Comment.comment_type,
        Comment.reviewer,
        Comment.raised_on,
        Comment.text,
        Comment.proposed_change,
        case(labels, value=disposition, else_=disposition),
        outcome.response(),
        Comment.action_owner,
        Comment.action_due,
        Comment.duplicate_of_id,
        Comment.source_file,
        Comment.source_sheet,
        Comment.source_row,
        outcome.changed_at(),
    ]
    if for_reviewer:
        return [
            column
            for label, column in zip((c.label for c in REGISTER_COLUMNS), columns, strict=True)
            if label not in REVIEWER_HIDDEN_COLUMNS
        ]
    return [*columns, Comment.internal_note] if internal_notes else columns


def _register_query(
    scope: Scope, internal_notes: bool, for_reviewer: bool, id_names: list[str]
) -> Select:
    """The register's columns for the comments of one chunk: its ids a parameter each
    (`id_names`), so that the query is compiled once (driver_query.py)."""
    return (
        select(*_register_columns_sql(internal_notes, for_reviewer, scope))
        .select_from(Comment)
        .join(Artefact, Artefact.id == Comment.artefact_id)
        .join(Organisation, Organisation.id == Comment.organisation_id)
        .join(Constituency, Constituency.id == Organisation.constituency_id)
        .join(ReviewRound, ReviewRound.id == Comment.review_round_id)
        .join(Tranche, Tranche.id == ReviewRound.tranche_id)
        .outerjoin(Service, Service.id == Artefact.service_id)
        .where(Comment.id.in_([bindparam(name, type_=ID_TYPE) for name in id_names]))
    )


def _register_blocks(
    f: CommentFilter, internal_notes: bool, for_reviewer: bool = False
) -> Iterator[list[Sequence[object]]]:
    """The filter's comments in the list page's order, a chunk at a time, each chunk's
    values column by column: the ids come from the list's own query (`filtered_ids`), then
    each chunk's columns in one joined query run on the DBAPI cursor (driver_query.py: no
    ORM or Row work per row, a register runs to 100,000)."""
    names = [f"register_id_{n}" for n in range(REGISTER_CHUNK)]
    query = _register_query(require(f.scope), internal_notes, for_reviewer, names)
    connection = db.session.connection()
    with DriverQuery(connection, query) as chunk_query:
        ids = connection.execute(filtered_ids(f).execution_options(yield_per=len(names)))
        for chunk in ids.scalars().partitions():
            padded = chunk + chunk[-1:] * (len(names) - len(chunk))  # a repeat adds no row
            rows = chunk_query.rows(dict(zip(names, padded, strict=True)))
            by_id = {row[0]: row for row in rows}
            yield chunk_query.processed(list(zip(*[by_id[i] for i in chunk], strict=True)))


def _register_rows(
    f: CommentFilter, internal_notes: bool, for_reviewer: bool = False
) -> Iterator[Sequence[object]]:
    """_register_blocks a row at a time (the xlsx writer's rows)."""
    for columns in _register_blocks(f, internal_notes, for_reviewer):
        yield from zip(*columns, strict=True)


def _register_columns(
    internal_notes: bool, for_reviewer: bool = False
) -> tuple[RegisterColumn, ...]:
    if for_reviewer:
        return tuple(c for c in REGISTER_COLUMNS if c.label not in REVIEWER_HIDDEN_COLUMNS)
    return (*REGISTER_COLUMNS, INTERNAL_NOTE_COLUMN) if internal_notes else REGISTER_COLUMNS


def comment_register_chunks(f: CommentFilter, *, internal_notes: bool = False) -> Iterator[bytes]:
    """The comments the filter selects, as the list page orders them, as xlsx: its bytes a
    piece at a time as the rows are read (xlsx_stream), for a download that starts at once.
    Internal notes only if asked for; a reviewer's register (the filter's scope) never has
    them, nor the action owner, due date or duplicate. The scope is checked at once, before
    the first piece."""
    for_reviewer = require(f.scope).is_reviewer
    internal_notes = internal_notes and not for_reviewer
    columns = [
        StreamColumn(c.label, c.width, c.wrap)
        for c in _register_columns(internal_notes, for_reviewer)
    ]
    return xlsx_stream("Comments", columns, _register_rows(f, internal_notes, for_reviewer))


def comment_register(f: CommentFilter, *, internal_notes: bool = False) -> bytes:
    """comment_register_chunks in one piece (the CLI, tests)."""
    return b"".join(comment_register_chunks(f, internal_notes=internal_notes))


def comment_register_csv_chunks(
    f: CommentFilter, *, internal_notes: bool = False
) -> Iterator[bytes]:
    """The same register as CSV, UTF-8 with a byte order mark (so Excel reads it right), a
    piece at a time; the scope is checked at once."""
    for_reviewer = require(f.scope).is_reviewer
    internal_notes = internal_notes and not for_reviewer
    labels = [c.label for c in _register_columns(internal_notes, for_reviewer)]
    return _csv_chunks(labels, _register_blocks(f, internal_notes, for_reviewer))


def _csv_chunks(labels: list[str], blocks: Iterator[list[Sequence[object]]]) -> Iterator[bytes]:
    yield codecs.BOM_UTF8 + csv_text([[label] for label in labels]).encode()
    for columns in blocks:
        yield csv_text(csv_columns(columns)).encode()


def comment_register_csv(f: CommentFilter, *, internal_notes: bool = False) -> bytes:
    """comment_register_csv_chunks in one piece (the CLI, tests)."""
    return b"".join(comment_register_csv_chunks(f, internal_notes=internal_notes))


def register_filename(f: CommentFilter, suffix: str) -> str:
    parts = ["comments"]
    if f.tranche:
        parts.append(f"tranche-{f.tranche}")
    if f.review_round:
        parts.append(f"round-{f.review_round}")
    if f.artefact:
        parts.append(f.artefact)
    if f.disposition:
        parts.append(f.disposition)
    return "-".join(parts).lower() + suffix


__all__ = [
    "comment_register",
    "comment_register_chunks",
    "comment_register_csv",
    "comment_register_csv_chunks",
    "register_filename",
]

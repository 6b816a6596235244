"""Full-text search over a comment's text, proposed change and response, on both databases.

The one module with the search's dialect-specific queries: the condition a filter adds
(`matches`, what `comment_queries.text_search` returns) and the import's bulk re-indexing. The
index itself is schema, created by a migration (20261130_a3fb28694096_search_index.py):

- SQLite: an FTS5 external-content table `comment_fts` over comment(text, proposed_change,
  response), kept in sync by three triggers on `comment` (insert, delete, and an update of
  one of the three columns).
- PostgreSQL: a stored generated column `comment.search_vector` (to_tsvector('simple', the
  three columns)) with a GIN index. The database keeps it up to date itself.

Query semantics, the same on both: the query is split into words on white space; every word
must occur (in any of the three columns); a word with punctuation inside (`de-appointment`,
`4.2`) must occur as those tokens in a row; the last word also matches as a prefix
(`clarif` finds `clarification`) when it has at least `PREFIX_MIN` characters. Words without a
letter or digit are ignored, so a query of only punctuation matches nothing. The user's text
never reaches the MATCH / tsquery syntax raw: each word is quoted as one phrase (FTS5) or one
lexeme (tsquery), so operators (AND, OR, NOT, NEAR, *, -, ^, :, quotes) are just text.
Matching is case-insensitive; the simple tokenisers do no stemming (`clarify` does not find
`clarification`, but the prefix `clarif` does).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from flask import g, has_app_context
from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    column,
    false,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.sql import ColumnElement

from ..extensions import db
from ..models import Comment

FTS_TABLE = "comment_fts"
COLUMNS = ("text", "proposed_change", "response")
PREFIX_MIN = 3  # shorter last words match whole words only (a 1-letter prefix is most words)
MAX_WORDS = 20
# A search with more hits than this is "broad": queries test rows against it rather than start
# from its hits (see `matches`). Below it, starting from the hits is cheaper: on SQLite a rowid
# lookup each, about 1 microsecond, so 10 ms at most.
BROAD_HITS = 10_000
_CHUNK = 5000  # ids per statement in a bulk re-index (SQLite allows 32,766 parameters)
_WORD_CHARACTER = re.compile(r"[^\W_]")  # a letter or digit: what both tokenisers index
_TOKEN = re.compile(r"[^\W_]+")

# The index's names (the migration creates the objects; schema_filter hides them from Alembic).
PG_COLUMN = "search_vector"
PG_INDEX = "ix_comment_search_vector"
_INSERT_TRIGGER = f"{FTS_TABLE}_insert"
_UPDATE_TRIGGER = f"{FTS_TABLE}_update"
_NAMES = ", ".join(COLUMNS)


# --- bulk writes (the import) on SQLite ------------------------------------------------------
#
# The insert trigger indexes row by row. Under the row-by-row executemany the import once used,
# FTS5 flushed its pending index data per row (each statement is a savepoint): three times as
# long. With many rows a statement (comment_import.write.driver_insert) the trigger still costs
# more than one pass afterwards (100,000 rows: 3.3 s end to end against 3.0 s). The import
# therefore drops the trigger in its own transaction, writes, indexes the rows it wrote with one
# INSERT ... SELECT, and re-creates the trigger. All of that is one transaction: nobody else can
# write meanwhile (SQLite has one writer), and a failed import rolls the DDL back with the rows.
# The trigger is re-created from its own CREATE TRIGGER as sqlite_master keeps it, so it comes
# back exactly as the migrations made it: the app holds no copy of the DDL that could differ.


@contextmanager
def bulk_insert(batch_id: int) -> Iterator[None]:
    """Around the bulk insert of an import batch's new comments (inside its transaction):
    they are indexed in one statement afterwards, not by the insert trigger row by row."""
    trigger = _trigger_sql(_INSERT_TRIGGER)
    if trigger is None:
        yield
        return
    _drop_in_transaction(_INSERT_TRIGGER)
    yield
    db.session.execute(
        text(
            f"INSERT INTO {FTS_TABLE}(rowid, {_NAMES}) SELECT id, {_NAMES} FROM comment "
            "WHERE import_batch_id = :batch"
        ),
        {"batch": batch_id},
    )
    _recreate(trigger)


@contextmanager
def bulk_update(comment_ids: Sequence[int]) -> Iterator[None]:
    """Around a bulk update of these comments' indexed columns (inside its transaction): their
    old entries are removed before it and the new ones added after it, in a few statements."""
    trigger = _trigger_sql(_UPDATE_TRIGGER) if comment_ids else None
    if trigger is None:
        yield
        return
    ids = sorted(set(comment_ids))
    _drop_in_transaction(_UPDATE_TRIGGER)
    _reindex(ids, f"{FTS_TABLE}({FTS_TABLE}, rowid, {_NAMES})", f"'delete', id, {_NAMES}")
    yield
    _reindex(ids, f"{FTS_TABLE}(rowid, {_NAMES})", f"id, {_NAMES}")
    _recreate(trigger)


def _drop_in_transaction(trigger: str) -> None:
    """DROP TRIGGER, refused outside a transaction: Python's sqlite3 runs DDL in autocommit
    when no transaction is open, and a failure could then leave the index without it."""
    raw = db.session.connection().connection.dbapi_connection
    if not getattr(raw, "in_transaction", False):
        raise RuntimeError(f"dropping {trigger} needs an open write transaction (the import's)")
    db.session.execute(text(f"DROP TRIGGER {trigger}"))


def _recreate(trigger_sql: str) -> None:
    # Executed as the raw SQL it is: text() would read a ":word" inside it as a parameter.
    db.session.connection().exec_driver_sql(trigger_sql)


def _reindex(ids: list[int], into: str, columns: str) -> None:
    statement = text(f"INSERT INTO {into} SELECT {columns} FROM comment WHERE id IN :ids")
    statement = statement.bindparams(bindparam("ids", expanding=True))
    for start in range(0, len(ids), _CHUNK):
        db.session.execute(statement, {"ids": ids[start : start + _CHUNK]})


def _trigger_sql(name: str) -> str | None:
    """The CREATE TRIGGER statement of this search trigger on SQLite; None when it is absent
    (or on PostgreSQL, which needs none)."""
    if _dialect() != "sqlite":
        return None
    return db.session.scalar(
        text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
        {"name": name},
    )


# --- the query -------------------------------------------------------------------------------


def words(q: str) -> list[str]:
    """The query's words: split on white space, those without a letter or digit dropped."""
    return [word for word in q.split() if _WORD_CHARACTER.search(word)][:MAX_WORDS]


def _is_prefix(word: str) -> bool:
    """Long enough to be a prefix: the word's last token (what the * applies to)."""
    return len(_TOKEN.findall(word)[-1]) >= PREFIX_MIN


def fts5_query(q: str) -> str | None:
    """An FTS5 MATCH expression: each word one quoted phrase ("" escapes a quote), all of
    them required (FTS5 ANDs phrases side by side), the last a prefix. None if no words."""
    found = words(q)
    if not found:
        return None
    phrases = ['"' + word.replace('"', '""') + '"' for word in found]
    if _is_prefix(found[-1]):
        phrases[-1] += "*"
    return " ".join(phrases)


def tsquery(q: str) -> str | None:
    """A to_tsquery('simple', ...) text: each word one quoted lexeme (quotes doubled,
    backslashes escaped; PostgreSQL splits it as it split the document), joined by &, the last
    a prefix (:*). None if no words."""
    found = words(q)
    if not found:
        return None
    lexemes = ["'" + word.replace("\\", "\\\\").replace("'", "''") + "'" for word in found]
    if _is_prefix(found[-1]):
        lexemes[-1] += ":*"
    return " & ".join(lexemes)


def matches(q: str, *, narrowed: bool = False, filtered: bool = False) -> ColumnElement[bool]:
    """The condition "the comment matches the free-text query `q`", for the bound database.

    `narrowed`: other conditions of the query pick out few comments through an index (an
    organisation's, an artefact's). Then the rows they select are tested against the search,
    rather than the database starting from the search's hits, which for a common word are a
    fifth of all comments. At 1,000,000 comments, an organisation's open comments in a tranche
    containing "validation*" (217,000 hits): SQLite 280 -> 45 ms (`+comment.id IN (hits)`: the
    unary + keeps its planner from driving the query by the hits, each looked up by id);
    PostgreSQL 200 -> 20 ms (`coalesce(search_vector, '') @@ query`: not the indexed column, so
    the planner filters the rows the other indexes found instead of AND-ing a bitmap of every
    hit from the GIN index).

    A broad search (`is_broad`: more than BROAD_HITS hits) is narrowed too: on SQLite always
    (its planner has no estimate of an FTS5 match and always starts from the hits, a lookup
    each: 250 ms for a common word, where a page walks its order and stops after a few hundred
    rows, and the list's counts stop at a limit); on PostgreSQL when `filtered` (other
    conditions present: it would AND the GIN bitmap of every hit with theirs, 170 ms, where
    testing their rows takes 5). Alone on PostgreSQL it is left to the planner, which
    estimates the hits from the column's statistics and walks the order itself.
    A rare word is best started from its hits, on both."""
    dialect = _dialect()
    if not narrowed and is_broad(q):
        narrowed = dialect == "sqlite" or filtered
    if dialect == "sqlite":
        expression = fts5_query(q)
        if expression is None:
            return false()
        fts = table(FTS_TABLE, column("rowid"))
        hits = select(fts.c.rowid).where(literal_column(FTS_TABLE).op("MATCH")(expression))
        if narrowed:
            return literal_column(f"+{Comment.__tablename__}.id", Integer).in_(hits)
        return Comment.id.in_(hits)
    if dialect == "postgresql":
        expression = tsquery(q)
        if expression is None:
            return false()
        vector = literal_column(f"{Comment.__tablename__}.{PG_COLUMN}")
        if narrowed:
            vector = func.coalesce(vector, literal_column("''::tsvector"))
        query = func.to_tsquery(literal_column("'simple'::regconfig"), expression)
        return vector.op("@@")(query)
    raise RuntimeError(f"full-text search is not supported on {dialect}")


def matches_published(q: str, response: ColumnElement) -> ColumnElement[bool]:
    """The condition "the comment's text, proposed change or `response` (a reviewer's: the
    published one, which the index does not hold) contains every word of `q`", case-folded.
    A plain substring test (LIKE, the user's % and _ escaped): only for a reviewer's list, one
    organisation's comments, few enough to test each."""
    found = words(q)
    if not found:
        return false()
    haystack = func.lower(
        func.coalesce(Comment.text, "")
        + " "
        + func.coalesce(Comment.proposed_change, "")
        + " "
        + func.coalesce(response, "")
    )
    return and_(*(haystack.contains(word.lower(), autoescape=True) for word in found))


def is_broad(q: str, hits: int | None = None) -> bool:
    """True if the free-text query `q` alone matches more than `hits` comments. The count
    stops at hits + 1 (SQLite reads the FTS index alone: about 1 ms; PostgreSQL takes the first
    rows the GIN index points to: about 30 ms at 1,000,000 comments), and is made once per
    request for each query. `hits` defaults to BROAD_HITS."""
    hits = BROAD_HITS if hits is None else hits
    memo = g.setdefault("broad_searches", {}) if has_app_context() else {}
    if (q, hits) not in memo:
        memo[q, hits] = _count_hits(q, hits + 1) > hits
    return memo[q, hits]


def _count_hits(q: str, limit: int) -> int:
    dialect = _dialect()
    if dialect == "sqlite":
        expression = fts5_query(q)
        sql = f"SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q"
    elif dialect == "postgresql":
        expression = tsquery(q)
        sql = f"SELECT 1 FROM comment WHERE {PG_COLUMN} @@ to_tsquery('simple'::regconfig, :q)"
    else:
        return 0
    if expression is None:
        return 0
    first = text(f"SELECT count(*) FROM ({sql} LIMIT :n) AS first_hits")
    return db.session.scalar(first, {"q": expression, "n": limit}) or 0


def _dialect() -> str:
    return db.session.get_bind().dialect.name


__all__ = [
    "PREFIX_MIN",
    "bulk_insert",
    "bulk_update",
    "fts5_query",
    "is_broad",
    "matches",
    "matches_published",
    "tsquery",
    "words",
]

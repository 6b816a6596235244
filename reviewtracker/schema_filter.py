"""What Alembic compares: the models' schema, less the full-text search index, which a
migration creates with each database's own DDL (an FTS5 table and its shadow tables, or a
generated column and its GIN index) and which is not in the models, and less the expression
indexes, which Alembic cannot compare (SQLite's cannot be reflected; PostgreSQL's come back
rewritten, with casts and parentheses of its own). Without this, autogenerate would write a
migration dropping them. The tests check those by hand (tests/reviewtracker/test_migrations.py;
Alembic never compares SQLite's triggers)."""

from .services.search import FTS_TABLE, PG_COLUMN, PG_INDEX

EXPRESSION_INDEXES = frozenset({"ix_comment_disposition_rank"})


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    if type_ == "index" and name in EXPRESSION_INDEXES:
        return False
    if not reflected:
        return True
    if type_ == "table":
        return not (name or "").startswith(FTS_TABLE)
    if type_ == "column":
        return name != PG_COLUMN
    if type_ == "index":
        return name != PG_INDEX
    return True

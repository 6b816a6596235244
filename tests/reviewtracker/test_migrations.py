"""The migrations and the models describe the same schema, and init-db applies them."""

import re
import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from reviewtracker.extensions import MIGRATIONS, db
from reviewtracker.models import DISPOSITION_RANK_SQL
from reviewtracker.schema_filter import include_object
from reviewtracker.services.comment_queries import CommentFilter, filtered_ids

RANK_INDEX = "ix_comment_disposition_rank"


def test_migrated_schema_matches_the_models(app):
    with db.engine.connect() as connection, warnings.catch_warnings():
        # SQLite's reflection can't read an expression index, so Alembic can't compare it
        # there (it says so): the test below checks that one by hand.
        warnings.filterwarnings("ignore", f".*expression-based index '?{RANK_INDEX}")
        context = MigrationContext.configure(
            connection, opts={"include_object": include_object, "compare_type": True}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def _words(sql: str) -> str:
    """SQL without casts, parentheses, quotes or case: what both databases keep of it."""
    sql = re.sub(r"::(character varying|[a-z]+)", "", sql.lower())
    sql = " ".join(re.sub(r"[(),\"']", " ", sql).split())
    return sql.replace(" else null end", " end")  # PostgreSQL writes the implied ELSE out


def test_the_disposition_order_index_is_the_list_s_expression(app):
    """The list sorts by disposition with models.DISPOSITION_RANK_SQL; the migration's index
    must be that expression (an expression index serves only its own expression)."""
    if db.engine.dialect.name == "sqlite":
        sql = db.session.scalar(
            text("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"),
            {"name": RANK_INDEX},
        )
    else:
        sql = db.session.scalar(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = :name"), {"name": RANK_INDEX}
        )
    assert sql is not None
    assert _words(sql).endswith(_words(DISPOSITION_RANK_SQL) + " id")
    # And the planner serves the list's order from it (on PostgreSQL told to avoid sorting and
    # scanning: a table this small would otherwise be read whole).
    query = filtered_ids(CommentFilter(sort="disposition")).limit(50)
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    if db.engine.dialect.name == "sqlite":
        plan = db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
        assert any(RANK_INDEX in row[-1] for row in plan), plan
    else:
        db.session.execute(text("SET LOCAL enable_sort = off"))
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = db.session.scalars(text(f"EXPLAIN {compiled}")).all()
        assert any(RANK_INDEX in line for line in plan), plan
        db.session.rollback()


def test_init_db_leaves_the_database_at_the_latest_migration(app, runner):
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert inspect(db.engine).has_table("alembic_version")
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    assert current == ScriptDirectory(MIGRATIONS).get_current_head() is not None

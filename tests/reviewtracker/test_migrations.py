"""The migrations and the models describe the same schema, the migrations alone make a
working database (the full-text search index included) from nothing, and init-db applies them."""

import re
import warnings
from datetime import date, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import Column, column, insert, inspect, select, table, text
from sqlalchemy.sql.visitors import iterate

from reviewtracker.extensions import MIGRATIONS, db
from reviewtracker.models import DISPOSITION_RANK_SQL, Comment, ReviewRound
from reviewtracker.schema_filter import include_object
from reviewtracker.services import search
from reviewtracker.services.comment_filter import CommentFilter
from reviewtracker.services.comment_queries import filtered_ids
from reviewtracker.services.engagement import organisation_counts
from reviewtracker.services.scope import Scope

RANK_INDEX = "ix_comment_disposition_rank"
SEARCH_REVISION = "a3fb28694096"  # the migration that creates the full-text search index
SEARCH_INDEX = {
    "sqlite": {"comment_fts", "comment_fts_insert", "comment_fts_delete", "comment_fts_update"},
    "postgresql": {"search_vector", "ix_comment_search_vector"},
}


def _differences() -> list:
    """What Alembic finds between the database and the models."""
    with db.engine.connect() as connection, warnings.catch_warnings():
        # SQLite's reflection can't read an expression index, so Alembic can't compare it
        # there (it says so): the test below checks that one by hand.
        warnings.filterwarnings("ignore", f".*expression-based index '?{RANK_INDEX}")
        context = MigrationContext.configure(
            connection, opts={"include_object": include_object, "compare_type": True}
        )
        return compare_metadata(context, db.metadata)


def test_migrated_schema_matches_the_models(app_context):
    assert _differences() == []


def _words(sql: str) -> str:
    """SQL without casts, parentheses, quotes or case: what both databases keep of it."""
    sql = re.sub(r"::(character varying|[a-z]+)", "", sql.lower())
    sql = " ".join(re.sub(r"[(),\"']", " ", sql).split())
    return sql.replace(" else null end", " end")  # PostgreSQL writes the implied ELSE out


def test_the_disposition_order_index_is_the_list_s_expression(app_context):
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
    query = filtered_ids(CommentFilter(sort="disposition", scope=Scope.staff())).limit(50)
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


def test_a_rounds_engagement_is_counted_from_an_index_alone(app_context):
    """The engagement table's count per organisation (comments, late ones, last import) can
    be read from ix_comment_rollup_constituency alone, never the table: at 250,000 comments a
    round, reading the table made it most of the tranche dashboard's time on PostgreSQL."""
    # A round that has closed, so that late comments are counted too.
    review_round = ReviewRound(id=1, closes_on=date(2024, 3, 1))
    query = organisation_counts(review_round, Scope.staff())
    index = "ix_comment_rollup_constituency"
    # Every column of the comment table it reads is in the index...
    comments = Comment.__table__
    read = {c.name for c in iterate(query) if isinstance(c, Column) and c.table is comments}
    (covering,) = [i for i in comments.indexes if i.name == index]
    assert read == {"review_round_id", "organisation_id", "created_at", "raised_on"}
    assert read <= {c.name for c in covering.columns}
    # ... and SQLite's planner reads it so. (PostgreSQL's picks by the statistics the suite
    # has left, which on a table this small say nothing of the bench's 250,000 comments.)
    if db.engine.dialect.name == "sqlite":
        compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
        assert any(f"COVERING INDEX {index}" in row[-1] for row in plan), plan


def test_init_db_leaves_the_database_at_the_latest_migration(app, runner):
    assert runner.invoke(args=["init-db"]).exit_code == 0
    with app.app_context():
        assert inspect(db.engine).has_table("alembic_version")
        with db.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    assert current == ScriptDirectory(MIGRATIONS).get_current_head() is not None


# --- from an empty database: the migrations alone -----------------------------------------------


def _migrate(command, revision: str) -> None:
    """Run `flask db upgrade/downgrade` to `revision`, the session's transaction ended first
    (on PostgreSQL its locks would keep the migration's ALTER TABLE waiting)."""
    db.session.commit()
    command(directory=MIGRATIONS, revision=revision)


def _current_revision() -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _row(table_name: str, key: dict, /, **values) -> int:
    """The id of the table's row with this natural key, inserted (with `values`) if missing
    (init-db may have made the tranche and the constituency)."""
    row = table(table_name, column("id"), *(column(c) for c in (*key, *values)))
    where = [row.c[c] == value for c, value in key.items()]
    found = db.session.scalar(select(row.c.id).where(*where))
    if found is not None:
        return found
    return db.session.scalar(insert(row).values(**key, **values).returning(row.c.id))


def _store_comment(words: str) -> int:
    """A comment and the rows it needs (tranche, constituency, organisation, artefact, review
    round), written with the columns every revision has, so it works at an older one too."""
    tranche = _row("tranche", {"code": "1"}, position=0)
    constituency = _row("constituency", {"name": "Supplier - Large"}, position=0)
    organisation = _row(
        "organisation",
        {"name_key": "acme energy"},
        name="Acme Energy",
        constituency_id=constituency,
    )
    artefact = _row(
        "artefact",
        {"reference": "BP004"},
        title="Data Collection",
        document_type="Business Process Diagram",
        tranche_id=tranche,
        position=0,
    )
    review_round = _row("review_round", {"tranche_id": tranche, "number": 1})
    now = datetime(2026, 11, 30, 9, 0)
    comment = _row(
        "comment",
        {"source_key": words},
        artefact_id=artefact,
        review_round_id=review_round,
        organisation_id=organisation,
        text=words,
        disposition="open",
        version=1,
        created_at=now,
        updated_at=now,
    )
    db.session.commit()
    return comment


def _found(q: str) -> list[int]:
    """The comments the app's search condition finds."""
    return sorted(db.session.scalars(select(Comment.id).where(search.matches(q))))


def _search_index() -> set[str]:
    """The search index's objects present in the database (see SEARCH_INDEX)."""
    if db.engine.dialect.name == "sqlite":
        sql = (
            "SELECT name FROM sqlite_master WHERE name = 'comment_fts' "
            "OR (type = 'trigger' AND tbl_name = 'comment')"
        )
    else:
        sql = (
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'comment' "
            "AND table_schema = current_schema() AND data_type = 'tsvector' "
            "UNION ALL SELECT indexname FROM pg_indexes WHERE tablename = 'comment' "
            "AND schemaname = current_schema() AND indexdef LIKE '%USING gin%'"
        )
    return set(db.session.scalars(text(sql)))


def _assert_index_consistent() -> None:
    """SQLite: FTS5's own check of its index against the comment table (raises if out of step).
    PostgreSQL: a stored generated column cannot drift."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(
            text("INSERT INTO comment_fts(comment_fts, rank) VALUES ('integrity-check', 1)")
        )


def test_an_empty_database_upgraded_from_nothing_searches(empty_app):
    _migrate(upgrade, "head")
    assert _search_index() == SEARCH_INDEX[db.engine.dialect.name]
    comment = _store_comment("The swimlane omits the gazetteer lookup.")
    assert _found("gazetteer") == [comment]
    # The triggers (SQLite) or the generated column (PostgreSQL) follow a change of the text
    # and a delete.
    db.session.execute(
        text("UPDATE comment SET text = 'The swimlane omits the quokka.' WHERE id = :id"),
        {"id": comment},
    )
    db.session.commit()
    assert _found("quokka") == [comment]
    assert _found("gazetteer") == []
    db.session.execute(text("DELETE FROM comment WHERE id = :id"), {"id": comment})
    db.session.commit()
    assert _found("quokka") == []
    _assert_index_consistent()


def test_the_search_migration_indexes_stored_comments_and_downgrades(empty_app):
    before = ScriptDirectory(MIGRATIONS).get_revision(SEARCH_REVISION).down_revision
    _migrate(upgrade, before)
    assert _search_index() == set()
    stored = _store_comment("A gazetteer stored before there was a search index.")
    _migrate(upgrade, SEARCH_REVISION)
    assert _found("gazetteer") == [stored]
    _migrate(downgrade, before)
    assert _search_index() == set()
    assert _current_revision() == before
    # Stored while there is no index, found once it is back.
    later = _store_comment("A quokka stored after the downgrade.")
    _migrate(upgrade, SEARCH_REVISION)
    assert _search_index() == SEARCH_INDEX[db.engine.dialect.name]
    assert _found("gazetteer") == [stored]
    assert _found("quokka stored") == [later]
    assert _found("stored") == [stored, later]
    _assert_index_consistent()


def test_the_search_migration_keeps_the_index_init_db_made_before_it(empty_app):
    """Installations that ran init-db before the migration existed have the index already
    (search.install() ran the DDL the migration now holds): the upgrade leaves it as it is."""
    migration = ScriptDirectory(MIGRATIONS).get_revision(SEARCH_REVISION)
    _migrate(upgrade, migration.down_revision)
    ddl = migration.module
    if db.engine.dialect.name == "sqlite":
        statements = [ddl.SQLITE_TABLE, *ddl.SQLITE_TRIGGERS.values(), ddl.SQLITE_REBUILD]
    else:
        statements = [ddl.POSTGRESQL_COLUMN, ddl.POSTGRESQL_INDEX]
    for statement in statements:
        db.session.execute(text(statement))
    stored = _store_comment("A gazetteer indexed by the old install().")
    _migrate(upgrade, SEARCH_REVISION)
    assert _search_index() == SEARCH_INDEX[db.engine.dialect.name]
    assert _found("gazetteer") == [stored]
    _assert_index_consistent()


def test_the_latest_migration_downgrades_and_upgrades_again(empty_app):
    script = ScriptDirectory(MIGRATIONS)
    _migrate(upgrade, "head")
    _migrate(downgrade, "-1")
    assert _current_revision() == script.get_revision(script.get_current_head()).down_revision
    _migrate(upgrade, "head")
    assert _current_revision() == script.get_current_head()
    assert _differences() == []
    comment = _store_comment("The swimlane omits the gazetteer lookup.")
    assert _found("gazetteer") == [comment]


def test_init_db_makes_an_empty_database_searchable_and_is_safe_to_re_run(empty_app):
    runner = empty_app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
    assert _current_revision() == ScriptDirectory(MIGRATIONS).get_current_head()
    comment = _store_comment("The swimlane omits the gazetteer lookup.")
    assert _found("gazetteer") == [comment]

"""The migrations and the models describe the same schema, and init-db applies them."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from reviewtracker.extensions import MIGRATIONS, db
from reviewtracker.schema_filter import include_object


def test_migrated_schema_matches_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": include_object, "compare_type": True}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_init_db_leaves_the_database_at_the_latest_migration(app, runner):
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert inspect(db.engine).has_table("alembic_version")
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    assert current == ScriptDirectory(MIGRATIONS).get_current_head() is not None

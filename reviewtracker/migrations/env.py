"""Alembic environment: the app's engine and metadata, through Flask-Migrate."""

from alembic import context
from flask import current_app

from reviewtracker.schema_filter import include_object


def run_migrations_online() -> None:
    db = current_app.extensions["migrate"].db
    with db.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=db.metadata,
            include_object=include_object,
            render_as_batch=connection.dialect.name == "sqlite",  # ALTER TABLE via copies
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run `db upgrade`")
run_migrations_online()

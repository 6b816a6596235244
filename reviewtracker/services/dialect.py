"""The few places where SQLite and PostgreSQL want their own SQL."""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db


def upsert(table: Table, key: list[str], update_columns: list[str]):
    """INSERT ... ON CONFLICT (key) DO UPDATE, in the dialect of the bound database."""
    dialect = db.session.get_bind().dialect.name
    module = {"sqlite": sqlite, "postgresql": postgresql}.get(dialect)
    if module is None:
        raise RuntimeError(f"upsert is not supported on {dialect}")
    statement = module.insert(table)
    return statement.on_conflict_do_update(
        index_elements=key,
        set_={name: statement.excluded[name] for name in update_columns},
    )

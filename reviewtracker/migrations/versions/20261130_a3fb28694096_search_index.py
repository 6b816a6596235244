"""The full-text search index, per database, in the migrations (it was created outside them by
search.install(), run by init-db): on SQLite an FTS5 external-content table `comment_fts` over
comment(text, proposed_change, response) kept in sync by three triggers on `comment`; on
PostgreSQL a stored generated tsvector column `comment.search_vector` with a GIN index.
services/search.py queries them.

Idempotent: installations that ran init-db before this revision already have all of it, and
keep it as it is (the DDL below is the one install() ran). On SQLite a missing piece is
created and the index refilled from the stored comments ('rebuild').

A later migration that re-creates the comment table must put the index back:
- SQLite: Alembic's batch mode (`batch_alter_table("comment")`, any change SQLite cannot ALTER)
  copies the table and drops the old one, and the triggers with it (the expression index
  ix_comment_disposition_rank too: SQLite's reflection cannot read it). After the batch block,
  run the three CREATE TRIGGER statements again (copy them into that migration, as written
  here or as a later revision changed them) and then the 'rebuild'; re-create the expression
  index. A plain op.create_index / op.add_column needs no batch mode and keeps them.
- PostgreSQL: changing the type of text, proposed_change or response is refused while the
  generated column reads it: drop search_vector first (its index goes with it), then add both
  back with the statements below.
tests/reviewtracker/test_migrations.py upgrades an empty database to the head and searches,
so a migration that loses the triggers fails there.

Revision ID: a3fb28694096
Revises: 3c5e1d2a9f40
Create Date: 2026-11-30 09:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a3fb28694096"
down_revision = "3c5e1d2a9f40"
branch_labels = None
depends_on = None

# The DDL as written for this revision (a migration does not follow services/search.py).

SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS comment_fts USING fts5(text, proposed_change, response, "
    "content='comment', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
)
_INSERT_NEW = (
    "INSERT INTO comment_fts(rowid, text, proposed_change, response) "
    "VALUES (new.id, new.text, new.proposed_change, new.response);"
)
_DELETE_OLD = (
    "INSERT INTO comment_fts(comment_fts, rowid, text, proposed_change, response) "
    "VALUES ('delete', old.id, old.text, old.proposed_change, old.response);"
)
# The update trigger fires only when an indexed column is set: triage of a disposition alone
# leaves the index alone.
SQLITE_TRIGGERS = {
    "comment_fts_insert": (
        f"CREATE TRIGGER IF NOT EXISTS comment_fts_insert AFTER INSERT ON comment "
        f"BEGIN {_INSERT_NEW} END"
    ),
    "comment_fts_delete": (
        f"CREATE TRIGGER IF NOT EXISTS comment_fts_delete AFTER DELETE ON comment "
        f"BEGIN {_DELETE_OLD} END"
    ),
    "comment_fts_update": (
        "CREATE TRIGGER IF NOT EXISTS comment_fts_update "
        "AFTER UPDATE OF text, proposed_change, response ON comment "
        f"BEGIN {_DELETE_OLD} {_INSERT_NEW} END"
    ),
}
SQLITE_REBUILD = "INSERT INTO comment_fts(comment_fts) VALUES ('rebuild')"

POSTGRESQL_COLUMN = (
    "ALTER TABLE comment ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple'::regconfig, coalesce(\"text\", '') || ' ' || "
    "coalesce(\"proposed_change\", '') || ' ' || coalesce(\"response\", ''))) STORED"
)
POSTGRESQL_INDEX = (
    "CREATE INDEX IF NOT EXISTS ix_comment_search_vector ON comment USING gin (search_vector)"
)


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _upgrade_sqlite()
    elif dialect == "postgresql":
        # The generated column is computed for the stored comments as it is added.
        op.execute(POSTGRESQL_COLUMN)
        op.execute(POSTGRESQL_INDEX)


def _upgrade_sqlite() -> None:
    names = ("comment_fts", *SQLITE_TRIGGERS)
    present = set(
        op.get_bind().scalars(
            sa.text("SELECT name FROM sqlite_master WHERE name IN :names").bindparams(
                sa.bindparam("names", expanding=True)
            ),
            {"names": names},
        )
    )
    if present.issuperset(names):
        return  # made by init-db's install() before this revision: a rebuild would only cost
    op.execute(SQLITE_TABLE)
    for sql in SQLITE_TRIGGERS.values():
        op.execute(sql)
    # Index the comments stored so far (a new table, or triggers that were missing).
    op.execute(SQLITE_REBUILD)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS comment_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_comment_search_vector")
        op.execute("ALTER TABLE comment DROP COLUMN IF EXISTS search_vector")

"""The round's engagement table read from an index alone: ix_comment_rollup_constituency
widened from (review_round_id, organisation_id) to (..., created_at, raised_on).

The engagement table counts each organisation's comments in a round, with the late ones (raised,
or imported, after the close) and the last import. Its GROUP BY read created_at and raised_on
from the table: at 250,000 comments in a tranche that was 0.25 s of the tranche dashboard on
PostgreSQL, 0.03 s from the index (an index-only scan; SQLite's covering index likewise). The
constituency rollup, which reads the first two columns, is served by the wider index as before.

Revision ID: a924f3fda264
Revises: 62d1dfa46b69
Create Date: 2026-12-01 02:20:00

"""

from alembic import op

revision = "a924f3fda264"
down_revision = "62d1dfa46b69"
branch_labels = None
depends_on = None

NAME = "ix_comment_rollup_constituency"


def upgrade():
    op.drop_index(NAME, table_name="comment")
    op.create_index(
        NAME, "comment", ["review_round_id", "organisation_id", "created_at", "raised_on"]
    )


def downgrade():
    op.drop_index(NAME, table_name="comment")
    op.create_index(NAME, "comment", ["review_round_id", "organisation_id"])

"""Index comment.duplicate_of_id: every save of an original looks up its duplicates, and so does
the comment page; without the index each is a full scan of the comment table (300 ms at
1,000,000 comments, inside the save's write transaction).

Revision ID: 7af46566ccdd
Revises: b898a32c4222
Create Date: 2026-11-23 05:44:13.879828

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "7af46566ccdd"
down_revision = "b898a32c4222"
branch_labels = None
depends_on = None


def upgrade():
    # A plain CREATE INDEX on every backend: no batch mode, so SQLite's comment table (and the
    # search triggers on it) stays as it is.
    op.create_index(op.f("ix_comment_duplicate_of_id"), "comment", ["duplicate_of_id"])


def downgrade():
    op.drop_index(op.f("ix_comment_duplicate_of_id"), table_name="comment")

"""The assignment's own due date: comment_resolution.due_on.

Until now an assignment's due date was the comment's `action_due`. The action rule (an action
owner and an action due date belong only to a comment in Action, and are cleared when it
leaves Action) would take an open or clarification comment's assignment date away with it, so
the assignment keeps its date in its own table. The date of every comment assigned (to a
person or a working group) is copied from `action_due`; `action_due` itself is left as it is
(the action's date, under the action rule from now on).

A plain ADD COLUMN on comment_resolution: the `comment` table (and SQLite's search triggers on
it) is not touched.

Revision ID: e476cc3a460d
Revises: 5d1e7c0a9b42
Create Date: 2026-11-30 20:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e476cc3a460d"
down_revision = "5d1e7c0a9b42"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("comment_resolution", sa.Column("due_on", sa.Date(), nullable=True))
    resolution = sa.table(
        "comment_resolution",
        sa.column("comment_id", sa.Integer),
        sa.column("assignee_id", sa.Integer),
        sa.column("working_group_id", sa.Integer),
        sa.column("due_on", sa.Date),
    )
    comment = sa.table("comment", sa.column("id", sa.Integer), sa.column("action_due", sa.Date))
    action_due = (
        sa.select(comment.c.action_due)
        .where(comment.c.id == resolution.c.comment_id)
        .scalar_subquery()
    )
    assigned = sa.or_(
        resolution.c.assignee_id.is_not(None), resolution.c.working_group_id.is_not(None)
    )
    op.execute(resolution.update().where(assigned).values(due_on=action_due))


def downgrade():
    # SQLite (3.35+) drops a plain column in place: no batch copy of the table, whose reflection
    # would reach the comment table's expression indexes.
    op.execute("ALTER TABLE comment_resolution DROP COLUMN due_on")

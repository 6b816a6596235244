"""installation_fact: what a database records about itself, today that it holds the demo data
set (written by `reviewtracker demo`; every page then shows a "Demo data" banner).

A database where an earlier `make run` loaded the demo (the demo's sign-in exists) is marked
as holding demo data: its pages say so from now on.

Revision ID: 5d1e7c0a9b42
Revises: f836f05c1b85
Create Date: 2026-11-30 18:40:00.000000

"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5d1e7c0a9b42"
down_revision = "f836f05c1b85"
branch_labels = None
depends_on = None

DEMO_EMAIL = "demo@reviewtracker.local"  # reviewtracker.demo.DEMO_EMAIL, as it was then


def upgrade():
    fact = op.create_table(
        "installation_fact",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_installation_fact")),
    )
    connection = op.get_bind()
    users = sa.table("user_account", sa.column("email", sa.String))
    loaded = connection.execute(
        sa.select(sa.func.count()).select_from(users).where(users.c.email == DEMO_EMAIL)
    ).scalar()
    if loaded:
        op.bulk_insert(
            fact,
            [
                {
                    "key": "demo",
                    "value": "the demo data set was loaded here before this version",
                    "recorded_at": datetime.now(UTC).replace(tzinfo=None),
                }
            ],
        )


def downgrade():
    op.drop_table("installation_fact")

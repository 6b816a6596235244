"""Governance logs: the advisory group's meetings, its action log (actions, their dated updates,
their links to artefacts, comments and dissensus entries) and its decision log (decisions and
the artefacts they concern, with the lifecycle move a decision carries). New tables only.

Revision ID: 73289f5e2a70
Revises: 5e0c9a7d3b21
Create Date: 2026-11-30 18:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "73289f5e2a70"
down_revision = "5e0c9a7d3b21"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("sort_key", sa.String(length=40), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
        sa.UniqueConstraint("reference", name=op.f("uq_meeting_reference")),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_sort_key"), ["sort_key"], unique=False)

    op.create_table(
        "action_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("sort_key", sa.String(length=40), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("due_note", sa.String(length=120), nullable=True),
        sa.Column("raised_on", sa.Date(), nullable=True),
        sa.Column("raised_by", sa.String(length=120), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("origin IN ('import', 'browser')", name=op.f("ck_action_item_origin")),
        sa.CheckConstraint(
            "status IN ('open', 'ongoing', 'recommend_closed', 'closed')",
            name=op.f("ck_action_item_status"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_action_item_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_item")),
        sa.UniqueConstraint("reference", name=op.f("uq_action_item_reference")),
    )
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_item_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_action_item_sort_key"), ["sort_key"], unique=False)

    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("sort_key", sa.String(length=40), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("move_state", sa.String(length=40), nullable=True),
        sa.Column("move_on", sa.Date(), nullable=True),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("origin IN ('import', 'browser')", name=op.f("ck_decision_origin")),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_decision_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision")),
        sa.UniqueConstraint("reference", name=op.f("uq_decision_reference")),
    )
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_decision_sort_key"), ["sort_key"], unique=False)

    op.create_table(
        "action_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('artefact', 'comment', 'dissensus')", name=op.f("ck_action_link_kind")
        ),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["action_item.id"],
            name=op.f("fk_action_link_action_id_action_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_link")),
        sa.UniqueConstraint("action_id", "kind", "target_id", name="uq_action_link_target"),
    )
    with op.batch_alter_table("action_link", schema=None) as batch_op:
        batch_op.create_index("ix_action_link_kind_target", ["kind", "target_id"], unique=False)

    op.create_table(
        "action_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("dated", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=True),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("source_file", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "from_status IS NULL OR "
            "from_status IN ('open', 'ongoing', 'recommend_closed', 'closed')",
            name=op.f("ck_action_update_from_status"),
        ),
        sa.CheckConstraint("origin IN ('import', 'browser')", name=op.f("ck_action_update_origin")),
        sa.CheckConstraint(
            "to_status IS NULL OR to_status IN ('open', 'ongoing', 'recommend_closed', 'closed')",
            name=op.f("ck_action_update_to_status"),
        ),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["action_item.id"],
            name=op.f("fk_action_update_action_id_action_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_update")),
    )
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.create_index("ix_action_update_action", ["action_id", "dated", "id"], unique=False)

    op.create_table(
        "decision_artefact",
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("artefact_id", sa.Integer(), nullable=False),
        sa.Column("moves", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["artefact_id"], ["artefact.id"], name=op.f("fk_decision_artefact_artefact_id_artefact")
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decision.id"],
            name=op.f("fk_decision_artefact_decision_id_decision"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("decision_id", "artefact_id", name=op.f("pk_decision_artefact")),
    )
    with op.batch_alter_table("decision_artefact", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_decision_artefact_artefact_id"), ["artefact_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("decision_artefact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_artefact_artefact_id"))

    op.drop_table("decision_artefact")
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.drop_index("ix_action_update_action")

    op.drop_table("action_update")
    with op.batch_alter_table("action_link", schema=None) as batch_op:
        batch_op.drop_index("ix_action_link_kind_target")

    op.drop_table("action_link")
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_sort_key"))
        batch_op.drop_index(batch_op.f("ix_decision_meeting_id"))

    op.drop_table("decision")
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_item_sort_key"))
        batch_op.drop_index(batch_op.f("ix_action_item_meeting_id"))

    op.drop_table("action_item")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_sort_key"))

    op.drop_table("meeting")

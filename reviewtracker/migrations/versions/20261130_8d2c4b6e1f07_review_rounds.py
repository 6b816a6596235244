"""Review rounds as the programme runs them: a round's name, window (opening and closing
dates, closed early), scope note and creator (plain ADD COLUMNs); the artefacts and versions
under review, the invited organisations, comments carried forward into a later round, and
repeats linked to an earlier comment (new tables: the comment table is not altered).

Revision ID: 8d2c4b6e1f07
Revises: 5e1f0c7a2b93
Create Date: 2026-11-30 19:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8d2c4b6e1f07"
down_revision = "5e1f0c7a2b93"
branch_labels = None
depends_on = None


def _round_columns() -> list[sa.Column]:
    """Fresh Column objects each time (a Column belongs to the one table it was added to)."""
    return [
        sa.Column("name", sa.String(length=120), nullable=True),
        sa.Column("opens_on", sa.Date(), nullable=True),
        sa.Column("closes_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("scope_note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=True),
    ]


def _round_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["review_round_id"],
        ["review_round.id"],
        name=op.f(f"fk_{table}_review_round_id_review_round"),
        ondelete="CASCADE",
    )


def upgrade():
    for column in _round_columns():
        op.add_column("review_round", column)
    op.create_table(
        "round_artefact",
        sa.Column("review_round_id", sa.Integer(), nullable=False),
        sa.Column("artefact_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        _round_fk("round_artefact"),
        sa.ForeignKeyConstraint(
            ["artefact_id"],
            ["artefact.id"],
            name=op.f("fk_round_artefact_artefact_id_artefact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["artefact_version.id"],
            name=op.f("fk_round_artefact_version_id_artefact_version"),
        ),
        sa.PrimaryKeyConstraint("review_round_id", "artefact_id", name=op.f("pk_round_artefact")),
    )
    op.create_index(
        op.f("ix_round_artefact_artefact_id"), "round_artefact", ["artefact_id"], unique=False
    )
    op.create_table(
        "round_invitation",
        sa.Column("review_round_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("invited_at", sa.DateTime(), nullable=False),
        _round_fk("round_invitation"),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_round_invitation_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "review_round_id", "organisation_id", name=op.f("pk_round_invitation")
        ),
    )
    op.create_index(
        op.f("ix_round_invitation_organisation_id"),
        "round_invitation",
        ["organisation_id"],
        unique=False,
    )
    op.create_table(
        "comment_carry",
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("review_round_id", sa.Integer(), nullable=False),
        sa.Column("carried_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comment.id"],
            name=op.f("fk_comment_carry_comment_id_comment"),
            ondelete="CASCADE",
        ),
        _round_fk("comment_carry"),
        sa.PrimaryKeyConstraint("comment_id", "review_round_id", name=op.f("pk_comment_carry")),
    )
    op.create_index(
        "ix_comment_carry_round", "comment_carry", ["review_round_id", "comment_id"], unique=False
    )
    op.create_table(
        "comment_repeat",
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("repeats_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("linked_by", sa.String(length=120), nullable=False),
        sa.Column("linked_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comment.id"],
            name=op.f("fk_comment_repeat_comment_id_comment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["repeats_id"],
            ["comment.id"],
            name=op.f("fk_comment_repeat_repeats_id_comment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("comment_id", name=op.f("pk_comment_repeat")),
    )
    op.create_index(
        op.f("ix_comment_repeat_repeats_id"), "comment_repeat", ["repeats_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_comment_repeat_repeats_id"), "comment_repeat")
    op.drop_table("comment_repeat")
    op.drop_index("ix_comment_carry_round", "comment_carry")
    op.drop_table("comment_carry")
    op.drop_index(op.f("ix_round_invitation_organisation_id"), "round_invitation")
    op.drop_table("round_invitation")
    op.drop_index(op.f("ix_round_artefact_artefact_id"), "round_artefact")
    op.drop_table("round_artefact")
    if op.get_bind().dialect.name == "sqlite":
        for column in reversed(_round_columns()):
            op.execute(f"ALTER TABLE review_round DROP COLUMN {column.name}")
    else:
        for column in reversed(_round_columns()):
            op.drop_column("review_round", column.name)

"""Reviewers submit their own comments: comment_draft, submission, round_extension and
submission_event (models/submissions.py). New tables only: the `comment` table (and SQLite's
search triggers on it) is not touched.

Revision ID: 62d1dfa46b69
Revises: 425b86fd0160
Create Date: 2026-11-30 21:02:08.608926

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "62d1dfa46b69"
down_revision = "425b86fd0160"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "round_extension",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_round_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("granted_by", sa.String(length=120), nullable=False),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_round_extension_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["review_round_id"],
            ["review_round.id"],
            name=op.f("fk_round_extension_review_round_id_review_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_extension")),
        sa.UniqueConstraint(
            "review_round_id", "organisation_id", name=op.f("uq_round_extension_review_round_id")
        ),
    )
    with op.batch_alter_table("round_extension", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_round_extension_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_round_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("import_batch_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("comments", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('log', 'form')", name=op.f("ck_submission_kind")),
        sa.ForeignKeyConstraint(
            ["import_batch_id"],
            ["import_batch.id"],
            name=op.f("fk_submission_import_batch_id_import_batch"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_submission_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["review_round_id"],
            ["review_round.id"],
            name=op.f("fk_submission_review_round_id_review_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_submission_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission")),
        sa.UniqueConstraint("import_batch_id", name=op.f("uq_submission_import_batch_id")),
    )
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.create_index(
            "ix_submission_round_organisation", ["review_round_id", "organisation_id"], unique=False
        )

    op.create_table(
        "submission_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("review_round_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("detail", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_submission_event_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["review_round_id"],
            ["review_round.id"],
            name=op.f("fk_submission_event_review_round_id_review_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_submission_event_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_event")),
    )
    with op.batch_alter_table("submission_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_submission_event_user_action_at", ["user_id", "action", "at"], unique=False
        )

    op.create_table(
        "comment_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_round_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("artefact_id", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=200), nullable=True),
        sa.Column("page", sa.String(length=50), nullable=True),
        sa.Column("line", sa.String(length=50), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("proposed_change", sa.Text(), nullable=True),
        sa.Column("comment_type", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["artefact_id"],
            ["artefact.id"],
            name=op.f("fk_comment_draft_artefact_id_artefact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_comment_draft_author_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_comment_draft_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["review_round_id"],
            ["review_round.id"],
            name=op.f("fk_comment_draft_review_round_id_review_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submission.id"],
            name=op.f("fk_comment_draft_submission_id_submission"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_draft")),
    )
    with op.batch_alter_table("comment_draft", schema=None) as batch_op:
        batch_op.create_index(
            "ix_comment_draft_author_round", ["author_id", "review_round_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("comment_draft", schema=None) as batch_op:
        batch_op.drop_index("ix_comment_draft_author_round")

    op.drop_table("comment_draft")
    with op.batch_alter_table("submission_event", schema=None) as batch_op:
        batch_op.drop_index("ix_submission_event_user_action_at")

    op.drop_table("submission_event")
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_index("ix_submission_round_organisation")

    op.drop_table("submission")
    with op.batch_alter_table("round_extension", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_extension_organisation_id"))

    op.drop_table("round_extension")

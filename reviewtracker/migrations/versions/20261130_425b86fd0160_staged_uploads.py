"""Uploaded files (comment logs, artefact registers, resolutions workbooks) waiting between
the preview and the confirm, in the database (they were files in instance/uploads): every app
process serving the site on one database sees them, with no shared folder. Two new tables;
nothing else changes.

Revision ID: 425b86fd0160
Revises: e476cc3a460d
Create Date: 2026-11-30 18:58:54.960572

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "425b86fd0160"
down_revision = "e476cc3a460d"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "staged_upload",
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
            name=op.f("fk_staged_upload_owner_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_staged_upload")),
    )
    with op.batch_alter_table("staged_upload", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staged_upload_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_staged_upload_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "staged_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("upload_token", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("overrides", sa.JSON(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("parsed", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["upload_token"],
            ["staged_upload.token"],
            name=op.f("fk_staged_file_upload_token_staged_upload"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staged_file")),
        sa.UniqueConstraint("upload_token", "position", name=op.f("uq_staged_file_upload_token")),
    )


def downgrade():
    op.drop_table("staged_file")
    with op.batch_alter_table("staged_upload", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staged_upload_owner_id"))
        batch_op.drop_index(batch_op.f("ix_staged_upload_created_at"))

    op.drop_table("staged_upload")

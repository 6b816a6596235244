"""Initial schema: the first version of every table, from which later migrations start.

Revision ID: b898a32c4222
Revises:
Create Date: 2026-11-23 05:37:15.631314

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b898a32c4222"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "constituency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_constituency")),
        sa.UniqueConstraint("name", name=op.f("uq_constituency_name")),
    )
    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by", sa.String(length=120), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("conflicts", sa.Integer(), nullable=False),
        sa.Column("column_mapping", sa.JSON(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.Column("undone_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batch")),
    )
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_batch_sha256"), ["sha256"], unique=False)

    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.create_index("ix_login_attempt_at", ["at"], unique=False)
        batch_op.create_index("ix_login_attempt_email_at", ["email", "at"], unique=False)
        batch_op.create_index("ix_login_attempt_ip_at", ["ip", "at"], unique=False)

    op.create_table(
        "service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service")),
        sa.UniqueConstraint("name", name=op.f("uq_service_name")),
    )
    op.create_table(
        "tranche",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tranche")),
        sa.UniqueConstraint("code", name=op.f("uq_tranche_code")),
    )
    op.create_table(
        "artefact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("document_type", sa.String(length=80), nullable=False),
        sa.Column("tranche_id", sa.Integer(), nullable=True),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.String(length=20), nullable=True),
        sa.Column("review_state", sa.String(length=80), nullable=True),
        sa.Column("action_with", sa.String(length=120), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_artefact_service_id_service")
        ),
        sa.ForeignKeyConstraint(
            ["tranche_id"], ["tranche.id"], name=op.f("fk_artefact_tranche_id_tranche")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_artefact")),
        sa.UniqueConstraint("reference", name=op.f("uq_artefact_reference")),
    )
    with op.batch_alter_table("artefact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_artefact_service_id"), ["service_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_artefact_tranche_id"), ["tranche_id"], unique=False)

    op.create_table(
        "design_status",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tranche_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("rag", sa.String(length=16), nullable=True),
        sa.Column("planned_month", sa.String(length=20), nullable=True),
        sa.Column("expected_month", sa.String(length=20), nullable=True),
        sa.Column("status_and_issues", sa.Text(), nullable=False),
        sa.Column("actions_to_resolve", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("origin IN ('import', 'browser')", name=op.f("ck_design_status_origin")),
        sa.CheckConstraint(
            "rag IS NULL OR rag IN ('on_track', 'at_risk', 'not_on_track', 'complete', 'tbd')",
            name=op.f("ck_design_status_rag"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_design_status_service_id_service")
        ),
        sa.ForeignKeyConstraint(
            ["tranche_id"], ["tranche.id"], name=op.f("fk_design_status_tranche_id_tranche")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_design_status")),
        sa.UniqueConstraint("tranche_id", "service_id", "month", name="uq_design_status_key"),
    )
    with op.batch_alter_table("design_status", schema=None) as batch_op:
        batch_op.create_index("ix_design_status_month", ["month"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_design_status_service_id"), ["service_id"], unique=False
        )

    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("constituency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["constituency_id"],
            ["constituency.id"],
            name=op.f("fk_organisation_constituency_id_constituency"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("name_key", name=op.f("uq_organisation_name_key")),
    )
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organisation_constituency_id"), ["constituency_id"], unique=False
        )

    op.create_table(
        "review_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tranche_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tranche_id"], ["tranche.id"], name=op.f("fk_review_round_tranche_id_tranche")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_round")),
        sa.UniqueConstraint("tranche_id", "number", name=op.f("uq_review_round_tranche_id")),
    )
    op.create_table(
        "comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("artefact_id", sa.Integer(), nullable=False),
        sa.Column("review_round_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("source_key", sa.String(length=120), nullable=False),
        sa.Column("log_comment_id", sa.String(length=120), nullable=True),
        sa.Column("section", sa.String(length=300), nullable=True),
        sa.Column("page", sa.String(length=60), nullable=True),
        sa.Column("line", sa.String(length=60), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("proposed_change", sa.Text(), nullable=True),
        sa.Column("comment_type", sa.String(length=60), nullable=True),
        sa.Column("reviewer", sa.String(length=200), nullable=True),
        sa.Column("raised_on", sa.Date(), nullable=True),
        sa.Column("disposition", sa.String(length=16), nullable=False),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("disposition_origin", sa.String(length=8), nullable=True),
        sa.Column("response_origin", sa.String(length=8), nullable=True),
        sa.Column("action_owner", sa.String(length=200), nullable=True),
        sa.Column("action_due", sa.Date(), nullable=True),
        sa.Column("internal_note", sa.Text(), nullable=True),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("import_batch_id", sa.Integer(), nullable=True),
        sa.Column("last_import_batch_id", sa.Integer(), nullable=True),
        sa.Column("source_file", sa.String(length=300), nullable=True),
        sa.Column("source_sheet", sa.String(length=120), nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "disposition IN ('accepted', 'action', 'rejected', 'clarification', 'open')",
            name=op.f("ck_comment_disposition"),
        ),
        sa.ForeignKeyConstraint(
            ["artefact_id"], ["artefact.id"], name=op.f("fk_comment_artefact_id_artefact")
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"], ["comment.id"], name=op.f("fk_comment_duplicate_of_id_comment")
        ),
        sa.ForeignKeyConstraint(
            ["import_batch_id"],
            ["import_batch.id"],
            name=op.f("fk_comment_import_batch_id_import_batch"),
        ),
        sa.ForeignKeyConstraint(
            ["last_import_batch_id"],
            ["import_batch.id"],
            name=op.f("fk_comment_last_import_batch_id_import_batch"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_comment_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["review_round_id"],
            ["review_round.id"],
            name=op.f("fk_comment_review_round_id_review_round"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment")),
        sa.UniqueConstraint(
            "artefact_id",
            "review_round_id",
            "organisation_id",
            "source_key",
            name="uq_comment_natural_key",
        ),
    )
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_comment_import_batch_id"), ["import_batch_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_comment_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            "ix_comment_rollup_constituency", ["review_round_id", "organisation_id"], unique=False
        )
        batch_op.create_index(
            "ix_comment_rollup_status",
            ["review_round_id", "artefact_id", "disposition"],
            unique=False,
        )
        batch_op.create_index("ix_comment_updated", ["updated_at", "id"], unique=False)

    op.create_table(
        "design_status_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("source_file", sa.String(length=300), nullable=True),
        sa.CheckConstraint(
            "origin IN ('import', 'browser')", name=op.f("ck_design_status_event_origin")
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["design_status.id"],
            name=op.f("fk_design_status_event_status_id_design_status"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_design_status_event")),
    )
    with op.batch_alter_table("design_status_event", schema=None) as batch_op:
        batch_op.create_index("ix_design_status_event_status", ["status_id", "at"], unique=False)

    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "role <> 'reviewer' OR organisation_id IS NOT NULL",
            name=op.f("ck_user_account_reviewer_organisation"),
        ),
        sa.CheckConstraint(
            "role IN ('viewer', 'triager', 'lead', 'admin', 'reviewer')",
            name=op.f("ck_user_account_role"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_user_account_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("email", name=op.f("uq_user_account_email")),
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_account_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("import_batch_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("origin IN ('import', 'browser')", name=op.f("ck_audit_event_origin")),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comment.id"],
            name=op.f("fk_audit_event_comment_id_comment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["import_batch_id"],
            ["import_batch.id"],
            name=op.f("fk_audit_event_import_batch_id_import_batch"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index("ix_audit_event_comment", ["comment_id", "at"], unique=False)


def downgrade():
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_comment")

    op.drop_table("audit_event")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_account_organisation_id"))

    op.drop_table("user_account")
    with op.batch_alter_table("design_status_event", schema=None) as batch_op:
        batch_op.drop_index("ix_design_status_event_status")

    op.drop_table("design_status_event")
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_index("ix_comment_updated")
        batch_op.drop_index("ix_comment_rollup_status")
        batch_op.drop_index("ix_comment_rollup_constituency")
        batch_op.drop_index(batch_op.f("ix_comment_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_comment_import_batch_id"))

    op.drop_table("comment")
    op.drop_table("review_round")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_constituency_id"))

    op.drop_table("organisation")
    with op.batch_alter_table("design_status", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_design_status_service_id"))
        batch_op.drop_index("ix_design_status_month")

    op.drop_table("design_status")
    with op.batch_alter_table("artefact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_artefact_tranche_id"))
        batch_op.drop_index(batch_op.f("ix_artefact_service_id"))

    op.drop_table("artefact")
    op.drop_table("tranche")
    op.drop_table("service")
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempt_ip_at")
        batch_op.drop_index("ix_login_attempt_email_at")
        batch_op.drop_index("ix_login_attempt_at")

    op.drop_table("login_attempt")
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_batch_sha256"))

    op.drop_table("import_batch")
    op.drop_table("constituency")

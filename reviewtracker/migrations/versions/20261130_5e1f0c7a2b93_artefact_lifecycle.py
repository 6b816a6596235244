"""The artefact lifecycle: an artefact's state from the lifecycle vocabulary (with a CHECK),
its expected DAG month, responsible person and last change; its versions, its recorded
changes (moves, versions, tracker fields) and which version implemented an Accepted comment.

Data: the register's free-text `review_state` is mapped onto the states (the forms below, as
registers wrote them when this revision was written; a migration does not follow the
importers' later synonyms), then dropped. A value that maps to no state leaves the state unset,
is reported (a warning in the migration's log) and kept in the artefact's timeline as a
recorded change from that text. Each artefact's `version` becomes its first ArtefactVersion.

The artefact table gains and loses columns with plain ALTER TABLE (SQLite 3.35+ drops a
column in place): no batch copy of a table that comments point at.

Revision ID: 5e1f0c7a2b93
Revises: 73289f5e2a70
Create Date: 2026-11-30 18:00:00

"""

import logging
import re
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5e1f0c7a2b93"
down_revision = "73289f5e2a70"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

STATES = (
    "drafting",
    "under_review",
    "resolving",
    "ready_for_dag",
    "approved",
    "baselined",
    "change_control",
    "withdrawn",
)
# Folded written form -> state, as registers wrote the states when this revision was written.
FORMS = {
    "draft": "drafting",
    "drafting": "drafting",
    "in draft": "drafting",
    "in progress": "drafting",
    "under review": "under_review",
    "in review": "under_review",
    "review": "under_review",
    "issued for review": "under_review",
    "out for review": "under_review",
    "comments being resolved": "resolving",
    "comment resolution": "resolving",
    "resolving comments": "resolving",
    "resolving": "resolving",
    "review closed": "resolving",
    "ready for dag": "ready_for_dag",
    "ready for approval": "ready_for_dag",
    "submitted to dag": "ready_for_dag",
    "approved": "approved",
    "dag approved": "approved",
    "baselined": "baselined",
    "baseline": "baselined",
    "under change control": "change_control",
    "change control": "change_control",
    "withdrawn": "withdrawn",
    "removed": "withdrawn",
    "deferred": "withdrawn",
}
LABELS = {
    "drafting": "drafting",
    "under_review": "under review",
    "resolving": "comments being resolved",
    "ready_for_dag": "ready for DAG",
    "approved": "approved",
    "baselined": "baselined",
    "change_control": "under change control",
    "withdrawn": "withdrawn",
}
CHECK = "state IS NULL OR state IN ({})".format(", ".join(f"'{s}'" for s in STATES))


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.casefold()).split())


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _add_columns() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite's ALTER TABLE ADD COLUMN takes a named CHECK; Alembic's would need a copy.
        op.execute(
            "ALTER TABLE artefact ADD COLUMN state VARCHAR(24) "
            f"CONSTRAINT ck_artefact_state CHECK ({CHECK})"
        )
    else:
        op.add_column("artefact", sa.Column("state", sa.String(length=24), nullable=True))
        op.create_check_constraint("ck_artefact_state", "artefact", CHECK)
    op.add_column("artefact", sa.Column("expected_dag_month", sa.String(length=7), nullable=True))
    op.add_column("artefact", sa.Column("responsible", sa.String(length=120), nullable=True))
    op.add_column("artefact", sa.Column("updated_at", sa.DateTime(), nullable=True))


def _create_tables() -> None:
    op.create_table(
        "artefact_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("artefact_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=20), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["artefact_id"],
            ["artefact.id"],
            name=op.f("fk_artefact_version_artefact_id_artefact"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_artefact_version")),
        sa.UniqueConstraint("artefact_id", "label", name="uq_artefact_version_label"),
    )
    op.create_index(
        "ix_artefact_version_artefact", "artefact_version", ["artefact_id", "id"], unique=False
    )
    op.create_table(
        "artefact_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("artefact_id", sa.Integer(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("decision_ref", sa.String(length=40), nullable=True),
        sa.Column("source_file", sa.String(length=300), nullable=True),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.CheckConstraint(
            "origin IN ('import', 'browser')", name=op.f("ck_artefact_event_origin")
        ),
        sa.ForeignKeyConstraint(
            ["artefact_id"],
            ["artefact.id"],
            name=op.f("fk_artefact_event_artefact_id_artefact"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_artefact_event")),
    )
    op.create_index(
        "ix_artefact_event_artefact", "artefact_event", ["artefact_id", "at"], unique=False
    )
    op.create_table(
        "comment_implementation",
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("marked_by", sa.String(length=120), nullable=False),
        sa.Column("marked_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comment.id"],
            name=op.f("fk_comment_implementation_comment_id_comment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["artefact_version.id"],
            name=op.f("fk_comment_implementation_version_id_artefact_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("comment_id", name=op.f("pk_comment_implementation")),
    )
    op.create_index(
        op.f("ix_comment_implementation_version_id"),
        "comment_implementation",
        ["version_id"],
        unique=False,
    )


def _migrate_data() -> None:
    """The free-text states onto the vocabulary; each version as a first ArtefactVersion."""
    bind = op.get_bind()
    now = _now()
    rows = bind.execute(
        sa.text("SELECT id, reference, review_state, version FROM artefact ORDER BY id")
    ).all()
    events, versions = [], []
    for artefact_id, reference, written, version in rows:
        text = (written or "").strip()
        state = FORMS.get(_fold(text)) if text else None
        if state is not None:
            bind.execute(
                sa.text("UPDATE artefact SET state = :state WHERE id = :id"),
                {"state": state, "id": artefact_id},
            )
        elif text:
            log.warning(
                "artefact %s: the register's state %r maps to no lifecycle state; left unset",
                reference,
                text,
            )
            events.append(
                {
                    "artefact_id": artefact_id,
                    "field": "state",
                    "before": text,
                    "after": None,
                    "note": f"the register's state {text!r} maps to no lifecycle state: set it",
                    "actor": "migration",
                    "at": now,
                    "origin": "import",
                }
            )
        if version and version.strip():
            versions.append(
                {
                    "artefact_id": artefact_id,
                    "label": version.strip()[:20],
                    "note": "from the register",
                    "created_by": "migration",
                    "created_at": now,
                }
            )
    if events:
        bind.execute(
            sa.text(
                "INSERT INTO artefact_event (artefact_id, field, before, after, note, actor, at, "
                "origin) VALUES (:artefact_id, :field, :before, :after, :note, :actor, :at, "
                ":origin)"
            ),
            events,
        )
    if versions:
        bind.execute(
            sa.text(
                "INSERT INTO artefact_version (artefact_id, label, note, created_by, created_at) "
                "VALUES (:artefact_id, :label, :note, :created_by, :created_at)"
            ),
            versions,
        )


def upgrade():
    _add_columns()
    _create_tables()
    _migrate_data()
    op.execute("ALTER TABLE artefact DROP COLUMN review_state")


def downgrade():
    op.add_column("artefact", sa.Column("review_state", sa.String(length=80), nullable=True))
    bind = op.get_bind()
    for key, label in LABELS.items():
        bind.execute(
            sa.text("UPDATE artefact SET review_state = :label WHERE state = :key"),
            {"label": label, "key": key},
        )
    op.drop_index(op.f("ix_comment_implementation_version_id"), "comment_implementation")
    op.drop_table("comment_implementation")
    op.drop_index("ix_artefact_event_artefact", "artefact_event")
    op.drop_table("artefact_event")
    op.drop_index("ix_artefact_version_artefact", "artefact_version")
    op.drop_table("artefact_version")
    if bind.dialect.name == "sqlite":
        for column in ("updated_at", "responsible", "expected_dag_month", "state"):
            op.execute(f"ALTER TABLE artefact DROP COLUMN {column}")
    else:
        op.drop_constraint("ck_artefact_state", "artefact", type_="check")
        for column in ("updated_at", "responsible", "expected_dag_month", "state"):
            op.drop_column("artefact", column)

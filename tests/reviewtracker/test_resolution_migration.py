"""The resolution workflow's migration: comments triaged before publishing existed stay
what reviewers saw, published as they stood; open comments stay unpublished."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from reviewtracker.extensions import db

from .test_migrations import _migrate, _store_comment

REVISION = "5e7a0c1d2b3f"
BEFORE = "a3fb28694096"


def test_existing_dispositions_are_published_as_they_stood(empty_app):
    _migrate(upgrade, BEFORE)
    triaged = _store_comment("A comment triaged before publishing existed.")
    still_open = _store_comment("A comment nobody has triaged.")
    db.session.execute(
        text("UPDATE comment SET disposition = 'accepted', response = 'Agreed.' WHERE id = :id"),
        {"id": triaged},
    )
    db.session.commit()
    _migrate(upgrade, REVISION)
    published = db.session.execute(
        text("SELECT comment_id, disposition, response, published_by FROM published_response")
    ).all()
    assert [tuple(row) for row in published] == [(triaged, "accepted", "Agreed.", "migration")]
    states = db.session.execute(
        text("SELECT comment_id, state, published_id IS NOT NULL FROM comment_resolution")
    ).all()
    assert [tuple(row) for row in states] == [(triaged, "published", True)]
    assert still_open not in {row[0] for row in states}
    db.session.commit()
    _migrate(downgrade, BEFORE)
    assert db.session.execute(text("SELECT count(*) FROM comment")).scalar() == 2


DUE_ON = "e476cc3a460d"
BEFORE_DUE_ON = "5d1e7c0a9b42"


def test_an_assignments_due_date_moves_to_its_own_column(empty_app):
    """Before due_on, an assignment's due date was the comment's action_due: the migration
    copies it for the comments assigned (to a group here), and only for those."""
    _migrate(upgrade, BEFORE_DUE_ON)
    assigned = _store_comment("Assigned to the BPRWG, due in June.")
    undated = _store_comment("Assigned to the BPRWG, no date.")
    action_only = _store_comment("In Action with a due date, assigned to nobody.")
    group = db.session.execute(
        text(
            "INSERT INTO working_group (name, description, created_at) "
            "VALUES ('BPRWG', '', '2026-11-30 09:00:00') RETURNING id"
        )
    ).scalar()
    for comment_id, due in ((assigned, "2025-06-30"), (action_only, "2025-07-31")):
        db.session.execute(
            text("UPDATE comment SET action_due = :due WHERE id = :id"),
            {"id": comment_id, "due": due},
        )
    for comment_id in (assigned, undated):
        db.session.execute(
            text(
                "INSERT INTO comment_resolution (comment_id, working_group_id, state) "
                "VALUES (:id, :group, 'draft')"
            ),
            {"id": comment_id, "group": group},
        )
    db.session.commit()
    _migrate(upgrade, DUE_ON)
    due = db.session.execute(
        text("SELECT comment_id, due_on FROM comment_resolution ORDER BY comment_id")
    ).all()
    assert [(row[0], str(row[1]) if row[1] else None) for row in due] == [
        (assigned, "2025-06-30"),
        (undated, None),
    ]
    # The action's own date stays where it was.
    kept = db.session.execute(
        text("SELECT count(*) FROM comment WHERE action_due IS NOT NULL")
    ).scalar()
    assert kept == 2
    db.session.commit()
    _migrate(downgrade, BEFORE_DUE_ON)
    assert db.session.execute(text("SELECT count(*) FROM comment_resolution")).scalar() == 2

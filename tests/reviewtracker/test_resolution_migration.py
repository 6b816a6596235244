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

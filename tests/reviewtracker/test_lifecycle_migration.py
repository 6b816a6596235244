"""The lifecycle migration maps the register's free-text states onto the vocabulary, keeps
each version as a first ArtefactVersion, and reports the states it cannot map."""

from __future__ import annotations

import logging

from flask_migrate import upgrade
from sqlalchemy import text

from reviewtracker.extensions import MIGRATIONS, db

LIFECYCLE = "5e1f0c7a2b93"
BEFORE = "a3fb28694096"


def _migrate(revision: str) -> None:
    db.session.commit()
    upgrade(directory=MIGRATIONS, revision=revision)


def test_free_text_states_are_mapped_and_unknown_ones_reported(empty_app, caplog):
    _migrate(BEFORE)
    written = [
        ("BP004", "Under Review", "0.3"),
        ("BP005", "  comments being resolved ", None),
        ("IF024", "Baselined", "1.0"),
        ("IF031", "With the lawyers", "0.1"),
        ("IF032", None, None),
    ]
    for position, (reference, state, version) in enumerate(written):
        db.session.execute(
            text(
                "INSERT INTO artefact (reference, title, document_type, version, review_state, "
                "position) VALUES (:r, '', '', :v, :s, :p)"
            ),
            {"r": reference, "v": version, "s": state, "p": position},
        )
    with caplog.at_level(logging.WARNING):
        _migrate(LIFECYCLE)
    states = dict(db.session.execute(text("SELECT reference, state FROM artefact")).all())
    assert states == {
        "BP004": "under_review",
        "BP005": "resolving",
        "IF024": "baselined",
        "IF031": None,
        "IF032": None,
    }
    assert "IF031: the register's state 'With the lawyers' maps to no lifecycle state" in (
        caplog.text
    )
    events = db.session.execute(
        text(
            "SELECT a.reference, e.field, e.before, e.after FROM artefact_event e "
            "JOIN artefact a ON a.id = e.artefact_id"
        )
    ).all()
    assert [tuple(e) for e in events] == [("IF031", "state", "With the lawyers", None)]
    versions = db.session.execute(
        text(
            "SELECT a.reference, v.label FROM artefact_version v "
            "JOIN artefact a ON a.id = v.artefact_id ORDER BY a.reference"
        )
    ).all()
    assert [tuple(v) for v in versions] == [("BP004", "0.3"), ("IF024", "1.0"), ("IF031", "0.1")]

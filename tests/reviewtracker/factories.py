"""Small factories for service tests."""

from __future__ import annotations

from sqlalchemy import select

from importers import document_type
from reviewtracker.extensions import db
from reviewtracker.models import Artefact, Tranche


def add_artefacts(*artefacts: tuple[str, str]) -> list[Artefact]:
    """Artefacts by (reference, tranche code), titled after their reference."""
    tranches = dict(db.session.execute(select(Tranche.code, Tranche.id)).all())
    rows = [
        Artefact(
            reference=reference,
            title=f"Title of {reference}",
            document_type=document_type(reference),
            tranche_id=tranches[tranche],
            position=position,
        )
        for position, (reference, tranche) in enumerate(artefacts)
    ]
    db.session.add_all(rows)
    db.session.commit()
    return rows

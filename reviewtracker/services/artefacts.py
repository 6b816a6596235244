"""Looking artefacts up."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Artefact


def artefact_by_reference(reference: str) -> Artefact | None:
    """The artefact with this canonical reference, its tranche and service loaded."""
    return db.session.scalar(
        select(Artefact)
        .options(joinedload(Artefact.tranche), joinedload(Artefact.service))
        .where(Artefact.reference == reference)
    )


__all__ = ["artefact_by_reference"]

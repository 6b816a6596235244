"""Looking artefacts up."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Artefact, ImportBatch


def artefact_by_reference(reference: str) -> Artefact | None:
    """The artefact with this canonical reference, its tranche and service loaded."""
    return db.session.scalar(
        select(Artefact)
        .options(joinedload(Artefact.tranche), joinedload(Artefact.service))
        .where(Artefact.reference == reference)
    )


@dataclass(frozen=True, slots=True)
class RegisterState:
    """How many artefacts the register holds, and its last import, if any."""

    artefacts: int
    last_import: ImportBatch | None


def register_state() -> RegisterState:
    last = db.session.scalar(
        select(ImportBatch)
        .where(ImportBatch.kind == "artefacts")
        .order_by(ImportBatch.imported_at.desc(), ImportBatch.id.desc())
        .limit(1)
    )
    return RegisterState(db.session.scalar(select(func.count(Artefact.id))) or 0, last)


__all__ = ["RegisterState", "artefact_by_reference", "register_state"]

"""What a database says about itself: whether it holds the demo data set, and whether it
holds data of a team's own (which the demo must never be mixed into)."""

from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from ..models import DEMO, Artefact, Comment, ImportBatch, InstallationFact, User
from . import ServiceError

DEMO_NOTE = "loaded by `reviewtracker demo`: a made-up data set to look around in"


class OwnData(ServiceError):
    """The demo was asked for in a database that holds a team's own data."""


def holds_demo_data() -> bool:
    """True if `reviewtracker demo` loaded the demo data set into this database."""
    return db.session.get(InstallationFact, DEMO) is not None


def own_data() -> dict[str, int]:
    """What the database holds that the demo would be mixed into (empty: nothing)."""
    counts = {
        "comments": Comment,
        "artefacts": Artefact,
        "imports": ImportBatch,
        "users": User,
    }
    found = {
        name: db.session.scalar(select(func.count()).select_from(model)) or 0
        for name, model in counts.items()
    }
    return {name: count for name, count in found.items() if count}


def refuse_own_data() -> None:
    """Refuse (OwnData) to put the demo in a database that holds data of its own: the demo's
    numbers must never be counted with a team's. A database already holding the demo passes."""
    if holds_demo_data():
        return
    found = own_data()
    if found:
        held = ", ".join(f"{count} {name}" for name, count in found.items())
        raise OwnData(
            f"this database already holds data of its own ({held}); the demo data set goes "
            "in a database of its own, never beside real data (`make run` uses "
            "instance/demo.db; or point DATABASE_URL at an empty database)"
        )


def mark_demo() -> None:
    """Record that this database holds the demo data set: every page then says so."""
    if not holds_demo_data():
        db.session.add(InstallationFact(key=DEMO, value=DEMO_NOTE))
        db.session.flush()


__all__ = [
    "DEMO_NOTE",
    "OwnData",
    "holds_demo_data",
    "mark_demo",
    "own_data",
    "refuse_own_data",
]

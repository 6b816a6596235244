"""Looking organisations and constituencies up by the names people and logs write."""

from __future__ import annotations

import difflib

from sqlalchemy import select

from importers import match_constituency
from importers.normalise import fold_name, tidy_name

from ..extensions import db
from ..models import Constituency, Organisation
from . import ServiceError


def organisation_by_name(name: str) -> Organisation:
    """The organisation called `name`, matched as the importer matches it (case and spaces
    folded: "ACME  energy" finds "Acme Energy"); a ServiceError naming close matches if none."""
    organisation = db.session.scalar(
        select(Organisation).where(Organisation.name_key == fold_name(name))
    )
    if organisation is None:
        names = list(db.session.scalars(select(Organisation.name)))
        close = difflib.get_close_matches(tidy_name(name), names, n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(repr(n) for n in close)}?" if close else ""
        raise ServiceError(f"no organisation called {name!r}{hint}")
    return organisation


def constituency_by_name(name: str) -> Constituency:
    """A reference constituency by name, written as logs write it ("Supplier - Large")."""
    known = {c.name: c for c in db.session.scalars(select(Constituency))}
    canonical = match_constituency(name, tuple(known))
    if canonical is None:
        raise ServiceError(f"no constituency called {name!r}; choose one of: {', '.join(known)}")
    return known[canonical]


def organisation_choices() -> list[tuple[int, str]]:
    """(id, name) of every organisation, by name: what a reviewer can be tied to."""
    return [
        (row.id, row.name)
        for row in db.session.execute(
            select(Organisation.id, Organisation.name).order_by(Organisation.name_key)
        )
    ]


__all__ = ["constituency_by_name", "organisation_by_name", "organisation_choices"]

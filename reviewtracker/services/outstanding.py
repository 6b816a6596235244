"""Outstanding issues per artefact: ONE function (`outstanding_issues`), the sum of named parts.

A part is something still to be settled about an artefact, counted per artefact by the
database: the comments still Open, in Action or Requiring Further Clarification; the open
dissensus entries that concern it (services/dissensus.py); the advisory group's actions still
to do that link to it (services/action_queries.py). A feature that adds another kind of open
business extends the count with a part in PARTS, never by counting beside it. Every page,
export and JSON that shows outstanding issues (the live tracker, the artefact page) calls
`outstanding_issues` and so counts a new part at once, with its own column of detail.

A part's query takes the ids of the artefacts wanted (a SELECT of artefact ids) and the
viewer's Scope, and returns rows of (artefact_id, count), grouped by artefact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.sql import Select

from importers.vocabulary import UNRESOLVED

from ..extensions import db
from ..models import Artefact, Comment
from .action_queries import open_actions_per_artefact
from .dissensus import open_entries_per_artefact
from .scope import Scope, require


@dataclass(frozen=True, slots=True)
class OutstandingPart:
    name: str  # a key: "comments", "dissensus", "actions"
    label: str  # as a column or a line reads: "unresolved comments"
    count: Callable[[Select, Scope], Select]  # (artefact ids, scope) -> (artefact_id, n) rows


@dataclass(slots=True)
class Outstanding:
    """One artefact's outstanding issues: the total and each part's count."""

    parts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.parts.values())


def unresolved_comments(artefact_ids: Select, scope: Scope) -> Select:
    """Comments still Open, in Action or Requiring Further Clarification. A comment carried
    into a later round is still one comment: it is counted once."""
    return (
        select(Comment.artefact_id, func.count())
        .where(
            Comment.artefact_id.in_(artefact_ids),
            Comment.disposition.in_(UNRESOLVED),
            *require(scope).comments(),
        )
        .group_by(Comment.artefact_id)
    )


PARTS: tuple[OutstandingPart, ...] = (
    OutstandingPart("comments", "unresolved comments", unresolved_comments),
    OutstandingPart("dissensus", "open dissensus entries", open_entries_per_artefact),
    OutstandingPart("actions", "actions still to do", open_actions_per_artefact),
)


def outstanding_issues(artefact_ids: Select, scope: Scope) -> dict[int, Outstanding]:
    """Per artefact of `artefact_ids` (a SELECT of ids): its outstanding issues, every part
    counted (zeros included for parts it has none of; artefacts with none at all are absent:
    read with `.get(id, Outstanding())`)."""
    require(scope)
    found: dict[int, Outstanding] = {}
    for part in PARTS:
        for artefact_id, count in db.session.execute(part.count(artefact_ids, scope)):
            found.setdefault(artefact_id, Outstanding(dict.fromkeys(p.name for p in PARTS)))
            found[artefact_id].parts[part.name] = int(count)
    for outstanding in found.values():
        outstanding.parts = {name: count or 0 for name, count in outstanding.parts.items()}
    return found


def outstanding_of(artefact_id: int, scope: Scope) -> Outstanding:
    """One artefact's outstanding issues."""
    ids = select(Artefact.id).where(Artefact.id == artefact_id)
    return outstanding_issues(ids, scope).get(artefact_id) or empty()


def empty() -> Outstanding:
    """An artefact with nothing outstanding: every part zero."""
    return Outstanding(dict.fromkeys((part.name for part in PARTS), 0))


__all__ = [
    "PARTS",
    "Outstanding",
    "OutstandingPart",
    "empty",
    "outstanding_issues",
    "outstanding_of",
    "unresolved_comments",
]

"""People under one name everywhere: who did something, as every history shows it.

The audit trails keep the actor as text: the signed-in user's email for a change made in the
browser, the command's IMPORT_ACTOR (`$USER`) for one made on the command line. Pages never
show that text as it is: they ask `Names`, which shows a user's display name (their name, else
their email) for an email, and "import of FILE" for what an import changed, the file found
through the event's import batch. One lookup per page: `names_for(...)` reads every user and
batch the page names in two queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import ImportBatch, User


@dataclass(slots=True)
class Names:
    """How a page names the people and the imports its histories mention."""

    users: dict[str, str] = field(default_factory=dict)  # email (lower case) -> display name
    files: dict[int, str] = field(default_factory=dict)  # import batch id -> file name

    def person(self, actor: str | None) -> str:
        """A user's display name for their email; any other actor (a command's `$USER`) as
        recorded."""
        if not actor:
            return "—"
        return self.users.get(actor.strip().lower(), actor)

    def event(self, event: Any) -> str:
        """Who made a change of an audit trail: "import of FILE" for an import's (through the
        event's import batch, or the file it names), else the person."""
        if getattr(event, "origin", None) == "import":
            batch_id = getattr(event, "import_batch_id", None)
            file = self.files.get(batch_id) if batch_id else getattr(event, "source_file", None)
            return f"import of {file}" if file else "an import"
        return self.person(getattr(event, "actor", None))


def names_for(actors: Iterable[str | None] = (), batch_ids: Iterable[int | None] = ()) -> Names:
    """The names a page needs: its actors' display names, its import batches' files."""
    emails = sorted({actor.strip().lower() for actor in actors if actor and "@" in actor})
    wanted = sorted({batch_id for batch_id in batch_ids if batch_id is not None})
    names = Names()
    if emails:
        rows = db.session.execute(select(User.email, User.name).where(User.email.in_(emails)))
        names.users = {email: name or email for email, name in rows}
    if wanted:
        rows = db.session.execute(
            select(ImportBatch.id, ImportBatch.file_name).where(ImportBatch.id.in_(wanted))
        )
        names.files = dict(rows.all())
    return names


def event_names(events: Iterable[Any]) -> Names:
    """The names of a list of audit events (AuditEvent, DesignStatusEvent)."""
    events = list(events)
    return names_for(
        (getattr(event, "actor", None) for event in events),
        (getattr(event, "import_batch_id", None) for event in events),
    )


__all__ = ["Names", "event_names", "names_for"]

"""What every model module shares: the clock, the origin of a change, label helpers, and the
columns of a one-field change record."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

# Where a change came from: a file imported, or a person in the browser.
ORIGINS = ("import", "browser")
# ... and, for a comment's audit trail, a resolutions workbook edited offline and imported.
AUDIT_ORIGINS = (*ORIGINS, "workbook")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def tranche_label(code: str) -> str:
    """ "Tranche 1", ..., "Tranche TBC"."""
    return f"Tranche {code}"


def round_label(number: int) -> str:
    """ "1st review", "2nd review", ..., "11th review", "21st review"."""
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10 if number % 100 not in (11, 12, 13) else 0)
    return f"{number}{suffix or 'th'} review"


def in_(column: str, values: tuple[str, ...]) -> str:
    """The SQL of a CHECK constraint: `column` is one of `values`."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class FieldChange:
    """The columns of one change of one field: which field, before, after, who, when, and
    where the change came from (ORIGINS). Audit tables mix this in."""

    field: Mapped[str] = mapped_column(String(40))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    origin: Mapped[str] = mapped_column(String(8))  # import | browser

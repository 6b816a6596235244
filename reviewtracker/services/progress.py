"""Progress over time, from import times and the audit trail, read into pandas and drawn as
SVG (services/charts.py) on the round and tranche pages and written to the board pack.

For a round (or a whole tranche, every round):
- received per day: comments by the day they were imported, over the window;
- the triage burn-down per day: comments received so far that are dispositioned (a
  disposition other than Open) and those still open. A comment is dispositioned from the
  first audit event that moved it off Open (a browser's triage or a later import), or from its
  import if the log already gave it a disposition; one that is Open now counts as open;
- the median days from import to that first disposition, by constituency and by artefact.

The database gives the rows (one per comment: imported, first dispositioned, constituency,
artefact); pandas resamples them per day and pivots them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, select

from importers.vocabulary import OPEN

from ..extensions import db
from ..models import (
    Artefact,
    AuditEvent,
    Comment,
    Constituency,
    Organisation,
    ReviewRound,
    Tranche,
)
from .driver_query import DriverQuery
from .scope import Scope, require

if TYPE_CHECKING:
    import pandas as pd

MAX_DAYS = 366  # a window longer than a year is drawn over its last year


@dataclass(slots=True)
class Progress:
    """Per day from `start` to `end`: received, cumulative received, dispositioned, open; and
    the median days to a disposition by constituency and by artefact."""

    start: date | None = None
    end: date | None = None
    days: list[dict] = field(default_factory=list)  # {"day", "received", "total", ...}
    by_constituency: list[tuple[str, float, int]] = field(default_factory=list)  # name, median, n
    by_artefact: list[tuple[str, float, int]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.days

    def as_json(self) -> dict:
        return {
            "days": [{**d, "day": d["day"].isoformat()} for d in self.days],
            "median_days_by_constituency": [
                {"constituency": n, "median_days": m, "comments": c}
                for n, m, c in self.by_constituency
            ],
            "median_days_by_artefact": [
                {"artefact": n, "median_days": m, "comments": c} for n, m, c in self.by_artefact
            ],
        }


def _rows(round_ids, scope: Scope) -> pd.DataFrame:
    first_disposition = (
        select(AuditEvent.comment_id, func.min(AuditEvent.at).label("at"))
        .where(AuditEvent.field == "disposition", AuditEvent.before == OPEN)
        .group_by(AuditEvent.comment_id)
        .subquery()
    )
    query = (
        select(
            Comment.created_at,
            Comment.disposition,
            first_disposition.c.at,
            Constituency.name,
            Artefact.reference,
        )
        .join(Organisation, Organisation.id == Comment.organisation_id)
        .join(Constituency, Constituency.id == Organisation.constituency_id)
        .join(Artefact, Artefact.id == Comment.artefact_id)
        .outerjoin(first_disposition, first_disposition.c.comment_id == Comment.id)
        .where(and_(Comment.review_round_id.in_(round_ids), *scope.comments()))
    )
    # Imported on first use: pandas with numpy is about 50 MB and 0.25 s of start-up that a
    # process which never draws progress (a CLI import, most requests) need not pay.
    import pandas as pd

    # One row per comment (a round runs to 250,000): read as the driver's tuples, the
    # timestamps left for pandas to parse a column at a time (SQLAlchemy's Row and per-value
    # date parsing took three times as long as the query).
    with DriverQuery(db.session.connection(), query) as rows:
        return pd.DataFrame.from_records(
            rows.rows({}),
            columns=["imported", "disposition", "first_disposition", "constituency", "artefact"],
        )


def _frame_progress(frame: pd.DataFrame, start: date | None, end: date | None) -> Progress:
    if frame.empty:
        return Progress(start, end)
    import pandas as pd  # see _rows

    # One resolution for both: the database's timestamps come back as seconds or microseconds.
    # SQLite's text or PostgreSQL's datetimes alike; ISO 8601, with or without microseconds.
    for column in ("imported", "first_disposition"):
        frame[column] = pd.to_datetime(frame[column], format="ISO8601").astype("datetime64[us]")
    still_open = frame["disposition"] == OPEN
    # Dispositioned when first moved off Open; imported with one: at its import.
    done = frame["first_disposition"].where(~still_open)
    done = done.fillna(frame["imported"].where(~still_open))
    frame["done"] = done
    first_day = start or frame["imported"].min().date()
    last_day = max(
        end or first_day,
        frame["imported"].max().date(),
        done.max().date() if done.notna().any() else first_day,
    )
    last_day = min(last_day, first_day + timedelta(days=MAX_DAYS))
    days = pd.date_range(first_day, last_day, freq="D")
    received = frame.set_index("imported").resample("D").size().reindex(days, fill_value=0)
    dispositioned = (
        frame.dropna(subset=["done"])
        .set_index("done")
        .resample("D")
        .size()
        .reindex(days, fill_value=0)
        if done.notna().any()
        else pd.Series(0, index=days)
    )
    before_start = int((frame["imported"] < days[0]).sum())
    done_before = int((frame["done"] < days[0]).sum())
    totals = received.cumsum() + before_start
    done_total = dispositioned.cumsum() + done_before
    progress = Progress(first_day, last_day)
    progress.days = [
        {
            "day": day.date(),
            "received": int(received[day]),
            "total": int(totals[day]),
            "dispositioned": int(done_total[day]),
            "open": int(totals[day] - done_total[day]),
        }
        for day in days
    ]
    timed = frame.dropna(subset=["done"]).copy()
    timed["days"] = (timed["done"] - timed["imported"]).dt.total_seconds() / 86_400
    progress.by_constituency = _medians(timed, "constituency")
    progress.by_artefact = _medians(timed, "artefact")
    return progress


def _medians(frame: pd.DataFrame, column: str) -> list[tuple[str, float, int]]:
    if frame.empty:
        return []
    table = frame.pivot_table(index=column, values="days", aggfunc=["median", "count"])
    table.columns = ["median", "count"]
    table = table.sort_values(["median", "count"], ascending=[False, False])
    return [
        (str(name), round(float(row["median"]), 1), int(row["count"]))
        for name, row in table.iterrows()
    ]


def round_progress(round_id: int, scope: Scope) -> Progress:
    require(scope)
    review_round = db.session.get(ReviewRound, round_id)
    if review_round is None:
        return Progress()
    frame = _rows(select(ReviewRound.id).where(ReviewRound.id == round_id), scope)
    return _frame_progress(frame, review_round.opens_on, review_round.closes_on)


def tranche_progress(tranche: str, scope: Scope) -> Progress:
    require(scope)
    rounds = (
        select(ReviewRound.id)
        .join(Tranche, Tranche.id == ReviewRound.tranche_id)
        .where(Tranche.code == tranche)
    )
    window = db.session.execute(
        select(func.min(ReviewRound.opens_on), func.max(ReviewRound.closes_on)).where(
            ReviewRound.id.in_(rounds)
        )
    ).one()
    return _frame_progress(_rows(rounds, scope), window[0], window[1])


__all__ = ["Progress", "round_progress", "tranche_progress"]

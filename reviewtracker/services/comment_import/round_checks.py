"""A log's comments checked against the review round they go to: a comment on an artefact the
round does not review is a problem (file, sheet, row, column) unless the lead allows it for this
import; a comment raised after the round's closing date is kept and flagged late.

A round with no artefacts listed (one an import created) reviews whatever comes; a round with
no window takes comments on any day. The log is checked a chunk at a time as it is read (see
feed.py): each round is read once, and the late comments are counted over the whole file and
reported once, at the end. SELECTs only.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from importers.records import CommentRecord

from ...extensions import db
from ...models import Artefact, ReviewRound, RoundArtefact
from ..rounds import closing_date
from .resolve import Key, Resolver

SHOWN = 5  # late rows named in the warning


class RoundChecks:
    """Checks each chunk's records against their rounds (`check`); `finish` reports the late
    ones and returns how many there were."""

    def __init__(self, resolver: Resolver, *, allow_other_artefacts: bool, today: date) -> None:
        self.resolver = resolver
        self.allowed = allow_other_artefacts
        self.today = today
        self._rounds: dict[int, ReviewRound] = {}
        self._closes: dict[int, date | None] = {}
        self._reviewed: dict[int, set[int]] = {}  # round id -> the artefact ids it reviews
        self._references: dict[int, str] | None = None
        self._late = 0
        self._shown: list[tuple[str, int]] = []  # the first late rows' (sheet, row)
        self._closing: date | None = None  # the first late comment's round's closing date

    def check(self, records: list[CommentRecord], keys: list[Key | None]) -> None:
        """Report this chunk's comments on artefacts not under review (errors, or warnings
        when allowed) and note its late ones. Stand-in rounds (ones the import would create)
        have neither artefacts nor a window."""
        self._read_rounds({key[1] for key in keys if key is not None and key[1] > 0})
        for record, key in zip(records, keys, strict=True):
            if key is None or key[1] <= 0:
                continue
            artefact_id, round_id = key[0], key[1]
            listed = self._reviewed.get(round_id)
            if listed and artefact_id not in listed:
                self._not_under_review(record, self._rounds[round_id], listed)
            closes = self._closes[round_id]
            if closes is not None and (record.raised_on or self.today) > closes:
                self._late += 1
                if len(self._shown) < SHOWN:
                    self._shown.append((record.sheet, record.row))
                self._closing = self._closing or closes

    def finish(self) -> int:
        """A warning naming the first late rows; returns how many comments are late."""
        late = self._late
        if late:
            rows = ", ".join(f"sheet '{sheet}' row {row}" for sheet, row in self._shown)
            more = f" and {late - SHOWN} more" if late > SHOWN else ""
            self.resolver.problem(
                f"{late} comment{'s' if late != 1 else ''} raised after the round's "
                f"closing date {self._closing}: kept, flagged late ({rows}{more})",
                severity="warning",
            )
        return late

    def _read_rounds(self, round_ids: set[int]) -> None:
        new = round_ids - self._rounds.keys()
        if not new:
            return
        for review_round in db.session.scalars(select(ReviewRound).where(ReviewRound.id.in_(new))):
            self._rounds[review_round.id] = review_round
            self._closes[review_round.id] = closing_date(review_round)
        for round_id, artefact_id in db.session.execute(
            select(RoundArtefact.review_round_id, RoundArtefact.artefact_id).where(
                RoundArtefact.review_round_id.in_(new)
            )
        ):
            self._reviewed.setdefault(round_id, set()).add(artefact_id)

    def _not_under_review(
        self, record: CommentRecord, review_round: ReviewRound, listed: set[int]
    ) -> None:
        if self._references is None:
            self._references = dict(
                db.session.execute(select(Artefact.id, Artefact.reference)).all()
            )
        under_review = ", ".join(sorted(self._references[i] for i in listed))
        message = (
            f"{record.artefact} is not under review in {review_round.title} of this tranche "
            f"(it reviews {under_review})"
        )
        if self.allowed:
            message += ": kept, as this import allows"
        else:
            message += ": allow comments on other artefacts for this import to keep it"
        self.resolver.problem(
            message,
            record,
            field="artefact",
            severity="warning" if self.allowed else "error",
        )


__all__ = ["RoundChecks"]

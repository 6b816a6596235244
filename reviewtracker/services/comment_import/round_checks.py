"""A log's comments checked against the review round they go to: a comment on an artefact the
round does not review is a problem (file, sheet, row, column) unless the lead allows it for this
import; a comment raised after the round's closing date is kept and flagged late.

A round with no artefacts listed (one an import created) reviews whatever comes; a round with
no window takes comments on any day. SELECTs only.
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


def check_rounds(
    resolver: Resolver,
    records: list[CommentRecord],
    keys: list[Key | None],
    *,
    allow_other_artefacts: bool,
    today: date,
) -> int:
    """Report comments on artefacts not under review (errors, or warnings when allowed) and
    count the late ones (a warning naming the first rows). Returns how many are late."""
    round_ids = {key[1] for key in keys if key is not None and key[1] > 0}
    if not round_ids:
        return 0
    rounds = {
        r.id: r
        for r in db.session.scalars(select(ReviewRound).where(ReviewRound.id.in_(round_ids)))
    }
    reviewed: dict[int, set[int]] = {}
    for round_id, artefact_id in db.session.execute(
        select(RoundArtefact.review_round_id, RoundArtefact.artefact_id).where(
            RoundArtefact.review_round_id.in_(round_ids)
        )
    ):
        reviewed.setdefault(round_id, set()).add(artefact_id)
    references = (
        dict(db.session.execute(select(Artefact.id, Artefact.reference)).all()) if reviewed else {}
    )
    late: list[tuple[CommentRecord, date]] = []
    for record, key in zip(records, keys, strict=True):
        if key is None or key[1] <= 0:
            continue
        artefact_id, round_id = key[0], key[1]
        review_round = rounds[round_id]
        listed = reviewed.get(round_id)
        if listed and artefact_id not in listed:
            _not_under_review(
                resolver, record, review_round, references, listed, allow_other_artefacts
            )
        closes = closing_date(review_round)
        if closes is not None and (record.raised_on or today) > closes:
            late.append((record, closes))
    if late:
        rows = ", ".join(f"sheet '{r.sheet}' row {r.row}" for r, _closes in late[:SHOWN])
        more = f" and {len(late) - SHOWN} more" if len(late) > SHOWN else ""
        resolver.problem(
            f"{len(late)} comment{'s' if len(late) != 1 else ''} raised after the round's "
            f"closing date {late[0][1]}: kept, flagged late ({rows}{more})",
            severity="warning",
        )
    return len(late)


def _not_under_review(
    resolver: Resolver,
    record: CommentRecord,
    review_round: ReviewRound,
    references: dict[int, str],
    listed: set[int],
    allowed: bool,
) -> None:
    under_review = ", ".join(sorted(references[i] for i in listed))
    message = (
        f"{record.artefact} is not under review in {review_round.title} of this tranche "
        f"(it reviews {under_review})"
    )
    if allowed:
        message += ": kept, as this import allows"
    else:
        message += ": allow comments on other artefacts for this import to keep it"
    resolver.problem(
        message,
        record,
        column=resolver.column(record, "artefact"),
        severity="warning" if allowed else "error",
    )

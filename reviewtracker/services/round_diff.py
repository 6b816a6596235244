"""The round-to-round diff of a tranche, per artefact: what a later round brought and what
became of the earlier rounds' unresolved comments. One function (`round_diff`) for the page,
the JSON, the xlsx and `reviewtracker round-diff`. The categories (ROUND_DIFF in
importers/vocabulary.py, defined there once; README and page show the definitions):

- new: received in the later round, linked to no comment of the rounds compared;
- repeated: received in the later round, linked as repeating a comment received in one of
  the rounds from the earlier round up to the one before the later round;
- carried_open: received in one of those rounds, carried into the later round, and still
  Open, Action or Requires Further Clarification;
- resolved: carried the same way, and since Accepted or Rejected.

Every comment is counted in one category at most; counted by the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl import Workbook
from sqlalchemy import case, func, select

from importers.vocabulary import ROUND_DIFF, UNRESOLVED

from ..extensions import db
from ..models import Artefact, Comment, CommentCarry, CommentRepeat, ReviewRound, RoundArtefact
from . import ServiceError
from .rounds import find_round
from .scope import Scope, require
from .spreadsheet import header_row, set_widths, title_rows, workbook_bytes, xlsx_cell

CATEGORIES = ROUND_DIFF.keys


@dataclass(slots=True)
class ArtefactDiff:
    reference: str
    title: str
    counts: dict[str, int]

    def as_json(self) -> dict:
        return {"artefact": self.reference, **self.counts}


@dataclass(slots=True)
class RoundDiff:
    tranche: str
    from_round: int
    to_round: int
    artefacts: list[ArtefactDiff] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        return {key: sum(a.counts[key] for a in self.artefacts) for key in CATEGORIES}

    def as_json(self) -> dict:
        """{"artefacts": [{"artefact", "new", "repeated", "carried_open", "resolved"}, ...],
        "totals": {...}}: the CLI's and the API's shape."""
        return {
            "artefacts": [a.as_json() for a in self.artefacts],
            "totals": self.totals,
        }


def round_diff(tranche: str, from_round: int, to_round: int, scope: Scope) -> RoundDiff:
    """The diff from round `from_round` to round `to_round` of the tranche, per artefact in
    register order: the artefacts under review in the later round, and any other with a count."""
    require(scope)
    if from_round >= to_round:
        raise ServiceError("compare an earlier round with a later one (--from below --to)")
    earlier_round, later_round = find_round(tranche, from_round), find_round(tranche, to_round)
    compared = select(ReviewRound.id).where(
        ReviewRound.tranche_id == later_round.tranche_id,
        ReviewRound.number >= earlier_round.number,
        ReviewRound.number < later_round.number,
    )
    earlier_comments = select(Comment.id).where(Comment.review_round_id.in_(compared))
    repeating = select(CommentRepeat.comment_id).where(
        CommentRepeat.repeats_id.in_(earlier_comments)
    )
    is_repeat = Comment.id.in_(repeating)
    received = (
        select(
            Comment.artefact_id,
            func.sum(case((is_repeat, 0), else_=1)),
            func.sum(case((is_repeat, 1), else_=0)),
        )
        .where(Comment.review_round_id == later_round.id, *scope.comments())
        .group_by(Comment.artefact_id)
    )
    unresolved = Comment.disposition.in_(UNRESOLVED)
    carried = (
        select(
            Comment.artefact_id,
            func.sum(case((unresolved, 1), else_=0)),
            func.sum(case((unresolved, 0), else_=1)),
        )
        .join(CommentCarry, CommentCarry.comment_id == Comment.id)
        .where(
            CommentCarry.review_round_id == later_round.id,
            Comment.review_round_id.in_(compared),
            *scope.comments(),
        )
        .group_by(Comment.artefact_id)
    )
    counts: dict[int, dict[str, int]] = {}
    for artefact_id, new, repeated in db.session.execute(received):
        counts.setdefault(artefact_id, dict.fromkeys(CATEGORIES, 0))
        counts[artefact_id].update(new=int(new), repeated=int(repeated))
    for artefact_id, still_open, resolved in db.session.execute(carried):
        counts.setdefault(artefact_id, dict.fromkeys(CATEGORIES, 0))
        counts[artefact_id].update(carried_open=int(still_open), resolved=int(resolved))
    under_review = select(RoundArtefact.artefact_id).where(
        RoundArtefact.review_round_id == later_round.id
    )
    artefacts = db.session.execute(
        select(Artefact.id, Artefact.reference, Artefact.title)
        .where(Artefact.id.in_(under_review) | Artefact.id.in_(list(counts)))
        .order_by(Artefact.position, Artefact.reference)
    )
    diff = RoundDiff(tranche, from_round, to_round)
    for artefact_id, reference, title in artefacts:
        numbers = counts.get(artefact_id, dict.fromkeys(CATEGORIES, 0))
        diff.artefacts.append(ArtefactDiff(reference, title or "", numbers))
    return diff


def round_diff_xlsx(diff: RoundDiff) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Round diff")
    set_widths(sheet, [14, 44, *(14 for _ in CATEGORIES)])
    title_rows(
        sheet,
        f"Round diff - Tranche {diff.tranche}, round {diff.from_round} to {diff.to_round}",
        "; ".join(f"{term.label}: {term.definition}" for term in ROUND_DIFF),
    )
    header_row(sheet, ["Artefact", "Title", *(term.label for term in ROUND_DIFF)])
    for row in diff.artefacts:
        sheet.append(
            [
                xlsx_cell(sheet, row.reference),
                xlsx_cell(sheet, row.title),
                *(row.counts[key] for key in CATEGORIES),
            ]
        )
    sheet.append([xlsx_cell(sheet, "Total"), None, *(diff.totals[key] for key in CATEGORIES)])
    return workbook_bytes(book)


__all__ = ["ArtefactDiff", "RoundDiff", "round_diff", "round_diff_xlsx"]

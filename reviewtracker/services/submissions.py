"""Reviewers submit their organisation's comments to a review round themselves: the rounds
their organisation is invited to, whether the round takes a submission today (its window, or
a lead's extension for the organisation), the reviewer's log checked and submitted through the
design team's own import (each submission an import batch marked "submitted by"). The
submissions made and the extensions: submission_records.py; drafts and the template:
submission_drafts.py; the audit and the per-user throttle: submission_audit.py.

A reviewer's log is read by the same reader, with the same checks, as the design team's
import; what only the design team may say is never read from it: the organisation and its
constituency are the reviewer's, the tranche and round are the round's, and a disposition or
response column is ignored (`force_reviewer`). A comment on an artefact the round does not
review is an error naming its row (no reviewer may allow it). The import itself is the normal
one: one transaction, re-import semantics (nothing a triager decided is overwritten; the
conflicts are listed on the batch), and the submission row commits with the batch.

Late: a submission after the round's closing date (through an extension) is flagged late, and
every comment it adds is dated the day it arrived, so the round's engagement table counts it
late (engagement.late_condition); a comment submitted before keeps its date.

Every function takes the reviewer's `Scope` (an organisation's); nothing here commits except
the import, which owns its transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from importers.normalise import COMMENT_TYPE_SYNONYMS, fold_name
from importers.records import Problem
from importers.vocabulary import SUBMISSION_KINDS

from ..extensions import db
from ..models import (
    Comment,
    ImportBatch,
    Organisation,
    ReviewRound,
    RoundExtension,
    RoundInvitation,
    Submission,
)
from . import ServiceError
from .comment_import import ImportOptions, ImportReport, ParsedLog, import_comment_log
from .rounds import closing_date, round_artefacts, round_state
from .scope import Scope, require
from .submission_audit import REFUSED, SUBMITTED, record_event

# The canonical comment types, in the reader's order: the template's drop-down and the form's.
COMMENT_TYPES: tuple[str, ...] = tuple(dict.fromkeys(COMMENT_TYPE_SYNONYMS.values()))
# Fields only the design team sets, or that are the round's and organisation's: a reviewer's
# log never supplies them (their columns are not read).
NOT_FROM_REVIEWERS = (
    "organisation",
    "constituency",
    "tranche",
    "review_round",
    "disposition",
    "response",
)


class NoSuchRound(ServiceError):
    """Not a round the reviewer's organisation is invited to: answered as if it did not exist."""


class SubmissionClosed(ServiceError):
    """The round takes no submission from the organisation today."""


@dataclass(slots=True)
class RoundArtefactRow:
    artefact_id: int
    reference: str
    title: str
    version: str | None


@dataclass(slots=True)
class RoundWindow:
    """A round as one invited organisation sees it: its window, and its extension if any."""

    round_id: int
    tranche: str
    number: int
    title: str
    opens_on: date | None
    closes_on: date | None  # the closing date in force (early if a lead closed it early)
    state: str  # a key of ROUND_STATES
    organisation_id: int
    organisation: str
    constituency: str
    extension_until: date | None = None
    extension_by: str | None = None
    extension_at: datetime | None = None
    artefacts: list[RoundArtefactRow] = field(default_factory=list)

    def refusal(self, today: date) -> str | None:
        """Why the round takes no submission today, in plain words; None if it does."""
        if self.opens_on is not None and today < self.opens_on:
            return f"{self.title} opens for comments on {self.opens_on:%d %B %Y}."
        if self.closes_on is None or today <= self.closes_on:
            return None
        if self.extension_until is not None and today <= self.extension_until:
            return None
        refused = f"{self.title} closed for comments on {self.closes_on:%d %B %Y}"
        if self.extension_until is not None:
            refused += f" and your extension ended on {self.extension_until:%d %B %Y}"
        return refused + ": ask the design team for an extension to submit now."

    def late(self, today: date) -> bool:
        """True if a submission today comes after the closing date (through an extension)."""
        return self.closes_on is not None and today > self.closes_on

    def references(self) -> list[str]:
        return [row.reference for row in self.artefacts]


def _reviewer(scope: Scope) -> int:
    scope = require(scope)
    if scope.organisation_id is None:
        raise ServiceError("submitting comments is a reviewer organisation's")
    return scope.organisation_id


def invited_rounds(scope: Scope, today: date) -> list[RoundWindow]:
    """Every round the organisation is invited to that has opened or opens later, the open ones
    (and those its extension keeps open) first, then by tranche and number."""
    organisation_id = _reviewer(scope)
    round_ids = db.session.scalars(
        select(RoundInvitation.review_round_id).where(
            RoundInvitation.organisation_id == organisation_id
        )
    ).all()
    windows = [reviewer_window(round_id, scope, today) for round_id in round_ids]
    return sorted(
        windows, key=lambda w: (w.refusal(today) is not None, w.tranche, w.number, w.round_id)
    )


def reviewer_window(round_id: int, scope: Scope, today: date) -> RoundWindow:
    """The round as the organisation sees it; NoSuchRound unless it is invited to it."""
    organisation_id = _reviewer(scope)
    invited = db.session.scalar(
        select(RoundInvitation.review_round_id).where(
            RoundInvitation.review_round_id == round_id,
            RoundInvitation.organisation_id == organisation_id,
        )
    )
    review_round = db.session.get(ReviewRound, round_id) if invited is not None else None
    if review_round is None:
        raise NoSuchRound("no such review round")
    organisation = db.session.get(Organisation, organisation_id)
    extension = db.session.scalar(
        select(RoundExtension).where(
            RoundExtension.review_round_id == round_id,
            RoundExtension.organisation_id == organisation_id,
        )
    )
    return RoundWindow(
        round_id=round_id,
        tranche=review_round.tranche.code,
        number=review_round.number,
        title=f"Tranche {review_round.tranche.code} {review_round.title}",
        opens_on=review_round.opens_on,
        closes_on=closing_date(review_round),
        state=round_state(review_round, today),
        organisation_id=organisation_id,
        organisation=organisation.name,
        constituency=organisation.constituency.name,
        extension_until=extension.until if extension else None,
        extension_by=extension.granted_by if extension else None,
        extension_at=extension.granted_at if extension else None,
        artefacts=[RoundArtefactRow(*row) for row in round_artefacts(round_id)],
    )


def open_window(round_id: int, scope: Scope, today: date) -> RoundWindow:
    """The round, if it takes the organisation's submission today; else SubmissionClosed."""
    window = reviewer_window(round_id, scope, today)
    refused = window.refusal(today)
    if refused:
        raise SubmissionClosed(refused)
    return window


# --- reading and importing a reviewer's log ------------------------------------------------


def submission_options(
    window: RoundWindow,
    actor: str,
    columns: Mapping[str, str | None] | None = None,
    **extra,
) -> ImportOptions:
    """The design team's import options for the organisation's log to this round: what it
    cannot say about itself filled in, those columns not read; `columns`, the reviewer's own
    choice of column per field (field -> header, None: not used), for the others."""
    return ImportOptions(
        tranche=window.tranche,
        review_round=window.number,
        organisation=window.organisation,
        constituency=window.constituency,
        column_overrides={**reviewer_columns(columns or {}), **dict.fromkeys(NOT_FROM_REVIEWERS)},
        actor=actor,
        **extra,
    )


def reviewer_columns(columns: Mapping[str, str | None]) -> dict[str, str | None]:
    """The choices of column a reviewer may make: none for a field they never supply."""
    return {name: header for name, header in columns.items() if name not in NOT_FROM_REVIEWERS}


def force_reviewer(parsed: ParsedLog, window: RoundWindow, today: date) -> None:
    """Every comment of the log is the organisation's, in this round, with no decision: what
    a line above the table might say otherwise is overruled. A late submission dates the
    comments it adds today (see the module's docstring)."""
    stored: dict[str, date | None] = {}
    if window.late(today):
        stored = dict(
            db.session.execute(
                select(Comment.source_key, Comment.raised_on).where(
                    Comment.review_round_id == window.round_id,
                    Comment.organisation_id == window.organisation_id,
                )
            ).all()
        )
    _refuse_outside_round(parsed, window)
    _note_other_organisations(parsed, window)
    for record in parsed.read.records:
        record.organisation, record.constituency = window.organisation, window.constituency
        record.tranche, record.review_round = window.tranche, window.number
        record.disposition, record.response = None, None
        if window.late(today):
            key = record.source_key
            record.raised_on = stored.get(key, today)


def _note_other_organisations(parsed: ParsedLog, window: RoundWindow) -> None:
    """A warning if a line above the table names another organisation: the log is submitted
    as the reviewer's organisation's all the same."""
    own = fold_name(window.organisation)
    named = {
        record.organisation
        for record in parsed.read.records
        if record.organisation and fold_name(record.organisation) != own
    }
    for name in sorted(named):
        problem = Problem(
            file=parsed.file,
            message=(
                f"the log names the organisation {name!r}: its comments are submitted as "
                f"{window.organisation}'s, your organisation's"
            ),
            severity="warning",
        )
        if problem not in parsed.read.problems:
            parsed.read.problems.append(problem)


def _refuse_outside_round(parsed: ParsedLog, window: RoundWindow) -> None:
    """An error for each comment on an artefact the round does not review, all at once (the
    import's own round check comes only once every artefact is known): a reviewer can't
    keep one, as a lead may for the design team's import."""
    under_review = window.references()
    if not under_review:
        return
    headers = {sheet.name: sheet.mapping.get("artefact") for sheet in parsed.read.sheets}
    problems = parsed.read.problems
    for record in parsed.read.records:
        if record.artefact in under_review:
            continue
        problem = Problem(
            file=parsed.file,
            message=(
                f"{record.artefact or 'this comment'} is not under review in {window.title}: "
                f"comment on {', '.join(under_review)} only"
            ),
            sheet=record.sheet,
            row=record.row,
            column=headers.get(record.sheet),
            value=record.artefact,
        )
        if problem not in problems:
            problems.append(problem)


def check_log(
    parsed: ParsedLog, window: RoundWindow, actor: str, today: date, sample_rows: int = 0
) -> ImportReport:
    """What submitting the log would do (a dry run): its problems, counts and sample."""
    force_reviewer(parsed, window, today)
    # With the columns the log was read with: the reviewer's choice, if they made one.
    columns = parsed.overrides
    options = submission_options(window, actor, columns, dry_run=True, sample_rows=sample_rows)
    return import_comment_log(parsed, filename=parsed.file, options=options)


@dataclass(slots=True)
class Submitter:
    """Who submits: the reviewer's user id and email."""

    user_id: int
    email: str


def submit_log(
    parsed: ParsedLog,
    content: bytes,
    window: RoundWindow,
    submitter: Submitter,
    today: date,
    kind: str = "log",
    after: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import the organisation's log as a submission: the normal import, with the submission
    (and `after`, given the submission's id) committed in the import's own transaction.
    Nothing is written if the log has an error (see record_refusal)."""
    if kind not in SUBMISSION_KINDS:
        raise ServiceError(f"unknown kind of submission {kind!r}")
    force_reviewer(parsed, window, today)
    late = window.late(today)

    def record(batch_id: int) -> None:
        batch = db.session.get(ImportBatch, batch_id)
        submission = Submission(
            review_round_id=window.round_id,
            organisation_id=window.organisation_id,
            user_id=submitter.user_id,
            import_batch_id=batch_id,
            kind=kind,
            late=late,
            file_name=parsed.file,
            content=content,
            comments=len(parsed.read.records),
        )
        db.session.add(submission)
        db.session.flush()
        detail = (
            f"{parsed.file}: batch {batch_id}, added {batch.added}, updated {batch.updated}, "
            f"unchanged {batch.unchanged}, conflicts {batch.conflicts}{', late' if late else ''}"
        )
        record_event(SUBMITTED, **_who(submitter, window), detail=detail)
        if after is not None:
            after(submission.id)

    options = submission_options(window, submitter.email, parsed.overrides, on_batch=record)
    return import_comment_log(parsed, filename=parsed.file, options=options)


def record_refusal(report: ImportReport, window: RoundWindow, submitter: Submitter) -> None:
    """Audit a submission the import refused (it wrote nothing): the caller's unit of work."""
    detail = f"{report.file}: not submitted, {len(report.errors)} error(s)"
    record_event(REFUSED, **_who(submitter, window), detail=detail)


def _who(submitter: Submitter, window: RoundWindow) -> dict:
    return {
        "actor": submitter.email,
        "user_id": submitter.user_id,
        "organisation_id": window.organisation_id,
        "round_id": window.round_id,
    }


__all__ = [
    "COMMENT_TYPES",
    "NoSuchRound",
    "RoundWindow",
    "SubmissionClosed",
    "Submitter",
    "check_log",
    "invited_rounds",
    "open_window",
    "record_refusal",
    "reviewer_columns",
    "reviewer_window",
    "submission_options",
    "submit_log",
]

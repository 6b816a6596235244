"""Reviewers' submissions, service by service, on the small world of submissions_data.py:
the rounds a reviewer sees, their log checked with the import's own checks (organisation
forced, decisions ignored, artefacts outside the round refused by row), submitted as a batch
that the engagement table counts at once, re-submitted without overwriting a triager's
decision, refused after the close, accepted late through a lead's extension, drafts typed on
the form and submitted, the template, the throttle and the audit. Numbers counted by hand."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from flask import current_app
from openpyxl import load_workbook
from sqlalchemy import select

from reviewtracker.extensions import db
from reviewtracker.models import Comment, CommentDraft, Submission, SubmissionEvent
from reviewtracker.services import ServiceError
from reviewtracker.services.comment_import import parse_comment_log
from reviewtracker.services.engagement import round_engagement
from reviewtracker.services.scope import Scope
from reviewtracker.services.submission_audit import (
    Throttled,
    check_throttle,
    record_event,
)
from reviewtracker.services.submission_drafts import (
    DraftValues,
    NoSuchDraft,
    author_drafts,
    get_draft,
    save_draft,
    submit_drafts,
    template_xlsx,
)
from reviewtracker.services.submission_records import (
    grant_extension,
    round_submissions,
    submission_copy,
    submitted_batches,
)
from reviewtracker.services.submissions import (
    COMMENT_TYPES,
    NoSuchRound,
    SubmissionClosed,
    Submitter,
    check_log,
    invited_rounds,
    open_window,
    reviewer_window,
    submission_options,
    submit_log,
)
from reviewtracker.services.triage import triage_comment
from reviewtracker.unit_of_work import unit_of_work
from tests.logmaker import write_csv_log, write_xlsx_log

from .factories import count
from .submissions_data import World, make_world

pytestmark = pytest.mark.usefixtures("app_context")
TODAY = date.today()
ACME_REVIEWER = Submitter(0, "rev@acme.example")


@pytest.fixture
def world() -> World:
    w = make_world()
    ACME_REVIEWER.user_id = w.acme_reviewer
    return w


def _rows(*texts: str, artefact: str = "BP004") -> list[dict]:
    return [
        {"log_comment_id": str(n), "artefact": artefact, "section": f"2.{n}", "comment": text}
        for n, text in enumerate(texts, 1)
    ]


def _parsed(path: Path, window):
    options = submission_options(window, ACME_REVIEWER.email)
    return parse_comment_log(path, options=options)


def _submit(path: Path, window, today: date = TODAY):
    parsed = _parsed(path, window)
    return submit_log(parsed, path.read_bytes(), window, ACME_REVIEWER, today)


def test_a_reviewer_sees_the_rounds_their_organisation_is_invited_to(world):
    (window,) = invited_rounds(Scope.organisation(world.acme), TODAY)
    assert window.title == "Tranche 1 1st review"
    assert [(a.reference, a.version) for a in window.artefacts] == [
        ("BP004", "0.3"),
        ("BP005", None),
    ]
    assert window.closes_on == TODAY + timedelta(days=5)
    assert window.refusal(TODAY) is None
    assert invited_rounds(Scope.organisation(world.gamma), TODAY) == []
    with pytest.raises(NoSuchRound):
        reviewer_window(world.round_id, Scope.organisation(world.gamma), TODAY)
    with pytest.raises(ServiceError):
        invited_rounds(Scope.staff(), TODAY)


def test_the_check_forces_the_organisation_and_names_rows_outside_the_round(world, tmp_path):
    window = reviewer_window(world.round_id, Scope.organisation(world.acme), TODAY)
    rows = _rows("Fine comment.", "On the interface.", "Unknown artefact.")
    rows[1]["artefact"] = "IF005"
    rows[2]["artefact"] = "BP999"
    rows[0]["disposition"] = "Accepted"  # a reviewer can't decide their own comment
    path = write_xlsx_log(
        tmp_path / "acme.xlsx",
        rows,
        key_values={"Organisation": "Beta Metering", "Constituency": "Supplier - Large"},
    )
    report = check_log(_parsed(path, window), window, ACME_REVIEWER.email, TODAY)
    errors = [str(p) for p in report.errors]
    assert len(errors) == 2, errors
    assert "row 8, column 'Design Artefact': IF005 is not under review" in errors[0]
    assert "row 9, column 'Design Artefact': BP999 is not under review" in errors[1]
    assert report.organisations == {"Acme Energy": window.constituency}
    (warning,) = report.warnings
    assert "names the organisation 'Beta Metering'" in str(warning)
    assert count(Comment) == 0


def test_a_clean_log_is_submitted_as_a_batch_the_engagement_counts_at_once(world, tmp_path):
    window = reviewer_window(world.round_id, Scope.organisation(world.acme), TODAY)
    rows = _rows("First.", "Second.")
    rows[0]["disposition"] = "Rejected"
    path = write_xlsx_log(tmp_path / "acme.xlsx", rows, key_values={"Organisation": "Beta"})
    report = _submit(path, window)
    assert report.written and report.added == 2
    stored = db.session.execute(select(Comment.organisation_id, Comment.disposition)).all()
    assert sorted(stored) == [(world.acme, "open"), (world.acme, "open")]
    (submission,) = db.session.scalars(select(Submission)).all()
    assert submission.import_batch_id == report.batch_id and not submission.late
    assert submission.user_id == world.acme_reviewer and submission.kind == "log"
    assert submission_copy(submission.id, Scope.organisation(world.acme))[1] == path.read_bytes()
    with pytest.raises(NoSuchRound):
        submission_copy(submission.id, Scope.organisation(world.beta))
    marked = submitted_batches([report.batch_id])[report.batch_id]
    assert marked["organisation"] == "Acme Energy" and marked["late"] is False
    engagement = round_engagement(world.round_id, TODAY, Scope.staff())
    acme = [
        o
        for c in engagement.constituencies
        for o in c.organisations
        if o.organisation_id == world.acme
    ]
    assert acme[0].comments == 2 and acme[0].late == 0
    assert [e.action for e in db.session.scalars(select(SubmissionEvent))] == ["submitted"]
    assert round_submissions(world.round_id, Scope.organisation(world.beta)) == []


def test_a_resubmission_keeps_the_triagers_decision(world, tmp_path):
    window = reviewer_window(world.round_id, Scope.organisation(world.acme), TODAY)
    _submit(write_csv_log(tmp_path / "v1.csv", _rows("First.", "Second.")), window)
    first = db.session.scalar(select(Comment.id).where(Comment.log_comment_id == "1"))
    with unit_of_work():
        triage_comment(first, {"disposition": "accepted", "response": "Agreed."}, actor="t")
    report = _submit(
        write_csv_log(tmp_path / "v2.csv", _rows("First, clarified.", "Second.")), window
    )
    assert (report.added, report.updated, report.unchanged) == (0, 1, 1)
    comment = db.session.get(Comment, first)
    assert (comment.text, comment.disposition, comment.response) == (
        "First, clarified.",
        "accepted",
        "Agreed.",
    )
    assert count(Submission) == 2


def test_after_the_close_refused_then_accepted_late_through_an_extension(world, tmp_path):
    scope = Scope.organisation(world.acme)
    after = TODAY + timedelta(days=7)
    with pytest.raises(
        SubmissionClosed, match=f"closed for comments on {TODAY + timedelta(days=5):%d %B %Y}"
    ):
        open_window(world.round_id, scope, after)
    with unit_of_work():
        with pytest.raises(ServiceError, match="after the closing date"):
            grant_extension(
                world.round_id, world.acme, TODAY, actor="lead@example.org", user_id=world.lead
            )
        with pytest.raises(ServiceError, match="invited"):
            grant_extension(world.round_id, world.gamma, after, actor="lead", user_id=world.lead)
        grant_extension(
            world.round_id, world.acme, after, actor="lead@example.org", user_id=world.lead
        )
    window = open_window(world.round_id, scope, after)
    assert window.extension_until == after and window.extension_by == "lead@example.org"
    with pytest.raises(SubmissionClosed):  # Beta has no extension
        open_window(world.round_id, Scope.organisation(world.beta), after)
    report = _submit(
        write_csv_log(tmp_path / "late.csv", _rows("Late one.", "Late two.")), window, after
    )
    assert report.written and report.late == 2
    assert db.session.scalar(select(Submission.late))
    engagement = round_engagement(world.round_id, after, Scope.staff())
    acme = [
        o
        for c in engagement.constituencies
        for o in c.organisations
        if o.organisation_id == world.acme
    ]
    assert (acme[0].comments, acme[0].late) == (2, 2)


def test_drafts_are_the_authors_until_submitted_then_locked(world):
    window = reviewer_window(world.round_id, Scope.organisation(world.acme), TODAY)
    bp004 = world.artefacts["BP004"]
    with unit_of_work():
        draft = save_draft(
            window, ACME_REVIEWER, DraftValues(bp004, "Step 3 is unclear.", section="3")
        )
        other = save_draft(
            window,
            ACME_REVIEWER,
            DraftValues(bp004, "Typo on page 4.", page="4", comment_type="editorial"),
        )
        draft_id, other_id = draft.id, other.id
    with unit_of_work():
        save_draft(
            window,
            ACME_REVIEWER,
            DraftValues(bp004, "Step 3's trigger is unclear.", section="3.1"),
            draft_id,
        )
    with pytest.raises(ServiceError, match="artefact under review"):
        save_draft(window, ACME_REVIEWER, DraftValues(world.artefacts["IF005"], "No."))
    with pytest.raises(ServiceError, match="comment type"):
        save_draft(window, ACME_REVIEWER, DraftValues(bp004, "No.", comment_type="furious"))
    # Another reviewer, even of the same organisation, never reaches the draft.
    with pytest.raises(NoSuchDraft):
        get_draft(draft_id, world.beta_reviewer, Scope.organisation(world.acme))
    with pytest.raises(NoSuchDraft):
        get_draft(draft_id, world.acme_reviewer, Scope.organisation(world.beta))
    assert count(Comment) == 0  # nothing reaches the design team before submitting
    report = submit_drafts(window, ACME_REVIEWER, TODAY)
    assert report.written and report.added == 2
    texts = dict(db.session.execute(select(Comment.log_comment_id, Comment.text)).all())
    assert texts == {
        f"W{draft_id}": "Step 3's trigger is unclear.",
        f"W{other_id}": "Typo on page 4.",
    }
    drafts = author_drafts(window.round_id, world.acme_reviewer, Scope.organisation(world.acme))
    assert all(d.locked for d in drafts)
    assert db.session.get(CommentDraft, draft_id).submission_id == db.session.scalar(
        select(Submission.id)
    )
    with pytest.raises(NoSuchDraft):
        save_draft(window, ACME_REVIEWER, DraftValues(bp004, "Changed after."), draft_id)
    with pytest.raises(ServiceError, match="no drafts"):
        submit_drafts(window, ACME_REVIEWER, TODAY)


def test_the_template_lists_the_round_and_offers_the_types(world, tmp_path):
    window = reviewer_window(world.round_id, Scope.organisation(world.acme), TODAY)
    book = load_workbook(BytesIO(template_xlsx(window)))
    assert book.sheetnames == ["Comments", "Artefacts"]
    listed = [row[0] for row in book["Artefacts"].iter_rows(min_row=2, max_row=3, values_only=True)]
    assert listed == ["BP004", "BP005"]
    validations = book["Comments"].data_validations.dataValidation
    assert sorted(str(v.sqref) for v in validations) == ["B6:B505", "F6:F505"]
    assert len(COMMENT_TYPES) == 6
    # Filled in as a reviewer would, it submits cleanly.
    sheet = book["Comments"]
    sheet.append(["1", "BP005", "1.2", "3", "", "Technical", "Data item DI-018 has no values.", ""])
    path = tmp_path / "filled.xlsx"
    book.save(path)
    report = _submit(path, window)
    assert report.written and report.added == 1, [str(p) for p in report.problems]
    assert db.session.scalar(select(Comment.comment_type)) == "technical"


def test_the_throttle_counts_one_reviewers_uploads(world):
    current_app.config["SUBMISSION_MAX_PER_WINDOW"] = 2
    for _ in range(2):
        check_throttle(world.acme_reviewer)
        with unit_of_work():
            record_event(
                "upload",
                actor="a",
                user_id=world.acme_reviewer,
                organisation_id=world.acme,
                round_id=world.round_id,
            )
    with pytest.raises(Throttled, match="try again in"):
        check_throttle(world.acme_reviewer)
    check_throttle(world.beta_reviewer)  # another reviewer's count is their own

"""Reviewers' submissions in the browser's requests, across two organisations invited to one
round (Acme, Beta) and one not (Gamma): each reviewer reaches only their own round pages,
uploads, drafts and copies, whatever ids or tokens they guess; staff never see a draft; the
upload is checked, previewed and submitted; the close refuses with the date, a lead's extension
lets the organisation submit late; the throttle; hostile values never answer 5xx.

Requests are made outside any app context; the database is read in `with app.app_context():`
blocks of the test's own, and only ids cross them."""

from __future__ import annotations

import re
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from reviewtracker.extensions import db
from reviewtracker.models import Comment, CommentDraft, Submission, SubmissionEvent
from reviewtracker.services import comment_import
from tests.logmaker import write_csv_log

from .factories import count, sign_in_as
from .submissions_data import World, make_world


@pytest.fixture
def world(app) -> World:
    with app.app_context():
        return make_world()


@pytest.fixture
def closed_world(app) -> World:
    """The same round, closed five days ago."""
    with app.app_context():
        return make_world(date.today() - timedelta(days=10))


def _rows(*texts: str, artefact: str = "BP004") -> list[dict]:
    return [
        {"log_comment_id": str(n), "artefact": artefact, "section": f"2.{n}", "comment": text}
        for n, text in enumerate(texts, 1)
    ]


def _upload(client, round_id: int, path: Path):
    with path.open("rb") as handle:
        return client.post(
            f"/submissions/rounds/{round_id}/upload",
            data={"file": (handle, path.name)},
            content_type="multipart/form-data",
        )


def _token(response) -> str:
    assert response.status_code == 302, response.status_code
    found = re.search(r"/submissions/preview/([0-9a-f]{32})", response.headers["Location"])
    assert found, response.headers["Location"]
    return found.group(1)


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_a_reviewer_sees_only_rounds_their_organisation_is_invited_to(app, world, client):
    sign_in_as(client, world.acme_reviewer)
    page = _text(client.get("/submissions/"))
    assert "Tranche 1 1st review" in page and "BP004 v0.3" in page
    assert f"{date.today() + timedelta(days=5):%d %B %Y}" in page
    assert client.get(f"/submissions/rounds/{world.round_id}").status_code == 200
    sign_in_as(client, world.gamma_reviewer)
    page = _text(client.get("/submissions/"))
    assert "No review round to submit to" in page
    for url in (
        f"/submissions/rounds/{world.round_id}",
        f"/submissions/rounds/{world.round_id}/template.xlsx",
        "/submissions/rounds/999/template.xlsx",
    ):
        assert client.get(url).status_code == 404, url
    assert _upload(client, world.round_id, _log(app, "x.csv")).status_code == 404


def _log(app, name: str, rows: list[dict] | None = None) -> Path:
    folder = Path(app.instance_path) / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return write_csv_log(folder / name, rows or _rows("A comment."))


def test_upload_check_fix_and_submit(app, world, client):
    sign_in_as(client, world.acme_reviewer)
    bad = _rows("Fine.", "On the interface.", "Said twice.")
    bad[1]["artefact"] = "IF005"  # not under review in the round
    bad[2]["log_comment_id"] = "1"  # the id of row 2 again
    token = _token(_upload(client, world.round_id, _log(app, "acme.csv", bad)))
    page = _text(client.get(f"/submissions/preview/{token}"))
    assert "can't be submitted yet: it has 2 problems" in page
    assert "IF005 is not under review in Tranche 1 1st review" in page
    assert "duplicate comment id &#39;1&#39;" in page
    assert "Submit to the design team" not in page
    assert client.post(f"/submissions/preview/{token}/submit").status_code == 302
    with app.app_context():
        assert count(Comment) == 0
        assert (
            db.session.scalar(select(SubmissionEvent.action).order_by(SubmissionEvent.id.desc()))
            == "refused"
        )
    # Another reviewer (another organisation, or the same one) can't use the token.
    sign_in_as(client, world.beta_reviewer)
    assert client.get(f"/submissions/preview/{token}").status_code == 302
    client.post(f"/submissions/preview/{token}/submit")
    sign_in_as(client, world.acme_reviewer)
    good = _rows("Fine.", "On the swimlane.")
    token = _token(_upload(client, world.round_id, _log(app, "acme-fixed.csv", good)))
    page = _text(client.get(f"/submissions/preview/{token}"))
    assert "Your log is ready: 2 comments from Acme Energy" in page
    response = client.post(f"/submissions/preview/{token}/submit")
    assert response.status_code == 302
    with app.app_context():
        assert count(Comment, Comment.organisation_id == world.acme) == 2
        submission_id = db.session.scalar(select(Submission.id))
    page = _text(client.get(f"/submissions/rounds/{world.round_id}"))
    assert "data-submissions" in page and "Download a copy" in page
    copy = client.get(f"/submissions/{submission_id}/copy")
    assert copy.status_code == 200 and b"On the swimlane." in copy.get_data()
    assert copy.headers["Cache-Control"] == "private, no-store"  # a download like the others
    # Beta and Gamma never get Acme's copy; the design team does.
    for reviewer in (world.beta_reviewer, world.gamma_reviewer):
        sign_in_as(client, reviewer)
        assert client.get(f"/submissions/{submission_id}/copy").status_code == 404
        page = _text(client.get(f"/submissions/rounds/{world.round_id}"))
        assert "Download a copy" not in page
    sign_in_as(client, world.triager)
    assert client.get(f"/submissions/{submission_id}/copy").status_code == 200
    engagement = client.get(f"/rounds/{world.round_id}/engagement.json").get_json()
    rows = [o for c in engagement["constituencies"] for o in c["organisations"]]
    assert {o["organisation"]: o["comments"] for o in rows} == {
        "Acme Energy": 2,
        "Beta Metering": 0,
    }
    history = _text(client.get("/imports/history"))
    assert "Submitted by Reviewer" in history and "reviewer, Acme Energy" in history
    assert "data-staff-submissions" in _text(client.get(f"/rounds/{world.round_id}"))


def test_a_reviewers_log_is_read_once_at_the_upload(app, world, client, monkeypatch):
    reads: list[str] = []
    read = comment_import.feed.read_comment_log

    def counted(source, *, filename=None, **kwargs):
        reads.append(filename)
        return read(source, filename=filename, **kwargs)

    monkeypatch.setattr(comment_import.feed, "read_comment_log", counted)
    sign_in_as(client, world.acme_reviewer)
    token = _token(_upload(client, world.round_id, _log(app, "acme.csv", _rows("Fine."))))
    assert reads == ["acme.csv"]
    for _reload in range(3):
        assert "Your log is ready" in _text(client.get(f"/submissions/preview/{token}"))
    client.post(f"/submissions/preview/{token}/submit")
    assert reads == ["acme.csv"]  # the previews and the submit use what the upload read
    with app.app_context():
        assert count(Comment, Comment.organisation_id == world.acme) == 1


def test_a_reviewer_chooses_the_columns_of_a_log_with_headers_of_its_own(app, world, client):
    """A log headed in its own words: no comment table is found, the reviewer types the
    comment column's header and then chooses the section's column, and the log is checked
    again each time (audited and throttled like an upload). The organisation and the design
    team's decisions can't be chosen; another reviewer can't choose for them."""
    sign_in_as(client, world.acme_reviewer)
    headers = {
        "log_comment_id": "ID",
        "artefact": "Artefact",
        "section": "Where in the document",
        "comment": "Our remarks",
        "organisation": "Company",
        "disposition": "Status",
    }
    rows = [
        {**row, "organisation": "Beta Metering", "disposition": "Accepted"}
        for row in _rows("On the swimlane.", "On the flow.")
    ]
    folder = Path(app.instance_path) / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = write_csv_log(folder / "own-words.csv", rows, headers=headers)
    token = _token(_upload(client, world.round_id, path))
    page = _text(client.get(f"/submissions/preview/{token}"))
    assert "can't be submitted yet" in page and "No comment table was found" in page
    url = f"/submissions/preview/{token}/columns"

    # Beta's reviewer can't choose Acme's columns.
    sign_in_as(client, world.beta_reviewer)
    refused = client.post(url, data={"typed-comment": "Our remarks"})
    assert "/preview/" not in refused.headers["Location"]
    sign_in_as(client, world.acme_reviewer)
    assert "No comment table was found" in _text(client.get(f"/submissions/preview/{token}"))

    response = client.post(url, data={"typed-comment": "Our remarks"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/submissions/preview/{token}#columns")
    page = _text(client.get(f"/submissions/preview/{token}"))
    assert "Your log is ready: 2 comments from Acme Energy" in page
    assert "On the swimlane." in page and "<td>2.1</td>" not in page  # no section read yet
    # The chooser offers the reviewer's fields only: never the organisation or a decision.
    assert 'name="field-section"' in page and 'name="field-organisation"' not in page
    assert 'name="field-disposition"' not in page
    chosen = {
        "field-comment": "h:Our remarks",
        "field-section": "h:Where in the document",
        "field-organisation": "h:Company",  # posted anyway: not taken
        "field-disposition": "h:Status",
    }
    client.post(url, data=chosen)
    page = _text(client.get(f"/submissions/preview/{token}"))
    assert "Your log is ready: 2 comments from Acme Energy" in page
    assert "<td>2.1</td>" in page and "<td>2.2</td>" in page
    assert client.post(f"/submissions/preview/{token}/submit").status_code == 302
    with app.app_context():
        stored = db.session.execute(
            select(Comment.organisation_id, Comment.section, Comment.disposition).order_by(
                Comment.section
            )
        ).all()
        assert stored == [(world.acme, "2.1", "open"), (world.acme, "2.2", "open")]
        details = db.session.scalars(
            select(SubmissionEvent.detail)
            .where(SubmissionEvent.action == "upload")
            .order_by(SubmissionEvent.id)
        ).all()
    assert details == [
        "own-words.csv",
        "own-words.csv: read again, columns chosen",
        "own-words.csv: read again, columns chosen",
    ]


def test_choosing_columns_counts_for_the_throttle(app, world, client):
    """Each choice reads the file again: past the limit it is refused like an upload."""
    app.config["SUBMISSION_MAX_PER_WINDOW"] = 2
    sign_in_as(client, world.acme_reviewer)
    token = _token(_upload(client, world.round_id, _log(app, "acme.csv")))
    url = f"/submissions/preview/{token}/columns"
    client.post(url, data={"field-section": "none"})
    client.post(url, data={"reset": "1"})
    page = _text(client.get(f"/submissions/preview/{token}"))
    assert "try again in" in page
    with app.app_context():
        assert count(SubmissionEvent, SubmissionEvent.action == "upload") == 2


def test_drafts_are_never_seen_by_anyone_else(app, world, client, make_user):
    bp004 = world.artefacts["BP004"]
    sign_in_as(client, world.acme_reviewer)
    response = client.post(
        f"/submissions/rounds/{world.round_id}/artefacts/{bp004}/drafts",
        data={f"a{bp004}-comment": "Secret draft wording.", f"a{bp004}-section": "3"},
    )
    assert response.status_code == 302
    with app.app_context():
        draft_id = db.session.scalar(select(CommentDraft.id))
    assert "Secret draft wording." in _text(client.get(f"/submissions/rounds/{world.round_id}"))
    assert client.get(f"/submissions/drafts/{draft_id}").status_code == 200
    colleague = make_user("reviewer", "colleague@acme.example", world.acme).id
    for user_id in (colleague, world.beta_reviewer, world.gamma_reviewer):
        sign_in_as(client, user_id)
        assert client.get(f"/submissions/drafts/{draft_id}").status_code in (404,), user_id
        assert (
            client.post(
                f"/submissions/drafts/{draft_id}", data={f"a{bp004}-comment": "x"}
            ).status_code
            == 404
        )
        assert client.post(f"/submissions/drafts/{draft_id}/delete").status_code == 404
        page = client.get(f"/submissions/rounds/{world.round_id}")
        assert "Secret draft wording." not in _text(page)
    for user_id in (world.triager, world.lead):
        sign_in_as(client, user_id)
        assert client.get(f"/submissions/drafts/{draft_id}").status_code == 403
        assert client.get(f"/submissions/rounds/{world.round_id}").status_code == 403
        assert "Secret draft wording." not in _text(client.get("/comments/"))
        assert "Secret draft wording." not in _text(client.get(f"/rounds/{world.round_id}"))
    sign_in_as(client, world.acme_reviewer)
    # An artefact the round does not review has no form.
    other = world.artefacts["IF005"]
    url = f"/submissions/rounds/{world.round_id}/artefacts/{other}/drafts"
    assert client.post(url, data={f"a{other}-comment": "x"}).status_code == 404
    assert client.post(f"/submissions/rounds/{world.round_id}/drafts/submit").status_code == 302
    with app.app_context():
        assert db.session.get(CommentDraft, draft_id).submitted_at is not None
        assert db.session.scalar(select(Comment.text)) == "Secret draft wording."
    assert client.get(f"/submissions/drafts/{draft_id}").status_code == 404  # locked


def test_after_the_close_refused_then_late_through_a_leads_extension(app, closed_world, client):
    world = closed_world
    closed = f"{date.today() - timedelta(days=5):%d %B %Y}"
    sign_in_as(client, world.acme_reviewer)
    page = _text(client.get(f"/submissions/rounds/{world.round_id}"))
    assert f"closed for comments on {closed}" in page and "Upload and check" not in page
    response = _upload(client, world.round_id, _log(app, "late.csv"))
    assert response.status_code == 302 and "/preview/" not in response.headers["Location"]
    assert f"closed for comments on {closed}" in _text(client.get(response.headers["Location"]))
    # Only a lead grants an extension, only to an invited organisation.
    until = (date.today() + timedelta(days=2)).isoformat()
    sign_in_as(client, world.triager)
    url = f"/submissions/rounds/{world.round_id}/extensions"
    assert client.post(url, data={"organisation": world.acme, "until": until}).status_code == 403
    sign_in_as(client, world.lead)
    client.post(url, data={"organisation": world.gamma, "until": until})
    client.post(url, data={"organisation": world.acme, "until": until, "note": "Agreed by phone"})
    page = _text(client.get(f"/rounds/{world.round_id}"))
    assert "Acme Energy</strong> may submit until" in page and "granted by lead@example.org" in page
    assert "Gamma Data</strong>" not in page
    sign_in_as(client, world.acme_reviewer)
    token = _token(_upload(client, world.round_id, _log(app, "late.csv")))
    assert "will be flagged late" in _text(client.get(f"/submissions/preview/{token}"))
    client.post(f"/submissions/preview/{token}/submit")
    with app.app_context():
        assert db.session.scalar(select(Submission.late)) is True
        assert count(Comment) == 1
    sign_in_as(client, world.beta_reviewer)  # no extension for Beta
    assert _upload(client, world.round_id, _log(app, "beta.csv")).status_code == 302
    with app.app_context():
        assert count(Submission) == 1


def test_the_template_downloads_with_the_rounds_artefacts(world, client):
    sign_in_as(client, world.acme_reviewer)
    response = client.get(f"/submissions/rounds/{world.round_id}/template.xlsx")
    book = load_workbook(BytesIO(response.get_data()))
    assert book["Comments"]["A1"].value == "Comment log: Tranche 1 1st review"
    assert book["Artefacts"]["A2"].value == "BP004"


def test_uploads_are_throttled_per_reviewer(app, world, client):
    app.config["SUBMISSION_MAX_PER_WINDOW"] = 2
    sign_in_as(client, world.acme_reviewer)
    for name in ("one.csv", "two.csv"):
        _token(_upload(client, world.round_id, _log(app, name)))
    response = _upload(client, world.round_id, _log(app, "three.csv"))
    assert "/preview/" not in response.headers["Location"]
    assert "try again in" in _text(client.get(response.headers["Location"]))
    sign_in_as(client, world.beta_reviewer)
    _token(_upload(client, world.round_id, _log(app, "beta.csv")))


def test_an_upload_that_is_not_a_log_is_refused_like_the_design_teams(app, world, client):
    sign_in_as(client, world.acme_reviewer)
    url = f"/submissions/rounds/{world.round_id}/upload"
    for name, data in (("log.exe", b"MZ"), ("log.xlsx", b"not a zip"), ("log.csv", b"")):
        response = client.post(
            url, data={"file": (BytesIO(data), name)}, content_type="multipart/form-data"
        )
        assert response.status_code == 302 and "/preview/" not in response.headers["Location"], name
    with app.app_context():
        assert count(SubmissionEvent, SubmissionEvent.action == "upload") == 3


@pytest.mark.parametrize(
    "value", ["", "²", "١", "9" * 5000, "a\x00b", "x" * 10_001, "/x\r\nSet-Cookie: a=1", "-1"]
)
def test_hostile_values_never_answer_5xx(world, client, value):
    bp004 = world.artefacts["BP004"]
    sign_in_as(client, world.acme_reviewer)
    posts = {
        f"/submissions/rounds/{world.round_id}/artefacts/{bp004}/drafts": {
            f"a{bp004}-comment": value,
            f"a{bp004}-section": value,
            f"a{bp004}-comment_type": value,
        },
        f"/submissions/preview/{value[:40]}/submit": {},
        f"/submissions/preview/{value[:40]}/columns": {"typed-comment": value, "field-x": value},
        f"/submissions/rounds/{world.round_id}/drafts/submit": {"x": value},
    }
    for url, data in posts.items():
        assert client.post(url, data=data).status_code < 500, url
    assert client.get(f"/submissions/preview/{value[:40]}").status_code < 500
    sign_in_as(client, world.lead)
    url = f"/submissions/rounds/{world.round_id}/extensions"
    data = {"organisation": value, "until": value, "note": value}
    assert client.post(url, data=data).status_code < 500

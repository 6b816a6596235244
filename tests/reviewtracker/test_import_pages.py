"""Importing in the browser: upload, preview (a dry run), column overrides, confirm, history,
undo; the same service as the CLI, nothing written before the confirm."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from reviewtracker.extensions import db
from reviewtracker.imports import staging
from reviewtracker.models import Comment, ImportBatch, StagedUpload
from reviewtracker.services import comment_import
from reviewtracker.services.comment_import import ImportOptions, import_comment_log
from reviewtracker.services.triage import triage_comment
from reviewtracker.unit_of_work import unit_of_work
from tests.logmaker import write_csv_log, write_xlsx_log

from .factories import add_artefacts, comment_rows, count

ACME = {"Organisation": "Acme Energy", "Constituency": "Supplier - Large"}
TOKEN = re.compile(r"/imports/preview/([0-9a-f]{32})$")


def _upload(client, *files: tuple[str, bytes], **options):
    data = {"files": [(io.BytesIO(content), name) for name, content in files], **options}
    return client.post("/imports/", data=data, content_type="multipart/form-data")


def _token(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    match = TOKEN.search(response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def uploads(app):
    """uploads(token): the names of the files kept under an upload (None if there is no such
    upload); uploads(): the tokens of every upload kept. Read in a context of the test's own."""

    def kept(token: str | None = None):
        with app.app_context():
            if token is None:
                return list(db.session.scalars(select(StagedUpload.token)))
            upload = db.session.get(StagedUpload, token)
            return None if upload is None else [f.name for f in upload.files]

    return kept


@pytest.fixture
def artefacts(app):
    with app.app_context():
        add_artefacts(("BP004", "1"), ("BP005", "1"), ("IF005", "1"))


def _count(app, model, *where) -> int:
    """Rows of a model's table (matching `where`), read in a context of the test's own."""
    with app.app_context():
        return count(model, *where)


def test_upload_preview_and_confirm_a_messy_log(app, client, login, artefacts, uploads, tmp_path):
    user = login("triager")
    rows = comment_rows(3)
    rows[1]["comment_type"] = "Gripe"  # an unknown comment type: a warning, kept as written
    path = write_xlsx_log(tmp_path / "acme.xlsx", rows, key_values=ACME)

    token = _token(_upload(client, ("Acme BP004 log.xlsx", path.read_bytes()), review_round="2"))
    assert uploads(token) == ["Acme BP004 log.xlsx"]

    page = client.get(f"/imports/preview/{token}")
    html = _text(page)
    assert page.status_code == 200
    assert "Acme BP004 log.xlsx" in html and "Ready to import" in html
    # Sheets read and skipped, the header row found under the title rows and the key/value block.
    assert re.search(r"<td>Read Me</td>\s*<td>skipped: [^<]+</td>", html)
    assert re.search(r"<td>Comments</td>\s*<td>read</td>\s*<td class=\"num\">6</td>", html)
    assert "Organisation: Acme Energy" in html
    # The mapping, field <- header, with a select of the sheet's headers.
    assert re.search(r"Comment</label></th>\s*<td><span class=\"mapped\">Reviewer Comment<", html)
    assert '<option value="h:Proposed Amendment">' in html
    # The first rows as they will be stored, the problems, and the dry run's counts.
    assert "Comment number 2: the trigger for step 2 is unclear." in html
    assert "BP005" in html and "Acme Energy" in html
    assert "unknown comment type &#39;Gripe&#39;, kept as written" in html
    assert '<tr class="sev-warning">' in html and '<tr class="sev-error">' not in html
    assert 'data-count="added">3<' in html and 'data-count="updated">0<' in html
    assert (
        "Would be created: organisation &#39;Acme Energy&#39; (Supplier- Large), "
        "review round 2 of tranche 1." in html
    )
    assert "Import 1 file</button>" in html
    # Nothing written by the upload or the preview.
    assert _count(app, Comment) == 0 and _count(app, ImportBatch) == 0

    confirmed = client.post(f"/imports/preview/{token}/confirm")
    assert confirmed.status_code == 302 and confirmed.headers["Location"] == "/imports/history"
    history = _text(client.get("/imports/history"))
    assert "Acme BP004 log.xlsx: added 3, unchanged 0, updated 0, conflicts kept 0" in history
    with app.app_context():
        assert count(Comment) == 3
        batch = db.session.scalar(select(ImportBatch))
        assert batch.imported_by == user.email and batch.file_name == "Acme BP004 log.xlsx"
        assert batch.added == 3
        assert batch.column_mapping["Comments"]["comment"] == "Reviewer Comment"
        assert {c.review_round.number for c in db.session.scalars(select(Comment))} == {2}
    assert uploads(token) is None  # cleaned up after the confirm


def test_a_file_with_errors_cannot_be_confirmed(app, client, login, artefacts, uploads, tmp_path):
    login("triager")
    bad = write_xlsx_log(
        tmp_path / "bad.xlsx", comment_rows(2, artefact="MHHSP-BP999"), key_values=ACME
    )
    token = _token(_upload(client, ("bad.xlsx", bad.read_bytes())))

    html = _text(client.get(f"/imports/preview/{token}"))
    assert "unknown artefact reference &#39;BP999&#39;" in html
    assert '<tr class="sev-error">' in html and "This file can't be imported" in html
    assert re.search(r'<button type="submit" class="button primary" disabled>Import 0 files', html)
    assert "No file can be imported" in html

    # Posting the confirm anyway writes nothing and keeps the upload for another look.
    response = client.post(f"/imports/preview/{token}/confirm")
    assert response.headers["Location"] == f"/imports/preview/{token}"
    assert _count(app, Comment) == 0 and _count(app, ImportBatch) == 0
    assert "bad.xlsx: not imported" in _text(client.get(response.headers["Location"]))


def test_only_the_clean_files_of_an_upload_are_imported(
    app, client, login, artefacts, uploads, tmp_path
):
    login("triager")
    good = write_csv_log(tmp_path / "good.csv", comment_rows(2, organisation="Acme Energy"))
    bad = write_xlsx_log(
        tmp_path / "bad.xlsx", comment_rows(2, artefact="MHHSP-BP999"), key_values=ACME
    )
    token = _token(
        _upload(
            client,
            ("good.csv", good.read_bytes()),
            ("bad.xlsx", bad.read_bytes()),
            constituency="Supplier- Large",
        )
    )
    html = _text(client.get(f"/imports/preview/{token}"))
    assert "Import 1 file</button>" in html and "Files with errors are not imported" in html

    client.post(f"/imports/preview/{token}/confirm")
    flashes = _text(client.get("/imports/history"))
    assert "good.csv: added 2, unchanged 0, updated 0, conflicts kept 0" in flashes
    assert "bad.xlsx: not imported" in flashes
    with app.app_context():
        assert list(db.session.scalars(select(ImportBatch.file_name))) == ["good.csv"]
        assert count(Comment) == 2


def test_a_column_override_changes_what_is_read_and_imported(
    app, client, login, artefacts, uploads, tmp_path
):
    login("triager")
    headers = {
        "log_comment_id": "Comment No.",
        "artefact": "Design Artefact",
        "comment": "Reviewer Comment",
        "summary": "Summary",
    }
    rows = [dict(row, summary=f"Short version {i}") for i, row in enumerate(comment_rows(3), 1)]
    path = write_xlsx_log(tmp_path / "acme.xlsx", rows, headers=headers, key_values=ACME)
    token = _token(_upload(client, ("acme.xlsx", path.read_bytes())))
    html = _text(client.get(f"/imports/preview/{token}"))
    assert "Short version 1" not in html and '<option value="h:Summary">' in html

    choice = {"field-comment": "h:Summary", "field-section": "none"}
    response = client.post(f"/imports/preview/{token}/columns/1", data=choice)
    assert response.status_code == 302 and response.headers["Location"].endswith("#file-1")
    html = _text(client.get(f"/imports/preview/{token}"))
    assert "Short version 1" in html and "Comment number 1" not in html
    assert '<option value="h:Summary" selected>' in html
    assert re.search(r"Comment</label></th>\s*<td><span class=\"mapped\">Summary<", html)

    client.post(f"/imports/preview/{token}/confirm")
    with app.app_context():
        texts = sorted(db.session.scalars(select(Comment.text)))
        mapping = db.session.scalar(select(ImportBatch.column_mapping))
    assert texts == ["Short version 1", "Short version 2", "Short version 3"]
    assert mapping["Comments"]["comment"] == "Summary"
    assert "Reviewer Comment" not in mapping["Comments"].values()


def test_column_overrides_can_be_reset(client, login, artefacts, uploads, tmp_path):
    login("triager")
    path = write_xlsx_log(tmp_path / "acme.xlsx", comment_rows(2), key_values=ACME)
    token = _token(_upload(client, ("acme.xlsx", path.read_bytes())))
    client.post(f"/imports/preview/{token}/columns/1", data={"field-comment": "none"})
    html = _text(client.get(f"/imports/preview/{token}"))
    assert "the comment column is set to be ignored" in html and "Import 0 files" in html
    client.post(f"/imports/preview/{token}/columns/1", data={"reset": "1"})
    html = _text(client.get(f"/imports/preview/{token}"))
    assert "Ready to import" in html and "Import 1 file" in html
    assert client.post(f"/imports/preview/{token}/columns/7", data={}).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"Comment,Artefact\nhello,BP004\n", "a .txt file can&#39;t be imported"),
        ("log.pdf", b"%PDF-1.7 binary", "a .pdf file can&#39;t be imported"),
        ("empty.csv", b"", "empty.csv: the file is empty"),
        ("empty.xlsx", b"", "empty.xlsx: the file is empty"),
        ("fake.xlsx", b"Comment,Artefact\n", "fake.xlsx: not a valid .xlsx file"),
        ("zip.xlsx", b"PK\x03\x04not really a zip", "zip.xlsx: not a valid .xlsx file"),
        ("scan.csv", b"%PDF-1.4\n%\xe2\xe3", "scan.csv: this is not a text CSV file"),
        ("utf16.csv", "Comment\n".encode("utf-16"), "utf16.csv: this is not a text CSV file"),
    ],
)
def test_files_that_are_not_logs_get_a_clear_error(client, login, uploads, name, content, message):
    login("triager")
    response = _upload(client, (name, content))
    assert response.status_code == 400
    html = _text(response)
    assert message in html and 'class="field-error"' in html
    assert uploads() == []  # nothing kept


def test_an_upload_without_a_file_is_refused(client, login, uploads):
    login("triager")
    response = client.post("/imports/", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose one or more comment logs" in _text(response)


def test_an_upload_over_the_size_limit_gets_413(app, client, login, uploads):
    login("triager")
    app.config["MAX_CONTENT_LENGTH"] = 2048
    response = _upload(client, ("big.csv", b"Comment,Artefact\n" + b"x,BP004\n" * 1000))
    assert response.status_code == 413
    assert "File too large" in _text(response)
    assert uploads() == []


def test_viewers_may_not_import_or_undo(app, client, login, artefacts, uploads, tmp_path):
    with app.app_context():
        report = import_comment_log(
            write_xlsx_log(tmp_path / "a.xlsx", comment_rows(1), key_values=ACME)
        )
    login("viewer")
    token = "0" * 32
    assert client.get("/imports/").status_code == 403
    assert _upload(client, ("a.csv", b"Comment\nx\n")).status_code == 403
    assert client.get(f"/imports/preview/{token}").status_code == 403
    assert client.post(f"/imports/preview/{token}/columns/1").status_code == 403
    assert client.post(f"/imports/preview/{token}/confirm").status_code == 403
    assert client.get("/imports/history").status_code == 403
    assert client.get(f"/imports/{report.batch_id}/undo").status_code == 403
    assert client.post(f"/imports/{report.batch_id}/undo").status_code == 403
    assert _count(app, Comment) == 1


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/imports/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_upload_belongs_to_whoever_uploaded_it(app, client, login, artefacts, uploads, tmp_path):
    login("triager", "ana@example.org")
    path = write_xlsx_log(tmp_path / "acme.xlsx", comment_rows(1), key_values=ACME)
    token = _token(_upload(client, ("acme.xlsx", path.read_bytes())))
    login("triager", "bo@example.org")
    response = client.get(f"/imports/preview/{token}")
    assert response.status_code == 302 and response.headers["Location"] == "/imports/"
    assert client.post(f"/imports/preview/{token}/confirm").status_code == 302
    assert _count(app, Comment) == 0 and uploads(token) == ["acme.xlsx"]
    assert "no longer available" in _text(client.get("/imports/"))


def test_cancel_discards_the_upload(app, client, login, artefacts, uploads, tmp_path):
    login("triager")
    path = write_xlsx_log(tmp_path / "acme.xlsx", comment_rows(1), key_values=ACME)
    token = _token(_upload(client, ("../../etc/acme.xlsx", path.read_bytes())))
    assert uploads(token) == ["acme.xlsx"]  # the name without the client's folders
    assert "acme.xlsx" in _text(client.get(f"/imports/preview/{token}"))
    response = client.post(f"/imports/preview/{token}/cancel")
    assert response.headers["Location"] == "/imports/"
    assert uploads(token) is None and _count(app, ImportBatch) == 0


def test_uploads_older_than_a_day_are_swept(app, uploads, make_user):
    owner = make_user("triager", "ana@example.org").id
    other = make_user("triager", "bo@example.org").id
    with app.test_request_context(method="POST"):
        with unit_of_work():
            old = staging.stage([("a.csv", b"Comment\nx\n")], {}, owner=owner)
        with unit_of_work():
            db.session.get(StagedUpload, old.token).created_at -= staging.MAX_AGE + timedelta(
                minutes=1
            )
        with unit_of_work():
            new = staging.stage([("b.csv", b"Comment\ny\n")], {}, owner=owner)
        assert staging.load(new.token, owner=owner).files[0].name == "b.csv"
        assert staging.load(new.token, owner=other) is None
        assert staging.load("../../etc", owner=owner) is None
    assert uploads() == [new.token]


def test_history_lists_batches_and_undo_removes_them(app, client, login, artefacts, tmp_path):
    login("triager", "ana@example.org")
    with app.app_context():
        first = import_comment_log(
            write_xlsx_log(tmp_path / "one.xlsx", comment_rows(2), key_values=ACME)
        )
        second = import_comment_log(
            write_xlsx_log(tmp_path / "two.xlsx", comment_rows(3), key_values=ACME),
            options=ImportOptions(review_round=2, actor="bo@example.org"),
        )
    html = _text(client.get("/imports/history"))
    assert html.index("two.xlsx") < html.index("one.xlsx")  # newest first
    assert "bo@example.org" in html and "tester" in html
    assert "Reviewer Comment" in html  # the column mapping used

    page = client.get(f"/imports/{second.batch_id}/undo")
    assert page.status_code == 200 and "Remove 3 comments" in _text(page)
    response = client.post(f"/imports/{second.batch_id}/undo")
    assert response.status_code == 302 and response.headers["Location"] == "/imports/history"
    with app.app_context():
        assert count(Comment) == 2
        assert count(Comment, Comment.import_batch_id == first.batch_id) == 2
        assert db.session.get(ImportBatch, second.batch_id).undone_by == "ana@example.org"
    html = _text(client.get("/imports/history"))
    # Ana is a user: shown by her display name (make_user names her "Triager").
    assert "import undone, 3 comments removed" in html and "by Triager" in html
    assert client.get("/imports/9999/undo").status_code == 404


def test_undo_is_refused_once_a_comment_was_triaged(app, client, login, artefacts, tmp_path):
    login("triager")
    with app.app_context():
        report = import_comment_log(
            write_xlsx_log(tmp_path / "a.xlsx", comment_rows(3), key_values=ACME)
        )
        triaged = db.session.scalar(select(Comment.id).where(Comment.log_comment_id == "2"))
        with unit_of_work():
            triage_comment(triaged, {"disposition": "accepted"}, actor="bo@example.org")

    page = _text(client.get(f"/imports/{report.batch_id}/undo"))
    assert "This import can't be undone" in page and "Remove" not in page
    response = client.post(f"/imports/{report.batch_id}/undo")
    assert response.status_code == 409
    html = _text(response)
    assert "Not undone:" in html and "BP005 comment 2" in html and "bo@example.org" in html
    with app.app_context():
        assert count(Comment) == 3
        assert db.session.get(ImportBatch, report.batch_id).undone_at is None


def test_a_reimport_that_only_updated_says_it_cannot_be_undone(
    app, client, login, artefacts, tmp_path
):
    login("triager")
    path = write_xlsx_log(tmp_path / "a.xlsx", comment_rows(2), key_values=ACME)
    with app.app_context():
        import_comment_log(path)
        again = import_comment_log(path)
    html = _text(client.get("/imports/history"))
    assert f'href="/imports/{again.batch_id}/undo"' not in html
    page = _text(client.get(f"/imports/{again.batch_id}/undo"))
    assert "added no comments" in page
    assert "updates to existing comments can&#39;t be undone" in page
    assert client.post(f"/imports/{again.batch_id}/undo").status_code == 409
    assert _count(app, Comment) == 2


def test_history_lists_the_conflicts_a_reimport_kept(app, client, login, artefacts, tmp_path):
    login("triager")
    path = write_xlsx_log(tmp_path / "a.xlsx", comment_rows(2), key_values=ACME)
    updated = write_xlsx_log(
        tmp_path / "b.xlsx", comment_rows(2, disposition="Accepted"), key_values=ACME
    )
    with app.app_context():
        import_comment_log(path)
        comment = db.session.scalar(select(Comment.id).where(Comment.log_comment_id == "1"))
        with unit_of_work():  # committed: the import refuses to start over uncommitted work
            triage_comment(comment, {"disposition": "rejected"}, actor="bo@example.org")
        report = import_comment_log(updated)
    assert len(report.conflicts) == 1
    html = _text(client.get("/imports/history"))
    assert "<summary>1 conflict kept</summary>" in html
    assert "disposition set in the browser kept as &#39;rejected&#39;" in html


def test_a_comment_header_not_known_can_be_typed_in(
    app, client, login, artefacts, uploads, tmp_path
):
    login("triager")
    headers = {"log_comment_id": "Comment No.", "artefact": "Design Artefact", "comment": "Obs"}
    path = write_xlsx_log(tmp_path / "obs.xlsx", comment_rows(2), headers=headers, key_values=ACME)
    token = _token(_upload(client, ("obs.xlsx", path.read_bytes())))
    html = _text(client.get(f"/imports/preview/{token}"))
    assert "no comment table found" in html and 'name="typed-comment"' in html

    client.post(f"/imports/preview/{token}/columns/1", data={"typed-comment": "Obs"})
    html = _text(client.get(f"/imports/preview/{token}"))
    assert "Ready to import" in html and "Comment number 2" in html
    client.post(f"/imports/preview/{token}/confirm")
    assert _count(app, Comment) == 2


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The names of the files the comment log reader reads, in order."""
    names: list[str] = []
    read = comment_import.feed.read_comment_log

    def counted(source, *, filename=None, **kwargs):
        names.append(filename)
        return read(source, filename=filename, **kwargs)

    monkeypatch.setattr(comment_import.feed, "read_comment_log", counted)
    return names


def test_a_log_is_read_once_for_its_previews_and_confirm(
    app, client, login, artefacts, uploads, tmp_path, reads
):
    login("triager")
    one = write_xlsx_log(tmp_path / "one.xlsx", comment_rows(2), key_values=ACME)
    two = write_xlsx_log(tmp_path / "two.xlsx", comment_rows(3, start=3), key_values=ACME)
    token = _token(_upload(client, ("one.xlsx", one.read_bytes()), ("two.xlsx", two.read_bytes())))
    # Read at the upload (to tell logs from an artefact register), then never again.
    assert reads == ["one.xlsx", "two.xlsx"]
    for _reload in range(3):
        assert "Import 2 files</button>" in _text(client.get(f"/imports/preview/{token}"))
    assert reads == ["one.xlsx", "two.xlsx"]

    # Other columns for one file: that file is read again, with them.
    client.post(f"/imports/preview/{token}/columns/2", data={"field-section": "none"})
    html = _text(client.get(f"/imports/preview/{token}"))
    assert reads == ["one.xlsx", "two.xlsx", "two.xlsx"]
    assert "Section / Page" in html and "3.4" not in html  # comment 4's section, not read

    client.post(f"/imports/preview/{token}/confirm")
    assert reads == ["one.xlsx", "two.xlsx", "two.xlsx"]
    with app.app_context():
        sections = dict(db.session.execute(select(Comment.log_comment_id, Comment.section)).all())
    assert sections == {"1": "3.1", "2": "3.2", "3": None, "4": None, "5": None}


def test_a_reload_compares_with_what_was_stored_since(
    app, client, login, artefacts, uploads, tmp_path, reads
):
    """The log as read is kept; what it would do is not: another triager imports the same
    log and triages comment 2 between two looks at the preview."""
    login("triager")
    rows = comment_rows(3, disposition="Accepted")
    path = write_xlsx_log(tmp_path / "acme.xlsx", rows, key_values=ACME)
    token = _token(_upload(client, ("acme.xlsx", path.read_bytes())))
    html = _text(client.get(f"/imports/preview/{token}"))
    assert 'data-count="added">3<' in html and 'data-count="conflicts">0<' in html

    with app.app_context():
        import_comment_log(path, options=ImportOptions(actor="bo@example.org"))
        second = db.session.scalar(select(Comment.id).where(Comment.log_comment_id == "2"))
        with unit_of_work():
            triage_comment(second, {"disposition": "rejected"}, actor="bo@example.org")
    html = _text(client.get(f"/imports/preview/{token}"))
    assert 'data-count="added">0<' in html and 'data-count="unchanged">3<' in html
    assert 'data-count="conflicts">1<' in html and "this file was imported before" in html
    assert reads == ["acme.xlsx", "acme.xlsx"]  # the preview's once, bo's import once

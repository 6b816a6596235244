"""Hostile uploads through the browser and the CLI: refused with a message naming the file,
nothing kept or written, never a traceback; text that looks like a formula or like HTML is
stored as written and shown and exported as text."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from importers import guards
from reviewtracker.extensions import db
from reviewtracker.models import Comment, ImportBatch, StagedUpload
from reviewtracker.services.comment_import import ImportOptions, import_comment_log
from tests.logmaker import (
    billion_laughs,
    hostile_log_rows,
    patch_declared_size,
    sheet_rows_xml,
    write_csv_log,
    write_padded_xlsx,
    write_raw_xlsx,
)

from .factories import add_artefacts, count

TOKEN = re.compile(r"/imports/preview/([0-9a-f]{32})$")
XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"
FAR = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'


@pytest.fixture
def uploads(app):
    return app


@pytest.fixture
def artefacts(app):
    with app.app_context():
        add_artefacts(("BP004", "1"))


def _counts(app, *models) -> list[int]:
    """The rows of each model's table, read in a context of the test's own."""
    with app.app_context():
        return [count(model) for model in models]


ACME = {"organisation": "Acme Energy", "constituency": "Supplier- Large"}


def _upload(client, name: str, content: bytes):
    """The form posted with its body built in memory: the test client would spool a body over
    500 KB to a temporary file that it never closes (a ResourceWarning)."""
    boundary, body = encode_multipart({"files": FileStorage(io.BytesIO(content), name), **ACME})
    content_type = f"multipart/form-data; boundary={boundary}"
    return client.post("/imports/", data=body, content_type=content_type)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _nothing_kept(app) -> bool:
    """No upload kept in the database."""
    return _counts(app, StagedUpload) == [0]


def _xlsx(tmp_path: Path, name: str, rows: str, **kwargs) -> bytes:
    return write_raw_xlsx(tmp_path / name, {"Comments": rows}, **kwargs).read_bytes()


# --- refused at the upload: nothing kept ---------------------------------------------------


def test_hostile_workbooks_are_refused_at_upload(app, client, login, uploads, tmp_path):
    login("triager")
    good_rows = sheet_rows_xml(hostile_log_rows())
    bomb = tmp_path / "bomb.xlsx"
    write_raw_xlsx(bomb, {"Comments": good_rows})
    patch_declared_size(bomb, "xl/worksheets/sheet1.xml", 4_000_000_000)
    cases = {
        "random.xlsx": (bytes(range(256)) * 8, "not a valid .xlsx file"),
        "bomb.xlsx": (bomb.read_bytes(), "refused as a zip bomb: part"),
        "padded.xlsx": (
            write_padded_xlsx(tmp_path / "padded.xlsx", padding=12 * guards.MB).read_bytes(),
            "refused as a zip bomb",
        ),
        "laughs.xlsx": (
            _xlsx(
                tmp_path,
                "laughs.xlsx",
                good_rows,
                doctypes={"xl/worksheets/sheet1.xml": billion_laughs("worksheet")},
            ),
            "refused: part &#39;xl/worksheets/sheet1.xml&#39; declares a DOCTYPE or entities",
        ),
    }
    for name, (content, message) in cases.items():
        response = _upload(client, name, content)
        html = _text(response)
        assert response.status_code == 400, name
        assert f"{name}: {message}" in html, name
        assert "Traceback" not in html
    assert _nothing_kept(uploads)
    assert _counts(app, ImportBatch) == [0]


def test_an_upload_over_the_real_limit_gets_the_413_page(app, client, login, uploads):
    """The configured limit (20 MB), not a scaled-down one: the request is refused from its
    Content-Length, before the body is read."""
    login("triager")
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit <= guards.MAX_FILE_BYTES
    response = _upload(client, "huge.csv", b"x" * limit)
    assert response.status_code == 413
    assert "File too large" in _text(response) and f"limit of {limit // 2**20} MB" in _text(
        response
    )
    assert _nothing_kept(uploads)


# --- staged, then refused by the preview: nothing written ----------------------------------


def test_a_stray_far_cell_is_a_problem_in_the_preview(
    app, client, login, artefacts, uploads, tmp_path
):
    login("triager")
    content = _xlsx(tmp_path, "far.xlsx", sheet_rows_xml(hostile_log_rows()) + FAR)
    response = _upload(client, "far.xlsx", content)
    token = TOKEN.search(response.headers["Location"]).group(1)
    html = _text(client.get(f"/imports/preview/{token}"))
    assert "the sheet has cells out to column XFD (16,384 columns)" in html
    assert "Ready to import" not in html
    confirmed = client.post(f"/imports/preview/{token}/confirm", follow_redirects=True)
    assert "far.xlsx: not imported" in _text(confirmed)
    assert _counts(app, Comment, ImportBatch) == [0, 0]


def test_a_megabyte_cell_is_a_problem_naming_its_place(app, client, login, artefacts, uploads):
    login("triager")
    content = f'Comment No.,Design Artefact,Reviewer Comment\n1,BP004,"{"A" * 1_000_000}"\n'
    response = _upload(client, "long.csv", content.encode())
    token = TOKEN.search(response.headers["Location"]).group(1)
    html = _text(client.get(f"/imports/preview/{token}"))
    assert "the cell is 1,000,000 characters long; the limit is 32,767" in html
    assert re.search(r"<td[^>]*>2</td>\s*<td[^>]*>\(C\)</td>", html), "row 2, column C"
    assert _counts(app, Comment) == [0]


# --- the command line ----------------------------------------------------------------------


def test_the_cli_refuses_a_file_over_the_size_limit(app, runner, artefacts, tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:  # sparse: the 50 MB are never written
        handle.truncate(guards.MAX_FILE_BYTES + 1)
    result = runner.invoke(args=["import-comments", str(path), "--organisation", "Acme"])
    assert result.exit_code != 0
    assert "huge.csv: the file is too large: 50.0 MB; the limit is 50.0 MB" in result.output
    assert "Traceback" not in result.output
    assert _counts(app, Comment) == [0]


def test_a_file_over_the_limit_is_refused_without_reading_it(
    artefacts, app_context, tmp_path, monkeypatch
):
    """Not read through for its hash first, nor, from a stream, past the limit."""
    import hashlib

    def no_hash(*_args, **_kwargs):
        raise AssertionError("a file over the limit was hashed")

    monkeypatch.setattr(hashlib, "file_digest", no_hash)
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.truncate(guards.MAX_FILE_BYTES + 1)
    report = import_comment_log(path)
    assert not report.ok and "the file is too large: 50.0 MB" in str(report.errors[0])

    class Stream(io.RawIOBase):
        name = "endless.csv"
        read_sizes: list[int] = []

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            assert size > 0, "the whole stream was asked for"
            self.read_sizes.append(size)
            return b"x" * size

    report = import_comment_log(Stream())
    assert Stream.read_sizes == [guards.MAX_FILE_BYTES + 1]
    assert not report.ok and "endless.csv: the file is too large" in str(report.errors[0])
    assert count(Comment) == 0


def test_the_cli_refuses_a_zip_bomb(app, runner, artefacts, tmp_path):
    path = write_raw_xlsx(tmp_path / "bomb.xlsx", {"Comments": sheet_rows_xml(hostile_log_rows())})
    patch_declared_size(path, "xl/worksheets/sheet1.xml", 4_000_000_000)
    result = runner.invoke(args=["import-comments", str(path), "--organisation", "Acme"])
    assert result.exit_code != 0
    assert "bomb.xlsx: refused as a zip bomb" in result.output
    assert _counts(app, Comment) == [0]


# --- formula-like text: stored and exported as text ----------------------------------------


def test_formula_like_text_is_stored_as_written(artefacts, app_context, tmp_path):
    texts = ["=1+1", "=cmd|' /C calc'!A0", "@SUM(A1)", "+44 20 7946 0000", "-1"]
    rows = [list(hostile_log_rows(0)[0])] + [
        [i, "MHHSP-BP004", text] for i, text in enumerate(texts, start=1)
    ]
    xlsx = write_raw_xlsx(tmp_path / "f.xlsx", {"Comments": sheet_rows_xml(rows)})
    csv_path = write_csv_log(
        tmp_path / "f.csv",
        [
            {"log_comment_id": f"c{i}", "artefact": "BP004", "comment": t}
            for i, t in enumerate(texts)
        ],
    )
    for path in (xlsx, csv_path):
        report = import_comment_log(path, options=ImportOptions(**ACME))
        assert report.ok and report.added == len(texts), report.problems
    stored = db.session.scalars(select(Comment.text).order_by(Comment.id)).all()
    assert stored == texts + texts


def test_formula_like_text_is_exported_as_text(app, client, login, artefacts, tmp_path):
    login("viewer")
    path = write_csv_log(tmp_path / "f.csv", [{"artefact": "BP004", "comment": "=1+1"}])
    with app.app_context():
        assert import_comment_log(path, options=ImportOptions(**ACME)).added == 1
    sheet = load_workbook(io.BytesIO(client.get("/exports/comments.xlsx").data)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == "=1+1"]
    assert cells and all(cell.data_type == "s" for cell in cells)
    assert "'=1+1" in client.get("/exports/comments.csv").get_data(as_text=True)


# --- HTML in a log is shown as text everywhere ---------------------------------------------


def test_html_in_a_log_is_escaped_on_every_page(app, client, login, artefacts, uploads, tmp_path):
    login("triager")
    name = "<img src=x onerror=alert(3)>.csv"  # a browser sends quotes as %22, so none here
    content = write_csv_log(
        tmp_path / "x.csv",
        [{"log_comment_id": "1", "artefact": "BP004", "comment": XSS, "proposed_change": XSS}],
    ).read_bytes()
    response = _upload(client, name, content)
    token = TOKEN.search(response.headers["Location"]).group(1)
    pages = {"preview": _text(client.get(f"/imports/preview/{token}"))}
    confirmed = client.post(f"/imports/preview/{token}/confirm", follow_redirects=True)
    pages["flash and history"] = _text(confirmed)
    with app.app_context():
        comment_id, stored = db.session.execute(select(Comment.id, Comment.text)).one()
    assert stored == XSS  # stored as written
    pages["list"] = _text(client.get("/comments/"))
    pages["comment"] = _text(client.get(f"/comments/{comment_id}"))
    pages["artefact"] = _text(client.get("/artefacts/BP004"))
    pages["history"] = _text(client.get("/imports/history"))
    escaped_name = "&lt;img src=x onerror=alert(3)&gt;.csv"
    for page, html in pages.items():
        assert "<script>alert(1)" not in html and "<img src=x" not in html, page
        assert "<img src=x onerror=alert(3)>" not in html, page
    for page in ("preview", "list", "comment", "artefact"):
        assert XSS_ESCAPED in pages[page], page
    for page in ("preview", "flash and history", "history"):
        assert escaped_name in pages[page], page
    assert f"{escaped_name}: added 1" in pages["flash and history"]  # the flash message

    login("viewer")
    sheet = load_workbook(io.BytesIO(client.get("/exports/comments.xlsx").data)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert XSS in values  # plain text in the cell, as written


def test_a_corrupt_workbook_is_refused_at_upload(client, login, uploads, tmp_path):
    login("triager")
    path = write_raw_xlsx(tmp_path / "c.xlsx", {"Comments": sheet_rows_xml(hostile_log_rows(50))})
    data = bytearray(path.read_bytes())
    at = data.find(b"xl/worksheets/sheet1.xml") + len("xl/worksheets/sheet1.xml")
    data[at : at + 16] = b"\xff" * 16  # the sheet's compressed data starts there
    response = _upload(client, "corrupt.xlsx", bytes(data))
    assert response.status_code == 400
    assert "corrupt.xlsx: not a valid .xlsx file: the workbook is damaged" in _text(response)
    assert _nothing_kept(uploads)

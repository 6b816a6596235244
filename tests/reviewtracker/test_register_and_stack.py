"""The first week in the browser: the artefact register uploaded, previewed and imported (the
same service as `import-artefacts`), recognised when it comes with the comment logs; a stack of
logs previewed as one summary table; the history offering Undo only where it can be done."""

from __future__ import annotations

import io
import re
from pathlib import Path

from sqlalchemy import select

from reviewtracker.extensions import db
from reviewtracker.models import Artefact, Comment, ImportBatch, Service
from reviewtracker.services.comment_import import import_comment_log
from reviewtracker.services.triage import triage_comment
from reviewtracker.unit_of_work import unit_of_work
from tests.logmaker import write_csv_log, write_register_xlsx, write_xlsx_log

from .factories import add_artefacts, comment_rows, count

ACME = {"Organisation": "Acme Energy", "Constituency": "Supplier - Large"}
BETA = {"Organisation": "Beta Power", "Constituency": "Supplier - Small"}
ARTEFACTS = [
    {"tranche": "1", "service": "Metering and Data Services", "reference": "MHHSP-BP004",
     "title": "Data Collection", "status": "Under Review", "version": "1.0"},
    {"tranche": "1", "service": "Metering and Data Services", "reference": "BP-005",
     "title": "Data Processing", "status": "Under Review", "version": "1.0"},
    {"tranche": "1", "service": "Registration Service", "reference": "IF-05",
     "title": "Metering Service MTD Updates", "status": "Under Review", "version": "1.1"},
]  # fmt: skip
REGISTER = re.compile(r"/imports/register/([0-9a-f]{32})$")
LOGS = re.compile(r"/imports/preview/([0-9a-f]{32})$")


def _post(client, url: str, field: str, *files: Path):
    data = {field: [(io.BytesIO(path.read_bytes()), path.name) for path in files]}
    return client.post(url, data=data, content_type="multipart/form-data")


def _token(response, pattern: re.Pattern) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    match = pattern.search(response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _flashes(client) -> list[str]:
    with client.session_transaction() as session:
        return [message for _category, message in session.get("_flashes", [])]


def test_the_register_is_previewed_then_imported(app, client, login, tmp_path):
    user = login("triager", "tess@example.org")
    path = write_register_xlsx(tmp_path / "Design Artefact Tracker.xlsx", ARTEFACTS)
    token = _token(_post(client, "/imports/register", "file", path), REGISTER)

    page = _text(client.get(f"/imports/register/{token}"))
    assert 'data-count="added">3<' in page and 'data-count="updated">0<' in page
    assert "New services: Metering and Data Services, Registration Service." in page
    assert "BP004" in page and "Data Collection" in page  # the first rows, normalised
    with app.app_context():
        assert count(Artefact) == count(Service) == count(ImportBatch) == 0  # a dry run

    done = client.post(f"/imports/register/{token}/confirm")
    assert done.headers["Location"] == "/artefacts/"
    assert _flashes(client) == [
        "Design Artefact Tracker.xlsx: artefacts added 3, updated 0, unchanged 0; new "
        "services: Metering and Data Services, Registration Service."
    ]
    with app.app_context():
        assert sorted(db.session.scalars(select(Artefact.reference))) == ["BP004", "BP005", "IF005"]
        batch = db.session.scalar(select(ImportBatch))
        assert (batch.kind, batch.imported_by, batch.added) == ("artefacts", user.email, 3)

    # A later register: what it changes is listed before anything is written.
    changed = [dict(ARTEFACTS[0], version="2.0"), *ARTEFACTS[1:]]
    path = write_register_xlsx(tmp_path / "tracker v2.xlsx", changed)
    token = _token(_post(client, "/imports/register", "file", path), REGISTER)
    page = _text(client.get(f"/imports/register/{token}"))
    assert 'data-count="updated">1<' in page and 'data-count="unchanged">2<' in page
    assert re.search(r"<th[^>]*>BP004</th><td>version</td><td>1.0</td><td>2.0</td>", page)


def test_a_register_with_errors_cannot_be_imported(app, client, login, tmp_path):
    login("triager")
    broken = [dict(ARTEFACTS[0], tranche="7"), *ARTEFACTS[1:]]
    path = write_register_xlsx(tmp_path / "tracker.xlsx", broken)
    token = _token(_post(client, "/imports/register", "file", path), REGISTER)
    page = _text(client.get(f"/imports/register/{token}"))
    assert "can't be imported" in page and "unknown tranche" in page
    assert re.search(r"<button[^>]*disabled[^>]*>Import the register", page)
    client.post(f"/imports/register/{token}/confirm")
    with app.app_context():
        assert count(Artefact) == count(ImportBatch) == 0


def test_a_register_among_the_logs_is_imported_first(app, client, login, tmp_path):
    """The whole upload at once: the register is recognised and previewed first, and its
    confirm leads on to the logs', which then find its artefacts."""
    login("triager")
    register = write_register_xlsx(tmp_path / "tracker.xlsx", ARTEFACTS)
    acme = write_xlsx_log(tmp_path / "acme.xlsx", comment_rows(3), key_values=ACME)
    beta_rows = comment_rows(2, organisation="Beta Power", constituency="Supplier - Small")
    beta = write_csv_log(tmp_path / "beta.csv", beta_rows)
    upload = _post(client, "/imports/", "files", acme, register, beta)
    register_token = _token(upload, REGISTER)
    assert "tracker.xlsx is an artefact register" in _flashes(client)[0]
    page = _text(client.get(f"/imports/register/{register_token}"))
    assert "The 2 comment logs uploaded with it are previewed next" in page

    logs = client.post(f"/imports/register/{register_token}/confirm")
    logs_token = _token(logs, LOGS)
    summary = _text(client.get(f"/imports/preview/{logs_token}"))
    assert list(_summary_rows(summary)) == ["acme.xlsx", "beta.csv"]
    assert "Import 2 files</button>" in summary  # the artefacts are known now: both ready
    client.post(f"/imports/preview/{logs_token}/confirm")
    assert _flashes(client) == [
        "Imported 2 files: added 5, unchanged 0, updated 0, conflicts kept 0. Each file is a "
        "batch in the history below."
    ]
    with app.app_context():
        assert count(Comment) == 5 and count(ImportBatch) == 3


def test_a_register_alone_on_the_log_page_goes_to_the_register(client, login, tmp_path):
    login("triager")
    register = write_register_xlsx(tmp_path / "tracker.xlsx", ARTEFACTS)
    token = _token(_post(client, "/imports/", "files", register), REGISTER)
    page = _text(client.get(f"/imports/register/{token}"))
    assert "Preview the artefact register" in page and "previewed next" not in page
    # Its token is not a comment log upload's.
    assert client.get(f"/imports/preview/{token}").headers["Location"].endswith(token)


def _summary_rows(html: str) -> dict[str, str]:
    table = html[
        html.index("data-stack-summary") : html.index("</table>", html.index("data-stack-summary"))
    ]
    rows = re.findall(r'<tr class="(?:ready|refused)" data-file="\d+">(.*?)</tr>', table, re.S)
    return {re.search(r'href="#file-\d+">(.*?)</a>', row).group(1): row for row in rows}


def test_a_stack_of_logs_is_one_summary_table(app, client, login, tmp_path):
    login("triager")
    with app.app_context():
        add_artefacts(("BP004", "1"), ("BP005", "1"), ("IF005", "1"))
    clean = write_xlsx_log(tmp_path / "acme.xlsx", comment_rows(3), key_values=ACME)
    warned = write_xlsx_log(
        tmp_path / "beta.xlsx", comment_rows(2, comment_type="Gripe"), key_values=BETA
    )
    broken = write_xlsx_log(
        tmp_path / "gamma.xlsx", comment_rows(1, artefact="MHHSP-ZZ999"), key_values=ACME
    )
    token = _token(_post(client, "/imports/", "files", clean, warned, broken), LOGS)
    html = _text(client.get(f"/imports/preview/{token}"))

    # One Import button at the top, before the summary, and the files folded below it.
    assert html.index('data-import-actions="top"') < html.index("data-stack-summary")
    assert "Import 2 files</button>" in html
    rows = _summary_rows(html)
    assert list(rows) == ["acme.xlsx", "beta.xlsx", "gamma.xlsx"]
    # The organisation and its constituency as found (the constituency normalised).
    assert "Acme Energy" in rows["acme.xlsx"] and "(Supplier- Large)" in rows["acme.xlsx"]
    assert '<td class="num">1 of 2</td>' in rows["acme.xlsx"]  # the Read Me sheet skipped
    assert 'data-count="added">3<' in rows["acme.xlsx"] and ">none<" in rows["acme.xlsx"]
    assert "2 warnings" in rows["beta.xlsx"] and "Ready" in rows["beta.xlsx"]  # Gripe, twice
    assert "1 error" in rows["gamma.xlsx"] and "Can't be imported" in rows["gamma.xlsx"]
    # The detail of a file with problems is open by itself; a clean one's folded.
    details = dict(re.findall(r'<details class="panel file-preview" id="file-(\d)"( open)?>', html))
    assert details == {"1": "", "2": " open", "3": " open"}

    client.post(f"/imports/preview/{token}/confirm")
    assert _flashes(client) == [
        "Imported 2 files: added 5, unchanged 0, updated 0, conflicts kept 0. Each file is a "
        "batch in the history below.",
        "gamma.xlsx: not imported, it has 1 error; nothing from it was written",
    ]


def test_the_history_offers_undo_only_where_it_can_be_done(app, client, login, tmp_path):
    login("triager", "tess@example.org")
    with app.app_context():
        add_artefacts(("BP004", "1"), ("BP005", "1"), ("IF005", "1"))
        long_name = "MHHS_Tranche1_Design_Review_Comment_Log_Acme_Energy_FINAL_v2.xlsx"
        untouched = import_comment_log(
            write_xlsx_log(tmp_path / long_name, comment_rows(2), key_values=ACME),
            options=None,
        )
        triaged = import_comment_log(
            write_xlsx_log(tmp_path / "beta.xlsx", comment_rows(2, start=3), key_values=BETA)
        )
        comment = db.session.scalar(
            select(Comment.id).where(Comment.import_batch_id == triaged.batch_id).limit(1)
        )
        with unit_of_work():
            triage_comment(comment, {"disposition": "accepted"}, actor="tess@example.org")
    html = _text(client.get("/imports/history"))
    rows = dict(re.findall(r'<tr id="batch-(\d+)"[^>]*>(.*?)</tr>', html, re.S))
    assert "data-undo" in rows[str(untouched.batch_id)]
    refusal = rows[str(triaged.batch_id)]
    assert "data-undo>" not in refusal
    assert "Can't be undone: 1 of the 2 comments it added has been triaged" in refusal
    # A long file name wraps at its separators; the CLI's actor is shown as recorded.
    assert "MHHS_<wbr>Tranche1_<wbr>Design_<wbr>" in html and ">tester<" in html


def test_register_pages_refuse_what_is_not_theirs(client, login, tmp_path):
    login("triager")
    for token in ("0" * 32, "not-a-token", "%00", "../" * 3 + "etc", "a" * 10_000):
        assert client.get(f"/imports/register/{token}").status_code in (302, 404)
        assert client.post(f"/imports/register/{token}/confirm").status_code in (302, 404)
    empty = client.post("/imports/register", data={}, content_type="multipart/form-data")
    assert empty.status_code == 400 and "Choose the artefact register" in _text(empty)
    odd = tmp_path / "register.pdf"
    odd.write_bytes(b"%PDF-1.4")
    refused = _post(client, "/imports/register", "file", odd)
    assert refused.status_code == 400 and "a .pdf file can&#39;t be imported" in _text(refused)

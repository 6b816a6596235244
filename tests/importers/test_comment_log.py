"""read_comment_log on the shapes real logs come in, and on every kind of bad input."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

import importers.comment_log as comment_log
from importers import CommentRecord, ReadResult, read_comment_log
from importers.table import REPEAT_LIMIT
from tests.logmaker import (
    excel_serial,
    write_csv_log,
    write_per_artefact_workbook,
    write_xlsx_log,
)

ACME = {"Organisation": "Acme Energy", "Constituency": "Supplier - Large"}


def rows(n: int = 3, **overrides: Any) -> list[dict[str, Any]]:
    out = []
    for i in range(1, n + 1):
        row = {
            "log_comment_id": i,
            "artefact": ["MHHSP-BP004", "BP-005", "IF-05"][(i - 1) % 3],
            "section": f"3.{i}",
            "comment": f"Comment {i}: the trigger for step {i} is unclear.",
            "proposed_change": f"Clarify step {i}.",
            "disposition": "",
        }
        row.update(overrides)
        out.append(row)
    return out


def errors(result: ReadResult) -> list[str]:
    return [str(p) for p in result.errors]


@pytest.fixture(params=[comment_log.CHUNK_ROWS, 2], ids=["chunk-default", "chunk-2"])
def chunked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Run a test with the normal chunk size and with tiny chunks, so that every check also
    works across chunk boundaries."""
    monkeypatch.setattr(comment_log, "CHUNK_ROWS", request.param)
    return request.param


# --- shapes that must read ------------------------------------------------------------------


def test_messy_xlsx_reads_completely(tmp_path: Path, chunked: int) -> None:
    data = rows(7, raised_on=date(2024, 3, 1))
    data[0]["comment"] = "First line\nsecond line"
    data[1]["disposition"] = "ACCEPTED"
    data[2]["disposition"] = "Requires Further Clarification"
    data[3]["disposition"] = "REVISED"
    path = write_xlsx_log(
        tmp_path / "acme.xlsx",
        data,
        key_values=ACME,
        blank_row_every=2,
        formula_ids=True,
        serial_dates=True,
    )
    result = read_comment_log(path)
    assert result.ok, errors(result)
    assert result.file == "acme.xlsx" and not result.problems
    assert [s.name for s in result.sheets] == ["Read Me", "Comments"]
    readme, sheet = result.sheets
    assert readme.skipped and "instructions" in readme.skipped
    assert sheet.skipped is None and sheet.records == 7
    assert sheet.header_row == 2 + 2 + 1 + 1  # titles, key/values, blank, header
    assert sheet.context == {"organisation": "Acme Energy", "constituency": "Supplier - Large"}
    assert len(result.records) == 7
    first = result.records[0]
    assert isinstance(first, CommentRecord)
    assert first.comment == "First line\nsecond line"
    assert first.artefact == "BP004" and first.section == "3.1"
    assert first.log_comment_id == "1"  # the formula's cached value, as an id
    assert first.raised_on == date(2024, 3, 1)  # from an Excel serial number
    assert first.organisation == "Acme Energy" and first.constituency == "Supplier- Large"
    assert first.row == sheet.header_row + 1 and first.sheet == "Comments"
    assert [r.artefact for r in result.records[:3]] == ["BP004", "BP005", "IF005"]
    assert [r.disposition for r in result.records[:5]] == [
        "open",
        "accepted",
        "clarification",
        "accepted",
        "open",
    ]
    # Blank rows inside the table are skipped and the row numbers still match the sheet.
    assert [r.row for r in result.records] == [7, 8, 10, 11, 13, 14, 16]


def test_mapping_and_unmapped_headers_are_reported(tmp_path: Path) -> None:
    headers = {
        "log_comment_id": "Comment No.",
        "artefact": "Design Artefact",
        "comment": "Reviewer Comment",
        "disposition": "Status",
        "organisation": "Company",
        "reviewer": "Notes for us",
    }
    path = write_xlsx_log(tmp_path / "log.xlsx", rows(2, organisation="Acme"), headers=headers)
    result = read_comment_log(path)
    (sheet,) = [s for s in result.sheets if not s.skipped]
    assert sheet.mapping == {
        "log_comment_id": "Comment No.",
        "artefact": "Design Artefact",
        "comment": "Reviewer Comment",
        "disposition": "Status",
        "organisation": "Company",
    }
    assert sheet.unmapped == ["Notes for us"]


@pytest.mark.parametrize(
    "headers",
    [
        {"artefact": "Artifact", "comment": "Comments", "proposed_change": "Suggested change"},
        {"artefact": "Document reference", "comment": "Comment description", "section": "Clause"},
        {
            "log_comment_id": "CID",
            "section": "Clause",
            "comment": "Comment",
            "proposed_change": "Proposed Change",
            "response": "Resolution",
            "disposition": "Resn Status",
            "artefact": "Document",
        },  # fmt: skip
        {
            "log_comment_id": "#",
            "artefact": "Artefact Ref",
            "comment": "Comment (mandatory)",
            "response": "Design team response",
            "disposition": "Outcome",
        },  # fmt: skip
    ],
)
def test_header_spellings(tmp_path: Path, headers: dict[str, str]) -> None:
    data = rows(2, disposition="Agreed")
    path = write_xlsx_log(tmp_path / "log.xlsx", data, headers=headers, key_values=ACME)
    result = read_comment_log(path)
    assert result.ok, errors(result)
    assert [s for s in result.sheets if s.mapping][0].mapping == headers
    assert [r.artefact for r in result.records] == ["BP004", "BP005"]


def test_two_headers_for_one_field_take_the_first_and_warn(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["Artefact", "Comment", "Comments", "Organisation"])
    ws.append(["BP004", "the first", "the second", "Acme"])
    wb.save(tmp_path / "dup.xlsx")
    result = read_comment_log(tmp_path / "dup.xlsx")
    assert result.ok
    assert result.records[0].comment == "the first"
    (warning,) = result.warnings
    assert warning.column == "Comments" and warning.column_index == 2
    assert "two columns map to comment" in str(warning)


def test_merged_artefact_cells_fill_down(tmp_path: Path, chunked: int) -> None:
    data = rows(6, organisation="Acme")
    for row, ref in zip(data, ["BP004"] * 4 + ["IF-05"] * 2, strict=True):
        row["artefact"] = ref
    path = write_xlsx_log(tmp_path / "merged.xlsx", data, merge_artefact_cells=True)
    result = read_comment_log(path)
    assert result.ok, errors(result)
    assert [r.artefact for r in result.records] == ["BP004"] * 4 + ["IF005"] * 2


def test_formula_cells_without_cached_values_do_not_crash(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Comments"
    ws.append(["Comment log"])
    ws.append(["No.", "Artefact", "Comment", "Organisation", "Length"])
    ws.append([1, "BP004", "Needs a diagram", "Acme", "=LEN(C3)"])
    ws.append(["=A3+1", "BP004", "Second comment", "Acme", "=LEN(C4)"])
    wb.save(tmp_path / "formulas.xlsx")
    result = read_comment_log(tmp_path / "formulas.xlsx")
    assert result.ok, errors(result)
    assert [r.comment for r in result.records] == ["Needs a diagram", "Second comment"]
    assert [r.log_comment_id for r in result.records] == ["1", None]  # no cached value saved
    assert result.sheets[0].unmapped == ["Length"]


def test_table_not_in_column_a_reports_real_column_letters(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Log"
    ws["C4"], ws["D4"], ws["E4"], ws["F4"] = "Artefact", "Comment", "Status", "Organisation"
    ws["C5"], ws["D5"], ws["E5"], ws["F5"] = "BP004", "A comment", "Maybe", "Acme"
    wb.save(tmp_path / "offset.xlsx")
    result = read_comment_log(tmp_path / "offset.xlsx")
    (problem,) = result.problems
    assert (problem.row, problem.column, problem.column_index) == (5, "Status", 4)
    assert "row 5, column 'Status' (E)" in str(problem)


@pytest.mark.parametrize("sheet_name", ["MHHSP-{ref}", "{ref}", "{ref} comments"])
def test_per_artefact_workbook_takes_artefact_from_sheet_name(
    tmp_path: Path, sheet_name: str
) -> None:
    by_artefact = {
        "BP004": rows(2),
        "IF-005": rows(3),
    }
    for sheet_rows in by_artefact.values():
        for row in sheet_rows:
            del row["artefact"]
    path = write_per_artefact_workbook(
        tmp_path / "per.xlsx", by_artefact, sheet_name=sheet_name, key_values=ACME
    )
    result = read_comment_log(path)
    assert result.ok, errors(result)
    assert [r.artefact for r in result.records] == ["BP004"] * 2 + ["IF005"] * 3
    assert [r.log_comment_id for r in result.records] == ["1", "2", "1", "2", "3"]
    assert result.sheets[1].context["artefact"] == "BP004"


def test_title_row_names_the_artefact(tmp_path: Path) -> None:
    data = rows(2, organisation="Acme")
    headers = {"log_comment_id": "ID", "comment": "Comment", "organisation": "Organisation"}
    path = write_xlsx_log(
        tmp_path / "titled.xlsx",
        data,
        headers=headers,
        sheet="Sheet1",
        title_rows=("Comment log: BP004- Data Collection", "Round 2"),
    )
    result = read_comment_log(path)
    assert result.ok, errors(result)
    assert {r.artefact for r in result.records} == {"BP004"}


def test_sheet_name_only_fills_blank_artefact_cells(tmp_path: Path) -> None:
    data = rows(3, organisation="Acme")
    data[1]["artefact"] = None
    path = write_xlsx_log(tmp_path / "mixed.xlsx", data, sheet="MHHSP-BRS007")
    result = read_comment_log(path)
    assert result.ok, errors(result)
    assert [r.artefact for r in result.records] == ["BP004", "BRS007", "IF005"]


def test_no_artefact_anywhere_is_an_error_per_row(tmp_path: Path) -> None:
    headers = {"comment": "Comment", "proposed_change": "Proposed change"}
    path = write_xlsx_log(tmp_path / "x.xlsx", rows(2), headers=headers, key_values=ACME)
    result = read_comment_log(path)
    assert [p.row for p in result.errors] == [7, 8]
    assert all("no artefact" in p.message for p in result.errors)
    assert not result.records


def test_key_value_block_in_both_shapes(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Comments"
    ws.append(["MHHS Programme – Design Artefact Comment Log"])
    ws.append(["Organisation: Acme Energy"])
    ws.append(["Constituency:", None, "supplier – small"])
    ws.append(["Tranche:", "Tranche 1", "Review round:", "2nd review"])
    ws.append(["Reviewer", "J. Bloggs"])
    ws.append([])
    ws.append(["Artefact", "Comment"])
    ws.append(["BP004", "A comment"])
    wb.save(tmp_path / "kv.xlsx")
    result = read_comment_log(tmp_path / "kv.xlsx")
    assert result.ok, errors(result)
    (record,) = result.records
    assert record.organisation == "Acme Energy"
    assert record.constituency == "Supplier- Small"
    assert (record.tranche, record.review_round, record.reviewer) == ("1", 2, "J. Bloggs")
    assert result.sheets[0].context == {
        "organisation": "Acme Energy",
        "constituency": "supplier – small",
        "tranche": "Tranche 1",
        "review_round": "2nd review",
        "reviewer": "J. Bloggs",
    }


def test_values_come_from_row_then_block_then_defaults(tmp_path: Path) -> None:
    data = rows(2)
    data[0]["organisation"] = "Row Org"
    data[1]["organisation"] = None
    path = write_xlsx_log(tmp_path / "p.xlsx", data, key_values={"Organisation": "Block Org"})
    defaults = {"organisation": "Default Org", "tranche": 2, "review_round": "1"}
    result = read_comment_log(path, defaults=defaults)
    assert result.ok, errors(result)
    assert [r.organisation for r in result.records] == ["Row Org", "Block Org"]
    assert {(r.tranche, r.review_round) for r in result.records} == {("2", 1)}
    result = read_comment_log(
        write_xlsx_log(tmp_path / "q.xlsx", rows(1)), defaults={"organisation": "Default Org"}
    )
    assert result.records[0].organisation == "Default Org"


def test_bad_defaults_are_problems(tmp_path: Path) -> None:
    path = write_xlsx_log(tmp_path / "d.xlsx", rows(1), key_values=ACME)
    result = read_comment_log(path, defaults={"tranche": "7", "colour": "red"})
    messages = errors(result)
    assert any("default tranche: unknown tranche" in m and "'7'" in m for m in messages)
    assert any("unknown default 'colour'" in m for m in messages)


def test_numbers_and_rounds(tmp_path: Path) -> None:
    data = rows(3, organisation="Acme", review_round="Round 2")
    data[0]["log_comment_id"] = 12.0
    data[1]["review_round"] = 2.0
    data[2]["review_round"] = "second"
    data[0]["section"] = 4.0
    result = read_comment_log(write_xlsx_log(tmp_path / "n.xlsx", data))
    assert result.ok, errors(result)
    assert result.records[0].log_comment_id == "12" and result.records[0].section == "4"
    assert {r.review_round for r in result.records} == {2}


def test_comment_types(tmp_path: Path) -> None:
    data = rows(3, organisation="Acme")
    for row, kind in zip(data, ["Editorial", "T", " Cosmetic "], strict=True):
        row["comment_type"] = kind
    result = read_comment_log(write_xlsx_log(tmp_path / "t.xlsx", data))
    assert result.ok
    assert [r.comment_type for r in result.records] == ["editorial", "technical", "Cosmetic"]
    (warning,) = result.warnings
    assert warning.value == "Cosmetic" and warning.column == "Comment Type"
    assert "unknown comment type 'Cosmetic', kept as written" in str(warning)


def test_template_rows_with_only_an_id_are_skipped(tmp_path: Path, chunked: int) -> None:
    data = rows(2, organisation="Acme") + [{"log_comment_id": n} for n in range(3, 9)]
    result = read_comment_log(write_xlsx_log(tmp_path / "tpl.xlsx", data))
    assert result.ok and not result.problems
    assert len(result.records) == 2


def test_log_without_status_column_has_no_disposition(tmp_path: Path) -> None:
    headers = {"artefact": "Artefact", "comment": "Comment"}
    result = read_comment_log(
        write_xlsx_log(tmp_path / "s.xlsx", rows(2), headers=headers),
        defaults={"organisation": "Acme"},
    )
    assert result.ok
    assert [r.disposition for r in result.records] == [None, None]


def test_hidden_sheets_are_skipped(tmp_path: Path) -> None:
    path = write_xlsx_log(
        tmp_path / "h.xlsx", rows(1, organisation="Acme"), extra_sheets={"Old": rows(1)}
    )
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb["Old"].sheet_state = "hidden"
    wb.save(path)
    result = read_comment_log(path)
    assert result.ok and len(result.records) == 1
    assert result.sheets[-1].skipped == "hidden sheet"


def test_several_comment_sheets_are_all_read(tmp_path: Path) -> None:
    path = write_xlsx_log(
        tmp_path / "multi.xlsx",
        rows(2, organisation="Acme"),
        extra_sheets={"More comments": rows(2, organisation="Acme", log_comment_id="x")},
    )
    result = read_comment_log(path)
    # The same id for different artefacts is fine; for one artefact it isn't.
    assert [str(p.value) for p in result.errors] == []
    assert [r.sheet for r in result.records] == ["Comments"] * 2 + ["More comments"] * 2


# --- column overrides --------------------------------------------------------------------------


def test_column_override_maps_an_unknown_header(tmp_path: Path) -> None:
    headers = {"artefact": "Artefact", "comment": "Observations", "disposition": "Status"}
    path = write_xlsx_log(
        tmp_path / "o.xlsx", rows(2, disposition="Maybe"), headers=headers, key_values=ACME
    )
    assert not read_comment_log(path).records
    result = read_comment_log(
        path, column_overrides={"comment": "Observations", "disposition": None}
    )
    assert result.ok, errors(result)
    assert [r.disposition for r in result.records] == [None, None]
    sheet = result.sheets[1]
    assert sheet.mapping == {"artefact": "Artefact", "comment": "Observations"}
    assert sheet.unmapped == ["Status"]


def test_column_override_moves_a_header_to_another_field(tmp_path: Path) -> None:
    headers = {"artefact": "Artefact", "comment": "Comment", "response": "Status"}
    data = rows(1, response="We will add it")
    path = write_xlsx_log(tmp_path / "o.xlsx", data, headers=headers, key_values=ACME)
    result = read_comment_log(path, column_overrides={"response": "Status"})
    assert result.ok, errors(result)
    assert result.records[0].response == "We will add it"
    assert result.records[0].disposition is None


def test_column_override_for_a_missing_header_is_an_error(tmp_path: Path) -> None:
    path = write_xlsx_log(tmp_path / "o.xlsx", rows(1), key_values=ACME)
    result = read_comment_log(path, column_overrides={"response": "Programme view"})
    (error,) = result.errors
    assert error.sheet == "Comments" and error.row == 6
    assert "no column headed 'Programme view'" in error.message


# --- errors ---------------------------------------------------------------------------------


def test_unknown_disposition_names_file_sheet_row_column_value(tmp_path: Path) -> None:
    data = rows(3)
    data[1]["disposition"] = "Maybe"
    path = write_xlsx_log(tmp_path / "acme.xlsx", data, key_values=ACME)
    result = read_comment_log(path)
    assert not result.ok
    (error,) = result.problems
    assert (error.file, error.sheet, error.row) == ("acme.xlsx", "Comments", 8)
    assert (error.column, error.column_index, error.value) == ("Status", 5, "Maybe")
    assert str(error) == (
        "acme.xlsx, sheet 'Comments', row 8, column 'Status' (F): unknown disposition 'Maybe'"
    )
    assert [r.row for r in result.records] == [7, 9]  # the bad row gives no record


def test_unknown_constituency_in_column_and_in_block(tmp_path: Path) -> None:
    data = rows(2, organisation="Acme", constituency="Supplier - Large")
    data[1]["constituency"] = "Big Supplier"
    result = read_comment_log(write_xlsx_log(tmp_path / "c.xlsx", data))
    (error,) = result.errors
    assert (error.row, error.column, error.value) == (6, "Constituency", "Big Supplier")
    assert "unknown constituency" in error.message
    block = {"Organisation": "Acme", "Constituency": "Gas Shipper"}
    result = read_comment_log(write_xlsx_log(tmp_path / "b.xlsx", rows(1), key_values=block))
    (error,) = result.errors
    assert (error.row, error.column, error.value) == (4, "Constituency", "Gas Shipper")
    assert str(error).startswith("b.xlsx, sheet 'Comments', row 4, column 'Constituency' (B)")


def test_artefact_cell_without_a_reference(tmp_path: Path) -> None:
    data = rows(2, organisation="Acme")
    data[0]["artefact"] = "Data Collection process"
    result = read_comment_log(write_xlsx_log(tmp_path / "a.xlsx", data))
    (error,) = result.errors
    assert (error.sheet, error.row, error.column_index) == ("Comments", 5, 1)
    assert error.column == "Design Artefact"
    assert error.value == "Data Collection process"
    assert "no artefact reference" in str(error) and "'Data Collection process'" in str(error)


def test_proposed_change_without_comment(tmp_path: Path) -> None:
    data = rows(2, organisation="Acme")
    data[1]["comment"] = "  "
    result = read_comment_log(write_xlsx_log(tmp_path / "e.xlsx", data))
    (error,) = result.errors
    assert (error.row, error.column, error.message) == (6, "Reviewer Comment", "comment is empty")


def test_missing_organisation_is_one_error_for_the_file(tmp_path: Path, chunked: int) -> None:
    result = read_comment_log(write_xlsx_log(tmp_path / "noorg.xlsx", rows(5)))
    (error,) = result.errors
    assert error.row is None and error.sheet is None
    assert "Organisation column" in str(error) and "--organisation" in str(error)
    assert "'Organisation:'" in str(error) and "5 comments" in str(error)
    assert len(result.records) == 5


def test_duplicate_ids_for_one_artefact(tmp_path: Path, chunked: int) -> None:
    data = rows(6, organisation="Acme", artefact="BP004")
    data[4]["log_comment_id"] = 2
    result = read_comment_log(write_xlsx_log(tmp_path / "dup.xlsx", data))
    (error,) = result.errors
    assert (error.row, error.value, error.column) == (9, "2", "Comment No.")
    assert "duplicate comment id '2' for BP004 (first at sheet 'Comments' row 6)" in str(error)


def test_duplicate_ids_across_sheets(tmp_path: Path) -> None:
    path = write_per_artefact_workbook(
        tmp_path / "dup.xlsx",
        {"BP004": rows(2)},
        key_values=ACME,
    )
    result = read_comment_log(path)
    assert result.ok
    path = write_xlsx_log(
        tmp_path / "dup2.xlsx",
        rows(1, artefact="BP004"),
        extra_sheets={"BP004": rows(1, artefact=None)},
        key_values=ACME,
    )
    (error,) = read_comment_log(path).errors
    assert error.sheet == "BP004" and "first at sheet 'Comments' row 7" in error.message


def test_unknown_tranche(tmp_path: Path) -> None:
    result = read_comment_log(
        write_xlsx_log(tmp_path / "t.xlsx", rows(1, tranche="Tranche 9", organisation="A"))
    )
    (error,) = result.errors
    assert error.column == "Tranche" and error.value == "Tranche 9"


def test_repeated_problems_are_capped_and_summarised(tmp_path: Path, chunked: int) -> None:
    data = rows(REPEAT_LIMIT + 5, disposition="Maybe", organisation="Acme")
    result = read_comment_log(write_xlsx_log(tmp_path / "many.xlsx", data))
    assert len(result.errors) == REPEAT_LIMIT + 1
    assert "5 more rows like this not listed" in str(result.errors[-1])


def test_no_comment_table_in_any_sheet(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.append(["Just some notes", "nothing else"])
    wb.save(tmp_path / "notes.xlsx")
    result = read_comment_log(tmp_path / "notes.xlsx")
    (error,) = result.problems
    assert "no comment table found" in str(error)
    assert result.sheets[0].skipped and "no header row" in result.sheets[0].skipped


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("random.xlsx", b"\x00\x01\x02 not a spreadsheet at all", "not a valid .xlsx file"),
        ("empty.xlsx", b"", "the file is empty"),
        ("empty.csv", b"", "the file is empty"),
        ("notes.pdf", b"%PDF-1.4", "unsupported file type '.pdf'"),
        ("binary.csv", b"\x81\x8d\x8f\x90\x9d\xff\xfe", "unknown encoding"),
        ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "password-protected"),
        ("utf16.csv", "Comment,Artefact\n".encode("utf-16"), "unknown encoding"),
    ],
)
def test_bad_files_are_problems_not_exceptions(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    for result in (read_comment_log(path), read_comment_log(content, filename=name)):
        (error,) = result.problems
        assert error.file == name and message in error.message
        assert not result.records


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    result = read_comment_log(buffer.getvalue(), filename="fake.xlsx")
    (error,) = result.errors
    assert error.file == "fake.xlsx" and "can't open the spreadsheet" in error.message


def test_missing_file(tmp_path: Path) -> None:
    (error,) = read_comment_log(tmp_path / "gone.xlsx").errors
    assert error.file == "gone.xlsx" and error.message == "file not found"


def test_streams_and_bytes(tmp_path: Path) -> None:
    path = write_xlsx_log(tmp_path / "s.xlsx", rows(2), key_values=ACME)
    with open(path, "rb") as handle:
        from_stream = read_comment_log(handle)
    assert from_stream.file == "s.xlsx" and len(from_stream.records) == 2
    unnamed = read_comment_log(path.read_bytes())
    assert unnamed.file == "upload" and len(unnamed.records) == 2


# --- CSV ------------------------------------------------------------------------------------


def test_cp1252_csv_round_trips_pound_and_dash(tmp_path: Path) -> None:
    text = "Costs of £5k – see section 4 “Exceptions”"
    path = write_csv_log(tmp_path / "acme.csv", rows(2, comment=text), encoding="cp1252")
    assert "£".encode("cp1252") in path.read_bytes()
    result = read_comment_log(path, defaults={"organisation": "Acme"})
    assert result.ok, errors(result)
    assert result.encoding == "cp1252"
    assert {r.comment for r in result.records} == {text}


def test_utf8_bom_csv(tmp_path: Path) -> None:
    path = write_csv_log(
        tmp_path / "bom.csv",
        rows(2, organisation="Acme", comment="Naïve – ok"),
        encoding="utf-8-sig",
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    result = read_comment_log(path)
    assert result.ok, errors(result)
    assert result.encoding == "utf-8"
    assert result.sheets[0].mapping["log_comment_id"] == "Comment No."  # no BOM in the header
    assert {r.comment for r in result.records} == {"Naïve – ok"}


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiters_are_sniffed(tmp_path: Path, delimiter: str) -> None:
    data = rows(4, organisation="Acme", comment="One, two, three; and four")
    data[0]["comment"] = "A comment\nover two lines"
    path = write_csv_log(
        tmp_path / "d.csv",
        data,
        delimiter=delimiter,
        title_rows=("Comment log for Acme",),
        key_values={"Tranche": "1"},
    )
    result = read_comment_log(path)
    assert result.ok, errors(result)
    assert [r.comment for r in result.records][:2] == [
        "A comment\nover two lines",
        "One, two, three; and four",
    ]
    assert {r.tranche for r in result.records} == {"1"}


def test_semicolon_csv_with_unquoted_commas(tmp_path: Path) -> None:
    # Excel in a European locale quotes only fields containing ';'.
    content = (
        "Comment No.;Artefact;Comment;Organisation\n"
        "1;BP004;Too long, too vague, too late;Acme\n"
        "2;BP004;Fine, thanks;Acme\n"
    )
    result = read_comment_log(content.encode(), filename="semi.csv")
    assert result.ok, errors(result)
    assert [r.comment for r in result.records] == ["Too long, too vague, too late", "Fine, thanks"]


def test_csv_problems_have_no_sheet_and_short_rows_are_padded(tmp_path: Path) -> None:
    content = "Artefact,Comment,Status,Organisation\nBP004,Fine\nBP004,Odd,Maybe,Acme\n"
    result = read_comment_log(content.encode("utf-8"), filename="short.csv")
    messages = errors(result)
    assert "short.csv, row 3, column 'Status' (C): unknown disposition 'Maybe'" in messages
    assert result.records[0].comment == "Fine" and result.records[0].disposition == "open"


def test_csv_dates(tmp_path: Path) -> None:
    data = rows(1, organisation="Acme", raised_on=date(2024, 3, 1))
    result = read_comment_log(write_csv_log(tmp_path / "dates.csv", data))
    assert result.records[0].raised_on == date(2024, 3, 1)


def test_excel_serial_helper() -> None:
    assert excel_serial(date(2024, 3, 1)) == 45352


def test_two_row_header_under_merged_cells(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "BP004"
    ws.append(["Comment log"])
    ws.append(["ID", "Location", None, None, "Comment", "Status", "Organisation"])
    ws.append([None, "Section", "Page", "Line"])
    ws.merge_cells("B2:D2")
    for col in "AEFG":
        ws.merge_cells(f"{col}2:{col}3")
    ws.append([1, "3.2", 14, 7, "Unclear trigger", "Accepted", "Acme"])
    wb.save(tmp_path / "two.xlsx")
    result = read_comment_log(tmp_path / "two.xlsx")
    assert result.ok, errors(result)
    (record,) = result.records
    assert (record.section, record.page, record.line, record.row) == ("3.2", "14", "7", 4)
    assert (record.artefact, record.disposition) == ("BP004", "accepted")
    assert result.sheets[0].mapping["page"] == "Page"
    assert result.sheets[0].header_row == 3


def test_an_empty_table_is_a_warning(tmp_path: Path) -> None:
    result = read_comment_log(write_xlsx_log(tmp_path / "blank.xlsx", [], key_values=ACME))
    (warning,) = result.problems
    assert warning.severity == "warning" and "empty" in warning.message
    assert result.ok and not result.records


def test_override_for_an_unknown_field(tmp_path: Path) -> None:
    path = write_xlsx_log(tmp_path / "o.xlsx", rows(1), key_values=ACME)
    (error,) = read_comment_log(path, column_overrides={"colour": "Status"}).errors
    assert "unknown field 'colour'" in error.message


def test_reading_leaves_the_garbage_collector_as_it_was(tmp_path: Path) -> None:
    import gc

    path = write_xlsx_log(tmp_path / "gc.xlsx", rows(2), key_values=ACME)
    assert gc.isenabled()
    read_comment_log(path)
    assert gc.isenabled()
    gc.disable()
    try:
        read_comment_log(path)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_generated_log_has_the_awkward_parts(tmp_path: Path) -> None:
    """The generator's merged title rows and merged artefact block are really in the file."""
    from openpyxl import load_workbook

    data = rows(3, artefact="BP004", organisation="Acme")
    path = write_xlsx_log(tmp_path / "g.xlsx", data, merge_artefact_cells=True, formula_ids=True)
    ws = load_workbook(path)["Comments"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:H1", "A2:H2", "B5:B7"} <= merged
    assert ws["A5"].value == "=ROW()-4"
    with zipfile.ZipFile(path) as book:
        assert "<f>ROW()-4</f><v>1</v>" in book.read("xl/worksheets/sheet2.xml").decode()
    assert [r.log_comment_id for r in read_comment_log(path).records] == ["1", "2", "3"]

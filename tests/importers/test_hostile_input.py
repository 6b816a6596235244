"""Hostile and broken input: every file here is refused (or read) with a problem naming the
file, and the sheet, row and column where there is one; never a traceback, never a crash.

The files are made in the tests, small and fast: the bombs declare their sizes, nothing here
inflates one. Where calamine would build a huge grid (and abort the process), the tests also
make sure the sheet is never handed to it.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from bench.bench import write_log as write_bench_log
from importers import guards, read_comment_log, sources
from importers.records import ReadResult
from tests.logmaker import (
    HOSTILE_HEADER,
    billion_laughs,
    hostile_log_rows,
    patch_declared_size,
    sheet_rows_xml,
    write_csv_log,
    write_padded_xlsx,
    write_raw_xlsx,
    write_xlsx_log,
)

# The benchmark's comment log, written by its own writer, at a size a test can afford: a
# sheet part of over 1 MB still spans several of the extent scan's chunks.
BENCH_LOG_ROWS = 5_000
ACME = {"organisation": "Acme Energy"}


def only_error(result: ReadResult):
    assert not result.records or result.errors
    (error,) = result.errors
    return error


@pytest.fixture
def no_sheet_loading(monkeypatch):
    """Fail the test if a sheet reaches calamine (which would build the grid)."""

    def refuse(_workbook, name):
        raise AssertionError(f"sheet {name!r} was handed to calamine")

    monkeypatch.setattr(sources, "_worksheet", refuse)


def good_log(tmp_path: Path, name: str = "good.xlsx", **sheets) -> Path:
    return write_raw_xlsx(
        tmp_path / name, sheets or {"Comments": sheet_rows_xml(hostile_log_rows())}
    )


# --- 1. not a workbook ---------------------------------------------------------------------


def test_random_bytes_named_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "random.xlsx"
    path.write_bytes(bytes(range(256)) * 40)
    for source in (path, path.read_bytes(), io.BytesIO(path.read_bytes())):
        error = only_error(read_comment_log(source, filename="random.xlsx"))
        assert error.file == "random.xlsx"
        assert "not a valid .xlsx file" in error.message


def test_random_bytes_behind_a_zip_signature(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 40)
    error = only_error(read_comment_log(path))
    assert error.file == "fake.xlsx" and "not a valid .xlsx file" in error.message


def test_a_valid_zip_without_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("holiday.jpg", b"\xff\xd8\xff" + bytes(100))
        archive.writestr("notes.xml", "<notes/>")
    error = only_error(read_comment_log(path))
    assert "a zip archive, but not an Excel workbook" in error.message


def test_a_workbook_with_two_parts_of_one_name(tmp_path: Path) -> None:
    path = good_log(tmp_path)
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    assert "two parts with one name" in only_error(read_comment_log(path)).message


# --- 2. zip bombs --------------------------------------------------------------------------


def test_a_member_declaring_gigabytes_is_refused_before_calamine(
    tmp_path: Path, no_sheet_loading, monkeypatch
) -> None:
    path = good_log(tmp_path, "bomb.xlsx")
    patch_declared_size(path, "xl/worksheets/sheet1.xml", 4_000_000_000)
    assert path.stat().st_size < 10_000

    def no_calamine(*_args, **_kwargs):
        raise AssertionError("the archive reached calamine")

    monkeypatch.setattr(sources, "_open_workbook", no_calamine)
    error = only_error(read_comment_log(path))
    assert error.file == "bomb.xlsx"
    assert "zip bomb" in error.message and "xl/worksheets/sheet1.xml" in error.message


def test_a_highly_compressed_member_is_refused(tmp_path: Path, no_sheet_loading) -> None:
    path = write_padded_xlsx(tmp_path / "padded.xlsx", padding=12 * guards.MB)
    assert path.stat().st_size < 100_000  # about 12 MB of XML in a few dozen KB
    error = only_error(read_comment_log(path))
    assert "zip bomb" in error.message and ":1; the limit is 200:1" in error.message


def test_total_uncompressed_size_is_limited(tmp_path: Path, monkeypatch) -> None:
    path = write_padded_xlsx(tmp_path / "big.xlsx", padding=200_000)
    monkeypatch.setattr(guards, "MAX_UNCOMPRESSED_BYTES", 100_000)
    error = only_error(read_comment_log(path))
    assert "would inflate to" in error.message and "the limit is" in error.message


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        (50_000, "inflates past its declared size"),  # found by the extent scan
        (2_000, "damaged (Bad CRC-32 for file 'xl/worksheets/sheet1.xml')"),  # by the head read
    ],
)
def test_a_member_lying_low_about_its_size_is_refused(
    tmp_path: Path, declared: int, message: str, no_sheet_loading
) -> None:
    """Declared small, inflates to 2 MB: every read stops at the declared size (calamine's
    too, with an error); nothing reads past it."""
    path = write_padded_xlsx(tmp_path / "liar.xlsx", padding=2 * guards.MB)
    patch_declared_size(path, "xl/worksheets/sheet1.xml", declared)
    error = only_error(read_comment_log(path))
    assert error.file == "liar.xlsx" and message in error.message


def test_calamine_itself_refuses_a_member_larger_than_declared(tmp_path: Path) -> None:
    """Why the declared sizes are a sound bound: calamine stops at them too."""
    path = write_padded_xlsx(tmp_path / "liar.xlsx", padding=200_000)
    patch_declared_size(path, "xl/worksheets/sheet1.xml", 2_000)
    workbook = CalamineWorkbook.from_path(str(path))
    with pytest.raises(Exception, match="larger than its declared uncompressed size"):
        workbook.get_sheet_by_name("Comments")


def test_the_benchmark_log_passes_every_check(tmp_path: Path) -> None:
    """A log as `make bench` writes it (as Excel does: shared strings, styled dates, a
    dimension, an instructions sheet), smaller than the bench's 100,000 rows."""
    path = write_bench_log(tmp_path / "bench-log.xlsx", BENCH_LOG_ROWS)
    checked = guards.check_archive(str(path))
    checked.check_sheet("Comment Log")
    info, head = checked.worksheet_parts["xl/worksheets/sheet1.xml"]
    assert info.file_size > guards.MB
    # Five rows above the comments: the title, Organisation, Constituency, a blank, the header.
    extent = guards.sheet_extent(str(path), info, head)
    assert extent == guards.Extent(BENCH_LOG_ROWS + 5, 9)


def test_a_real_sized_log_passes(tmp_path: Path) -> None:
    rows = [
        {"log_comment_id": i, "artefact": "MHHSP-BP004", "comment": f"Comment {i} " * 20}
        for i in range(1, 3001)
    ]
    path = write_xlsx_log(tmp_path / "log.xlsx", rows, key_values={"Organisation": "Acme"})
    result = read_comment_log(path)
    assert result.ok and len(result.records) == 3000


# --- 3. XML entities -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "root"),
    [
        ("xl/worksheets/sheet1.xml", "worksheet"),
        ("xl/sharedStrings.xml", "sst"),
        ("xl/workbook.xml", "workbook"),
        ("[Content_Types].xml", "Types"),
    ],
)
def test_billion_laughs_in_any_part_is_refused(
    tmp_path: Path, part: str, root: str, no_sheet_loading
) -> None:
    path = write_raw_xlsx(
        tmp_path / "laughs.xlsx",
        {"Comments": sheet_rows_xml(hostile_log_rows())},
        shared_strings=["unused"],
        doctypes={part: billion_laughs(root)},
    )
    error = only_error(read_comment_log(path))
    assert error.file == "laughs.xlsx" and part in error.message
    assert "DOCTYPE" in error.message


def test_a_doctype_after_a_long_comment_is_still_found(tmp_path: Path) -> None:
    padding = "<!--" + "x" * 2_000 + "-->"
    path = write_raw_xlsx(
        tmp_path / "hidden.xlsx",
        {"Comments": sheet_rows_xml(hostile_log_rows())},
        doctypes={"xl/worksheets/sheet1.xml": padding + billion_laughs("worksheet")},
    )
    assert "DOCTYPE" in only_error(read_comment_log(path)).message


def test_a_prolog_longer_than_the_limit_is_refused(tmp_path: Path) -> None:
    padding = "<!--" + "x" * guards.XML_PROLOG_BYTES + "-->"
    path = write_raw_xlsx(
        tmp_path / "long.xlsx",
        {"Comments": sheet_rows_xml(hostile_log_rows())},
        doctypes={"xl/worksheets/sheet1.xml": padding},
    )
    assert "does not start like XML" in only_error(read_comment_log(path)).message


def test_calamine_does_not_expand_internal_entities(tmp_path: Path) -> None:
    """What calamine (quick-xml) does with a DOCTYPE: it skips the declarations and then
    refuses a reference to one, so it neither expands nor fetches entities. The reader
    refuses such files before calamine sees them anyway."""
    rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row>'
    path = write_raw_xlsx(
        tmp_path / "entities.xlsx",
        {"Comments": rows},
        doctypes={"xl/worksheets/sheet1.xml": billion_laughs("worksheet")},
    )
    workbook = CalamineWorkbook.from_path(str(path))
    with pytest.raises(Exception, match="unrecognized entity"):
        workbook.get_sheet_by_name("Comments")


def test_xml_parts_must_be_utf8(tmp_path: Path) -> None:
    sheet = '<worksheet xmlns="x"><sheetData/></worksheet>'
    utf16 = write_raw_xlsx(
        tmp_path / "utf16.xlsx",
        {"Comments": ""},
        extra_parts={"xl/worksheets/sheet1.xml": sheet.encode("utf-16")},
    )
    assert "is not UTF-8 XML" in only_error(read_comment_log(utf16)).message
    latin = write_raw_xlsx(
        tmp_path / "latin.xlsx",
        {"Comments": ""},
        extra_parts={
            "xl/worksheets/sheet1.xml": b'<?xml version="1.0" encoding="ISO-8859-1"?>'
            + sheet.encode()
        },
    )
    assert "is in ISO-8859-1, not UTF-8" in only_error(read_comment_log(latin)).message


# --- the grid calamine builds: stray cells far away ----------------------------------------

FAR = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'


@pytest.mark.parametrize(
    ("dimension", "far"),
    [
        ("A1:C3", FAR),  # a lying dimension
        (None, FAR),  # none at all
        ("A1:XFD1048576", FAR),  # the truth
        ("A1:C3", '<row r="3"><c r="A3" r="XFD1048576"><v>1</v></c></row>'),  # calamine takes
        ("A1:C3", '<row r="9999999"><c><v>1</v></c></row>'),  # no reference on the cell
        ("A1:C3", '<x:row r="3" xmlns:x="y"><x:c r="ZZZ3"><x:v>1</x:v></x:c></x:row>'),
        ("A1:C3", '<row r="3"><c r="zzz3000000"><v>1</v></c></row>'),  # lower case
        ("A1:C3", "<row r='3'><c r = 'XFD3000000'><v>1</v></c></row>"),  # quotes and spaces
    ],
)
def test_a_stray_cell_far_away_is_refused_before_calamine_builds_the_grid(
    tmp_path: Path, dimension: str | None, far: str, no_sheet_loading
) -> None:
    """One cell at XFD1048576 makes calamine allocate 1,048,576 x 16,384 cells (550 GB) and
    abort the process, in a file of 2 KB."""
    path = write_raw_xlsx(
        tmp_path / "far.xlsx",
        {"Comments": sheet_rows_xml(hostile_log_rows()) + far},
        dimensions={"Comments": dimension} if dimension else None,
    )
    assert path.stat().st_size < 3_000
    error = only_error(read_comment_log(path))
    assert error.file == "far.xlsx" and error.sheet == "Comments"
    assert "the limit is" in error.message


def test_the_refusal_says_where_the_stray_cell_is(tmp_path: Path) -> None:
    rows = sheet_rows_xml(hostile_log_rows()) + '<row r="400000"><c r="M400000"><v>1</v></c></row>'
    path = write_raw_xlsx(tmp_path / "far.xlsx", {"Comments": rows})
    error = only_error(read_comment_log(path))
    assert error.message.startswith("the sheet spans 400,000 rows by 13 columns (to cell M400000)")
    assert "the limit is 5,000,000 cells" in str(error) and "far.xlsx, sheet 'Comments'" in str(
        error
    )


def test_a_hidden_sheet_with_stray_cells_does_not_stop_the_log(tmp_path: Path) -> None:
    path = write_raw_xlsx(
        tmp_path / "solver.xlsx",
        {"Comments": sheet_rows_xml(hostile_log_rows()), "Solver": FAR},
        extra_parts={},
    )
    # Hide the second sheet, as Excel's Solver add-in does with its model.
    data = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    workbook = parts["xl/workbook.xml"].replace(b'sheetId="2"', b'sheetId="2" state="hidden"')
    parts["xl/workbook.xml"] = workbook
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    assert data != path.read_bytes()
    result = read_comment_log(path, defaults=ACME)
    assert result.ok and len(result.records) == 2
    assert [s.skipped for s in result.sheets] == [None, "hidden sheet"]


def test_a_wide_table_is_read_with_its_unused_columns_reported(tmp_path: Path) -> None:
    """Decision for 200 columns: read, if a header row is recognised; the unknown columns are
    listed as not used. Only a sheet wider than MAX_COLUMNS (1,000) is refused."""
    header = list(hostile_log_rows()[0]) + [f"Extra {i}" for i in range(197)]
    rows = [header] + [[i, "MHHSP-BP004", f"Comment {i}"] + ["x"] * 197 for i in (1, 2)]
    result = read_comment_log(
        write_raw_xlsx(tmp_path / "wide.xlsx", {"Comments": sheet_rows_xml(rows)}), defaults=ACME
    )
    assert result.ok and len(result.records) == 2
    (sheet,) = result.sheets
    assert len(sheet.unmapped) == 197 and sheet.unmapped[0] == "Extra 0"
    wide_csv = tmp_path / "wide.csv"
    wide_csv.write_text("\n".join(",".join(str(v) for v in row) for row in rows), encoding="utf-8")
    result = read_comment_log(wide_csv, defaults=ACME)
    assert result.ok and len(result.records) == 2 and len(result.sheets[0].unmapped) == 197


def test_a_sheet_wider_than_the_limit_is_refused(tmp_path: Path, no_sheet_loading) -> None:
    rows = sheet_rows_xml(hostile_log_rows()) + '<row r="4"><c r="ALN4"><v>1</v></c></row>'
    error = only_error(read_comment_log(write_raw_xlsx(tmp_path / "w.xlsx", {"Comments": rows})))
    assert error.sheet == "Comments"
    assert "cells out to column ALN (1,002 columns); the limit is 1,000 columns" in error.message


def test_a_csv_row_wider_than_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("Comment,Artefact\nfine,BP004\n" + "x," * 1_200 + "\n", encoding="utf-8")
    error = only_error(read_comment_log(path))
    assert (error.file, error.sheet, error.row) == ("wide.csv", None, 3)
    assert "the row has 1,201 cells; the limit is 1,000 columns" in error.message


# --- 4. file size --------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:  # sparse: no 50 MB are written
        handle.truncate(guards.MAX_FILE_BYTES + 1)
    error = only_error(read_comment_log(path))
    assert error.file == "huge.csv"
    assert error.message == "the file is too large: 50.0 MB; the limit is 50.0 MB"


def test_a_stream_over_the_size_limit_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(guards, "MAX_FILE_BYTES", 1_000)
    error = only_error(read_comment_log(io.BytesIO(b"Comment\n" * 200), filename="big.csv"))
    assert "too large" in error.message


# --- 5. a cell of a megabyte ---------------------------------------------------------------


def test_a_megabyte_cell_in_xlsx_is_refused_with_its_place(tmp_path: Path) -> None:
    rows = hostile_log_rows(3)
    rows[2][2] = "A" * 1_000_000
    path = write_raw_xlsx(tmp_path / "long.xlsx", {"Comments": sheet_rows_xml(rows)})
    error = only_error(read_comment_log(path))
    assert (error.file, error.sheet, error.row, error.column_index) == (
        "long.xlsx",
        "Comments",
        3,
        2,
    )
    assert (
        error.message == "the cell is 1,000,000 characters long; the limit is 32,767 (Excel's own)"
    )
    assert str(error).startswith("long.xlsx, sheet 'Comments', row 3, column (C): the cell is")


def test_a_megabyte_cell_in_a_shared_string_is_refused(tmp_path: Path) -> None:
    rows = sheet_rows_xml(hostile_log_rows()) + '<row r="4"><c r="C4" t="s"><v>0</v></c></row>'
    path = write_raw_xlsx(tmp_path / "sst.xlsx", {"Comments": rows}, shared_strings=["B" * 40_000])
    error = only_error(read_comment_log(path))
    assert (error.row, error.column_index) == (4, 2) and "40,000 characters" in error.message


def test_a_megabyte_cell_in_csv_is_refused_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text(f'Comment,Artefact\n"{"A" * 1_000_000}",BP004\nshort,BP004\n', encoding="utf-8")
    error = only_error(read_comment_log(path))
    assert (error.file, error.sheet, error.row, error.column_index) == ("long.csv", None, 2, 0)
    assert "1,000,000 characters long; the limit is 32,767" in error.message


def test_a_cell_of_exactly_excels_limit_is_read(tmp_path: Path) -> None:
    text = "C" * guards.MAX_CELL_CHARS
    path = write_csv_log(tmp_path / "max.csv", [{"artefact": "BP004", "comment": text}])
    result = read_comment_log(path, defaults=ACME)
    assert result.ok and result.records[0].comment == text


# --- 6. encodings --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        "Comment,Artefact\nGood point,BP004\n".encode("utf-16-le"),  # no byte order mark
        "Comment,Artefact\nGood point,BP004\n".encode("utf-16"),  # with one
        b"Comment,Artefact\n" + b"\x81\x8d\x8f\x90\x9d,BP004\n",  # neither encoding
        b"Comment,Artefact\nGood\x00point,BP004\n",  # a NUL in text
    ],
)
def test_a_csv_in_an_unknown_encoding(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(content)
    error = only_error(read_comment_log(path))
    assert error.file == "odd.csv" and error.message.startswith("unknown encoding")
    assert "CSV UTF-8" in error.message


# --- 8. nothing in it ----------------------------------------------------------------------


def test_empty_files(tmp_path: Path) -> None:
    for name in ("empty.csv", "empty.xlsx"):
        (tmp_path / name).write_bytes(b"")
        error = only_error(read_comment_log(tmp_path / name))
        assert (error.file, error.message) == (name, "the file is empty")


def test_a_workbook_whose_sheets_are_all_empty(tmp_path: Path) -> None:
    path = write_raw_xlsx(tmp_path / "blank.xlsx", {"Sheet1": "", "Sheet2": "<row r='1'/>"})
    result = read_comment_log(path)
    error = only_error(result)
    assert error.file == "blank.xlsx" and "no comment table found" in error.message
    assert [s.skipped for s in result.sheets] == ["empty sheet", "empty sheet"]


def test_a_csv_of_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("\n\n,,,\n", encoding="utf-8")
    assert "no comment table found" in only_error(read_comment_log(path)).message


# --- 9. formula-like text is text ----------------------------------------------------------

FORMULAS = ["=1+1", "=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)", '=HYPERLINK("http://x","y")']


def test_formula_like_text_is_read_as_text_from_xlsx_and_csv(tmp_path: Path) -> None:
    rows = [list(hostile_log_rows(0)[0])] + [
        [i, "MHHSP-BP004", text] for i, text in enumerate(FORMULAS, start=1)
    ]
    xlsx = write_raw_xlsx(tmp_path / "f.xlsx", {"Comments": sheet_rows_xml(rows)})
    csv_rows = [{"artefact": "BP004", "comment": text} for text in FORMULAS]
    csv_path = write_csv_log(tmp_path / "f.csv", csv_rows)
    for path in (xlsx, csv_path):
        result = read_comment_log(path, defaults=ACME)
        assert result.ok
        assert [r.comment for r in result.records] == FORMULAS


# --- the guard's own pieces ----------------------------------------------------------------


def test_openpyxl_files_take_the_fast_path(tmp_path: Path, monkeypatch) -> None:
    rows = [{"log_comment_id": i, "artefact": "BP004", "comment": "c"} for i in range(1, 50)]
    path = write_xlsx_log(tmp_path / "log.xlsx", rows)

    def no_exact_scan(*_args):
        raise AssertionError("the exact scan ran")

    monkeypatch.setattr(guards, "_exact_extent", no_exact_scan)
    checked = guards.check_archive(str(path))
    extents = [
        guards.sheet_extent(str(path), info, head)
        for info, head in checked.worksheet_parts.values()
    ]
    assert guards.Extent(rows=53, columns=7) in extents  # 4 rows above the table, 49 below


def test_openpyxl_write_only_logs_take_the_bulk_scan(tmp_path: Path, monkeypatch) -> None:
    """openpyxl's write-only mode writes no <dimension> (nor shared strings): its sheets are
    scanned exactly, every chunk read in bulk, none tag by tag."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Comments")
    sheet.append(["Organisation:", "Acme Energy"])
    sheet.append([*HOSTILE_HEADER, "Page"])
    for number in range(1, 400):
        sheet.append([number, "MHHSP-BP004", f"Comment {number}: see <this> & that", number])
    path = tmp_path / "write-only.xlsx"
    book.save(path)
    careful = []
    monkeypatch.setattr(guards._ExtentScan, "careful", lambda _scan, chunk: careful.append(chunk))
    monkeypatch.setattr(guards, "_SCAN_CHUNK", 4096)  # several chunks
    checked = guards.check_archive(str(path))
    ((info, head),) = checked.worksheet_parts.values()
    assert b"<dimension" not in head
    assert guards.sheet_extent(str(path), info, head) == guards.Extent(401, 4)
    assert careful == []


# After the three rows (A..C) of hostile_log_rows(): the extent counted by hand, as the bulk
# scan finds it, and as the careful scan alone finds it (never smaller: it also counts row
# tags without r).
EXACT_SCAN_CASES = {
    "cells out of order": (
        '<row r="9"><c r="B9"/><c r="E40"/></row><row r="5"><c r="AB5"/></row>',
        (40, 28),
        (40, 28),
    ),
    "a cell below its row": ('<row r="4"><c r="A4"/><c r="C700"/></row>', (700, 3), (700, 3)),
    "a wider row later": ('<row r="4"><c r="H4"/></row>', (4, 8), (4, 8)),
    # Placed after the cell before them: 3 + the most cells in a row (3).
    "cells without r": ('<row r="4"><c r="A4"/><c/><c/></row>', (4, 6), (4, 6)),
    "prefixed tags": ('<x:row r="4" xmlns:x="y"><x:c r="K4"/></x:row>', (4, 11), (4, 11)),
    "a second r": ('<row r="4"><c r="A4" t="n" r="Z4"/></row>', (4, 26), (4, 26)),
    "leading zeros": ('<row r="4"><c r="B0012"/></row>', (12, 3), (12, 3)),
    "a row without r": ('<row><c r="D4"/></row>', (4, 4), (5, 4)),
    "a colon before c in text": (
        '<row r="4"><c r="A4" t="inlineStr"><is><t>see:c row</t></is></c></row>',
        (4, 3),
        (4, 3),
    ),
}


@pytest.mark.parametrize("chunk", [7, 64, 256 * 1024])
@pytest.mark.parametrize("case", list(EXACT_SCAN_CASES))
def test_the_bulk_scan_finds_what_the_careful_scan_finds(
    tmp_path: Path, monkeypatch, chunk: int, case: str
) -> None:
    """Non-canonical tags send their chunk to the careful scan; canonical ones out of order
    or outside the rows seen so far are still counted (small chunks: every tag of the case
    in a chunk of its own, after chunks that set a claim)."""
    rows, bulk, careful = EXACT_SCAN_CASES[case]
    monkeypatch.setattr(guards, "_SCAN_CHUNK", chunk)
    path = write_raw_xlsx(
        tmp_path / "case.xlsx", {"Comments": sheet_rows_xml(hostile_log_rows()) + rows}
    )
    info = guards.check_archive(str(path)).worksheet_parts["xl/worksheets/sheet1.xml"][0]
    assert guards._exact_extent(str(path), info) == guards.Extent(*bulk)
    assert guards._exact_extent(str(path), info, bulk=False) == guards.Extent(*careful)


def test_every_sheet_is_judged_when_the_workbook_cannot_place_them(tmp_path: Path) -> None:
    path = write_raw_xlsx(
        tmp_path / "odd.xlsx", {"Comments": sheet_rows_xml(hostile_log_rows()) + FAR}
    )
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"worksheets/sheet1.xml", b"worksheets/../worksheets/./sheet1.xml"
    )
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    checked = guards.check_archive(str(path))
    with pytest.raises(guards.SourceError, match="the limit is"):
        checked.check_sheet("Some other name")


def test_parts_no_spreadsheet_reader_parses_are_left_alone(tmp_path: Path) -> None:
    """SharePoint adds customXml parts, some in UTF-16: a log from a portal still reads."""
    utf16 = '<?xml version="1.0" encoding="utf-16"?><p:properties xmlns:p="x"/>'.encode("utf-16")
    path = write_raw_xlsx(
        tmp_path / "portal.xlsx",
        {"Comments": sheet_rows_xml(hostile_log_rows())},
        extra_parts={"customXml/item1.xml": utf16, "docProps/custom.xml": b"<Properties/>"},
    )
    result = read_comment_log(path, defaults=ACME)
    assert result.ok and len(result.records) == 2


def test_excel_markup_takes_the_fast_path(tmp_path: Path, monkeypatch) -> None:
    """Column widths, row attributes and cell metadata as Excel 365 writes them."""
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:x14ac="x" xmlns:xr="y"><dimension ref="A1:D3"/><cols><col min="1" max="3" '
        'width="20" customWidth="1"/></cols><sheetData>'
        '<row r="1" spans="1:3" x14ac:dyDescent="0.25"><c r="A1" t="inlineStr"><is><t>'
        'Comment No.</t></is></c><c r="B1" t="inlineStr"><is><t>Design Artefact</t></is>'
        '</c><c r="C1" s="2" t="inlineStr"><is><t>Reviewer Comment</t></is></c></row>'
        '<row r="2" spans="1:3"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr" cm="1" '
        'xr:uid="{1}"><is><t>BP004</t></is></c><c r="C2" t="inlineStr"><is><t>Fine</t></is>'
        '</c><c r="D2" s="3"/></row><row r="3" ht="30" customHeight="1"/></sheetData>'
        '<conditionalFormatting sqref="A1"><cfRule type="x" priority="1"/>'
        "</conditionalFormatting></worksheet>"
    )
    path = write_raw_xlsx(
        tmp_path / "excel.xlsx", {"Comments": ""}, extra_parts={"xl/worksheets/sheet1.xml": sheet}
    )

    def no_exact_scan(*_args):
        raise AssertionError("the exact scan ran")

    monkeypatch.setattr(guards, "_exact_extent", no_exact_scan)
    result = read_comment_log(path, defaults=ACME)
    assert result.ok and [r.comment for r in result.records] == ["Fine"]


def test_a_long_text_node_is_scanned_in_linear_time(tmp_path: Path, no_sheet_loading) -> None:
    """Text without a '<' for megabytes (an honest ratio, under every size limit) is not
    carried from piece to piece; the long cell is then refused by its length."""
    text = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" * (guards.MB // 8)  # 3.4 MB
    rows = sheet_rows_xml(hostile_log_rows()) + f'<row r="4"><c r="C4" t="str"><v>{text}</v></c>'
    path = write_raw_xlsx(tmp_path / "text.xlsx", {"Comments": rows + "</row>"})
    checked = guards.check_archive(str(path))
    info, head = checked.worksheet_parts["xl/worksheets/sheet1.xml"]
    chunks = list(guards._chunks(str(path), info))
    assert max(map(len, chunks)) < 2 * guards._SCAN_CHUNK
    assert guards.sheet_extent(str(path), info, head) == guards.Extent(4, 3)


def test_a_tag_longer_than_a_megabyte_is_refused(tmp_path: Path, no_sheet_loading) -> None:
    rows = sheet_rows_xml(hostile_log_rows()) + f'<row r="4" x="{"y" * 2 * guards.MB}"/>'
    path = write_raw_xlsx(tmp_path / "tag.xlsx", {"Comments": rows})
    error = only_error(read_comment_log(path))
    assert error.sheet == "Comments" and "has a tag longer than 1,048,576 bytes" in error.message


def test_a_sheet_stored_under_an_odd_name_is_still_scanned(
    tmp_path: Path, no_sheet_loading
) -> None:
    """calamine loads a worksheet from whatever name under xl/worksheets/ the workbook's
    relationships give, .xml or not."""
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{FAR}</sheetData></worksheet>"
    )
    path = write_raw_xlsx(
        tmp_path / "odd.xlsx", {"Comments": ""}, extra_parts={"xl/worksheets/data.bin": sheet}
    )
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b'Target="worksheets/sheet1.xml"', b'Target="/xl/worksheets/data.bin"'
    )
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    error = only_error(read_comment_log(path))
    assert error.sheet == "Comments" and "the limit is" in error.message


def test_a_lt_sign_inside_a_cell_tag_is_refused(tmp_path: Path, no_sheet_loading) -> None:
    """calamine (quick-xml) takes '<' and '>' inside attribute values; such a tag could hide
    its reference from a scan that cuts the XML at tags, so the exact scan refuses it."""
    for name, cell in {
        "lt.xlsx": '<c s="1" x="a<b" r="XFD1048576"><v>1</v></c>',
        "gt.xlsx": '<c s=">" r="XFD1048576"><v>1</v></c>',
    }.items():
        rows = sheet_rows_xml(hostile_log_rows()) + f'<row r="4">{cell}</row>'
        error = only_error(read_comment_log(write_raw_xlsx(tmp_path / name, {"Comments": rows})))
        assert error.sheet == "Comments", name
        assert "malformed cell or row tag" in error.message or "the limit is" in error.message


@pytest.mark.parametrize("chunk", [7, 64, 1000])
def test_tags_split_between_pieces_are_scanned_whole(
    tmp_path: Path, chunk: int, monkeypatch, no_sheet_loading
) -> None:
    """The scan reads the XML in pieces; with tiny pieces every tag is split somewhere."""
    monkeypatch.setattr(guards, "_SCAN_CHUNK", chunk)
    good = write_raw_xlsx(
        tmp_path / "good.xlsx", {"Comments": sheet_rows_xml(hostile_log_rows(30))}
    )
    checked = guards.check_archive(str(good))
    info, head = checked.worksheet_parts["xl/worksheets/sheet1.xml"]
    assert guards._exact_extent(str(good), info) == guards.Extent(31, 3)
    assert guards.sheet_extent(str(good), info, head) == guards.Extent(31, 3)
    for far in (FAR, '<row r="40"><c s=">" t="n" r="XFD40"><v>1</v></c></row>'):
        path = write_raw_xlsx(
            tmp_path / "far.xlsx",
            {"Comments": sheet_rows_xml(hostile_log_rows(30)) + far},
            dimensions={"Comments": "A1:C31"},
        )
        assert "the limit is" in only_error(read_comment_log(path)).message


def test_a_damaged_sheet_is_named_in_the_problem(tmp_path: Path) -> None:
    rows = sheet_rows_xml(hostile_log_rows()) + '<row r="4"><c r="A4"><x>1</x></c></row>'
    error = only_error(read_comment_log(write_raw_xlsx(tmp_path / "bad.xlsx", {"Comments": rows})))
    assert (error.file, error.sheet) == ("bad.xlsx", "Comments")
    assert error.message.startswith("the sheet can't be read, it may be damaged (")


def test_a_corrupt_compressed_part_is_damaged_not_a_crash(tmp_path: Path) -> None:
    path = write_raw_xlsx(
        tmp_path / "corrupt.xlsx", {"Comments": sheet_rows_xml(hostile_log_rows(50))}
    )
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start : start + 16] = b"\xff" * 16  # an invalid deflate block header
    path.write_bytes(bytes(data))
    error = only_error(read_comment_log(path))
    assert error.message.startswith("not a valid .xlsx file: the workbook is damaged (")

"""read_artefact_register on the Design Artefact Tracker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from importers import ArtefactRecord, read_artefact_register
from tests.logmaker import write_register_xlsx

TRACKER: list[dict[str, Any]] = [
    {
        "tranche": "Tranche 1",
        "service": "Registration Service",
        "document_type": "Business Process Diagram",
        "reference": "MHHSP-BP004",
        "title": "Data Collection",
        "status": "Approved",
        "action_with": "DAG",
        "version": "1.0",
    },
    {
        "tranche": "Tranche 1",
        "service": "Registration Service",
        "document_type": "Business Process Diagram",
        "reference": "BP-005",
        "title": "Data Processing",
        "status": "In review",
        "version": "1",
    },
    {
        "tranche": "Tranche 1",
        "service": "Load Shaping Service",
        "document_type": "Interface Specification",
        "reference": "IF-05",
        "title": "Market Messages",
        "version": 2,  # a number cell: xlsx can't tell 2 from 2.0
    },
    {
        "tranche": "TBC",
        "service": "Load Shaping Service",
        "reference": "BRS007",
        "title": "Requirements",
    },
]


def test_grouped_register_fills_down(tmp_path: Path) -> None:
    path = write_register_xlsx(tmp_path / "tracker.xlsx", TRACKER)
    result = read_artefact_register(path)
    assert result.ok, [str(p) for p in result.problems]
    (sheet,) = result.sheets
    assert sheet.header_row == 4 and sheet.records == 4
    assert sheet.mapping["title"] == "Name / Description"
    assert all(isinstance(r, ArtefactRecord) for r in result.records)
    assert [(r.reference, r.tranche, r.service) for r in result.records] == [
        ("BP004", "1", "Registration Service"),
        ("BP005", "1", "Registration Service"),
        ("IF005", "1", "Load Shaping Service"),
        ("BRS007", "TBC", "Load Shaping Service"),
    ]
    assert [r.document_type for r in result.records] == [
        "Business Process Diagram",
        "Business Process Diagram",
        "Interface Specification",
        "Business Requirements",  # blank in the tracker: from the prefix
    ]
    first = result.records[0]
    assert (first.title, first.status, first.action_with) == ("Data Collection", "Approved", "DAG")
    assert [r.version for r in result.records] == ["1.0", "1", "2.0", None]
    assert (first.sheet, first.row) == ("Design Artefact Tracker", 5)


def test_reference_cell_with_the_title_and_no_name_column(tmp_path: Path) -> None:
    headers = {"tranche": "Tranche", "reference": "Reference", "status": "Status"}
    artefacts = [
        {"tranche": 1, "reference": "BP004- Data Collection", "status": "Approved"},
        {"tranche": 1.0, "reference": "METH005 – Migration approach"},
    ]
    path = write_register_xlsx(tmp_path / "t.xlsx", artefacts, headers=headers, title_rows=())
    result = read_artefact_register(path)
    assert result.ok, [str(p) for p in result.problems]
    assert [(r.reference, r.title, r.tranche) for r in result.records] == [
        ("BP004", "Data Collection", "1"),
        ("METH005", "Migration approach", "1"),
    ]
    assert result.records[1].document_type == "Method Statement"


def test_group_heading_rows_set_the_carried_values(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["Design Artefact Tracker"])
    ws.append(["Tranche", "MHHS Service", "Reference", "Title"])
    ws.append([1, "Registration Service"])
    ws.append([None, None, "BP004", "Data Collection"])
    ws.append([None, "Metering Service"])
    ws.append([None, None, "BP010", "Meter reads"])
    wb.save(tmp_path / "groups.xlsx")
    result = read_artefact_register(tmp_path / "groups.xlsx")
    assert result.ok
    assert [(r.reference, r.tranche, r.service) for r in result.records] == [
        ("BP004", "1", "Registration Service"),
        ("BP010", "1", "Metering Service"),
    ]


@pytest.mark.parametrize(
    ("change", "message", "column"),
    [
        ({"reference": "Data Collection"}, "no artefact reference", "Reference"),
        ({"reference": "BP004"}, "duplicate artefact BP004 (first at sheet", "Reference"),
        ({"tranche": "Tranche 7"}, "unknown tranche", "Tranche"),
    ],
)
def test_register_errors(tmp_path: Path, change: dict[str, Any], message: str, column: str) -> None:
    artefacts = [dict(a) for a in TRACKER]
    artefacts[1].update(change)
    result = read_artefact_register(write_register_xlsx(tmp_path / "bad.xlsx", artefacts))
    assert not result.ok
    error = result.errors[0]
    assert message in str(error)
    assert (error.file, error.sheet, error.row, error.column) == (
        "bad.xlsx",
        "Design Artefact Tracker",
        6,
        column,
    )


def test_register_bad_file(tmp_path: Path) -> None:
    result = read_artefact_register(b"not a zip", filename="tracker.xlsx")
    (error,) = result.errors
    assert "not a valid .xlsx file" in str(error)
    wb = Workbook()
    wb.active.append(["Nothing", "here"])
    wb.save(tmp_path / "empty.xlsx")
    (error,) = read_artefact_register(tmp_path / "empty.xlsx").errors
    assert "no artefact table found" in error.message


def test_register_from_csv() -> None:
    content = "Tranche,Reference,Name\n1,BP004,Data Collection\n,IF-031,Messages\n"
    result = read_artefact_register(content.encode(), filename="tracker.csv")
    assert result.ok and result.encoding == "utf-8"
    assert [(r.reference, r.tranche) for r in result.records] == [("BP004", "1"), ("IF031", "1")]

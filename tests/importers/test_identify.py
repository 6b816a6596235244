"""Telling an artefact register from a comment log, by the columns only one of them has."""

from __future__ import annotations

import pytest

from importers import (
    ARTEFACT_REGISTER,
    COMMENT_LOG,
    identify,
    is_register_header,
    read_comment_log,
)
from tests.logmaker import REGISTER_HEADERS, write_csv_log, write_register_xlsx, write_xlsx_log

ARTEFACTS = [
    {"tranche": "1", "service": "Registration Service", "reference": "MHHSP-BP006",
     "title": "New Connection", "status": "Under Review", "version": "1.0"},
    {"tranche": "1", "service": "Registration Service", "reference": "IF-007",
     "title": "Change of Energisation Status Outcome", "status": "Under Review"},
]  # fmt: skip
ROWS = [
    {"log_comment_id": "1", "artefact": "MHHSP-BP004", "comment": "The trigger is unclear."},
    {"log_comment_id": "2", "artefact": "BP-005", "comment": "Add an exception path."},
]


@pytest.mark.parametrize(
    ("headers", "register"),
    [
        # The Design Artefact Tracker as the programme keeps it.
        (["Tranche", "MHHS Service", "Reference", "Name / Description", "Status"], True),
        # ... with a "Comments" column of its own: still a register.
        (["Reference", "Name / Description", "Document Type", "Version", "Comments"], True),
        # Comment logs, however many register-like columns they share.
        (["Comment No.", "Design Artefact", "Section / Page", "Reviewer Comment"], False),
        (["Ref", "Artefact", "Comment", "Name", "Status", "Tranche"], False),
        (["Reference", "Title", "Comment", "Proposed change", "Response"], False),
        # A reference and a title alone say too little.
        (["Reference", "Title"], False),
    ],
)
def test_register_headers(headers, register):
    assert is_register_header(headers) is register


def test_a_register_workbook_is_a_register(tmp_path):
    path = write_register_xlsx(tmp_path / "Design Artefact Tracker.xlsx", ARTEFACTS)
    assert identify(path) == ARTEFACT_REGISTER


def test_a_register_with_a_comments_column_is_a_register(tmp_path):
    headers = {**REGISTER_HEADERS, "comment": "Comments"}
    rows = [{**artefact, "comment": "Re-issued after DAG #8"} for artefact in ARTEFACTS]
    path = write_register_xlsx(tmp_path / "tracker.xlsx", rows, headers=headers)
    # The comment log reader finds a table in it (a "Comments" column): the columns decide.
    assert read_comment_log(path).sheets[0].header_row is not None
    assert identify(path) == ARTEFACT_REGISTER


def test_comment_logs_are_comment_logs(tmp_path):
    xlsx = write_xlsx_log(tmp_path / "log.xlsx", ROWS, key_values={"Organisation": "Acme"})
    csv = write_csv_log(tmp_path / "log.csv", ROWS)
    assert identify(xlsx) == COMMENT_LOG
    assert identify(csv) == COMMENT_LOG
    # Told from a reading already made, without reading the file again.
    assert identify(b"not read", comment_read=read_comment_log(xlsx)) == COMMENT_LOG


def test_a_file_that_is_neither_is_none(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("Date,Note\n2024-05-01,Called Acme\n", encoding="utf-8")
    assert identify(path) is None

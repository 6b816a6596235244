"""A read result kept as JSON reads back as it was read, or not at all."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from importers import read_artefact_register, read_comment_log
from importers.serialise import read_result_from_json, read_result_to_json
from tests.logmaker import write_register_xlsx, write_xlsx_log


def test_a_messy_log_reads_back_as_it_was_read(tmp_path: Path) -> None:
    rows = [
        {
            "log_comment_id": str(i),
            "artefact": "MHHSP-BP004",
            "comment": f"Costs of £{i}k – see “Exceptions”\nsecond line",
            "comment_type": "Gripe" if i == 2 else "Editorial",
            "disposition": "Accepted" if i == 1 else "",
            "raised_on": date(2022, 3, 28),
        }
        for i in range(1, 4)
    ]
    path = write_xlsx_log(
        tmp_path / "acme.xlsx",
        rows,
        key_values={"Organisation": "Acme Energy", "Constituency": "Supplier - Large"},
        serial_dates=True,
    )
    read = read_comment_log(path)
    assert len(read.records) == 3 and read.warnings  # the unknown comment type
    sheets = {sheet.name: sheet for sheet in read.sheets}
    assert sheets["Comments"].context and sheets["Read Me"].skipped

    text = read_result_to_json(read, sha256="ab12", overrides={"section": None})
    again, extra = read_result_from_json(text)
    assert again == read
    assert again.records[0].raised_on == date(2022, 3, 28)
    assert extra == {"sha256": "ab12", "overrides": {"section": None}}


def test_an_artefact_register_reads_back_too(tmp_path: Path) -> None:
    artefacts = [
        {"tranche": "1", "service": "Registration Service", "reference": "MHHSP-BP004"},
        {"reference": "BP-005", "title": "Data Validation", "version": 1.0},
    ]
    read = read_artefact_register(write_register_xlsx(tmp_path / "register.xlsx", artefacts))
    assert len(read.records) == 2 and read.ok
    assert read_result_from_json(read_result_to_json(read))[0] == read


@pytest.mark.parametrize(
    "change", [lambda data: data.update(format=0), lambda data: data.pop("format")]
)
def test_a_text_of_another_format_is_refused(tmp_path: Path, change) -> None:
    read = read_comment_log(b"Comment,Artefact\nToo vague,BP004\n", filename="a.csv")
    data = json.loads(read_result_to_json(read))
    change(data)
    with pytest.raises(ValueError):
        read_result_from_json(json.dumps(data))

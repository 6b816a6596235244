"""The DAG #8 pack's Tranche 1 tables, reproduced from logs written in several formats."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewtracker.demo import dag8_tranche1_comments, write_register
from reviewtracker.services import ServiceError
from reviewtracker.services.artefact_import import import_artefact_register
from reviewtracker.services.comment_import import ImportOptions, import_comment_log
from reviewtracker.services.rollups import comment_status, constituency_table, tranche_rollup
from reviewtracker.services.scope import Scope
from reviewtracker.unit_of_work import unit_of_work
from tests.logmaker import write_csv_log, write_per_artefact_workbook, write_xlsx_log

STAFF = Scope.staff()

pytestmark = pytest.mark.usefixtures("app_context")

# The pack's table, as printed: reference, accepted, action, rejected, clarification, total.
DAG8_STATUS = [
    ("BP004", 36, 13, 4, 1, 54),
    ("BP005", 25, 16, 4, 0, 45),
    ("BP006", 16, 16, 2, 2, 36),
    ("BP007", 17, 7, 1, 5, 30),
    ("BP008", 30, 7, 7, 2, 46),
    ("BP009", 26, 10, 5, 4, 45),
    ("BP010", 13, 11, 3, 3, 30),
    ("BP018", 16, 6, 3, 0, 25),
    ("BRS007", 22, 9, 2, 1, 34),
    ("METH005", 43, 11, 2, 8, 64),
    ("IF005", 31, 18, 4, 2, 55),
    ("IF006", 21, 12, 1, 0, 34),
    ("IF007", 13, 1, 3, 1, 18),
    ("IF008", 11, 1, 0, 0, 12),
    ("IF009", 6, 1, 0, 0, 7),
    ("IF018", 16, 6, 0, 1, 23),
    ("IF021", 20, 2, 1, 0, 23),
    ("IF022", 15, 5, 0, 0, 20),
    ("IF023", 20, 9, 2, 0, 31),
    ("IF026", 10, 6, 0, 0, 16),
    ("IF024", 8, 9, 0, 0, 17),
    ("IF025", 22, 7, 0, 0, 29),
    ("IF041", 9, 4, 0, 0, 13),
]
DAG8_CONSTITUENCIES = [
    ("Other- IT Service Provider", 3, 310),
    ("Supplier Agent- Independent", 6, 229),
    ("Central Systems Provider- Elexon", 1, 114),
    ("Supplier- Large", 2, 28),
    ("Distributor- IDNO", 1, 13),
    ("Distributor- DNO", 1, 7),
    ("Other- Code Body", 1, 6),
    ("Central Systems Provider- Smart DCC", 0, 0),
    ("National Grid ESO", 0, 0),
    ("Supplier Agent", 0, 0),
    ("Supplier- Small", 0, 0),
    ("Supplier- Medium", 0, 0),
    ("Supplier- I&C", 0, 0),
]
# How differently the logs spell the same dispositions.
SPELLINGS = [
    {"accepted": "Accepted", "action": "Action", "rejected": "Rejected",
     "clarification": "Requires Further Clarification"},
    {"accepted": "ACCEPTED", "action": "Action required", "rejected": "Reject",
     "clarification": "Clarification required"},
    {"accepted": "Accept", "action": "ACTION", "rejected": "rejected",
     "clarification": "Further clarification required"},
]  # fmt: skip


def _write_logs(folder: Path) -> list[Path]:
    """One log per organisation, in turn xlsx, per-artefact workbook, cp1252 CSV, BOM CSV."""
    by_organisation: dict[str, list] = {}
    for comment in dag8_tranche1_comments():
        by_organisation.setdefault(comment.organisation, []).append(comment)
    paths = []
    for index, (name, comments) in enumerate(sorted(by_organisation.items())):
        spelling = SPELLINGS[index % len(SPELLINGS)]
        rows = [
            {
                "log_comment_id": c.log_id,
                "artefact": f"MHHSP-{c.artefact}" if index % 2 else f"{c.artefact}- Title",
                "section": c.section,
                "comment": c.comment,
                "proposed_change": c.proposed_change,
                "disposition": spelling[c.disposition],
                "response": c.response,
            }
            for c in comments
        ]
        who = {"Organisation": name, "Constituency": comments[0].constituency}
        stem = folder / f"log-{index:02d}"
        shape = index % 4
        if shape == 0:
            paths.append(write_xlsx_log(stem.with_suffix(".xlsx"), rows, key_values=who))
        elif shape == 1:
            by_artefact: dict[str, list] = {}
            for row, comment in zip(rows, comments, strict=True):
                by_artefact.setdefault(comment.artefact, []).append(row)
            paths.append(
                write_per_artefact_workbook(stem.with_suffix(".xlsx"), by_artefact, key_values=who)
            )
        else:
            encoding = "cp1252" if shape == 2 else "utf-8-sig"
            for row in rows:
                row.update(organisation=name, constituency=comments[0].constituency)
            paths.append(write_csv_log(stem.with_suffix(".csv"), rows, encoding=encoding))
    return paths


@pytest.fixture
def dag8(app, tmp_path):
    with unit_of_work():
        report = import_artefact_register(write_register(tmp_path / "register.xlsx"))
    assert report.ok, report.problems
    for path in _write_logs(tmp_path):
        result = import_comment_log(path, options=ImportOptions(review_round=1))
        assert result.ok, [str(p) for p in result.errors]
    return app


def test_comment_status_table_is_the_pack_table(dag8):
    table = comment_status("1", scope=STAFF)
    rows = [
        (r.reference, r["accepted"], r["action"], r["rejected"], r["clarification"], r.total)
        for r in table.artefacts
    ]
    assert rows == DAG8_STATUS
    assert [r.open for r in table.artefacts] == [0] * 23
    assert table.totals == {
        "accepted": 446,
        "action": 187,
        "rejected": 44,
        "clarification": 30,
        "open": 0,
        "total": 707,
    }
    assert table.artefacts[0].title == "Data Collection"


def test_constituency_table_is_the_pack_table(dag8):
    table = constituency_table("1")
    rows = [(r.constituency, r.organisations, r.comments) for r in table.constituencies]
    assert rows == DAG8_CONSTITUENCIES
    assert table.totals == {"organisations": 15, "comments": 707}


def test_round_and_tranche_scoping(dag8):
    assert comment_status("1", review_round=2, scope=STAFF).totals["total"] == 0
    assert comment_status("1", review_round=1, scope=STAFF).totals["total"] == 707
    assert comment_status("2", scope=STAFF).artefacts == []
    empty = constituency_table("2")
    assert len(empty.constituencies) == 13
    assert empty.totals == {"organisations": 0, "comments": 0}


def test_unknown_tranche_is_refused(app):
    with pytest.raises(ServiceError, match="unknown tranche '7'"):
        comment_status("7", scope=STAFF)


def test_json_shape(dag8):
    data = tranche_rollup("1", scope=STAFF)
    assert list(data) == ["tranche", "artefacts", "totals", "constituencies"]
    assert data["artefacts"][0] == {
        "reference": "BP004",
        "title": "Data Collection",
        "accepted": 36,
        "action": 13,
        "rejected": 4,
        "clarification": 1,
        "open": 0,
        "total": 54,
    }
    assert data["constituencies"][0] == {
        "constituency": "Other- IT Service Provider",
        "organisations": 3,
        "comments": 310,
    }
    assert data["constituencies"][-1] == {
        "constituency": "Supplier- I&C",
        "organisations": 0,
        "comments": 0,
    }

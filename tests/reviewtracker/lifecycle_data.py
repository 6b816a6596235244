"""A small hand-made programme for the lifecycle and round tests: a register of four
artefacts and a few comment logs, written by the tests' own log maker."""

from __future__ import annotations

from pathlib import Path

from reviewtracker.services.artefact_import import import_artefact_register
from reviewtracker.services.comment_import import ImportOptions, import_comment_log
from reviewtracker.unit_of_work import unit_of_work
from tests.logmaker import write_register_xlsx, write_xlsx_log

REGISTER = [
    {
        "tranche": "1",
        "service": "Registration Service",
        "reference": "BP004",
        "title": "Data Collection",
        "status": "Under Review",
        "action_with": "BPRWG",
        "version": "0.3",
    },
    {
        "tranche": "1",
        "service": "Registration Service",
        "reference": "BP005",
        "title": "Data Processing",
        "status": "Under Review",
        "action_with": "BPRWG",
        "version": "0.3",
    },
    {
        "tranche": "1",
        "service": "Load Shaping Service",
        "reference": "IF024",
        "title": "Load Shape Data",
        "status": "Under Review",
        "action_with": "Programme",
        "version": "0.2",
    },
    {
        "tranche": "2",
        "service": "Load Shaping Service",
        "reference": "IF031",
        "title": "Settlement Data",
        "status": "Drafting",
        "action_with": "Programme",
        "version": "0.1",
    },
]
ACME = {"Organisation": "Acme Energy", "Constituency": "Supplier - Large"}
NORTH = {"Organisation": "Northgate Data", "Constituency": "Other- IT Service Provider"}


def load_register(folder: Path, artefacts: list[dict] | None = None) -> None:
    path = write_register_xlsx(folder / "register.xlsx", artefacts or REGISTER, grouped=False)
    with unit_of_work():
        report = import_artefact_register(path)
    assert report.ok, [str(p) for p in report.problems]


def comment(n: int, artefact: str, disposition: str = "", text: str | None = None) -> dict:
    return {
        "log_comment_id": str(n),
        "artefact": artefact,
        "section": f"3.{n}",
        "comment": text or f"Comment {n} on {artefact}: the trigger for step {n} is unclear.",
        "proposed_change": f"Clarify step {n}.",
        "disposition": disposition,
    }


def import_log(path: Path, rows: list[dict], who: dict, **options):
    """Import one log (xlsx, the organisation block `who`) with ImportOptions(**options)."""
    write_xlsx_log(path, rows, key_values=who)
    report = import_comment_log(path, options=ImportOptions(**options))
    assert report.ok, [str(p) for p in report.problems]
    return report

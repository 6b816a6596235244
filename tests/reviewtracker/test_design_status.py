"""The design dashboard's services: monthly RAG status per tranche x service, its history,
the import of the pack's table and its command. (The pages: test_design_pages.py.)"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from reviewtracker.extensions import db
from reviewtracker.models import Artefact, DesignStatus, DesignStatusEvent, Service, Tranche
from reviewtracker.services import ServiceError
from reviewtracker.services.design_history import service_history
from reviewtracker.services.design_import import import_design_dashboard
from reviewtracker.services.design_status import (
    StaleStatus,
    StatusChange,
    design_dashboard,
    find_status,
    months_with_records,
    set_status,
)
from reviewtracker.services.months import current_month, next_month, previous_month
from reviewtracker.services.reference import get_or_create_service
from reviewtracker.unit_of_work import unit_of_work
from tests.importers.test_design_dashboard_reader import LATER_ROWS, PACK_ROWS, write_pack_xlsx

APRIL, MAY = "2022-04", "2022-05"

pytestmark = pytest.mark.usefixtures("app_context")


def add_register(*artefacts: tuple[str, str | None, str | None]) -> None:
    """Artefacts by (reference, tranche code, service name)."""
    tranches = dict(db.session.execute(select(Tranche.code, Tranche.id)).all())
    services: dict[str, int] = {}
    for position, (reference, tranche, service) in enumerate(artefacts):
        db.session.add(
            Artefact(
                reference=reference,
                title=f"Title of {reference}",
                tranche_id=tranches[tranche] if tranche else None,
                service_id=get_or_create_service(service, services) if service else None,
                position=position,
            )
        )
    db.session.commit()


def saved(*args, **kwargs) -> StatusChange:
    """set_status as a view or command calls it: in a unit of work, committed (so that the
    test client's requests, in their own sessions, see it)."""
    with unit_of_work():
        return set_status(*args, **kwargs)


def events(field: str | None = None) -> list[DesignStatusEvent]:
    query = select(DesignStatusEvent).order_by(DesignStatusEvent.id)
    if field:
        query = query.where(DesignStatusEvent.field == field)
    return list(db.session.scalars(query))


def rows_of(month: str) -> list[tuple]:
    return [
        (r.tranche, r.service, r.artefacts, r.rag_last_month, r.rag_this_month)
        for r in design_dashboard(month).rows
    ]


@pytest.fixture
def register(app):
    with app.app_context():
        register_artefacts()


def register_artefacts() -> None:
    add_register(
        ("BP006", "1", "Registration Service"),
        ("BP007", "1", "Registration Service"),
        ("IF006", "1", "Registration Service"),
        ("BP018", "1", "Load Shaping Service"),
        ("BP001", "2", "Registration Service"),
        ("BP002", "2", "Registration Service"),
        ("IF099", "1", None),  # no service: counted nowhere on this table
        ("IF098", None, "Registration Service"),  # no tranche: likewise
    )


# --- the service -------------------------------------------------------------------------------


def test_artefact_counts_come_from_the_register(register):
    assert rows_of(APRIL) == [
        ("1", "Load Shaping Service", 1, None, None),
        ("1", "Registration Service", 3, None, None),
        ("2", "Registration Service", 2, None, None),
    ]
    add_register(("IF005", "1", "Load Shaping Service"))
    assert rows_of(APRIL)[0] == ("1", "Load Shaping Service", 2, None, None)


def test_a_record_without_artefacts_shows_in_tranche_then_service_order(register):
    get_or_create_service("Security Artefacts", {})
    set_status("TBC", "Security Artefacts", APRIL, {"rag": "on_track"}, "lead@example.org")
    set_status("1", "Load Shaping Service", APRIL, {"rag": "at_risk"}, "lead@example.org")
    assert rows_of(APRIL) == [
        ("1", "Load Shaping Service", 1, None, "at_risk"),
        ("1", "Registration Service", 3, None, None),
        ("2", "Registration Service", 2, None, None),
        ("TBC", "Security Artefacts", 0, None, "on_track"),
    ]


def test_month_rollover_april_this_month_becomes_may_last_month(register):
    set_status("1", "Load Shaping Service", APRIL, {"rag": "at_risk"}, "lead@example.org")
    set_status("1", "Registration Service", APRIL, {"rag": "on_track"}, "lead@example.org")
    # May not entered yet: April's "this month" is already May's "last month".
    may = design_dashboard(MAY)
    assert (may.month, may.previous_month) == (MAY, APRIL)
    assert rows_of(MAY)[:2] == [
        ("1", "Load Shaping Service", 1, "at_risk", None),
        ("1", "Registration Service", 3, "on_track", None),
    ]
    set_status("1", "Load Shaping Service", MAY, {"rag": "not_on_track"}, "lead@example.org")
    assert rows_of(MAY)[0] == ("1", "Load Shaping Service", 1, "at_risk", "not_on_track")
    # April is its own record: entering May changed nothing in it.
    assert rows_of(APRIL)[0] == ("1", "Load Shaping Service", 1, None, "at_risk")
    assert rows_of("2022-06")[0] == ("1", "Load Shaping Service", 1, "not_on_track", None)
    # Without a month: the latest month that has records.
    assert design_dashboard().month == MAY
    assert months_with_records() == [MAY, APRIL]


def test_months_roll_over_the_year():
    assert previous_month("2022-01") == "2021-12"
    assert next_month("2022-12") == "2023-01"
    assert previous_month(MAY) == APRIL
    with pytest.raises(ServiceError):
        previous_month("2022-13")


def test_without_records_the_dashboard_is_this_month(register):
    assert months_with_records() == []
    assert design_dashboard().month == current_month()


def test_every_change_is_audited_with_before_after_who_and_origin(register):
    created = set_status(
        "1",
        "Registration Service",
        APRIL,
        {"rag": "on_track", "planned_month": "Apr", "status_and_issues": "• Drafting"},
        "lead@example.org",
    )
    assert created.created
    assert [(e.field, e.before, e.after, e.actor, e.origin) for e in events()] == [
        ("rag", None, "on_track", "lead@example.org", "browser"),
        ("planned_month", None, "Apr", "lead@example.org", "browser"),
        ("status_and_issues", None, "• Drafting", "lead@example.org", "browser"),
    ]
    change = set_status(
        "1",
        "Registration Service",
        APRIL,
        {"rag": "at_risk", "planned_month": "Apr", "expected_month": "May"},
        "other.lead@example.org",
    )
    assert not change.created
    assert change.changed == {"rag": ("on_track", "at_risk"), "expected_month": (None, "May")}
    assert [(e.field, e.before, e.after, e.actor) for e in events()[3:]] == [
        ("rag", "on_track", "at_risk", "other.lead@example.org"),
        ("expected_month", None, "May", "other.lead@example.org"),
    ]
    record = find_status("1", "Registration Service", APRIL)
    assert (record.rag, record.updated_by, record.version) == (
        "at_risk",
        "other.lead@example.org",
        2,
    )
    # Saving the same values again changes and audits nothing.
    again = set_status("1", "Registration Service", APRIL, {"rag": "at_risk"}, "x@example.org")
    assert again.changed == {} and len(events()) == 5


def test_bad_values_and_stale_forms_are_refused(register):
    with pytest.raises(ServiceError, match="unknown RAG"):
        set_status("1", "Registration Service", APRIL, {"rag": "purple"}, "lead@example.org")
    with pytest.raises(ServiceError, match="unknown tranche"):
        set_status("7", "Registration Service", APRIL, {"rag": "tbd"}, "lead@example.org")
    with pytest.raises(ServiceError, match="unknown service"):
        set_status("1", "Nonexistent Service", APRIL, {"rag": "tbd"}, "lead@example.org")
    with pytest.raises(ServiceError, match="cannot set"):
        set_status("1", "Registration Service", APRIL, {"artefacts": 3}, "lead@example.org")
    with pytest.raises(ServiceError, match="not a month"):
        set_status("1", "Registration Service", "April", {"rag": "tbd"}, "lead@example.org")
    assert db.session.scalar(select(func.count()).select_from(DesignStatus)) == 0
    set_status("1", "Registration Service", APRIL, {"rag": "tbd"}, "a@example.org")
    with pytest.raises(StaleStatus):  # the form was loaded before the record existed
        set_status("1", "Registration Service", APRIL, {"rag": "complete"}, "b", expected_version=0)
    assert find_status("1", "Registration Service", APRIL).rag == "tbd"


def test_set_status_leaves_the_commit_to_its_caller(register):
    set_status("1", "Registration Service", APRIL, {"rag": "tbd"}, "lead@example.org")
    assert find_status("1", "Registration Service", APRIL).rag == "tbd"  # flushed
    db.session.rollback()  # what a unit of work does when the caller's change fails
    assert find_status("1", "Registration Service", APRIL) is None
    assert events() == []


def test_a_stale_save_in_a_unit_of_work_writes_nothing(register):
    saved("1", "Registration Service", APRIL, {"rag": "tbd"}, "a@example.org")
    with pytest.raises(StaleStatus), unit_of_work():
        set_status("1", "Registration Service", MAY, {"rag": "at_risk"}, "b@example.org")
        set_status("1", "Registration Service", APRIL, {"rag": "complete"}, "b", expected_version=0)
    assert find_status("1", "Registration Service", MAY) is None  # the whole change went
    assert [(e.field, e.after, e.actor) for e in events()] == [("rag", "tbd", "a@example.org")]


def test_service_history_is_newest_first_with_its_changes(register):
    set_status("1", "Registration Service", "2022-03", {"rag": "on_track"}, "a@example.org")
    set_status("1", "Registration Service", APRIL, {"rag": "at_risk"}, "b@example.org")
    set_status("1", "Registration Service", APRIL, {"actions_to_resolve": "• Fix"}, "c@example.org")
    set_status("2", "Registration Service", APRIL, {"rag": "complete"}, "d@example.org")
    history = service_history("1", "Registration Service")
    assert [(h.month, h.rag, h.rag_last_month) for h in history] == [
        (APRIL, "at_risk", "on_track"),
        ("2022-03", "on_track", None),
    ]
    assert [(e.field, e.actor) for e in history[0].events] == [
        ("actions_to_resolve", "c@example.org"),
        ("rag", "b@example.org"),
    ]


# --- the import --------------------------------------------------------------------------------


def test_import_seeds_the_month_and_its_previous_month(register, tmp_path):
    path = write_pack_xlsx(tmp_path / "dashboard.xlsx", later=LATER_ROWS)
    report = import_design_dashboard(path, APRIL, "importer@example.org")
    assert report.ok, [str(p) for p in report.problems]
    assert (report.created, report.updated, report.unchanged) == (7, 0, 0)
    assert report.previous_created == 7
    assert "Smart Data Service" in report.services_created
    assert "Registration Service" not in report.services_created
    april = {(r.tranche, r.service): r for r in design_dashboard(APRIL).rows}
    lss = april[("1", "Load Shaping Service")]
    assert (lss.artefacts, lss.rag_last_month, lss.rag_this_month) == (1, "on_track", "at_risk")
    assert (lss.planned_month, lss.expected_month) == ("Apr", "Apr")
    assert lss.status_and_issues == PACK_ROWS[0][7]
    assert april[("2", "Registration Service")].rag_this_month == "not_on_track"
    assert april[("TBC", "Security Artefacts")].artefacts == 0
    # The "last month" column survives as March's records.
    assert find_status("1", "Load Shaping Service", "2022-03").rag == "on_track"
    assert find_status("3", "Global", "2022-03").rag == "at_risk"
    imported = events("rag")
    assert {(e.origin, e.source_file, e.actor) for e in imported} == {
        ("import", "dashboard.xlsx", "importer@example.org")
    }
    again = import_design_dashboard(path, APRIL, "importer@example.org")
    assert (again.created, again.updated, again.unchanged, again.previous_created) == (0, 0, 7, 0)


def test_import_refuses_an_unknown_rag_and_writes_nothing(register, tmp_path):
    rows = list(PACK_ROWS)
    rows[3] = ("2", "Registration Service", 15, "Green", "Purple", "May", "May", "", None)
    services = db.session.scalar(select(func.count()).select_from(Service))
    report = import_design_dashboard(write_pack_xlsx(tmp_path / "bad.xlsx", rows), APRIL, "x")
    assert not report.ok
    assert [str(p) for p in report.errors] == [
        "bad.xlsx, sheet 'Design Dashboard', row 9, column 'RAG This month' (E): "
        "unknown RAG 'Purple' (use Green, Amber, Red, Complete or TBD)"
    ]
    assert db.session.scalar(select(func.count()).select_from(DesignStatus)) == 0
    assert db.session.scalar(select(func.count()).select_from(DesignStatusEvent)) == 0
    assert db.session.scalar(select(func.count()).select_from(Service)) == services


def test_import_keeps_browser_changes_and_existing_last_months(register, tmp_path):
    set_status("1", "Registration Service", "2022-03", {"rag": "at_risk"}, "lead@example.org")
    set_status("1", "Load Shaping Service", APRIL, {"rag": "complete"}, "lead@example.org")
    report = import_design_dashboard(write_pack_xlsx(tmp_path / "d.xlsx"), APRIL, "importer")
    assert report.ok
    assert len(report.conflicts) == 1 and "Load Shaping Service" in report.conflicts[0]
    assert find_status("1", "Load Shaping Service", APRIL).rag == "complete"
    assert find_status("1", "Registration Service", "2022-03").rag == "at_risk"
    assert any("Registration Service" in note and "kept" in note for note in report.notes)


def test_import_leaves_its_callers_pending_work_alone(register, tmp_path):
    # It used to roll back on entry, losing whatever its caller had begun.
    set_status("1", "Registration Service", "2022-01", {"rag": "tbd"}, "lead@example.org")
    report = import_design_dashboard(write_pack_xlsx(tmp_path / "d.xlsx"), APRIL, "importer")
    assert report.ok and report.created == 5
    assert find_status("1", "Registration Service", "2022-01").rag == "tbd"


def test_import_refuses_a_tranche_missing_from_the_database(register, tmp_path):
    db.session.execute(Tranche.__table__.delete().where(Tranche.code == "TBC"))
    db.session.commit()
    path = write_pack_xlsx(tmp_path / "d.xlsx", later=LATER_ROWS)
    report = import_design_dashboard(path, APRIL, "importer")
    assert [(p.row, p.column, p.value) for p in report.errors] == [(19, "Tranche", "TBC")]
    assert db.session.scalar(select(func.count()).select_from(DesignStatus)) == 0


# --- the command line --------------------------------------------------------------------------


def test_cli_imports_and_reports(runner, register, tmp_path):
    path = write_pack_xlsx(tmp_path / "dashboard.xlsx")
    result = runner.invoke(args=["import-design-dashboard", str(path), "--month", APRIL])
    assert result.exit_code == 0, result.output
    assert "5 added, 0 updated, 0 unchanged" in result.output
    assert "2022-03: 5 added from the 'Last month' column" in result.output
    assert find_status("2", "Smart Data Service", APRIL).rag == "tbd"


def test_cli_dry_run_reports_and_writes_nothing(runner, register, tmp_path):
    path = write_pack_xlsx(tmp_path / "dashboard.xlsx")
    args = ["import-design-dashboard", str(path), "--month", APRIL, "--dry-run"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "5 added, 0 updated, 0 unchanged" in result.output
    assert "dry run: nothing written" in result.output
    assert db.session.scalar(select(func.count()).select_from(DesignStatus)) == 0
    assert db.session.scalar(select(func.count()).select_from(DesignStatusEvent)) == 0
    assert db.session.scalar(select(Service.id).where(Service.name == "Smart Data Service")) is None


def test_cli_refuses_a_bad_file_or_month_and_writes_nothing(runner, register, tmp_path):
    rows = [("1", "Load Shaping Service", 5, "Green", "Blurple", "Apr", "Apr", "", None)]
    path = write_pack_xlsx(tmp_path / "bad.xlsx", rows)
    result = runner.invoke(args=["import-design-dashboard", str(path), "--month", APRIL])
    assert result.exit_code != 0
    assert "unknown RAG 'Blurple'" in result.output and "nothing was written" in result.output
    assert db.session.scalar(select(func.count()).select_from(DesignStatus)) == 0
    result = runner.invoke(args=["import-design-dashboard", str(path), "--month", "April"])
    assert result.exit_code == 2 and "YYYY-MM" in result.output
    assert "--month" in runner.invoke(args=["import-design-dashboard", "--help"]).output


def test_demo_has_the_packs_tranche_1_and_2_figures(app):
    from reviewtracker.demo import load_demo

    summary = load_demo()
    assert summary["design_records"] == summary["design_previous"] == 11
    rows = {(r.tranche, r.service): r for r in design_dashboard(APRIL).rows}
    counts = {key: row.artefacts for key, row in rows.items()}
    assert counts == {
        ("1", "Load Shaping Service"): 5,
        ("1", "Registration Service"): 16,
        ("1", "Metering and Data Services"): 6,
        ("1", "DIP Technical Documents"): 3,
        ("2", "Registration Service"): 15,
        ("2", "Advanced Data Service"): 2,
        ("2", "Unmetered Data Service"): 1,
        ("2", "Smart Data Service"): 2,
        ("2", "Demand Disconnection Event"): 4,
        ("2", "Marketwide Data Service"): 4,
        ("2", "Volume Allocation Service"): 4,
    }
    assert rows[("1", "Registration Service")].rag_this_month == "at_risk"
    assert {r.rag_last_month for r in rows.values()} == {"on_track"}
    assert design_dashboard().month == APRIL

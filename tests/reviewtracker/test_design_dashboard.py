"""The design dashboard: monthly RAG status per tranche x service, its pages, import and CLI."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from reviewtracker import create_app
from reviewtracker.extensions import db
from reviewtracker.models import Artefact, DesignStatus, DesignStatusEvent, Service, Tranche
from reviewtracker.services import ServiceError
from reviewtracker.services.design_dashboard import (
    RAG_LABELS,
    StaleStatus,
    design_dashboard,
    find_status,
    import_design_dashboard,
    months_with_records,
    next_month,
    previous_month,
    service_history,
    set_status,
)
from reviewtracker.services.reference import get_or_create_service, init_db
from tests.importers.test_design_dashboard_reader import LATER_ROWS, PACK_ROWS, write_pack_xlsx
from tests.reviewtracker.factories import signed_in_id

APRIL, MAY = "2022-04", "2022-05"


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
    from reviewtracker.services.design_dashboard import current_month

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


# --- the pages ---------------------------------------------------------------------------------


def _ids(tranche: str, service: str) -> dict:
    service_id = db.session.scalar(select(Service.id).where(Service.name == service))
    return {"tranche": tranche, "service_id": service_id}


def _edit_url(tranche: str, service: str, month: str) -> str:
    ids = _ids(tranche, service)
    return f"/design-dashboard/{ids['tranche']}/{ids['service_id']}/{month}"


FORM = {
    "rag": "at_risk",
    "planned_month": "Apr",
    "expected_month": "May",
    "status_and_issues": "• Supplier input lacking\n• Second point",
    "actions_to_resolve": "• Seek supplier feedback",
    "version": "0",
}


@pytest.mark.parametrize("role", ["viewer", "triager"])
def test_viewers_and_triagers_may_not_edit(client, login, register, role):
    login(role)
    url = _edit_url("1", "Registration Service", APRIL)
    assert client.get(url).status_code == 403
    assert client.post(url, data=FORM).status_code == 403
    new = client.get(f"/design-dashboard/new?tranche=1&service_id=1&month={APRIL}")
    assert new.status_code == 403
    assert find_status("1", "Registration Service", APRIL) is None
    page = client.get(f"/design-dashboard?month={APRIL}").get_data(as_text=True)
    assert url not in page  # no edit links for them


def test_a_lead_saves_a_month(client, login, register):
    login("lead")
    url = _edit_url("1", "Registration Service", APRIL)
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="rag"' in page.get_data(as_text=True)
    response = client.post(url, data=FORM)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/design-dashboard?month={APRIL}")
    record = find_status("1", "Registration Service", APRIL)
    assert (record.rag, record.expected_month, record.updated_by) == (
        "at_risk",
        "May",
        "lead@example.org",
    )
    assert record.status_and_issues == "• Supplier input lacking\n• Second point"
    assert {e.actor for e in events()} == {"lead@example.org"}
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved Registration Service, tranche 1, April 2022" in shown
    # A form loaded before that save is stale: nothing saved, both versions shown.
    stale = client.post(url, data=FORM | {"rag": "complete"})
    assert stale.status_code == 409
    assert "changed by someone else" in stale.get_data(as_text=True)
    assert find_status("1", "Registration Service", APRIL).rag == "at_risk"
    # A bad value is refused with the field marked.
    bad = client.post(url, data=FORM | {"rag": "purple", "version": "1"})
    assert bad.status_code == 400
    assert find_status("1", "Registration Service", APRIL).rag == "at_risk"


def test_a_new_month_starts_from_last_month(client, login, register):
    set_status(
        "1",
        "Registration Service",
        APRIL,
        {"rag": "at_risk", "status_and_issues": "April's status text", "planned_month": "Jun"},
        "lead@example.org",
    )
    login("lead")
    url = _edit_url("1", "Registration Service", MAY)
    html = client.get(url).get_data(as_text=True)
    assert "the form starts from April 2022" in html
    assert "April&#39;s status text</textarea>" in html
    assert re.search(r'<option selected value="at_risk">|<option value="at_risk" selected', html)
    assert 'name="version" type="hidden" value="0"' in html
    assert client.post(url, data=FORM).status_code == 302
    assert find_status("1", "Registration Service", MAY).rag == "at_risk"
    assert find_status("1", "Registration Service", APRIL).status_and_issues == (
        "April's status text"
    )


def test_the_edit_form_is_csrf_protected(tmp_path, register):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "csrf-test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'csrf.db'}",
            "WTF_CSRF_ENABLED": True,
        }
    )
    with app.app_context():
        init_db()
        add_register(("BP006", "1", "Registration Service"))
        from reviewtracker.models import User

        lead = User(email="lead@example.org", role="lead")
        lead.set_password("secret-password")
        db.session.add(lead)
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = signed_in_id(lead)
            session["_fresh"] = True
        url = _edit_url("1", "Registration Service", APRIL)
        refused = client.post(url, data=FORM)
        assert refused.status_code == 400
        assert find_status("1", "Registration Service", APRIL) is None
        html = client.get(url).get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        saved = client.post(url, data=FORM | {"csrf_token": token})
        assert saved.status_code == 302
        assert find_status("1", "Registration Service", APRIL).rag == "at_risk"
        db.session.remove()
        db.engine.dispose()


def test_the_page_shows_the_packs_table_legend_and_coloured_rags(client, login, register):
    set_status("1", "Registration Service", "2022-03", {"rag": "on_track"}, "lead@example.org")
    set_status(
        "1",
        "Registration Service",
        APRIL,
        {
            "rag": "not_on_track",
            "planned_month": "Apr",
            "expected_month": "June",
            "status_and_issues": "<script>alert('x')</script> & <b>bold</b>",
            "actions_to_resolve": "• First\n• Second",
        },
        "lead@example.org",
    )
    login("viewer")
    response = client.get(f"/design-dashboard?month={APRIL}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for label in ("Tranche", "MHHS Service", "Artefacts", "Last month", "This month"):
        assert f"{label}<" in html
    assert "Planned DAG Month" in html and "Current status and issues" in html
    # The legend: every RAG as a coloured dot with its label.
    legend = html[html.index('class="rag-legend"') :]
    for rag, label in RAG_LABELS.items():
        assert f'<span class="rag rag-{rag}"><span class="rag-dot" aria-hidden="true">' in legend
        assert f'<span class="rag-label">{label}</span>' in legend
    row = html[html.index(">Registration Service<") :]
    row = row[: row.index("</tr>")]
    assert 'class="rag rag-on_track"' in row  # last month
    assert 'class="rag rag-not_on_track"' in row  # this month
    assert "Not on track / high risk" in row
    # Texts are escaped, never markup.
    assert "<script>alert" not in html and "<b>bold" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    # Each tranche's cell once, spanning its services.
    assert html.count('class="design-tranche"') == 2
    assert 'rowspan="2" class="design-tranche">1<' in html
    # Links to each service's history; the month picker lists the months with records.
    ids = _ids("1", "Registration Service")
    assert f'/design-dashboard/1/{ids["service_id"]}"' in html
    assert '<option value="2022-03">March 2022</option>' in html
    assert '<option value="2022-04" selected>April 2022</option>' in html
    assert "Design dashboard</a>" in html  # the navigation link
    assert client.get("/design-dashboard?month=2022-13").status_code == 404


def test_the_lead_sees_edit_links_and_the_add_form(client, login, register):
    login("lead")
    html = client.get(f"/design-dashboard?month={APRIL}").get_data(as_text=True)
    assert _edit_url("1", "Registration Service", APRIL) in html
    ids = _ids("2", "Registration Service")
    added = client.get(
        f"/design-dashboard/new?tranche=2&service_id={ids['service_id']}&month={MAY}"
    )
    assert added.status_code == 302
    assert added.headers["Location"].endswith(_edit_url("2", "Registration Service", MAY))


def test_the_history_page_shows_months_and_who_changed_what(client, login, register):
    set_status("1", "Registration Service", "2022-03", {"rag": "on_track"}, "first@example.org")
    set_status("1", "Registration Service", APRIL, {"rag": "at_risk"}, "second@example.org")
    set_status(
        "1", "Registration Service", APRIL, {"rag": "complete"}, "third@example.org", "import"
    )
    login("viewer")
    ids = _ids("1", "Registration Service")
    response = client.get(f"/design-dashboard/1/{ids['service_id']}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.index("April 2022") < html.index("March 2022")
    changes = html[html.index("<h2>Changes</h2>") :]
    assert re.findall(r"<td>(\w+@example\.org)</td>", changes) == [
        "third@example.org",
        "second@example.org",
        "first@example.org",
    ]
    assert "At risk" in changes and "Complete" in changes and ">import<" in changes
    assert client.get(f"/design-dashboard/7/{ids['service_id']}").status_code == 404
    assert client.get("/design-dashboard/1/9999").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/design-dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_pages_need_a_well_formed_month(client, login, register):
    login("lead")
    assert client.get(_edit_url("1", "Registration Service", "2022-4")).status_code == 404
    assert client.get("/design-dashboard/new?tranche=1&service_id=1&month=x").status_code == 404

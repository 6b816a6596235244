"""Months of the design dashboard: only 2000-01 to 2100-12, everywhere a month comes in (the
URL, the add form, the API, the board pack, the CLI); a bad month stored before never breaks
a page."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from reviewtracker.extensions import db
from reviewtracker.models import DesignStatus, Service, Tranche
from reviewtracker.services import ServiceError
from reviewtracker.services.design_status import design_dashboard, set_status
from reviewtracker.services.months import month_label, next_month, parse_month, previous_month
from tests.importers.test_design_dashboard_reader import write_pack_xlsx

from .test_design_pages import FORM
from .test_design_status import add_register, saved

APRIL = "2022-04"
OUT_OF_RANGE = ["9999-12", "0001-01", "0000-01", "1999-12", "2101-01"]
RANGE_MESSAGE = "from 2000-01 to 2100-12"


@pytest.fixture
def service_id(app) -> int:
    with app.app_context():
        add_register(("BP006", "1", "Registration Service"))
        return db.session.scalar(select(Service.id).where(Service.name == "Registration Service"))


def _records(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(DesignStatus))


@pytest.mark.parametrize("month", OUT_OF_RANGE)
def test_the_lead_cannot_open_or_save_a_month_out_of_range(app, client, login, service_id, month):
    login("lead")
    url = f"/design-dashboard/1/{service_id}/{month}"
    assert client.get(url).status_code == 404
    assert client.post(url, data=FORM).status_code == 404
    add = f"/design-dashboard/new?tranche=1&service_id={service_id}&month={month}"
    assert client.get(add).status_code == 404  # the "add a service" form
    assert _records(app) == 0
    with app.app_context(), pytest.raises(ServiceError, match=RANGE_MESSAGE):
        set_status("1", service_id, month, {"rag": "at_risk"}, "someone")


@pytest.mark.parametrize("month", [*OUT_OF_RANGE, "2022-13", "２０２２-04"])
def test_a_month_out_of_range_is_refused_by_the_page_api_and_board_pack(
    client, login, service_id, month
):
    login("viewer")
    query = quote(month)
    assert client.get(f"/design-dashboard?month={query}").status_code == 404
    api = client.get(f"/api/design-dashboard?month={query}")
    assert api.status_code == 400 and RANGE_MESSAGE in api.get_json()["error"]
    pack = client.get(f"/exports/board-pack.xlsx?tranche=1&month={query}")
    assert pack.status_code == 400 and RANGE_MESSAGE in pack.get_data(as_text=True)


@pytest.mark.parametrize("month", ["9999-12", "0001-01"])
def test_the_cli_refuses_a_month_out_of_range(app, runner, service_id, tmp_path, month):
    path = write_pack_xlsx(tmp_path / "dashboard.xlsx")
    result = runner.invoke(args=["import-design-dashboard", str(path), "--month", month])
    assert result.exit_code == 2 and RANGE_MESSAGE in result.output
    assert _records(app) == 0
    output = tmp_path / "pack.xlsx"
    result = runner.invoke(
        args=["export", "board-pack", "--tranche", "1", "--month", month, "-o", str(output)]
    )
    assert result.exit_code == 1 and RANGE_MESSAGE in result.output
    assert not output.exists()


def test_the_first_and_last_months_are_months_without_a_link_beyond(app, client, login, service_id):
    login("lead")
    for month, beyond in (("2000-01", "1999-12"), ("2100-12", "2101-01")):
        saved = client.post(f"/design-dashboard/1/{service_id}/{month}", data=FORM)
        assert saved.status_code == 302
        page = client.get(f"/design-dashboard?month={month}").get_data(as_text=True)
        assert month_label(month) in page and f"month={beyond}" not in page
    assert _records(app) == 2


def _store_bad_month(month: str, service_id: int) -> None:
    """A record as an older version let through (before months were checked); committed.
    (Inside an app context.)"""
    tranche_id = db.session.scalar(select(Tranche.id).where(Tranche.code == "1"))
    db.session.add(
        DesignStatus(
            tranche_id=tranche_id,
            service_id=service_id,
            month=month,
            rag="at_risk",
            updated_by="an older version",
        )
    )
    db.session.commit()


def test_bad_months_stored_before_break_no_page(app, client, login, service_id):
    with app.app_context():
        saved("1", service_id, APRIL, {"rag": "on_track"}, "lead@example.org")
        for month in ("9999-12", "0000-01"):
            _store_bad_month(month, service_id)
    login("viewer")
    page = client.get("/design-dashboard")
    assert page.status_code == 200  # the latest month a page can show: April
    html = page.get_data(as_text=True)
    assert "April 2022" in html and "9999" not in html and "0000-01" not in html
    assert client.get("/api/design-dashboard").get_json()["month"] == APRIL
    assert client.get("/exports/board-pack.xlsx?tranche=1").status_code == 200
    history = client.get(f"/design-dashboard/1/{service_id}")
    assert history.status_code == 200
    html = history.get_data(as_text=True)
    # Shown as stored, without a link to a page that does not exist.
    assert "December 9999" in html and "0000-01" in html
    assert "month=9999-12" not in html and "month=0000-01" not in html
    assert client.get("/design-dashboard?month=9999-12").status_code == 404


def test_month_arithmetic_never_fails_on_a_stored_month():
    assert previous_month("0000-01") == "-001-12"  # a stored bad month still has neighbours
    assert next_month("9999-12") == "10000-01"
    assert month_label("0000-01") == "0000-01"
    assert parse_month(" 2022-04 ") == APRIL
    with pytest.raises(ServiceError):
        previous_month("April")


def test_without_records_the_dashboard_is_this_month_within_range(app, service_id):
    with app.app_context():
        assert parse_month(design_dashboard().month)

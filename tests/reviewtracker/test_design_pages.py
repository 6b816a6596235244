"""The design dashboard's pages: the month's table, a lead's form, a service's history."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from reviewtracker import create_app
from reviewtracker.extensions import db
from reviewtracker.models import Service, User
from reviewtracker.services.design_status import find_status
from reviewtracker.services.reference import init_db
from reviewtracker.unit_of_work import unit_of_work

from .factories import signed_in_id
from .test_design_status import APRIL, MAY, add_register, events, register_artefacts, saved


@pytest.fixture
def register(app):
    with app.app_context():
        register_artefacts()


def _ids(tranche: str, service: str) -> dict:
    """(Inside an app context.)"""
    service_id = db.session.scalar(select(Service.id).where(Service.name == service))
    return {"tranche": tranche, "service_id": service_id}


def _edit_url(tranche: str, service: str, month: str) -> str:
    """(Inside an app context.)"""
    ids = _ids(tranche, service)
    return f"/design-dashboard/{ids['tranche']}/{ids['service_id']}/{month}"


def _rag(app, tranche: str, service: str, month: str) -> str | None:
    """The stored RAG of a tranche x service's month (None: no record)."""
    with app.app_context():
        record = find_status(tranche, service, month)
        return None if record is None else record.rag


FORM = {
    "rag": "at_risk",
    "planned_month": "Apr",
    "expected_month": "May",
    "status_and_issues": "• Supplier input lacking\n• Second point",
    "actions_to_resolve": "• Seek supplier feedback",
    "version": "0",
}


@pytest.mark.parametrize("role", ["viewer", "triager"])
def test_viewers_and_triagers_may_not_edit(app, client, login, register, role):
    login(role)
    with app.app_context():
        url = _edit_url("1", "Registration Service", APRIL)
    assert client.get(url).status_code == 403
    assert client.post(url, data=FORM).status_code == 403
    new = client.get(f"/design-dashboard/new?tranche=1&service_id=1&month={APRIL}")
    assert new.status_code == 403
    assert _rag(app, "1", "Registration Service", APRIL) is None
    page = client.get(f"/design-dashboard?month={APRIL}").get_data(as_text=True)
    assert url not in page  # no edit links for them


def test_a_lead_saves_a_month(app, client, login, register):
    login("lead")
    with app.app_context():
        url = _edit_url("1", "Registration Service", APRIL)
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="rag"' in page.get_data(as_text=True)
    response = client.post(url, data=FORM)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/design-dashboard?month={APRIL}")
    with app.app_context():
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
    assert _rag(app, "1", "Registration Service", APRIL) == "at_risk"
    # A bad value is refused with the field marked.
    bad = client.post(url, data=FORM | {"rag": "purple", "version": "1"})
    assert bad.status_code == 400
    assert _rag(app, "1", "Registration Service", APRIL) == "at_risk"


def test_a_new_month_starts_from_last_month(app, client, login, register):
    with app.app_context():
        saved(
            "1",
            "Registration Service",
            APRIL,
            {"rag": "at_risk", "status_and_issues": "April's status text", "planned_month": "Jun"},
            "lead@example.org",
        )
        url = _edit_url("1", "Registration Service", MAY)
    login("lead")
    html = client.get(url).get_data(as_text=True)
    assert "the form starts from April 2022" in html
    assert "April&#39;s status text</textarea>" in html
    assert re.search(r'<option selected value="at_risk">|<option value="at_risk" selected', html)
    assert 'name="version" type="hidden" value="0"' in html
    assert client.post(url, data=FORM).status_code == 302
    assert _rag(app, "1", "Registration Service", MAY) == "at_risk"
    with app.app_context():
        april = find_status("1", "Registration Service", APRIL)
        assert april.status_and_issues == "April's status text"


def test_the_edit_form_is_csrf_protected(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "csrf-test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'csrf.db'}",
            "WTF_CSRF_ENABLED": True,
        }
    )
    with app.app_context():
        with unit_of_work():
            init_db()
        add_register(("BP006", "1", "Registration Service"))
        lead = User(email="lead@example.org", role="lead")
        lead.set_password("secret-password")
        db.session.add(lead)
        db.session.commit()
        lead_id = signed_in_id(lead)
        url = _edit_url("1", "Registration Service", APRIL)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = lead_id
        session["_fresh"] = True
    refused = client.post(url, data=FORM)
    assert refused.status_code == 400
    assert _rag(app, "1", "Registration Service", APRIL) is None
    html = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    accepted = client.post(url, data=FORM | {"csrf_token": token})
    assert accepted.status_code == 302
    assert _rag(app, "1", "Registration Service", APRIL) == "at_risk"
    with app.app_context():
        db.engine.dispose()


def test_the_page_shows_the_packs_table_legend_and_coloured_rags(app, client, login, register):
    with app.app_context():
        saved("1", "Registration Service", "2022-03", {"rag": "on_track"}, "lead@example.org")
        saved(
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
        ids = _ids("1", "Registration Service")
    login("viewer")
    response = client.get(f"/design-dashboard?month={APRIL}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for label in ("Tranche", "MHHS Service", "Artefacts", "Last month", "This month"):
        assert f"{label}<" in html
    assert "Planned DAG Month" in html and "Current status and issues" in html
    # The legend: every RAG as a coloured dot with its label.
    legend = html[html.index('class="rag-legend"') :]
    rags = {
        "on_track": "On track",
        "at_risk": "At risk",
        "not_on_track": "Not on track / high risk",
        "complete": "Complete",
        "tbd": "To be determined",
    }
    for rag, label in rags.items():
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
    assert f'/design-dashboard/1/{ids["service_id"]}"' in html
    assert '<option value="2022-03">March 2022</option>' in html
    assert '<option value="2022-04" selected>April 2022</option>' in html
    assert "Design dashboard</a>" in html  # the navigation link
    assert client.get("/design-dashboard?month=2022-13").status_code == 404


def test_the_lead_sees_edit_links_and_the_add_form(app, client, login, register):
    with app.app_context():
        april_url = _edit_url("1", "Registration Service", APRIL)
        may_url = _edit_url("2", "Registration Service", MAY)
        ids = _ids("2", "Registration Service")
    login("lead")
    html = client.get(f"/design-dashboard?month={APRIL}").get_data(as_text=True)
    assert april_url in html
    added = client.get(
        f"/design-dashboard/new?tranche=2&service_id={ids['service_id']}&month={MAY}"
    )
    assert added.status_code == 302
    assert added.headers["Location"].endswith(may_url)


def test_the_history_page_shows_months_and_who_changed_what(
    app, client, login, make_user, register
):
    make_user("lead", "second@example.org")  # named "Lead": shown by that name
    with app.app_context():
        saved("1", "Registration Service", "2022-03", {"rag": "on_track"}, "first@example.org")
        saved("1", "Registration Service", APRIL, {"rag": "at_risk"}, "second@example.org")
        saved(
            "1",
            "Registration Service",
            APRIL,
            {"rag": "complete"},
            "third@example.org",
            "import",
            source_file="dashboard April.xlsx",
        )
        ids = _ids("1", "Registration Service")
    login("viewer")
    response = client.get(f"/design-dashboard/1/{ids['service_id']}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.index("April 2022") < html.index("March 2022")
    changes = html[html.index("<h2>Changes</h2>") :]
    # People by their display name (an email that is no user's as it is), an import by its file.
    assert re.findall(r'<td class="actor">([^<]+)</td>', changes) == [
        "import of dashboard April.xlsx",
        "Lead",
        "first@example.org",
    ]
    assert "At risk" in changes and "Complete" in changes and ">import<" in changes
    assert client.get(f"/design-dashboard/7/{ids['service_id']}").status_code == 404
    assert client.get("/design-dashboard/1/9999").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/design-dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_pages_need_a_well_formed_month(app, client, login, register):
    login("lead")
    with app.app_context():
        url = _edit_url("1", "Registration Service", "2022-4")
    assert client.get(url).status_code == 404
    assert client.get("/design-dashboard/new?tranche=1&service_id=1&month=x").status_code == 404

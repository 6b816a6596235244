"""The artefact pages: per tranche grouped by service with comment counts (the rollup), and
one artefact with its comments."""

from __future__ import annotations

import html
import re

import pytest

from reviewtracker.services import ServiceError
from reviewtracker.services.comment_filter import CommentFilter
from reviewtracker.services.comment_queries import count_comments
from reviewtracker.services.rollups import comment_status, tranche_artefacts
from reviewtracker.services.scope import Scope

from .demo_copy import load_demo_copy
from .factories import add_artefacts

STAFF = Scope.staff()

DISPOSITIONS = ("accepted", "action", "rejected", "clarification", "open")
ROW = re.compile(r'<tr data-comment="(\d+)"')


@pytest.fixture
def demo(app, tmp_path_factory):
    load_demo_copy(app, tmp_path_factory)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in ("/artefacts/", "/artefacts/tranches/1", "/artefacts/BP004"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.usefixtures("app_context")
def test_the_rollup_lists_every_artefact_grouped_by_service(demo):
    table = tranche_artefacts("1")
    assert table.artefact_count == 30  # 23 with comments, 7 without
    services = [group.service for group in table.services]
    assert services == sorted(services)
    assert set(services) == {
        "DIP Technical Documents",
        "Load Shaping Service",
        "Metering and Data Services",
        "Registration Service",
    }
    rows = {row.reference: row for group in table.services for row in group.artefacts}
    assert rows["DES001"].total == 0 and rows["DES001"].document_type == "Design Artefact"
    assert (rows["BP004"]["accepted"], rows["BP004"]["action"], rows["BP004"].total) == (36, 13, 54)
    # Every artefact with comments has the DAG table's numbers.
    for status in comment_status("1", scope=STAFF).artefacts:
        row = rows[status.reference]
        assert [row[n] for n in (*DISPOSITIONS, "total")] == [
            status[n] for n in (*DISPOSITIONS, "total")
        ]
    assert table.totals == comment_status("1", scope=STAFF).totals
    for group in table.services:
        assert group.totals["total"] == sum(row.total for row in group.artefacts)
    # Every number is the comment list filtered to that artefact and disposition.
    for row in rows.values():
        f = CommentFilter(artefact=row.reference, scope=Scope.staff())
        assert count_comments(f) == row.total
        for name in DISPOSITIONS:
            f = CommentFilter(artefact=row.reference, disposition=name, scope=Scope.staff())
            assert count_comments(f) == row[name]
    with pytest.raises(ServiceError):
        tranche_artefacts("7")


@pytest.mark.usefixtures("app_context")
def test_the_rollup_includes_artefacts_without_comments():
    add_artefacts(("BP004", "3"), ("IF005", "3"), ("BP001", "2"))
    table = tranche_artefacts("3")
    assert [group.service for group in table.services] == [None]
    assert [row.reference for row in table.services[0].artefacts] == ["BP004", "IF005"]
    assert table.totals == dict.fromkeys((*DISPOSITIONS, "total"), 0)
    assert tranche_artefacts("4").services == []


def test_the_index_opens_the_first_tranche(demo, client, login):
    login("viewer")
    response = client.get("/artefacts/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/artefacts/tranches/1"


def test_the_tranche_page_numbers_are_the_rollups(app, demo, client, login):
    login("viewer")
    response = client.get("/artefacts/tranches/1")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    with app.app_context():
        table = tranche_artefacts("1")
    for group in table.services:
        assert f"<h2>{html.escape(group.service)} " in page
        for row in group.artefacts:
            assert f'<a href="/artefacts/{row.reference}">{row.reference}</a>' in page
            for name in DISPOSITIONS:
                number = row[name]
                link = f'href="/comments/?tranche=1&amp;artefact={row.reference}'
                link += f'&amp;disposition={name}"'
                if number:
                    assert re.search(rf"{re.escape(link)}[^>]*>{number}</a>", page), (row, name)
                else:
                    assert link not in page
            total_link = f'href="/comments/?tranche=1&amp;artefact={row.reference}"'
            if row.total:
                assert re.search(rf"{re.escape(total_link)}[^>]*>{row.total}</a>", page)
    assert "DIP Functional Specification" in page  # zero-comment artefacts are listed
    assert f"{table.totals['total']} comments" in page
    # Tabs for every tranche, the current one marked.
    assert re.search(r'href="/artefacts/tranches/1" aria-current="page"', page)
    for code in ("2", "3", "4", "TBC"):
        assert f'href="/artefacts/tranches/{code}"' in page


def test_a_number_opens_exactly_its_comments(demo, client, login):
    login("viewer")
    listing = client.get("/comments/?artefact=BP004&disposition=action").get_data(as_text=True)
    assert len(ROW.findall(listing)) == 13
    assert "of <strong>13</strong> comments" in listing


def test_empty_and_unknown_tranches(demo, client, login):
    login("viewer")
    empty = client.get("/artefacts/tranches/3").get_data(as_text=True)
    assert "No artefacts in Tranche 3 yet" in empty and "the design team imports" in empty
    assert "/imports/register" not in empty  # a viewer can't import: no link to it
    assert client.get("/artefacts/tranches/9").status_code == 404


def test_the_artefact_page_shows_the_artefact_and_its_comments(demo, client, login):
    login("triager")
    response = client.get("/artefacts/BP004")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in ("BP004", "Data Collection", "Business Process Diagram", "Tranche 1"):
        assert text in page
    assert "Metering and Data Services" in page and "under review</span>" in page
    assert len(ROW.findall(page)) == 50
    assert "Showing <strong>1–50</strong> of <strong>54</strong> comments" in page
    # The counts link to the artefact page filtered by disposition.
    assert '<a href="/artefacts/BP004?disposition=accepted">36</a>' in page
    # The list is the shared one: pages and filters stay on the artefact page.
    assert 'href="/artefacts/BP004?page=2"' in page
    assert '<input type="hidden" name="f-artefact" value="BP004">' in page  # bulk scope
    second = client.get("/artefacts/BP004?page=2").get_data(as_text=True)
    assert len(ROW.findall(second)) == 4
    action = client.get("/artefacts/BP004?disposition=action&sort=changed").get_data(as_text=True)
    assert len(ROW.findall(action)) == 13
    chips = re.findall(r'class="chip[^"]*"[^>]*>([^<]*)<span class="count">(\d+)</span>', action)
    assert {label.strip(): int(n) for label, n in chips}["Action"] == 13
    # Another artefact in the URL's query string does not escape the page's artefact.
    other = client.get("/artefacts/BP004?artefact=BP005").get_data(as_text=True)
    assert "of <strong>54</strong> comments" in other


def test_artefact_references_are_normalised_or_not_found(demo, client, login):
    login("viewer")
    response = client.get("/artefacts/mhhsp-bp-4?disposition=open")
    assert response.status_code == 301
    assert response.headers["Location"] == "/artefacts/BP004?disposition=open"
    assert client.get("/artefacts/BP999").status_code == 404
    assert client.get("/artefacts/nothing").status_code == 404

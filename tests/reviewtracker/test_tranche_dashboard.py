"""The tranche dashboard: the DAG pack's tables on the page, equal to the JSON and to the
board pack, every number a link to the comments it counts, progress, and the SVG chart."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from reviewtracker.extensions import db
from reviewtracker.models import Artefact, Organisation
from reviewtracker.services.charts import disposition_bars
from reviewtracker.services.comment_filter import CommentFilter
from reviewtracker.services.comment_queries import count_comments
from reviewtracker.services.rollups import ArtefactStatus, CommentStatusTable, comment_status
from reviewtracker.services.scope import Scope

from .dashboard_data import DEMO_MONTH, add_comment
from .demo_copy import load_demo_copy
from .test_rollups import DAG8_CONSTITUENCIES, DAG8_STATUS

STAFF = Scope.staff()

DISPOSITIONS = ("accepted", "action", "rejected", "clarification", "open")
LABELS = {
    "accepted": "Accepted",
    "action": "Action",
    "rejected": "Rejected",
    "clarification": "Requires Further Clarification",
    "open": "Open",
}
COLOURS = {
    "accepted": "#009e73",
    "action": "#e69f00",
    "rejected": "#d55e00",
    "clarification": "#56b4e9",
    "open": "#bbbbbb",
}


@pytest.fixture
def demo(app, tmp_path_factory):
    load_demo_copy(app, tmp_path_factory)


# --- reading the page's tables -------------------------------------------------------------


@dataclass
class Cell:
    text: str = ""
    href: str | None = None


@dataclass
class Table:
    head: list[list[Cell]] = field(default_factory=list)
    body: list[list[Cell]] = field(default_factory=list)
    foot: list[list[Cell]] = field(default_factory=list)


class TableReader(HTMLParser):
    """The cells (text and first link) of the <table id=...> tables of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, Table] = {}
        self._table: Table | None = None
        self._part = "body"
        self._cell: Cell | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self._table = self.tables.setdefault(attrs["id"], Table())
        elif self._table is None:
            return
        elif tag in ("thead", "tbody", "tfoot"):
            self._part = {"thead": "head", "tbody": "body", "tfoot": "foot"}[tag]
        elif tag == "tr":
            getattr(self._table, self._part).append([])
        elif tag in ("td", "th"):
            self._cell = Cell()
            getattr(self._table, self._part)[-1].append(self._cell)
        elif tag == "a" and self._cell is not None and self._cell.href is None:
            self._cell.href = attrs.get("href")

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag in ("td", "th") and self._cell is not None:
            self._cell.text = " ".join(self._cell.text.split())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.text += data


def page_tables(html: str) -> dict[str, Table]:
    reader = TableReader()
    reader.feed(html)
    return reader.tables


def number(cell: Cell) -> int:
    return int(cell.text) if cell.text else 0


def status_from_page(table: Table) -> tuple[list[tuple], tuple, list[str]]:
    """(rows as (name, per column..., total), the Grand Total row, the column labels)."""
    labels = [cell.text for cell in table.head[1]]
    width = len(labels)
    rows = [(row[0].text, *(number(c) for c in row[1 : width + 1])) for row in table.body]
    foot = table.foot[0]
    return rows, (foot[0].text, *(number(c) for c in foot[1 : width + 1])), labels


def status_from_json(data: dict, columns: list[str]) -> tuple[list[tuple], tuple]:
    rows = [
        (f"{a['reference']}- {a['title']}", *(a[c] for c in columns), a["total"])
        for a in data["artefacts"]
    ]
    return rows, ("Grand Total", *(data["totals"][c] for c in columns), data["totals"]["total"])


def board_pack_sheet(data: bytes, title: str, header: str) -> list[tuple]:
    """A board pack sheet's rows from its header row (found by its first cell) down to the
    total row, blanks as 0."""
    sheet = load_workbook(io.BytesIO(data))[title]
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == header)
    table = []
    for row in rows[start:]:
        if row[0] is None:
            break
        table.append(tuple(0 if value is None else value for value in row))
    return table


def staff_count(app, query: dict[str, str]) -> int:
    """The number of comments a staff member's comment list query matches, counted by the
    service (in an app context of its own, closed before the next request)."""
    with app.app_context():
        return count_comments(CommentFilter.from_args(query, Scope.staff()))


def list_count(client, href: str) -> int:
    """The number of comments the comment list says it shows."""
    html = client.get(href).get_data(as_text=True)
    found = re.search(r"of <strong>(\d+)</strong> comment", html)
    return int(found.group(1)) if found else 0


# --- the one cross-check: page = JSON = board pack = the DAG #8 pack -----------------------


@pytest.mark.parametrize("code", ["1", "2"])
def test_page_json_and_board_pack_give_the_same_numbers(demo, client, login, code):
    login("viewer")
    tables = page_tables(client.get(f"/tranches/{code}").get_data(as_text=True))
    page_rows, page_total, labels = status_from_page(tables["comment-status"])
    columns = [name for name in DISPOSITIONS if LABELS[name] in labels]

    status = client.get(f"/api/tranches/{code}/comment-status").get_json()
    json_rows, json_total = status_from_json(status, columns)
    constituencies = client.get(f"/api/tranches/{code}/constituencies").get_json()
    response = client.get(f"/exports/board-pack.xlsx?tranche={code}&month={DEMO_MONTH}")
    assert response.status_code == 200
    xlsx = board_pack_sheet(response.data, "Comment status", "Design Artefacts")

    # The same columns in the same order everywhere, then the same numbers.
    assert [cell for cell in xlsx[0]] == ["Design Artefacts", *labels]
    assert page_rows == json_rows == xlsx[1:-1]
    assert page_total == json_total == xlsx[-1]

    page_constituencies = [
        (row[0].text, number(row[1]), number(row[2]))
        for row in tables["constituencies"].body + tables["constituencies"].foot
    ]
    json_constituencies = [
        (row["constituency"], row["organisations"], row["comments"])
        for row in constituencies["constituencies"]
    ]
    totals = constituencies["totals"]
    json_constituencies.append(("Total", totals["organisations"], totals["comments"]))
    xlsx_constituencies = board_pack_sheet(response.data, "Constituencies", "Constituency")
    assert page_constituencies == json_constituencies == xlsx_constituencies[1:]
    assert xlsx_constituencies[0] == ("Constituency", "No. Organisations", "Total Comments")

    if code == "1":  # the DAG #8 pack's tables, exactly
        assert labels == ["Accepted", "Action", "Rejected", "Requires Further Clarification"] + [
            "Total"
        ]
        assert [(name.split("-")[0], *n) for name, *n in page_rows] == [
            tuple(row) for row in DAG8_STATUS
        ]
        assert page_rows[0][0] == "BP004- Data Collection"
        assert page_total == ("Grand Total", 446, 187, 44, 30, 707)
        assert page_constituencies == [*DAG8_CONSTITUENCIES, ("Total", 15, 707)]
        assert len(page_constituencies) == 14  # 13 constituencies, zeros included, and Total
    else:  # a review under way: the Open column shows, on the page and in the pack alike
        assert "Open" in labels and page_total[labels.index("Open") + 1] > 0


# --- links ----------------------------------------------------------------------------------


def _query(href: str) -> dict[str, str]:
    parts = urlsplit(href)
    assert parts.path == "/comments/"
    return {key: values[0] for key, values in parse_qs(parts.query).items()}


def test_every_number_links_to_the_comments_it_counts(app, demo, client, login):
    login("viewer")
    tables = page_tables(client.get("/tranches/2").get_data(as_text=True))
    table = tables["comment-status"]
    labels = [cell.text for cell in table.head[1]]
    columns = [name for name in DISPOSITIONS if LABELS[name] in labels] + [None]
    checked = 0
    for row in table.body + table.foot:
        reference = None if row[0].text == "Grand Total" else row[0].text.split("-")[0]
        for cell, disposition in zip(row[1 : len(columns) + 1], columns, strict=True):
            if not cell.text:  # a zero is blank, as in the pack, and links nowhere
                assert cell.href is None
                continue
            assert cell.href, f"{row[0].text} / {disposition}: {cell.text} is not a link"
            expected = {"tranche": "2"}
            if reference:
                expected["artefact"] = reference
            if disposition:
                expected["disposition"] = disposition
            assert _query(cell.href) == expected
            assert staff_count(app, expected) == int(cell.text)
            checked += 1
    assert checked > 40

    rows = tables["constituencies"].body
    assert all(row[1].href and row[2].href for row in rows)
    for row in rows:
        query = _query(row[2].href)
        assert set(query) == {"tranche", "constituency"} and query["tranche"] == "2"
        assert staff_count(app, query) == number(row[2])
    assert _query(tables["constituencies"].foot[0][2].href) == {"tranche": "2"}

    # Followed with the browser's client, the list shows as many comments as the cell says.
    linked = [cell for row in table.body for cell in row[1 : len(columns)] if cell.href]
    samples = [linked[0], table.body[0][len(columns)], table.foot[0][1], rows[0][2]]
    for cell in samples:
        assert list_count(client, cell.href) == number(cell) > 0


def test_links_of_a_round_page_keep_the_round(demo, client, login):
    login("viewer")
    html = client.get("/tranches/1/rounds/1").get_data(as_text=True)
    table = page_tables(html)["comment-status"]
    first = table.body[0][1]
    assert _query(first.href) == {
        "tranche": "1",
        "round": "1",
        "artefact": "BP004",
        "disposition": "accepted",
    }
    assert list_count(client, first.href) == 36
    assert 'href="/exports/board-pack.xlsx?tranche=1&amp;round=1"' in html
    assert 'href="/exports/comments.xlsx?tranche=1&amp;round=1"' in html


# --- progress, downloads, chart, legend ----------------------------------------------------


def test_progress_per_artefact_and_for_the_tranche(app, demo, client, login):
    login("viewer")
    html = client.get("/tranches/2").get_data(as_text=True)
    with app.app_context():
        status = comment_status("2", scope=STAFF)
    assert status.totals["open"] > 0
    bars = re.findall(r'<progress max="100" value="(\d+)" aria-label="(\w+) triaged">', html)
    expected = [(str(100 * (a.total - a.open) // a.total), a.reference) for a in status.artefacts]
    assert bars == expected
    assert len({value for value, _reference in expected}) > 3
    rows = page_tables(html)["comment-status"].body
    assert [row[-1].text.split()[-1] for row in rows] == [f"{v}%" for v, _r in expected]
    share = 100 * (status.totals["total"] - status.totals["open"]) // status.totals["total"]
    assert 0 < share < 100
    summary = re.search(r'<p class="progress-summary".*?</p>', html, re.S).group(0)
    assert f'<progress max="100" value="{share}"' in summary
    assert f"{share}% triaged" in summary
    assert f">{status.totals['open']}</a> still open" in summary
    # Tranche 1 is fully triaged: 100% everywhere.
    rows = page_tables(client.get("/tranches/1").get_data(as_text=True))["comment-status"].body
    assert {row[-1].text.split()[-1] for row in rows} == {"100%"}


def test_download_buttons_and_legend(demo, client, login):
    login("viewer")
    html = client.get("/tranches/1").get_data(as_text=True)
    buttons = re.findall(r'<a class="button" href="([^"]*)">([^<]*)</a>', html)
    assert ("/exports/board-pack.xlsx?tranche=1", "Board pack (xlsx)") in buttons
    assert ("/exports/comments.xlsx?tranche=1", "Comments (xlsx)") in buttons
    response = client.get("/exports/comments.xlsx?tranche=1")
    assert load_workbook(io.BytesIO(response.data)).active.max_row == 1 + 707
    for label in ("Accepted", "Action", "Rejected", "Requires Further Clarification"):
        assert f"</svg> {label}</dt>" in html
    assert "future actions are required" in html  # the pack's definitions


def test_chart_on_the_page_draws_each_disposition_in_its_colour(app, demo, client, login):
    login("viewer")
    html = client.get("/tranches/2").get_data(as_text=True)
    svg = re.search(r"<svg xmlns=.*?</svg>", html, re.S).group(0)
    root = ET.fromstring(svg)  # well-formed XML
    ns = {"svg": "http://www.w3.org/2000/svg"}
    with app.app_context():
        status = comment_status("2", scope=STAFF)
    rows = root.findall("svg:g[@class='chart-row']", ns)
    assert len(rows) == len(status.artefacts)
    for group, artefact in zip(rows, status.artefacts, strict=True):
        segments = {r.get("data-disposition"): r for r in group.findall("svg:rect", ns)}
        expected = {name for name in DISPOSITIONS if artefact[name]}
        assert set(segments) == expected
        for name, rect in segments.items():
            assert rect.get("fill") == COLOURS[name]
            assert int(rect.get("data-count")) == artefact[name]
        assert group.findall("svg:text", ns)[-1].text == str(artefact.total)
    legend = [t.text for t in root.findall("svg:g[@class='chart-legend']/svg:text", ns)]
    assert legend == [LABELS[name] for name in status.columns]


def test_chart_escapes_every_text():
    title = '</text><script>alert("x")</script> & <b>'
    table = CommentStatusTable(
        tranche="1",
        review_round=None,
        artefacts=[
            ArtefactStatus(
                reference="BP001",
                title=title,
                counts={"accepted": 2, "action": 0, "rejected": 0, "clarification": 0, "open": 1},
            )
        ],
        totals={"accepted": 2, "action": 0, "rejected": 0, "clarification": 0, "open": 1},
    )
    svg = str(disposition_bars(table, title='Chart "<i>"'))
    assert "<script>" not in svg and "<b>" not in svg and "<i>" not in svg
    assert "&lt;script&gt;" in svg and "&amp; &lt;b&gt;" in svg
    root = ET.fromstring(svg)  # still well-formed: the title could not break out
    texts = ["".join(element.itertext()) for element in root.iter()]
    assert f"BP001- {title}" in texts  # shown as written, in the tooltip
    assert any(text == 'Chart "<i>"' for text in texts)
    assert str(disposition_bars(CommentStatusTable("1", None))) == ""


def test_page_escapes_a_malicious_artefact_title(app, client, login):
    login("viewer")
    with app.app_context():
        artefact_id = add_comment("BP001", "A comment.").artefact_id
        artefact = db.session.get(Artefact, artefact_id)
        artefact.title = '<script>alert("x")</script>'
        db.session.commit()
    html = client.get("/tranches/1").get_data(as_text=True)
    assert "<script>" not in html
    assert "BP001- &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_progress_over_time_is_a_page_of_its_own_that_the_tranche_page_loads(demo, client, login):
    """Progress is read from every comment: the tranche page links to its own page (and
    app.js loads it in place); staff only, like the panel was."""
    login("viewer")
    html = client.get("/tranches/1").get_data(as_text=True)
    assert 'data-load-panel="/tranches/1/progress"' in html
    assert 'data-load-panel="/tranches/1/rounds/1/progress"' in client.get(
        "/tranches/1/rounds/1"
    ).get_data(as_text=True)
    page = client.get("/tranches/1/progress")
    assert page.status_code == 200
    panel = page.get_data(as_text=True).split("data-progress-panel", 1)[1]
    # Received per day, the burn-down, and the median days to a disposition by constituency
    # and by artefact (the demo's comments have dispositions).
    assert panel.count("<figure") == 4 and "Triage burn-down" in panel
    assert "Median days to a disposition, by artefact" in panel
    assert client.get("/tranches/1/rounds/1/progress").status_code == 200
    assert client.get("/tranches/1/rounds/9/progress").status_code == 404
    assert client.get("/tranches/X/progress").status_code == 404


def test_a_tranche_without_comments_has_no_progress_panel(client, login):
    """Nothing imported yet: no panel on the tranche page; its own page says why."""
    login("viewer")
    assert "data-load-panel" not in client.get("/tranches/1").get_data(as_text=True)
    page = client.get("/tranches/1/progress").get_data(as_text=True)
    assert "No comments received yet" in page and "<figure" not in page


def test_a_reviewer_gets_no_progress_panel(app, demo, client, login):
    with app.app_context():
        organisation = db.session.scalar(select(Organisation.id).order_by(Organisation.id))
    login("reviewer", organisation=organisation)
    assert "data-load-panel" not in client.get("/tranches/1").get_data(as_text=True)
    assert client.get("/tranches/1/progress").status_code == 403

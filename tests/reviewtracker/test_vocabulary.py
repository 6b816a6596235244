"""One vocabulary: every place that shows the dispositions or the RAG statuses shows exactly
the vocabulary's labels in its order, and no module defines them a second time."""

from __future__ import annotations

import ast
import csv
import html
import io
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from reviewtracker.extensions import db
from reviewtracker.models import Comment

from .dashboard_data import DEMO_MONTH
from .demo_copy import load_demo_copy

# Written out by hand: what a user sees, in the DAG pack's order.
LABELS = ["Accepted", "Action", "Rejected", "Requires Further Clarification", "Open"]
KEYS = ["accepted", "action", "rejected", "clarification", "open"]
SHORTCUTS = ["a", "c", "r", "f", "o"]
RAG_LABELS = ["On track", "At risk", "Not on track / high risk", "Complete", "To be determined"]
RAG_KEYS = ["on_track", "at_risk", "not_on_track", "complete", "tbd"]
ACTION_LABELS = ["Open", "Ongoing", "Recommend closed", "Closed"]
ACTION_KEYS = ["open", "ongoing", "recommend_closed", "closed"]
STATE_KEYS = ["drafting", "under_review", "resolving", "ready_for_dag", "approved", "baselined"]
STATE_KEYS += ["change_control", "withdrawn"]
STATE_LABELS = ["drafting", "under review", "comments being resolved", "ready for DAG"]
STATE_LABELS += ["approved", "baselined", "under change control", "withdrawn"]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo(app, tmp_path_factory):
    load_demo_copy(app, tmp_path_factory)


def fragment(page: str, start: str, end: str) -> str:
    """The part of `page` from the first `start` to the next `end`."""
    at = page.index(start)
    return page[at : page.index(end, at)]


def texts(markup: str, pattern: str) -> list[str]:
    """The text (tags stripped, entities decoded, spaces folded) of each match of `pattern`'s
    first group."""
    found = re.findall(pattern, markup, re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split()) for text in found]


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


# --- the pages ---------------------------------------------------------------------------------


def test_comment_list_chips_filter_and_bulk_select(demo, client, login):
    login("triager")
    html_ = page(client, "/comments/?tranche=2")
    chips = fragment(html_, '<nav class="chips"', "</nav>")
    assert texts(chips, r'class="chip d-\w+[^"]*"[^>]*>([^<]*)<') == LABELS
    assert re.findall(r'class="chip d-(\w+)', chips) == KEYS
    select_ = fragment(html_, '<select name="disposition"', "</select>")
    assert texts(select_, r"<option[^>]*>(.*?)</option>") == ["All dispositions", *LABELS]
    bulk = fragment(html_, '<details class="bulk', "</details>")
    bulk_select = fragment(bulk, '<select name="disposition"', "</select>")
    assert texts(bulk_select, r"<option[^>]*>(.*?)</option>") == ["Leave as it is", *LABELS]


def test_comment_page_triage_select_and_keyboard_keys(app, demo, client, login):
    login("triager")
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id).order_by(Comment.id).limit(1))
    html_ = page(client, f"/comments/{comment_id}")
    triage = fragment(html_, "data-triage-form", "</form>")
    select_ = fragment(triage, "<select", "</select>")
    options = re.findall(r"<option ([^>]*)>([^<]*)</option>", select_)
    assert [label for _attrs, label in options] == LABELS
    # app.js reads the keys from the options: the server renders them from the vocabulary.
    assert [re.search(r'data-key="(\w)"', attrs).group(1) for attrs, _ in options] == SHORTCUTS
    help_ = fragment(html_, "data-keyboard-help", "</aside>")
    keys = re.findall(r"<dt><kbd>(\w)</kbd></dt><dd>([^<]*)</dd>", help_)
    assert keys == list(zip(SHORTCUTS, LABELS, strict=True))


def test_tranche_dashboard_headings_chart_legend_and_definitions(demo, client, login):
    login("viewer")
    html_ = page(client, "/tranches/2")  # tranche 2 has open comments: all five columns
    table = fragment(html_, 'id="comment-status"', "</thead>")
    headings = texts(table, r'<th class="num">(.*?)</th>')
    assert headings == [*LABELS, "Total"]
    legend = fragment(html_, '<g class="chart-legend"', "</g>")
    assert texts(legend, r"<text[^>]*>(.*?)</text>") == LABELS
    assert re.findall(r'fill="(#\w+)"', legend) == [
        "#009e73",
        "#e69f00",
        "#d55e00",
        "#56b4e9",
        "#bbbbbb",
    ]
    definitions = fragment(html_, '<dl class="legend">', "</dl>")
    assert texts(definitions, r"<dt>(.*?)</dt>") == LABELS
    # Tranche 1 has none open: the pack's four.
    table = fragment(page(client, "/tranches/1"), 'id="comment-status"', "</thead>")
    assert texts(table, r'<th class="num">(.*?)</th>') == [*LABELS[:4], "Total"]


def test_artefact_table_headings(demo, client, login):
    login("viewer")
    html_ = page(client, "/artefacts/tranches/1")
    head = fragment(html_, '<table class="grid artefacts">', "</thead>")
    headings = re.findall(r'<th class="num">(.*?)</th>', head)
    assert headings[:-1] == [
        "Accepted",
        "Action",
        "Rejected",
        '<abbr title="Requires Further Clarification">Clarification</abbr>',
        "Open",
    ]


def test_design_dashboard_rag_cells_legend_and_form(demo, client, login):
    login("lead")
    html_ = page(client, f"/design-dashboard?month={DEMO_MONTH}")
    legend = fragment(html_, 'class="rag-legend"', "</ul>")
    assert texts(legend, r'<span class="rag-label">(.*?)</span>') == RAG_LABELS
    assert re.findall(r'class="rag rag-(\w+)"', legend) == RAG_KEYS
    table = fragment(html_, "<tbody", "</table>")
    shown = set(texts(table, r'<span class="rag-label">(.*?)</span>'))
    assert shown == {"On track", "At risk"}  # the pack's April: green and amber
    edit = re.search(r'href="(/design-dashboard/1/\d+/2022-04)"', html_).group(1)
    form = page(client, edit)
    select_ = fragment(form, '<select id="rag"', "</select>")
    assert texts(select_, r"<option[^>]*>(.*?)</option>") == ["Not set", *RAG_LABELS]


def test_the_stylesheet_colours_every_term_in_order(client):
    css = page(client, "/vocabulary.css")
    # ... and a reviewer's "under consideration", coloured like a disposition.
    assert re.findall(r"^\.badge\.d-(\w+),", css, re.M) == [*KEYS, "under_consideration"]
    assert re.findall(r"^\.rag-(\w+) \.rag-dot", css, re.M) == RAG_KEYS
    assert re.findall(r"^\.badge\.s-(\w+) ", css, re.M) == STATE_KEYS
    assert re.findall(r"^\.badge\.r-(\w+) ", css, re.M) == ["planned", "open", "closed"]
    assert re.findall(r"^\.badge\.rd-(\w+) ", css, re.M) == [
        "new",
        "repeated",
        "carried_open",
        "resolved",
    ]
    assert re.findall(r"^\.badge\.as-(\w+),", css, re.M) == ACTION_KEYS


def test_action_log_chips_and_update_form(app, client, login):
    from .governance_data import add_action, add_meeting

    with app.app_context():
        add_action("DAG13-01", add_meeting("DAG013", None))
    login("lead")
    html_ = page(client, "/actions/")
    chips = fragment(html_, '<nav class="chips"', "</nav>")
    assert texts(chips, r'class="chip as-\w+[^"]*"[^>]*>([^<]*)<') == ACTION_LABELS
    assert re.findall(r'class="chip as-(\w+)', chips) == ACTION_KEYS
    form = fragment(page(client, "/actions/DAG13-01"), "Add an update", "</form>")
    select_ = fragment(form, "<select", "</select>")
    # From open: the moves the rules allow, in the vocabulary's order.
    assert texts(select_, r"<option[^>]*>(.*?)</option>") == [
        "No change (open)",
        "Move to ongoing",
        "Move to recommend closed",
        "Move to closed",
    ]


# --- JSON, CLI and exports ---------------------------------------------------------------------


def test_json_api_keys(demo, client, login):
    login("viewer")
    status = client.get("/api/tranches/2/comment-status").get_json()
    assert list(status["artefacts"][0]) == ["reference", "title", *KEYS, "total"]
    assert list(status["totals"]) == [*KEYS, "total"]
    design = client.get(f"/api/design-dashboard?month={DEMO_MONTH}").get_json()
    assert list(design["rag_labels"]) == RAG_KEYS
    assert list(design["rag_labels"].values()) == RAG_LABELS


def test_rollup_command_text_and_json(demo, runner):
    data = json.loads(runner.invoke(args=["rollup", "--tranche", "1", "--json"]).output)
    assert list(data["artefacts"][0]) == ["reference", "title", *KEYS, "total"]
    assert list(data["totals"]) == [*KEYS, "total"]
    text = runner.invoke(args=["rollup", "--tranche", "1"]).output
    header = next(line for line in text.splitlines() if "Design Artefacts" in line)
    shown = [cell.strip() for cell in header.split("┃") if cell.strip()]
    # Rich may wrap the long label over two lines: compare the first words.
    assert [cell.split()[0] for cell in shown] == [
        "Design",
        "Accepted",
        "Action",
        "Rejected",
        "Requires",
        "Open",
        "Total",
    ]


def test_board_pack_headings_definitions_and_rag_legend(demo, client, login):
    login("viewer")
    response = client.get(f"/exports/board-pack.xlsx?tranche=2&month={DEMO_MONTH}")
    book = load_workbook(io.BytesIO(response.data))
    status = book["Comment status"]
    assert [c.value for c in status[3]] == ["Design Artefacts", *LABELS, "Total"]
    definitions = book["Status definitions"]
    assert [definitions.cell(row, 1).value for row in range(4, 9)] == LABELS
    assert definitions.cell(9, 1).value is None
    dashboard = book["Design dashboard"]
    start = next(row[0].row for row in dashboard.iter_rows() if row[0].value == "Legend") + 1
    legend = [dashboard.cell(start + i, 1) for i in range(len(RAG_LABELS))]
    assert [cell.value for cell in legend] == RAG_LABELS
    assert [cell.fill.fgColor.rgb[-6:] for cell in legend] == [
        "2E8540",
        "F0A202",
        "C62828",
        "1F6FB2",
        "8C96A0",
    ]


def _first_seen(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def test_comment_register_csv_and_xlsx_write_the_labels(demo, client, login):
    login("triager")
    query = "tranche=2&sort=disposition"
    rows = list(csv.reader(io.StringIO(page(client, f"/exports/comments.csv?{query}"))))
    column = rows[0].index("Disposition")
    assert _first_seen([row[column] for row in rows[1:]]) == LABELS
    book = load_workbook(io.BytesIO(client.get(f"/exports/comments.xlsx?{query}").data))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    column = header.index("Disposition")
    values = [row[column] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert _first_seen(values) == LABELS


# --- no second definition ----------------------------------------------------------------------

# Tables keyed by the vocabulary's keys that hold something else than the terms themselves.
KEYED_BY_THE_VOCABULARY = {
    "importers/normalise.py",  # the written forms the reader accepts for each disposition
    "importers/design_dashboard.py",  # ... and for each RAG status
    "reviewtracker/demo.py",  # the demo's response text for each disposition
    "importers/governance.py",  # the written forms the reader accepts for each action status
    "reviewtracker/services/actions.py",  # the moves allowed from each action status
}
SOURCES = ("importers", "reviewtracker", "templates")


def _source_files(*suffixes: str) -> list[Path]:
    return sorted(
        path
        for folder in SOURCES
        for path in (ROOT / folder).rglob("*")
        if path.suffix in suffixes and "migrations" not in path.parts
    )


def _literal_strings(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Dict):
        items = [key for key in node.keys if key is not None]
    elif isinstance(node, ast.Tuple | ast.List | ast.Set):
        items = node.elts
    else:
        return set()
    return {item.value for item in items if isinstance(item, ast.Constant)}


@pytest.mark.parametrize(
    "words",
    [
        KEYS[:4],
        LABELS[:4],
        RAG_KEYS,
        RAG_LABELS,
        ACTION_KEYS,
        ACTION_LABELS,
        STATE_KEYS[:5],
        STATE_LABELS[:5],
    ],
)
def test_no_python_module_lists_the_terms_a_second_time(words):
    """No tuple, list, set or dict literal outside importers/vocabulary.py holds the terms
    (the pack's four dispositions are enough to count as a list of them)."""
    wanted = set(words)
    found = []
    for path in _source_files(".py"):
        name = path.relative_to(ROOT).as_posix()
        if name == "importers/vocabulary.py" or name in KEYED_BY_THE_VOCABULARY:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if wanted <= _literal_strings(node):
                found.append(f"{name}:{node.lineno}")
    assert found == []


@pytest.mark.parametrize(
    "words",
    [KEYS[:4], LABELS[:4], RAG_KEYS, RAG_LABELS, ACTION_KEYS, ACTION_LABELS, STATE_LABELS],
)
def test_no_template_script_or_stylesheet_names_the_terms(words):
    """Templates, app.js and app.css take the terms from the server: none of them names
    them all (a hard-coded list, a map of keyboard keys, a colour per class)."""
    found = []
    for path in _source_files(".html", ".js", ".css"):
        text = path.read_text(encoding="utf-8")
        if all(re.search(rf"\b{re.escape(word)}\b", text) for word in words):
            found.append(path.relative_to(ROOT).as_posix())
    assert found == []

"""The comment list page: filters, chips, paging, sorting, search, roles and escaping."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from reviewtracker.extensions import db
from reviewtracker.models import Comment, Organisation, ReviewRound, Tranche
from reviewtracker.services.comment_filter import CommentFilter
from reviewtracker.services.comment_import import ImportOptions, import_comment_log
from reviewtracker.services.comment_queries import filtered_ids
from reviewtracker.services.scope import Scope
from tests.logmaker import write_csv_log

from .demo_copy import load_demo_copy
from .factories import add_artefacts

ROW = re.compile(r'<tr data-comment="(\d+)"')
STAFF = Scope.staff()


@pytest.fixture
def demo(app, tmp_path_factory):
    load_demo_copy(app, tmp_path_factory)


def listed(response) -> list[int]:
    assert response.status_code == 200
    return [int(i) for i in ROW.findall(response.get_data(as_text=True))]


def ids(f: CommentFilter) -> list[int]:
    """The filter's comments in its order, as the staff see them (inside an app context)."""
    return list(db.session.scalars(filtered_ids(f.for_scope(STAFF))))


def links(page: str, css_class: str) -> list[str]:
    """The hrefs of the links with this class, unescaped."""
    hrefs = []
    for tag in re.findall(r"<a\s[^>]*>", page):
        classes = re.search(r'class="([^"]*)"', tag)
        if classes and css_class in classes.group(1).split():
            hrefs.append(html.unescape(re.search(r'href="([^"]*)"', tag).group(1)))
    return hrefs


def elexon() -> int:
    """Elexon's organisation id (inside an app context)."""
    return db.session.scalar(select(Organisation.id).where(Organisation.name == "Elexon"))


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/comments/?tranche=1")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_list_shows_fifty_comments_with_what_a_triager_needs(app, demo, client, login):
    login("viewer")
    response = client.get("/comments/")
    page = response.get_data(as_text=True)
    with app.app_context():
        assert listed(response) == ids(CommentFilter())[:50]
    assert "Showing <strong>1–50</strong> of <strong>947</strong> comments" in page
    for column in ("Artefact", "Organisation", "Where", "Comment", "Disposition", "Response"):
        assert f">{column}<" in page or f">{column} " in page
    assert 'class="badge d-' in page
    assert 'href="/artefacts/BP001"' in page  # artefact links to its page


def test_filters_combine_and_the_form_keeps_them(app, demo, client, login):
    login("viewer")
    with app.app_context():
        organisation = elexon()
        by_hand = db.session.scalar(
            select(func.count(Comment.id))
            .join(ReviewRound, ReviewRound.id == Comment.review_round_id)
            .join(Tranche, Tranche.id == ReviewRound.tranche_id)
            .where(
                Tranche.code == "1",
                Comment.organisation_id == organisation,
                Comment.disposition == "accepted",
            )
        )
        f = CommentFilter(tranche="1", organisation_id=organisation, disposition="accepted")
        expected = ids(f)[:50]
    assert 0 < by_hand < 114
    response = client.get(f"/comments/?tranche=1&organisation={organisation}&disposition=accepted")
    page = response.get_data(as_text=True)
    assert f"of <strong>{by_hand}</strong> comments" in page
    assert listed(response) == expected
    assert len(listed(response)) == min(by_hand, 50)
    # The selects are pre-filled from the URL; the active filters can be removed one by one.
    assert '<option value="1" selected>Tranche 1</option>' in page
    assert f'<option value="{organisation}" selected>Elexon</option>' in page
    assert '<option value="accepted" selected>Accepted</option>' in page
    assert "Organisation: Elexon" in page
    assert 'class="clear"' in page
    removals = links(page, "active-filter")
    assert f"/comments/?organisation={organisation}&disposition=accepted" in removals
    assert "/comments/?tranche=1&disposition=accepted" in removals


def test_chips_count_each_disposition_of_the_filter(app, demo, client, login):
    login("viewer")
    with app.app_context():
        organisation = elexon()
        expected = dict(
            db.session.execute(
                select(Comment.disposition, func.count())
                .join(ReviewRound, ReviewRound.id == Comment.review_round_id)
                .join(Tranche, Tranche.id == ReviewRound.tranche_id)
                .where(Tranche.code == "1", Comment.organisation_id == organisation)
                .group_by(Comment.disposition)
            ).all()
        )
    page = client.get(f"/comments/?tranche=1&organisation={organisation}&disposition=rejected")
    text = page.get_data(as_text=True)
    chips = re.findall(
        r'<a href="([^"]*)" class="chip[^"]*"[^>]*>([^<]*)<span class="count">(\d+)</span>', text
    )
    counts = {label.strip(): int(n) for _href, label, n in chips}
    assert counts == {
        "All": 114,
        "Accepted": expected.get("accepted", 0),
        "Action": expected.get("action", 0),
        "Rejected": expected.get("rejected", 0),
        "Requires Further Clarification": expected.get("clarification", 0),
        "Open": 0,
    }
    hrefs = {label.strip(): html.unescape(href) for href, label, _n in chips}
    base = f"/comments/?tranche=1&organisation={organisation}"
    assert hrefs["All"] == base
    assert hrefs["Action"] == base + "&disposition=action"
    assert re.search(r'class="chip d-rejected[^"]*" aria-current="true"', text)


def test_paging_keeps_the_filter(app, demo, client, login):
    login("viewer")
    with app.app_context():
        everything = ids(CommentFilter(tranche="1", sort="organisation"))
    second = client.get("/comments/?tranche=1&sort=organisation&page=2")
    assert listed(second) == everything[50:100]
    page = second.get_data(as_text=True)
    assert "Showing <strong>51–100</strong> of <strong>707</strong>" in page
    pager = page[page.index('class="pages"') :]
    hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]*)"', pager.split("</nav>")[0])]
    assert "/comments/?tranche=1&sort=organisation" in hrefs  # first and previous: page 1
    assert "/comments/?tranche=1&sort=organisation&page=3" in hrefs  # next
    assert "/comments/?tranche=1&sort=organisation&page=15" in hrefs  # last
    assert all("tranche=1" in href and "sort=organisation" in href for href in hrefs)
    assert '<span class="current" aria-current="page">2</span>' in pager
    last = client.get("/comments/?tranche=1&sort=organisation&page=15")
    assert listed(last) == everything[700:]
    assert listed(client.get("/comments/?tranche=1&sort=organisation&page=999")) == everything[700:]
    assert listed(client.get("/comments/?tranche=1&sort=organisation&page=x")) == everything[:50]


@pytest.mark.parametrize("sort", ["artefact", "organisation", "disposition", "changed"])
def test_sort_orders(app, demo, client, login, sort):
    login("viewer")
    response = client.get(f"/comments/?tranche=2&sort={sort}")
    with app.app_context():
        assert listed(response) == ids(CommentFilter(tranche="2", sort=sort))[:50]
    assert f'<option value="{sort}" selected>' in response.get_data(as_text=True)


def test_sort_orders_differ(demo, client, login):
    login("viewer")
    orders = {
        sort: listed(client.get(f"/comments/?tranche=2&sort={sort}"))
        for sort in ("artefact", "organisation", "disposition", "changed")
    }
    assert len({tuple(order) for order in orders.values()}) == 4


def test_free_text_search(app, demo, client, login):
    login("viewer")
    response = client.get("/comments/?q=SWIMLANE&tranche=2")
    with app.app_context():
        by_hand = db.session.scalars(
            select(Comment.id)
            .join(ReviewRound, ReviewRound.id == Comment.review_round_id)
            .join(Tranche, Tranche.id == ReviewRound.tranche_id)
            .where(Tranche.code == "2", func.lower(Comment.text).like("%swimlane%"))
        ).all()
    found = listed(response)
    assert 0 < len(by_hand) <= 50
    assert sorted(found) == sorted(by_hand)
    assert 'value="SWIMLANE"' in response.get_data(as_text=True)
    nothing = client.get("/comments/?q=no-such-words-anywhere").get_data(as_text=True)
    assert "No comments match these filters" in nothing and "clear all filters" in nothing


def test_a_search_too_broad_to_count_says_more_than(app, demo, client, login, monkeypatch):
    """Over SEARCH_COUNT_LIMIT matches a search is not counted by disposition: the chips stay
    (as links), the total reads "more than", and the pages still work."""
    from reviewtracker.services import comment_queries

    login("viewer")
    with app.app_context():
        everything = comment_queries.count_comments(CommentFilter(q="the", scope=STAFF))
    assert everything > 60
    monkeypatch.setattr(comment_queries, "SEARCH_COUNT_LIMIT", 10)
    page = client.get("/comments/?q=the")
    text = page.get_data(as_text=True)
    assert len(listed(page)) == 50  # a whole page, though only 10 are counted
    assert "<strong>1–50</strong> of <strong>more than 10</strong> comments" in text
    assert "This search matches more than 10 comments" in text
    assert 'class="count">10+</span>' in text
    assert 'class="chip d-open uncounted"' in text
    assert html.unescape(links(text, "d-open")[0]) == "/comments/?q=the&disposition=open"
    # Narrowed to fewer than the limit, it is counted again, chips and all.
    monkeypatch.setattr(comment_queries, "SEARCH_COUNT_LIMIT", everything)
    text = client.get("/comments/?q=the").get_data(as_text=True)
    assert f"of <strong>{everything}</strong> comments" in text
    assert "uncounted" not in text
    assert f'All <span class="count">{everything}</span>' in text


def test_list_counts_are_exact_up_to_the_limit(demo, app_context):
    from reviewtracker.services.comment_queries import disposition_counts, list_counts

    for f in (
        CommentFilter(q="the", scope=STAFF),
        CommentFilter(q="the", disposition="open", scope=STAFF),
        CommentFilter(scope=STAFF),
    ):
        chips = disposition_counts(f)
        total = chips[f.disposition] if f.disposition else chips["total"]
        exact = list_counts(f, limit=10_000)
        assert (exact.chips, exact.total, exact.exact) == (chips, total, True)
    broad = list_counts(CommentFilter(q="the", scope=STAFF), limit=5)
    assert (broad.chips, broad.total, broad.exact) == (None, 6, False)
    # Its disposition part is counted on its own: exact if that is under the limit.
    one = CommentFilter(q="the", disposition="rejected", scope=STAFF)
    rejected = disposition_counts(one)["rejected"]
    narrowed = list_counts(one, limit=rejected)
    assert (narrowed.chips, narrowed.total, narrowed.exact) == (None, rejected, True)
    assert list_counts(one, limit=rejected - 1).total == rejected
    assert not list_counts(one, limit=rejected - 1).exact


def test_a_viewer_sees_no_checkboxes_and_cannot_bulk_triage(app, demo, client, login):
    login("viewer")
    page = client.get("/comments/").get_data(as_text=True)
    assert 'name="ids"' not in page and "Triage in bulk" not in page
    response = client.post("/comments/bulk", data={"scope": "filter", "disposition": "rejected"})
    assert response.status_code == 403
    with app.app_context():
        rejected = db.session.scalar(select(func.count()).where(Comment.disposition == "rejected"))
    assert rejected == 75


def test_a_triager_ticks_rows(demo, client, login):
    login("triager")
    page = client.get("/comments/?tranche=1").get_data(as_text=True)
    assert page.count('name="ids"') == 50
    assert "Triage in bulk" in page and 'action="/comments/bulk"' in page
    assert '<input type="hidden" name="f-tranche" value="1">' in page
    assert "Every comment matching this filter (707)" in page


def test_html_in_comments_is_shown_escaped(app, client, login, tmp_path: Path):
    rows = [
        {
            "log_comment_id": "1",
            "artefact": "BP004",
            "comment": "<script>alert('x')</script> and <b>bold</b> & more",
            "response": "<img src=x onerror=alert(1)>",
            "disposition": "Accepted",
        }
    ]
    path = write_csv_log(tmp_path / "log.csv", rows, key_values={"Organisation": "<i>Acme</i>"})
    options = ImportOptions(constituency="Supplier- Large")
    with app.app_context():
        add_artefacts(("BP004", "1"))
        assert import_comment_log(path, options=options).written
    login("viewer")
    page = client.get("/comments/").get_data(as_text=True)
    assert (
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; and &lt;b&gt;bold&lt;/b&gt; &amp; more"
        in page
    )
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;i&gt;Acme&lt;/i&gt;" in page
    assert "<script>alert" not in page and "<b>bold" not in page and "<img src=x" not in page


def test_long_comments_are_truncated(app, client, login, tmp_path: Path):
    text = "word " * 100 + "THE-END"
    rows = [{"log_comment_id": "1", "artefact": "BP004", "comment": text}]
    path = write_csv_log(tmp_path / "log.csv", rows, key_values={"Organisation": "Acme"})
    with app.app_context():
        add_artefacts(("BP004", "1"))
        options = ImportOptions(constituency="Supplier- Large")
        assert import_comment_log(path, options=options).written
    login("viewer")
    page = client.get("/comments/").get_data(as_text=True)
    assert "THE-END" not in page and "word word…" in page


def test_empty_state_says_what_to_do(client, login):
    login("triager")
    page = client.get("/comments/").get_data(as_text=True)
    assert "No comments yet" in page and "Import" in page
    assert 'name="ids"' not in page


def test_rows_open_the_comment_page_with_the_list_filter(app, demo, client, login):
    login("triager")
    page = client.get("/comments/?tranche=2&sort=changed").get_data(as_text=True)
    with app.app_context():
        first = ids(CommentFilter(tranche="2", sort="changed"))[0]
    hrefs = links(page, "open")
    assert len(hrefs) == 50
    assert hrefs[0] == f"/comments/{first}?tranche=2&sort=changed"
    assert client.get(hrefs[0]).status_code == 200

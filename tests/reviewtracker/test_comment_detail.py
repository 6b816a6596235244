"""The comment page: what it shows, the triage form, Save and next, stale saves, duplicates.

The requests run without the test's app context; what the test reads or changes in the
database directly happens in a context of its own (`_comment`, `_browser_events`, `_triage`),
closed before the next request, as another user's save would be.
"""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from reviewtracker.extensions import db
from reviewtracker.models import AuditEvent, Comment
from reviewtracker.services.comment_import import import_comment_log
from reviewtracker.services.triage import mark_duplicate, triage_comment
from reviewtracker.unit_of_work import unit_of_work
from tests.logmaker import write_xlsx_log

from .factories import add_artefacts

ACME = {"Organisation": "Acme Energy", "Constituency": "Supplier - Large"}
SAME_POINT = (
    "The trigger for step {n} is not clear when the meter technical details arrive after the "
    "settlement run has started. Please state which party owns the exception."
)
ROWS = [
    # BP004: a comment with everything filled in, a near-duplicate of it, and another point.
    {
        "log_comment_id": "A-1",
        "artefact": "MHHSP-BP004",
        "section": "3.2 Exceptions",
        "page": "14",
        "line": "22-25",
        "comment": SAME_POINT.format(n=4) + "\nSecond line of the comment.",
        "proposed_change": "Add an exception path with an owner.",
        "comment_type": "Major",
        "reviewer": "Jo Bloggs",
        "raised_on": date(2024, 3, 5),
    },
    {"log_comment_id": "A-2", "artefact": "MHHSP-BP004", "comment": SAME_POINT.format(n=4)},
    {
        "log_comment_id": "A-3",
        "artefact": "MHHSP-BP004",
        "comment": "Error handling for a rejected consumption data submission is missing.",
    },
    {
        "log_comment_id": "A-4",
        "artefact": "MHHSP-BP004",
        "comment": "<script>alert('x')</script> <b>Bold</b> & co.",
    },
    {"log_comment_id": "A-5", "artefact": "BP-005", "comment": SAME_POINT.format(n=4)},
]


@pytest.fixture
def ids(app, tmp_path: Path) -> list[int]:
    """The ids of the five ROWS, in order (BP004 x4, then BP005)."""
    path = write_xlsx_log(tmp_path / "acme-log.xlsx", ROWS, key_values=ACME)
    with app.app_context():
        add_artefacts(("BP004", "1"), ("BP005", "1"))
        report = import_comment_log(path)
        assert report.ok and report.added == 5, [str(p) for p in report.problems]
        by_log_id = dict(db.session.execute(select(Comment.log_comment_id, Comment.id)).all())
    return [by_log_id[row["log_comment_id"]] for row in ROWS]


def _comment(app, comment_id: int) -> Comment:
    """The comment as stored now, read in a context of its own: detached, columns loaded."""
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        db.session.expunge(comment)
    return comment


def _triage(app, comment_id: int, changes: dict, actor: str) -> None:
    """Someone else's save of the comment, committed (as their request would), in a context of
    its own."""
    with app.app_context(), unit_of_work():
        triage_comment(comment_id, changes, actor=actor)


def _form(comment: Comment, **typed) -> dict[str, str]:
    """The triage form as the page fills it for `comment`, with `typed` changes."""
    page = {
        "disposition": comment.disposition,
        "response": comment.response or "",
        "action_owner": comment.action_owner or "",
        "action_due": comment.action_due.isoformat() if comment.action_due else "",
        "internal_note": comment.internal_note or "",
        "version": str(comment.version),
    }
    return page | typed


def _field(html: str, name: str) -> str:
    """The value of a form field in the page: an input's value or a textarea's text."""
    textarea = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\r?\n?(.*?)</textarea>', html, re.S)
    if textarea:
        return unescape(textarea.group(1))
    found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    assert found, f"no field {name}"
    return unescape(found.group(1))


def _selected(html: str) -> str:
    select_html = re.search(r'<select[^>]*name="disposition".*?</select>', html, re.S).group(0)
    (selected,) = [o for o in re.findall(r"<option[^>]*>", select_html) if " selected" in o]
    return re.search(r'value="(\w+)"', selected).group(1)


def _browser_events(app, comment_id: int) -> list[tuple]:
    query = (
        select(AuditEvent)
        .where(AuditEvent.comment_id == comment_id, AuditEvent.origin == "browser")
        .order_by(AuditEvent.id)
    )
    with app.app_context():
        return [(e.field, e.before, e.after, e.actor) for e in db.session.scalars(query)]


# --- who may see and do what -------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(app, client, ids):
    response = client.get(f"/comments/{ids[0]}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.post(f"/comments/{ids[0]}", data=_form(_comment(app, ids[0])))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _comment(app, ids[0]).version == 1


def test_viewer_sees_the_comment_and_its_provenance_read_only(app, client, login, ids):
    login("viewer")
    _triage(app, ids[0], {"response": "We will add\nan exception path."}, actor="t@x")
    response = client.get(f"/comments/{ids[0]}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = unescape(html)
    for shown in (
        SAME_POINT.format(n=4) + "\nSecond line of the comment.",  # multi-line, as written
        "Add an exception path with an owner.",
        "Section 3.2 Exceptions, page 14, line 22-25",
        "Acme Energy",
        "Supplier- Large",
        "Jo Bloggs",
        "Major",
        "2024-03-05",
        "BP004",
        "Title of BP004",
        "Tranche 1, 1st review",
        "acme-log.xlsx",
        "sheet “Comments”",
        "log no. A-1",
        "We will add\nan exception path.",
    ):
        assert shown in text, shown
    assert re.search(r"row \d+", text)
    assert "import #" in text  # the batch that added it
    # Read-only: no triage form, no action buttons.
    assert "data-triage-form" not in html and 'name="disposition"' not in html
    assert "Mark as duplicate of this" not in html and "Copy response" not in html
    assert client.get("/comments/99999").status_code == 404


def test_viewer_cannot_post(app, client, login, ids):
    login("viewer")
    comment = _comment(app, ids[0])
    response = client.post(f"/comments/{ids[0]}", data=_form(comment, disposition="accepted"))
    assert response.status_code == 403
    for action in ("duplicate", "copy-response", "unmark-duplicate"):
        data = {"other": str(ids[1]), "version": "1"}
        assert client.post(f"/comments/{ids[0]}/{action}", data=data).status_code == 403
    assert _comment(app, ids[0]).disposition == "open" and _comment(app, ids[0]).version == 1
    assert _browser_events(app, ids[0]) == []


# --- saving ------------------------------------------------------------------------------------


def test_save_changes_disposition_and_response_with_one_event_per_field(app, client, login, ids):
    user = login("triager")
    page = client.get(f"/comments/{ids[0]}?artefact=BP004")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "data-triage-form" in html
    assert _field(html, "version") == "1" and _selected(html) == "open"
    form = _form(
        _comment(app, ids[0]),
        disposition="accepted",
        response="Agreed.\r\nThe exception path is added in v1.1.",
        save="Save",
    )
    response = client.post(f"/comments/{ids[0]}?artefact=BP004", data=form)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/comments/{ids[0]}?artefact=BP004"
    comment = _comment(app, ids[0])
    assert comment.disposition == "accepted"
    assert comment.response == "Agreed.\nThe exception path is added in v1.1."  # LF stored
    assert (comment.disposition_origin, comment.response_origin) == ("browser", "browser")
    assert comment.version == 2
    assert _browser_events(app, ids[0]) == [
        ("disposition", "open", "accepted", user.email),
        ("response", None, "Agreed.\nThe exception path is added in v1.1.", user.email),
    ]
    # The same form again (the browser sends CRLF again): nothing changes, nothing audited.
    again = client.post(f"/comments/{ids[0]}", data=form | {"version": "2"})
    assert again.status_code == 302
    assert _comment(app, ids[0]).version == 2 and len(_browser_events(app, ids[0])) == 2
    # The other fields: owner, due date (a comment in Action's), internal note.
    form = _form(
        _comment(app, ids[0]),
        disposition="action",
        action_owner="  Design   team ",
        action_due="2025-01-31",
        internal_note="x",
    )
    assert client.post(f"/comments/{ids[0]}", data=form).status_code == 302
    comment = _comment(app, ids[0])
    assert (comment.action_owner, comment.action_due) == ("Design team", date(2025, 1, 31))
    assert [e[0] for e in _browser_events(app, ids[0])][2:] == [
        "disposition",
        "action_owner",
        "action_due",
        "internal_note",
    ]


def test_an_invalid_form_saves_nothing(app, client, login, ids):
    login("triager")
    comment = _comment(app, ids[0])
    for bad in ({"disposition": "maybe"}, {"action_due": "31/31/2025"}, {"version": "x"}):
        response = client.post(f"/comments/{ids[0]}", data=_form(comment, response="R") | bad)
        assert response.status_code == 400, bad
    assert _comment(app, ids[0]).version == 1 and _browser_events(app, ids[0]) == []


def test_save_and_next_follows_the_filter(app, client, login, ids):
    login("triager")
    first, second, third, fourth, other = ids
    # Sorted by last change, a save moves the comment to the top of the list: "next" is still
    # the one after it when the page was loaded.
    query = "?artefact=BP004&sort=changed"  # newest change first, then highest id: 4, 3, 2, 1
    form = _form(_comment(app, third), disposition="action", save_next="Save and next")
    response = client.post(f"/comments/{third}{query}", data=form)
    assert urlsplit(response.headers["Location"]).path == f"/comments/{second}"
    # The filter "open comments on BP004, by artefact": first, second, fourth (third is no
    # longer open).
    query = "?artefact=BP004&disposition=open"
    form = _form(_comment(app, first), disposition="rejected", save_next="Save and next")
    response = client.post(f"/comments/{first}{query}", data=form)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    # The next comment in the list as the user saw it, though this one has left the filter.
    assert location.path == f"/comments/{second}"
    assert parse_qs(location.query) == {"artefact": ["BP004"], "disposition": ["open"]}
    assert _comment(app, first).disposition == "rejected"
    # Nothing changed: Save and next still moves on.
    form = _form(_comment(app, second), save_next="Save and next")
    response = client.post(f"/comments/{second}{query}", data=form)
    assert urlsplit(response.headers["Location"]).path == f"/comments/{fourth}"
    assert _comment(app, second).version == 1
    # At the end of the list: back to the list, with the filter and a message.
    form = _form(_comment(app, fourth), save_next="Save and next")
    response = client.post(f"/comments/{fourth}{query}", data=form)
    location = urlsplit(response.headers["Location"])
    assert location.path == "/comments/"
    assert parse_qs(location.query) == {"artefact": ["BP004"], "disposition": ["open"]}
    with client.session_transaction() as session:
        assert ("info", "That was the last comment in this list.") in session["_flashes"]
    assert _comment(app, other).version == 1


def test_the_page_links_previous_next_and_the_list_with_the_filter(client, login, ids):
    login("viewer")
    first, second, third, _fourth, _other = ids
    html = client.get(f"/comments/{second}?artefact=BP004&sort=artefact").get_data(as_text=True)
    assert f'href="/comments/{first}?artefact=BP004"' in html  # previous (default sort dropped)
    assert f'href="/comments/{third}?artefact=BP004"' in html  # next
    assert 'href="/comments/?artefact=BP004"' in html  # back to the list
    assert re.search(rf'<a href="/comments/{third}\?artefact=BP004"[^>]*data-shortcut="next"', html)
    assert re.search(rf'<a href="/comments/{first}\?artefact=BP004"[^>]*data-shortcut="prev"', html)
    first_page = client.get(f"/comments/{first}?artefact=BP004").get_data(as_text=True)
    assert 'data-shortcut="prev"' not in first_page


def test_keyboard_hooks_and_legend(client, login, ids):
    login("triager")
    html = client.get(f"/comments/{ids[0]}").get_data(as_text=True)
    assert "data-keyboard-help" in html and "<kbd>Ctrl</kbd>+<kbd>Enter</kbd>" in html
    for value, key in (
        ("accepted", "a"),
        ("action", "c"),
        ("rejected", "r"),
        ("clarification", "f"),
        ("open", "o"),
    ):
        assert re.search(rf'<option data-key="{key}"[^>]* value="{value}"', html)
    assert 'data-shortcut="save-next"' in html and "<script" not in html.split("</head>")[1]
    with client.get("/static/app.js") as response:
        script = response.get_data(as_text=True)
    assert "[data-keyboard-help]" in script and "data-shortcut=save-next" in script


# --- concurrent edits --------------------------------------------------------------------------


def test_a_stale_save_is_refused_showing_both_versions(app, client, login, ids):
    user = login("triager")
    comment_id = ids[0]
    page = client.get(f"/comments/{comment_id}?artefact=BP004").get_data(as_text=True)
    loaded = {name: _field(page, name) for name in ("version", "loaded")}
    # Meanwhile someone else sets the disposition and a response.
    _triage(
        app,
        comment_id,
        {
            "disposition": "action",
            "response": "Their response: to the sub-group.",
            "action_owner": "Pat",
        },
        actor="other.triager@example.org",
    )
    mine = "My response, typed with care.\r\nSecond paragraph."
    form = _form(_comment(app, comment_id), response=mine, save="Save") | loaded
    form |= {"disposition": "open", "action_owner": ""}  # as the page showed them
    response = client.post(f"/comments/{comment_id}?artefact=BP004", data=form)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    text = unescape(html)
    # Nothing of mine was saved.
    stored = _comment(app, comment_id)
    assert (stored.disposition, stored.response, stored.version) == (
        "action",
        "Their response: to the sub-group.",
        2,
    )
    assert all(event[3] != user.email for event in _browser_events(app, comment_id))
    # Both versions shown: theirs, who changed it, and mine.
    assert "Someone else saved this comment" in text
    assert "other.triager@example.org" in text
    assert "Their response: to the sub-group." in text
    assert "My response, typed with care.\nSecond paragraph." in text
    # The form keeps what I typed, on top of their version: their disposition and owner (I
    # did not touch those), my response, and the current version to save against.
    assert _field(html, "response") == "My response, typed with care.\nSecond paragraph."
    assert _selected(html) == "action"
    assert _field(html, "action_owner") == "Pat"
    assert _field(html, "version") == "2"
    assert "You both changed: response" in text
    # Re-applying mine on top of theirs saves.
    again = {name: _field(html, name) for name in ("response", "action_owner", "version", "loaded")}
    again |= {"disposition": _selected(html), "action_due": "", "internal_note": "", "save": "Save"}
    response = client.post(f"/comments/{comment_id}?artefact=BP004", data=again)
    assert response.status_code == 302
    stored = _comment(app, comment_id)
    assert (stored.disposition, stored.action_owner, stored.version) == ("action", "Pat", 3)
    assert stored.response == "My response, typed with care.\nSecond paragraph."
    assert _browser_events(app, comment_id)[-1] == (
        "response",
        "Their response: to the sub-group.",
        stored.response,
        user.email,
    )


def test_moving_on_without_changes_never_conflicts(app, client, login, ids):
    login("triager")
    first, second, *_ = ids
    page = client.get(f"/comments/{first}?artefact=BP004").get_data(as_text=True)
    loaded = {name: _field(page, name) for name in ("version", "loaded")}
    _triage(app, first, {"disposition": "action"}, actor="other.triager@example.org")
    # The form as loaded, untouched: "Save and next" just moves on, theirs stays.
    form = {"disposition": "open", "response": "", "action_owner": "", "action_due": ""}
    form |= {"internal_note": "", "save_next": "Save and next"} | loaded
    response = client.post(f"/comments/{first}?artefact=BP004", data=form)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == f"/comments/{second}"
    assert _comment(app, first).disposition == "action" and _comment(app, first).version == 2


# --- duplicates, similar comments, copy response -----------------------------------------------


def test_similar_comments_and_mark_duplicate_from_the_page(app, client, login, ids):
    user = login("triager")
    first, second, third, _fourth, other = ids
    _triage(app, first, {"disposition": "accepted", "response": "Agreed, see v1.1."}, actor="t@x")
    html = client.get(f"/comments/{second}?artefact=BP004").get_data(as_text=True)
    similar = html.split("Similar comments on BP004")[1].split("History")[0]
    # The near-duplicate on the same artefact is offered, with its score, org and disposition;
    # the unrelated comment and the same words on another artefact are not.
    assert f'href="/comments/{first}?artefact=BP004"' in similar
    assert re.search(r'<td class="num">(9\d|100)</td>', similar)
    assert "Acme Energy" in similar and "Accepted" in similar
    assert f"/comments/{third}?" not in similar and f"/comments/{other}?" not in similar
    assert "Mark as duplicate of this" in similar and "Copy response" in similar

    data = {"other": str(first), "version": "1"}
    response = client.post(f"/comments/{second}/duplicate?artefact=BP004", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/comments/{second}?artefact=BP004"
    duplicate = _comment(app, second)
    assert duplicate.duplicate_of_id == first
    assert (duplicate.disposition, duplicate.response) == ("accepted", "Agreed, see v1.1.")
    assert _browser_events(app, second) == [
        ("duplicate_of", None, str(first), user.email),
        ("disposition", "open", "accepted", user.email),
        ("response", None, "Agreed, see v1.1.", user.email),
    ]
    page = unescape(client.get(f"/comments/{second}").get_data(as_text=True))
    assert f'Duplicate of <a href="/comments/{first}">comment #{first}</a>' in page
    assert "Unmark duplicate" in page
    original_page = client.get(f"/comments/{first}").get_data(as_text=True)
    assert "Its duplicates follow" in original_page
    assert f'<a href="/comments/{second}">comment #{second}</a>' in original_page

    # A later change of the original on its page reaches the duplicate.
    form = _form(_comment(app, first), disposition="rejected", response="Out of scope after all.")
    assert client.post(f"/comments/{first}", data=form).status_code == 302
    duplicate = _comment(app, second)
    assert (duplicate.disposition, duplicate.response) == ("rejected", "Out of scope after all.")
    assert _browser_events(app, second)[-2:] == [
        ("disposition", "accepted", "rejected", user.email),
        ("response", "Agreed, see v1.1.", "Out of scope after all.", user.email),
    ]

    # Unmark: it keeps its values and stops following.
    data = {"version": str(duplicate.version)}
    assert client.post(f"/comments/{second}/unmark-duplicate", data=data).status_code == 302
    assert _comment(app, second).duplicate_of_id is None
    form = _form(_comment(app, first), disposition="accepted")
    client.post(f"/comments/{first}", data=form)
    assert _comment(app, second).disposition == "rejected"


def test_refused_and_stale_actions_change_nothing(app, client, login, ids):
    login("triager")
    first, second, _third, _fourth, other = ids
    # Another artefact: refused with the service's reason.
    response = client.post(
        f"/comments/{first}/duplicate", data={"other": str(other), "version": "1"}
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "another artefact" in page
    # A stale version: refused.
    _triage(app, first, {"internal_note": "n"}, actor="t@x")
    client.post(f"/comments/{first}/duplicate", data={"other": str(second), "version": "1"})
    # A cycle: second is a duplicate of first, so first cannot become one of second.
    with app.app_context(), unit_of_work():
        mark_duplicate(second, first, actor="t@x")
    client.post(f"/comments/{first}/duplicate", data={"other": str(second), "version": "2"})
    assert _comment(app, first).duplicate_of_id is None
    # An incomplete form.
    response = client.post(f"/comments/{first}/copy-response", data={"version": "2"})
    assert response.status_code == 302 and _comment(app, first).response is None


def test_copy_response_from_a_similar_comment(app, client, login, ids):
    user = login("triager")
    first, second, *_ = ids
    _triage(app, first, {"response": "Covered by the new exception path."}, actor="t@x")
    data = {"other": str(first), "version": "1"}
    response = client.post(f"/comments/{second}/copy-response?artefact=BP004", data=data)
    assert response.headers["Location"] == f"/comments/{second}?artefact=BP004"
    assert _comment(app, second).response == "Covered by the new exception path."
    assert _comment(app, second).disposition == "open"
    assert _browser_events(app, second) == [
        ("response", None, "Covered by the new exception path.", user.email)
    ]


# --- history and escaping ----------------------------------------------------------------------


def test_history_lists_every_change_newest_first(app, client, login, ids, tmp_path: Path):
    login("viewer")
    comment_id = ids[2]
    _triage(app, comment_id, {"disposition": "clarification"}, actor="first@example.org")
    _triage(app, comment_id, {"disposition": "accepted"}, actor="second@example.org")
    # An imported decision shows as such.
    rows = [dict(ROWS[2], disposition="Rejected")]
    rows[0]["log_comment_id"] = "A-9"
    with app.app_context():
        import_comment_log(write_xlsx_log(tmp_path / "more.xlsx", rows, key_values=ACME))
    html = client.get(f"/comments/{comment_id}").get_data(as_text=True)
    history = html.split("<h2>History</h2>")[1]
    rows_html = re.findall(r"<tr>\s*<td class=\"when\">.*?</tr>", history, re.S)
    assert len(rows_html) == 2
    assert "second@example.org" in rows_html[0] and "first@example.org" in rows_html[1]
    assert "Requires Further Clarification → Accepted" in unescape(rows_html[0])
    assert "empty" not in rows_html[0] and "browser" in rows_html[0]
    with app.app_context():
        imported = db.session.scalar(select(Comment.id).where(Comment.log_comment_id == "A-9"))
    imported_html = client.get(f"/comments/{imported}").get_data(as_text=True)
    assert re.search(r"Open → Rejected.*?import #\d+", unescape(imported_html), re.S)


def test_html_in_comments_and_responses_is_escaped(app, client, login, ids):
    login("triager")
    comment_id = ids[3]
    _triage(app, comment_id, {"response": "<img src=x onerror=alert(1)>"}, actor="t@x")
    html = client.get(f"/comments/{comment_id}").get_data(as_text=True)
    assert "<script>alert" not in html and "<b>Bold</b>" not in html
    assert (
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &lt;b&gt;Bold&lt;/b&gt; &amp; co." in html
    )
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html

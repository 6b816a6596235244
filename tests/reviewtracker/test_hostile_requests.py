"""Requests a new user can type, each once a 500: NUL and control characters, ids at or above
2**63, digits `int()` refuses, CR/LF in a redirect target, a refused CSRF check."""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import quote

import pytest
from sqlalchemy import select

from reviewtracker import create_app
from reviewtracker.extensions import db
from reviewtracker.inputs import CONTROL_MESSAGE, MAX_ID
from reviewtracker.models import Comment, DesignStatus, Organisation, Service, User
from reviewtracker.services.comment_filter import CommentFilter
from reviewtracker.services.comment_queries import list_counts
from reviewtracker.services.scope import Scope

from .dashboard_data import add_comment
from .factories import signed_in_id
from .test_design_pages import FORM
from .test_design_status import add_register

TOO_BIG = str(2**63)
BIGGEST = str(MAX_ID)  # 2**31 - 1: PostgreSQL's integer
HUGE = "9" * 5000


class Seeded(NamedTuple):
    """A comment the test made: its id and version (the rows stay in the database)."""

    id: int
    version: int


@pytest.fixture
def comments(app) -> list[Seeded]:
    with app.app_context():
        made = [
            add_comment("BP004", "The trigger for step one is unclear."),
            add_comment("BP004", "Clarify the trigger of step two.", disposition="open"),
        ]
        return [Seeded(comment.id, comment.version) for comment in made]


def _organisation_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Organisation.id))


def _dispositions(app) -> list[str | None]:
    with app.app_context():
        return list(db.session.scalars(select(Comment.disposition).order_by(Comment.id)))


def _response(app, comment_id: int) -> str | None:
    with app.app_context():
        return db.session.get(Comment, comment_id).response


def _in_layout(response) -> str:
    html = response.get_data(as_text=True)
    assert '<header class="topbar">' in html, "not in the app's layout"
    return html


# --- NUL and control characters ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/comments/?q=a%00b",
        "/comments/?q=%01%1b",
        "/artefacts/BP004?q=a%00b",
        "/exports/comments.csv?q=a%00b",
        "/exports/comments.xlsx?tranche=1&q=a%00b",
        "/comments/?organisation=1%00",
    ],
)
@pytest.mark.parametrize("role", ["viewer", "reviewer"])
def test_a_control_character_in_the_address_is_a_400_with_a_message(
    app, client, login, comments, url, role
):
    login(role, organisation=_organisation_id(app) if role == "reviewer" else None)
    response = client.get(url)
    assert response.status_code == 400  # (before a reviewer's 403 on the artefact page)
    assert CONTROL_MESSAGE in _in_layout(response)


def test_bulk_by_a_filter_with_nul_changes_nothing(app, client, login, comments):
    login("triager")
    before = _dispositions(app)
    data = {"scope": "filter", "f-q": "trigger\x00", "disposition": "rejected", "confirm": "yes"}
    response = client.post("/comments/bulk", data=data)
    assert response.status_code == 400 and CONTROL_MESSAGE in response.get_data(as_text=True)
    assert _dispositions(app) == before


def test_a_nul_in_a_triage_form_saves_nothing_but_line_breaks_and_tabs_are_text(
    app, client, login, comments
):
    login("triager")
    comment = comments[1]
    form = {"disposition": "accepted", "response": "Agreed\x00", "version": str(comment.version)}
    refused = client.post(f"/comments/{comment.id}", data=form)
    assert refused.status_code == 400 and CONTROL_MESSAGE in refused.get_data(as_text=True)
    assert _response(app, comment.id) is None
    form["response"] = "Agreed:\r\n\tthe trigger is step one."
    assert client.post(f"/comments/{comment.id}", data=form).status_code == 302
    assert _response(app, comment.id) == "Agreed:\n\tthe trigger is step one."


def test_the_search_drops_control_characters_outside_a_request_too(comments, app_context):
    staff = Scope.staff()
    f = CommentFilter.from_args({"q": "trig\x00ger\x1b step"}, staff)
    assert f.q == "trig ger step"
    assert CommentFilter.from_args({"q": "trigger\x00"}, staff).q == "trigger"
    assert list_counts(CommentFilter.from_args({"q": "trigger\x00"}, staff)).total == 2


def test_a_control_character_in_a_path_is_a_404(client, login, comments):
    login("triager")
    assert client.get("/artefacts/BP004%00").status_code == 404
    assert client.get("/imports/preview/abc%00def").status_code == 404


# --- integers ----------------------------------------------------------------------------------


def _id_urls(number: str) -> list[tuple[str, str]]:
    number = quote(number)
    return [
        ("GET", f"/comments/{number}"),
        ("POST", f"/comments/{number}"),
        ("POST", f"/comments/{number}/duplicate"),
        ("GET", f"/imports/{number}/undo"),
        ("POST", f"/imports/{number}/undo"),
        ("POST", f"/users/{number}"),
        ("GET", f"/design-dashboard/1/{number}"),
        ("GET", f"/design-dashboard/1/{number}/2022-04"),
        ("GET", f"/exports/responses/{number}.xlsx"),
        ("GET", f"/tranches/1/rounds/{number}"),
    ]


@pytest.mark.parametrize("number", [TOO_BIG, str(MAX_ID + 1), HUGE, "١", "²", "１"])
def test_an_id_in_a_path_the_databases_cannot_hold_is_a_404(client, login, comments, number):
    login("admin")
    for method, url in _id_urls(number):
        response = client.open(url, method=method)
        assert response.status_code == 404, f"{method} {url[:60]}: {response.status_code}"


def test_the_largest_id_the_databases_hold_is_looked_up_and_not_found(client, login, comments):
    login("admin")
    for method, url in _id_urls(BIGGEST):
        response = client.open(url, method=method)
        # (The users page's form answers an unknown user with a message on the list.)
        assert response.status_code in (302, 404), f"{method} {url}: {response.status_code}"


@pytest.mark.parametrize("number", [TOO_BIG, HUGE, "²", "١", "0", "-1"])
def test_a_round_that_is_no_number_is_a_400_with_a_message(client, login, comments, number):
    login("viewer")
    api = client.get(f"/api/tranches/1?round={quote(number)}")
    assert api.status_code == 400 and "round must be" in api.get_json()["error"]
    pack = client.get(f"/exports/board-pack.xlsx?tranche=1&round={quote(number)}")
    assert pack.status_code == 400 and "round must be" in _in_layout(pack)


@pytest.mark.parametrize("number", [TOO_BIG, HUGE, "²", "١"])
def test_a_page_or_a_filter_that_is_no_number_is_ignored(client, login, comments, number):
    login("triager")
    for url in (
        f"/comments/?page={quote(number)}",
        f"/comments/?service={quote(number)}&round={quote(number)}",
        f"/imports/history?page={quote(number)}",
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("number", [TOO_BIG, HUGE, "²", "١"])
def test_bulk_ids_that_are_no_ids_are_ignored(app, client, login, comments, number):
    login("triager")
    before = _dispositions(app)
    data = {"ids": [number], "disposition": "rejected", "confirm": "yes"}
    response = client.post("/comments/bulk", data=data, follow_redirects=True)
    assert response.status_code == 200
    assert "tick the comments to change" in response.get_data(as_text=True)
    assert _dispositions(app) == before


@pytest.mark.parametrize("version", [HUGE, "١", "²"])
def test_a_form_version_that_is_no_number_is_a_400(app, client, login, comments, version):
    login("lead")
    before = _dispositions(app)
    triage = {"disposition": "rejected", "version": version}
    assert client.post(f"/comments/{comments[0].id}", data=triage).status_code == 400
    assert _dispositions(app) == before
    with app.app_context():
        add_register(("BP006", "1", "Registration Service"))
        service_id = db.session.scalar(select(Service.id))
    url = f"/design-dashboard/1/{service_id}/2022-04"
    assert client.post(url, data=FORM | {"version": version}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(DesignStatus.id)) is None


# --- redirect targets --------------------------------------------------------------------------

UNSAFE_TARGETS = [
    "/x\r\nSet-Cookie: evil=1",
    "/\\evil.example/",
    "//evil.example/",
    "https://evil.example/",
    "/comments/\x0b",
]


@pytest.mark.parametrize("target", UNSAFE_TARGETS)
def test_sign_in_never_follows_an_unsafe_next(client, make_user, target):
    make_user("viewer", "vera@example.org")
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "vera@example.org", "password": "secret-password"},
    )
    assert response.status_code in (302, 400)
    if response.status_code == 302:  # signed in, sent home instead
        assert response.location == "/"


@pytest.mark.parametrize("target", UNSAFE_TARGETS)
def test_a_signed_in_user_is_sent_home_from_an_unsafe_next(client, login, target):
    login("viewer")
    response = client.get("/login", query_string={"next": target})
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert response.location == "/"


def test_a_safe_next_is_followed(client, login):
    login("viewer")
    response = client.get("/login", query_string={"next": "/comments/?tranche=1"})
    assert response.location == "/comments/?tranche=1"


@pytest.mark.parametrize("target", UNSAFE_TARGETS)
def test_bulk_back_falls_back_to_the_list(client, login, comments, target):
    login("triager")
    data = {"ids": [str(comments[0].id)], "back": target, "f-tranche": "1"}
    response = client.post("/comments/bulk", data=data)
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert response.location == "/comments/?tranche=1"


# --- a refused CSRF check ------------------------------------------------------------------------


def test_a_refused_csrf_check_is_a_page_in_the_layout_saying_to_reload(app, make_user):
    protected = create_app({**app.config, "WTF_CSRF_ENABLED": True, "TESTING": True})
    user = make_user("triager")
    with app.app_context():
        cookie_id = signed_in_id(db.session.get(User, user.id))
    client = protected.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = cookie_id
    refused = client.post("/logout")
    assert refused.status_code == 400
    html = _in_layout(refused)
    assert "Reload the page and try again" in html and "Bad Request" not in html
    assert client.get("/").status_code == 200  # nothing was done: still signed in
    with protected.app_context():
        db.engine.dispose()  # the second app's connections


def test_a_bad_value_is_a_page_in_the_layout_too(client, login):
    login("viewer")
    response = client.get("/exports/board-pack.xlsx")
    assert response.status_code == 400
    assert "which tranche?" in _in_layout(response)

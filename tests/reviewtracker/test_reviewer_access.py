"""The reviewer role: an industry reviewer sees only what is their organisation's.

What a reviewer may see: their own organisation's comments (list, comment pages, the comment
register export, their responses log) with disposition and response; the published tranche
dashboards and their JSON (aggregates, numbers without links). Never: another organisation's
comments by any route or id, internal notes, action owners and due dates, who in the design
team changed what, imports, users, the design dashboard or the board pack. Every test here
signs in as a reviewer and tries, also by guessing URLs and ids.

Below the views, the services confine whatever scope they are given, and a comment query given
none fails closed (UnscopedQuery) rather than answering with every organisation's comments.
The tests make their requests outside any app context and read the database in
`with app.app_context():` blocks of their own; `world` keeps ids, not ORM objects.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from flask_login import login_user, logout_user
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from importers.normalise import fold_name
from reviewtracker.auth import PUBLIC_ENDPOINTS
from reviewtracker.extensions import db
from reviewtracker.models import (
    ROLES,
    AuditEvent,
    Comment,
    ImportBatch,
    Organisation,
    Service,
    User,
)
from reviewtracker.services import ServiceError
from reviewtracker.services.bulk_triage import bulk_triage
from reviewtracker.services.comment_choices import filter_choices
from reviewtracker.services.comment_filter import CommentFilter
from reviewtracker.services.comment_import import import_comment_log
from reviewtracker.services.comment_queries import (
    comment_page,
    comments_by_ids,
    conditions,
    count_comments,
    disposition_counts,
    filtered_ids,
    list_counts,
    neighbours,
    visible_comment,
)
from reviewtracker.services.comment_register import comment_register, comment_register_csv
from reviewtracker.services.dissensus import open_from_comment, update_entry
from reviewtracker.services.publishing import publish
from reviewtracker.services.responses_log import responses_log
from reviewtracker.services.scope import Scope, UnscopedQuery
from reviewtracker.services.similar import similar_comments
from reviewtracker.services.triage import duplicates_of, history, mark_duplicate, triage_comment
from reviewtracker.services.users import create_user
from reviewtracker.unit_of_work import unit_of_work
from tests.logmaker import write_xlsx_log

from .factories import add_artefacts

SAME_POINT = (
    "The trigger for step {n} is not clear when the meter technical details arrive after the "
    "settlement run has started. Please state which party owns the exception."
)
OWN_ORG = "Acme Energy"
OTHER_ORG = "Beta Power Networks"
OTHER_TEXT = "Beta's confidential point about load shaping thresholds"
# Markers that must never reach a reviewer of Acme, on any page or in any file.
INTERNAL_NOTE = "Internal: Acme are wrong, push back hard"
ACTION_OWNER = "Owner Ollie Internal"
TRIAGER = "triage.person@programme.example"
OTHER_NOTE = "Internal: Beta note"
NEVER_SHOWN = (OTHER_ORG, OTHER_TEXT, INTERNAL_NOTE, ACTION_OWNER, TRIAGER, OTHER_NOTE)

OWN_ROWS = [
    {
        "log_comment_id": "A-1",
        "artefact": "BP004",
        "comment": "Acme's first point: " + SAME_POINT.format(n=4),
        "raised_on": date(2024, 3, 5),
    },
    {"log_comment_id": "A-2", "artefact": "BP005", "comment": "Acme's point on BP005."},
    {
        "log_comment_id": "A-3",
        "artefact": "BP004",
        "comment": "Acme's third point, the same as Beta's: " + SAME_POINT.format(n=7),
    },
]
OTHER_ROWS = [
    {"log_comment_id": "B-1", "artefact": "BP004", "comment": SAME_POINT.format(n=4)},
    {"log_comment_id": "B-2", "artefact": "BP004", "comment": OTHER_TEXT},
]


class World:
    """The data every test reads: two organisations' comments, triaged (ids only)."""

    own_org_id: int
    other_org_id: int
    own: list[int]
    other: list[int]  # B-1, B-2
    service_id: int
    batch_id: int  # an import batch
    own_entry: int  # a dissensus entry on Acme's A-1
    other_entry: int  # ... and one on Beta's B-1


@pytest.fixture
def world(app, tmp_path: Path) -> World:
    with app.app_context():
        return _make_world(tmp_path)


def _make_world(tmp_path: Path) -> World:
    add_artefacts(("BP004", "1"), ("BP005", "1"))
    for name, rows, constituency in (
        (OWN_ORG, OWN_ROWS, "Supplier - Large"),
        (OTHER_ORG, OTHER_ROWS, "Supplier - Large"),
    ):
        key_values = {"Organisation": name, "Constituency": constituency}
        path = write_xlsx_log(tmp_path / f"{fold_name(name)}.xlsx", rows, key_values=key_values)
        report = import_comment_log(path)
        assert report.ok, [str(p) for p in report.problems]
    w = World()
    w.own_org_id, w.other_org_id = (
        db.session.scalar(select(Organisation.id).where(Organisation.name_key == fold_name(name)))
        for name in (OWN_ORG, OTHER_ORG)
    )
    by_log_id = dict(db.session.execute(select(Comment.log_comment_id, Comment.id)).all())
    w.own = [by_log_id[row["log_comment_id"]] for row in OWN_ROWS]
    w.other = [by_log_id[row["log_comment_id"]] for row in OTHER_ROWS]
    w.batch_id = db.session.scalar(select(ImportBatch.id).limit(1))
    with unit_of_work():
        _triage_world(w)
        service = Service(name="Registration Service")
        db.session.add(service)
    w.service_id = service.id
    with unit_of_work():
        w.own_entry = open_from_comment(w.own[0], TRIAGER).id
        w.other_entry = open_from_comment(w.other[0], TRIAGER).id
        update_entry(w.other_entry, {"internal_note": OTHER_NOTE}, actor=TRIAGER)
        update_entry(w.own_entry, {"internal_note": INTERNAL_NOTE}, actor=TRIAGER)
    return w


def _triage_world(w: World) -> None:
    triage_comment(
        w.own[0],
        {
            "disposition": "action",  # in Action: it has an owner and a due date
            "response": "Agreed: the exception path gets an owner.",
            "action_owner": ACTION_OWNER,
            "action_due": date(2024, 5, 1),
            "internal_note": INTERNAL_NOTE,
        },
        actor=TRIAGER,
    )
    triage_comment(
        w.other[0],
        {"disposition": "rejected", "response": "Out of scope.", "internal_note": OTHER_NOTE},
        actor=TRIAGER,
    )
    triage_comment(
        w.other[1], {"disposition": "action", "action_owner": ACTION_OWNER}, actor=TRIAGER
    )
    # Acme's A-3 says what Beta's B-1 says: it follows B-1's outcome.
    mark_duplicate(w.own[2], w.other[0], actor=TRIAGER)
    # A lead approves and publishes the triaged outcomes: reviewers read them (what they read
    # before publishing is tests/reviewtracker/test_publishing.py's).
    triaged = [w.own[0], w.other[0], w.own[2]]
    bulk_triage(triaged, None, {"response_state": "approved"}, "lead@programme", may_approve=True)
    assert publish(triaged, None, "lead@programme") == 3


@pytest.fixture
def reviewer(world, login) -> User:
    return login("reviewer", "reviewer@acme.example", organisation=world.own_org_id)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _assert_nothing_hidden_in(body: str, where: str) -> None:
    for marker in NEVER_SHOWN:
        assert marker not in body, f"{where} shows {marker!r} to a reviewer"


def _xlsx_text(data: bytes) -> str:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


# --- the role itself -------------------------------------------------------------------------


def test_a_reviewer_is_outside_the_role_ladder(world):
    reviewer = User(email="r@example.org", role="reviewer", organisation_id=world.own_org_id)
    assert reviewer.is_reviewer
    assert not any(reviewer.has_role(role) for role in ROLES)
    assert reviewer.has_role("reviewer")
    for role in ROLES:
        user = User(email=f"{role}@example.org", role=role)
        assert not user.is_reviewer and not user.has_role("reviewer")
        assert user.has_role("viewer")


@pytest.mark.usefixtures("app_context")
def test_a_reviewer_must_have_an_organisation(world):
    with pytest.raises(ServiceError, match="must have an organisation"):
        create_user("r@example.org", "x" * 12, "reviewer")
    with pytest.raises(ServiceError, match="no organisation called 'Acme Enrgy'.*Acme Energy"):
        create_user("r@example.org", "x" * 12, "reviewer", organisation="Acme Enrgy")
    with pytest.raises(ServiceError, match="only a reviewer has an organisation"):
        create_user("v@example.org", "x" * 12, "viewer", organisation=OWN_ORG)
    # The name is matched as the importer matches it: case and spaces folded.
    with unit_of_work():
        user = create_user("R@Example.org", "x" * 12, "reviewer", organisation="  ACME   energy ")
    assert user.role == "reviewer" and user.organisation_id == world.own_org_id
    with unit_of_work():
        assert create_user("r2@example.org", "x" * 12, "reviewer", organisation=world.other_org_id)
    # The database refuses a reviewer without one too.
    db.session.add(User(email="bare@example.org", role="reviewer", password_hash="x"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_cli_creates_a_reviewer_of_an_organisation(app, world, runner):
    def create(*args: str):
        return runner.invoke(args=["create-user", *args, "--password-stdin"], input="x" * 12 + "\n")

    result = create("rev@acme.example", "--role", "reviewer", "--organisation", "acme ENERGY")
    assert result.exit_code == 0, result.output
    assert "Created rev@acme.example (reviewer of Acme Energy)" in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "rev@acme.example"))
        assert user.organisation_id == world.own_org_id
    unknown = create("x@acme.example", "--role", "reviewer", "--organisation", "Acme Enrgy")
    assert unknown.exit_code != 0
    assert "no organisation called 'Acme Enrgy'; did you mean 'Acme Energy'?" in unknown.output
    missing = create("y@acme.example", "--role", "reviewer")
    assert missing.exit_code != 0 and "a reviewer needs --organisation NAME" in missing.output
    with app.app_context():
        refused = select(User).where(User.email.in_(["x@acme.example", "y@acme.example"]))
        assert db.session.scalar(refused) is None


def test_admin_page_creates_a_reviewer_with_an_organisation(app, world, client, login):
    login("admin")
    page = _text(client.get("/users"))
    assert f'<option value="{world.own_org_id}">{OWN_ORG}</option>' in page
    refused = client.post(
        "/users",
        data={"email": "r@acme.example", "role": "reviewer", "password": "x" * 12},
    )
    assert refused.status_code == 200 and "must have an organisation" in _text(refused)
    created = client.post(
        "/users",
        data={
            "email": "r@acme.example",
            "role": "reviewer",
            "organisation": str(world.own_org_id),
            "password": "x" * 12,
        },
    )
    assert created.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "r@acme.example"))
        assert user.role == "reviewer" and user.organisation_id == world.own_org_id
        user_id = user.id
    listed = _text(client.get("/users"))
    row = listed[listed.index("<td>r@acme.example</td>") :]
    assert OWN_ORG in row[: row.index("</tr>")]
    # The row's role select keeps a reviewer a reviewer; nobody becomes one without an
    # organisation.
    prefix = f"u{user_id}-"
    client.post(f"/users/{user_id}", data={prefix + "role": "viewer", prefix + "active": "y"})
    with app.app_context():
        assert db.session.get(User, user_id).role == "reviewer"
        with unit_of_work():
            viewer_id = create_user("v@example.org", "x" * 12, "viewer").id
    prefix = f"u{viewer_id}-"
    client.post(f"/users/{viewer_id}", data={prefix + "role": "reviewer", prefix + "active": "y"})
    with app.app_context():
        assert db.session.get(User, viewer_id).role == "viewer"


def test_navigation_of_a_reviewer(world, client, reviewer):
    page = _text(client.get("/"))
    nav = page[page.index('<header class="topbar">') : page.index("</header>")]
    menu = nav[nav.index("<nav>") : nav.index("</nav>")]
    links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', menu)
    assert links == [
        ("/comments/", "My comments"),
        ("/submissions/", "Submit comments"),
        ("/", "Tranches"),
        ("/actions/", "Actions"),
        ("/decisions/", "Decisions"),
        ("/dissensus/", "Dissensus log"),
        (f"/exports/responses/{world.own_org_id}.xlsx", "My responses (xlsx)"),
    ]


# --- every route, guessed ---------------------------------------------------------------------

# The GET endpoints a reviewer may open (with their own organisation's ids).
REVIEWER_ENDPOINTS = {
    "dashboard.index",
    "dashboard.tranche",
    "comments.index",
    "comments.detail",
    "api.tranche",
    "api.tranche_comment_status",
    "api.tranche_constituencies",
    "downloads.responses_xlsx",
    "downloads.comments_xlsx",
    "downloads.comments_csv",
    "auth.account",  # their own password and sign-ins
    # The advisory group's logs: the public items only (test_governance_pages.py guesses).
    "governance.meetings",
    "governance.actions",
    "governance.decisions",
    "dissensus.index",
    "dissensus.entry",
    # Their submissions (the rounds their organisation is invited to: here none, so the list
    # alone; test_submission_pages.py guesses the round, draft, token and copy ids).
    "submissions.index",
}
# A reviewer's own submission pages of a round, a draft or a submission: none exists in this
# world for the reviewer's organisation, so each is 404 (test_submission_pages.py has them).
REVIEWER_NOT_FOUND = {
    "submissions.round_page",
    "submissions.template",
    "submissions.edit_draft",
    "submissions.copy",
}
# ... and the one that sends a reviewer on: the next meeting's pack (here none: the list).
# And a guessed submission preview token: not the reviewer's upload, back to their rounds.
REVIEWER_REDIRECTS = {"governance.next_pack", "submissions.preview"}


def _argument_values(world: World, own: bool) -> dict[str, object]:
    """A value for every URL argument of the app: the reviewer's own ids, or another's."""
    return {
        "comment_id": world.own[0] if own else world.other[1],
        "organisation_id": world.own_org_id if own else world.other_org_id,
        "code": "1",
        "number": 1,
        "reference": "BP004",
        "token": "0" * 32,
        "index": 0,
        "batch_id": world.batch_id,
        "tranche": "1",
        "service_id": world.service_id,
        "month": "2024-03",
        "filename": "app.css",
        "user_id": 1,
        "round_id": 1,
        "entry_id": world.own_entry if own else world.other_entry,
        "artefact_id": 1,
        "draft_id": 1,
        "submission_id": 1,
    }


def _get_routes(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods:
            yield rule


def test_every_get_route_is_allowed_by_design_or_refused(app, world, client, reviewer):
    adapter = app.url_map.bind("localhost")
    checked = set()
    for rule in _get_routes(app):
        for own in (True, False):
            values = _argument_values(world, own)
            missing = set(rule.arguments) - set(values)
            assert not missing, f"{rule.rule}: add a value for {missing} to this test"
            url = adapter.build(rule.endpoint, {a: values[a] for a in rule.arguments})
            if rule.endpoint == "dashboard.tranche" and "number" in rule.arguments:
                url = "/tranches/1/rounds/1"
            response = client.get(url)
            body = response.get_data()
            response.close()  # (a static file's handle)
            status = response.status_code
            where = f"GET {url} ({rule.endpoint})"
            guessed = not own and {"comment_id", "organisation_id", "entry_id"} & set(
                rule.arguments
            )
            if rule.endpoint in PUBLIC_ENDPOINTS:
                assert status in (200, 302, 503), where
            elif rule.endpoint in REVIEWER_ENDPOINTS and not guessed:
                assert status == 200, f"{where}: {status}, allowed by design"
            elif rule.endpoint in REVIEWER_ENDPOINTS:
                assert status == 404, f"{where}: {status}, another organisation's"
            elif rule.endpoint in REVIEWER_REDIRECTS:
                assert status == 302, where
            elif rule.endpoint in REVIEWER_NOT_FOUND:
                assert status == 404, f"{where}: {status}, not the reviewer's"
            else:
                assert status in (403, 404), f"{where}: {status}, must be refused"
            if status == 200:
                text = _xlsx_text(body) if url.endswith(".xlsx") else body.decode("utf-8-sig")
                _assert_nothing_hidden_in(text, where)
            checked.add(rule.endpoint)
    assert checked >= REVIEWER_ENDPOINTS


@pytest.mark.parametrize(
    "url",
    [
        "/users",
        "/imports/",
        "/imports/history",
        "/artefacts/",
        "/artefacts/BP004",
        "/artefacts/tranches/1",
        "/design-dashboard",
        "/exports/board-pack.xlsx?tranche=1",
    ],
)
def test_pages_refused_to_reviewers(world, client, reviewer, url):
    assert client.get(url).status_code == 403


def test_design_dashboard_json_is_refused_as_json(world, client, reviewer):
    response = client.get("/api/design-dashboard")
    assert response.status_code == 403 and "error" in response.get_json()


def _triage_state(app) -> dict[int, tuple]:
    with app.app_context():
        rows = db.session.execute(
            select(Comment.id, Comment.disposition, Comment.response, Comment.version)
        )
        return {row.id: tuple(row[1:]) for row in rows}


def test_a_reviewer_may_not_change_anything(app, world, client, reviewer):
    own, other = world.own[1], world.other[0]
    before = _triage_state(app)
    triage = {"disposition": "rejected", "response": "Hacked", "version": "1"}
    posts = [
        (f"/comments/{own}", triage),
        (f"/comments/{own}?sort=changed", triage | {"save_next": "Save and next"}),
        (f"/comments/{own}/duplicate", {"other": str(world.own[0]), "version": "1"}),
        (f"/comments/{own}/copy-response", {"other": str(other), "version": "1"}),
        (f"/comments/{world.own[2]}/unmark-duplicate", {"version": "3"}),
        ("/comments/bulk", {"scope": "filter", "disposition": "rejected", "confirm": "yes"}),
        ("/comments/bulk", {"ids": [str(own), str(other)], "disposition": "rejected"}),
        ("/users", {"email": "x@example.org", "role": "admin", "password": "x" * 12}),
        ("/users/1", {"u1-role": "admin", "u1-active": "y"}),
        ("/imports/", {}),
        (f"/design-dashboard/1/{world.service_id}/2024-03", {"rag": "on_track", "version": "0"}),
    ]
    for url, data in posts:
        assert client.post(url, data=data).status_code == 403, url
    # Another organisation's comment: refused as if it weren't there.
    assert client.post(f"/comments/{other}", data=triage).status_code == 404
    assert _triage_state(app) == before
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "x@example.org")) is None


# --- the comment list -------------------------------------------------------------------------


def _listed_ids(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'<tr data-comment="(\d+)">', html)}


def test_the_list_holds_only_the_reviewers_comments(world, client, reviewer):
    page = _text(client.get("/comments/"))
    assert _listed_ids(page) == set(world.own)
    assert "My comments" in page and 'All <span class="count">3</span>' in page
    _assert_nothing_hidden_in(page, "the list")
    # No organisation or constituency to choose, no bulk triage, no artefact pages.
    assert 'name="organisation"' not in page and 'name="constituency"' not in page
    assert "bulk-form" not in page and "/artefacts/" not in page


@pytest.mark.parametrize(
    "query",
    [
        "organisation={other}",
        "organisation={other}&disposition=rejected",
        "constituency=1",
        "q=confidential",
        "q=load+shaping",
        "artefact=BP004&sort=organisation",
        "page=2",
    ],
)
def test_the_list_url_cannot_widen_the_scope(world, client, reviewer, query):
    query = query.format(other=world.other_org_id)
    page = _text(client.get(f"/comments/?{query}"))
    assert _listed_ids(page) <= set(world.own)
    _assert_nothing_hidden_in(page, f"the list ?{query}")


def test_another_organisations_id_in_the_filter_is_dropped_not_described(world, client, reviewer):
    page = _text(client.get(f"/comments/?organisation={world.other_org_id}"))
    assert _listed_ids(page) == set(world.own)
    assert f"organisation={world.other_org_id}" not in page


@pytest.mark.usefixtures("app_context")
def test_the_service_layer_confines_every_filter_of_a_reviewer(world):
    """However a filter is made (from the URL, or built in code), a reviewer's scope counts
    and lists only their organisation's comments."""
    scope = Scope.organisation(world.own_org_id)
    f = CommentFilter.from_args({"organisation": str(world.other_org_id)}, scope)
    assert f.scope.organisation_id == world.own_org_id and f.organisation_id is None
    assert f.to_args() == {}  # the scope is never in a URL
    assert count_comments(f) == 3
    assert count_comments(CommentFilter(scope=scope)) == 3
    # Another organisation's id in a filter built in code: given way to the scope, or, if
    # set behind for_scope's back, it finds nothing; never the other's comments.
    other = CommentFilter(organisation_id=world.other_org_id)
    assert count_comments(other.for_scope(scope)) == 3
    assert count_comments(CommentFilter(organisation_id=world.other_org_id, scope=scope)) == 0
    assert {row.id for row in comment_page(CommentFilter(scope=scope), 1).items} == set(world.own)
    assert [name for _id, name in filter_choices(scope)["organisations"]] == [OWN_ORG]
    # The staff's scope sees every organisation's.
    assert count_comments(CommentFilter(scope=Scope.staff())) == 5
    assert count_comments(other.for_scope(Scope.staff())) == 2


def test_the_services_follow_the_scope_given_not_the_signed_in_user(app, world, reviewer):
    """A service answers for the scope it is passed: a reviewer signed in on the request
    changes nothing (the view passes that reviewer's scope, see the tests above)."""
    with app.test_request_context("/comments/"):
        login_user(reviewer)
        assert count_comments(CommentFilter(scope=Scope.staff())) == 5
        assert count_comments(CommentFilter(scope=Scope.organisation(world.other_org_id))) == 2
        logout_user()


@pytest.mark.usefixtures("app_context")
def test_every_way_to_a_comment_is_confined_to_the_scope(world):
    """A comment reached by id, a selection, a similar comment, a duplicate or the history:
    a reviewer's scope reaches only their organisation's, and only the outcome's history."""
    own = Scope.organisation(world.own_org_id)
    staff = Scope.staff()
    assert visible_comment(world.other[0], own) is None
    assert visible_comment(world.own[0], own).id == world.own[0]
    assert visible_comment(world.other[0], staff).id == world.other[0]
    everything = world.own + world.other
    assert [row.id for row in comments_by_ids(everything, own)] == world.own
    assert [row.id for row in comments_by_ids(everything, staff)] == everything
    # Beta's B-1 is the most similar comment to Acme's A-1 (the same words).
    assert world.other[0] in {c.id for c, _ in similar_comments(world.own[0], staff)}
    assert world.other[0] not in {c.id for c, _ in similar_comments(world.own[0], own)}
    # Acme's A-3 is a duplicate of Beta's B-1: Beta's reviewers would not see it.
    assert [c.id for c in duplicates_of(world.other[0], staff)] == [world.own[2]]
    assert duplicates_of(world.other[0], Scope.organisation(world.other_org_id)) == []
    # A-1's history: the staff see every field changed, the reviewer only the outcome.
    assert {e.field for e in history(world.own[0], staff)} >= {"action_owner", "internal_note"}
    assert {e.field for e in history(world.own[0], own)} == {"disposition", "response"}


def _unscoped(scope: Scope | None, world: World) -> dict[str, Callable[[], object]]:
    """Every service that reads comments, called with `scope` (None: without one)."""
    f = CommentFilter(tranche="1", scope=scope)
    return {
        "conditions": lambda: conditions(f),
        "filtered_ids": lambda: db.session.scalars(filtered_ids(f)).all(),
        "count_comments": lambda: count_comments(f),
        "disposition_counts": lambda: disposition_counts(f),
        "list_counts": lambda: list_counts(f),
        "comment_page": lambda: comment_page(f, 1),
        "neighbours": lambda: neighbours(f, world.own[0]),
        "comments_by_ids": lambda: comments_by_ids(world.own + world.other, scope),
        "visible_comment": lambda: visible_comment(world.other[0], scope),
        "filter_choices": lambda: filter_choices(scope),
        "similar_comments": lambda: similar_comments(world.own[0], scope),
        "duplicates_of": lambda: duplicates_of(world.other[0], scope),
        "history": lambda: history(world.own[0], scope),
        "responses_log": lambda: responses_log(world.other_org_id, scope),
        "comment_register": lambda: comment_register(f),
        "comment_register_csv": lambda: comment_register_csv(f),
        "from_args": lambda: list_counts(CommentFilter.from_args({"tranche": "1"}, scope)),
    }


UNSCOPED = sorted(_unscoped(None, World()))


@pytest.mark.usefixtures("app_context")
@pytest.mark.parametrize("service", UNSCOPED)
def test_a_comment_query_without_a_scope_fails_closed(world, service):
    """Called without saying whose view it serves, a service raises UnscopedQuery rather than
    answering with every organisation's comments; with a scope the same call answers."""
    with pytest.raises(UnscopedQuery):
        _unscoped(None, world)[service]()
    _unscoped(Scope.staff(), world)[service]()  # the same call, scoped: no error


def test_an_organisation_scope_needs_an_organisation():
    """A reviewer's scope without an organisation id is refused, never taken for the
    staff's (which sees everything)."""
    for missing in (None, "1", True):
        with pytest.raises(UnscopedQuery):
            Scope.organisation(missing)
    assert Scope.organisation(7).is_reviewer and not Scope.staff().is_reviewer


# --- the comment page -------------------------------------------------------------------------


def test_another_organisations_comment_is_not_found(world, client, reviewer):
    for comment_id in world.other:
        assert client.get(f"/comments/{comment_id}").status_code == 404
    missing = max(world.own + world.other) + 1
    assert client.get(f"/comments/{missing}").status_code == 404
    # The same answer for a guessed id as for one that doesn't exist: nothing to tell apart.
    guessed = _text(client.get(f"/comments/{world.other[0]}"))
    assert guessed == _text(client.get(f"/comments/{missing}"))


def test_the_comment_page_shows_the_outcome_not_the_working(world, client, reviewer):
    page = _text(client.get(f"/comments/{world.own[0]}"))
    assert "Acme&#39;s first point" in page
    assert "Action" in page and "Agreed: the exception path gets an owner." in page
    _assert_nothing_hidden_in(page, "the comment page")
    for hidden in (
        "Action owner",
        "Action due",
        "Internal note",
        "data-triage-form",  # (their own form is the answer's, not triage)
    ):
        assert hidden not in page
    assert "2024-05-01" not in page  # the action's due date
    assert "import #" not in page and "/imports/" not in page and "/artefacts/" not in page
    # Its history: the disposition and response changes, without who made them.
    history = page[page.index('<section class="history">') :]
    assert "Disposition" in history and "Response" in history and "browser" not in history
    # Similar comments: never another organisation's (Beta's B-1 is the most similar).
    similar = page[
        page.index('<section class="similar">') : page.index('<section class="history">')
    ]
    assert f"#{world.other[0]}" not in similar and f"/comments/{world.other[0]}" not in similar


def test_a_duplicate_of_another_organisations_comment(app, world, client, reviewer):
    page = _text(client.get(f"/comments/{world.own[2]}"))
    # It shows the outcome it follows, not the other comment, its id or its organisation.
    assert "Out of scope." in page and "Rejected" in page
    assert "says the same as another one" in page
    assert f"/comments/{world.other[0]}" not in page and f"#{world.other[0]}" not in page
    _assert_nothing_hidden_in(page, "a duplicate's page")
    with app.app_context():
        where = AuditEvent.comment_id == world.own[2]
        fields = set(db.session.scalars(select(AuditEvent.field).where(where)))
    assert "duplicate_of" in fields  # recorded, but not shown
    assert "Duplicate of" not in page


def test_previous_and_next_stay_within_the_organisation(world, client, reviewer):
    seen, url = [], f"/comments/{world.own[0]}?sort=changed"
    for _ in range(10):
        page = _text(client.get(url))
        seen.append(int(re.search(r"<h1>Comment #(\d+)", page).group(1)))
        found = re.search(r'<a href="([^"]+)" rel="next"', page)
        if found is None:
            break
        url = found.group(1).replace("&amp;", "&")
    backwards, url = [], f"/comments/{world.own[0]}?sort=changed"
    for _ in range(10):
        page = _text(client.get(url))
        backwards.append(int(re.search(r"<h1>Comment #(\d+)", page).group(1)))
        found = re.search(r'<a href="([^"]+)" rel="prev"', page)
        if found is None:
            break
        url = found.group(1).replace("&amp;", "&")
    assert set(seen) | set(backwards) == set(world.own)


# --- dashboards and JSON ----------------------------------------------------------------------


def test_tranche_dashboard_publishes_numbers_without_links(world, client, reviewer):
    for url in ("/tranches/1", "/tranches/1/rounds/1"):
        page = _text(client.get(url))
        assert "BP004- Title of BP004" in page
        constituencies = page[page.index('id="constituencies"') :]
        row = constituencies[constituencies.index("Supplier") :]
        row = row[: row.index("</tr>")]
        assert '<td class="num">2</td><td class="num">5</td>' in row.replace("\n      ", "")
        assert "/comments/" not in page.replace('href="/comments/"', "")
        assert "board-pack" not in page
        assert "My comments (csv)" in page
        _assert_nothing_hidden_in(page, url)


def test_tranche_json_is_published_to_reviewers(world, client, reviewer):
    data = client.get("/api/tranches/1").get_json()
    assert data["totals"]["total"] == 5  # every organisation's comments, as aggregates
    status = client.get("/api/tranches/1/comment-status").get_json()
    assert status["totals"]["total"] == 5
    constituencies = client.get("/api/tranches/1/constituencies").get_json()
    assert constituencies["totals"] == {"organisations": 2, "comments": 5}
    _assert_nothing_hidden_in(str([data, status, constituencies]), "the JSON")


# --- downloads --------------------------------------------------------------------------------


def test_the_reviewers_own_responses_log_only(world, client, reviewer):
    own = client.get(f"/exports/responses/{world.own_org_id}.xlsx")
    assert own.status_code == 200
    text = _xlsx_text(own.data)
    assert "Agreed: the exception path gets an owner." in text and OWN_ORG in text
    _assert_nothing_hidden_in(text, "the responses log")
    assert client.get(f"/exports/responses/{world.other_org_id}.xlsx").status_code == 404
    assert client.get("/exports/responses/999999.xlsx").status_code == 404


@pytest.mark.parametrize("query", ["", "?organisation={other}", "?constituency=1&tranche=1"])
def test_comment_register_csv_is_the_reviewers_without_internal_columns(
    world, client, reviewer, query
):
    response = client.get("/exports/comments.csv" + query.format(other=world.other_org_id))
    assert response.status_code == 200
    rows = _csv_rows(response.data)
    assert {int(row["Comment"]) for row in rows} == set(world.own)
    assert {row["Organisation"] for row in rows} == {OWN_ORG}
    for column in ("Internal Note", "Action Owner", "Action Due", "Duplicate Of"):
        assert column not in rows[0]
    assert "Response" in rows[0] and "Disposition" in rows[0]
    _assert_nothing_hidden_in(response.data.decode("utf-8-sig"), "the register (csv)")


def test_comment_register_xlsx_is_the_reviewers_without_internal_columns(world, client, reviewer):
    response = client.get(f"/exports/comments.xlsx?organisation={world.other_org_id}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert "Internal Note" not in header and "Action Owner" not in header
    assert {row[0] for row in rows} == set(world.own)
    _assert_nothing_hidden_in(_xlsx_text(response.data), "the register (xlsx)")


def test_a_triager_still_gets_the_full_register(world, client, login):
    login("triager")
    rows = _csv_rows(client.get("/exports/comments.csv").data)
    assert len(rows) == 5 and "Internal Note" in rows[0] and "Action Owner" in rows[0]


# --- publishing: a reviewer reads only what was published --------------------------------------

DRAFT_RESPONSE = "Draft: Acme's point on BP005 is rejected, pending legal"


def test_an_unpublished_decision_never_reaches_the_reviewer(app, world, client, reviewer):
    """A-2 triaged (rejected, a draft response) but not published: by every route the reviewer
    may take, it is "under consideration", never the draft."""
    with app.app_context(), unit_of_work():
        triage_comment(
            world.own[1],
            {"disposition": "rejected", "response": DRAFT_RESPONSE},
            actor=TRIAGER,
        )
    texts = {
        "list": _text(client.get("/comments/")),
        "list sorted": _text(client.get("/comments/?sort=disposition")),
        "list rejected": _text(client.get("/comments/?disposition=rejected")),
        "search": _text(client.get("/comments/?q=legal")),
        "page": _text(client.get(f"/comments/{world.own[1]}")),
        "register": client.get("/exports/comments.csv").data.decode("utf-8-sig"),
        "responses": _xlsx_text(client.get(f"/exports/responses/{world.own_org_id}.xlsx").data),
        "json": str(client.get("/api/tranches/1/comment-status").get_json()),
    }
    for where, body in texts.items():
        assert DRAFT_RESPONSE not in body and "pending legal" not in body, where
    assert world.own[1] not in _listed_ids(texts["list rejected"])
    assert _listed_ids(texts["search"]) == set()
    assert "Under consideration" in texts["page"] and "Rejected" not in texts["page"]
    register = _csv_rows(client.get("/exports/comments.csv").data)
    assert {row["Disposition"] for row in register if int(row["Comment"]) == world.own[1]} == {
        "Under consideration"
    }
    # The JSON counts the published outcomes: A-1 in Action, B-1 and A-3 rejected, two more
    # (A-2 and B-2) not published ("open"; B-2's Action is not published).
    totals = client.get("/api/tranches/1/comment-status").get_json()["totals"]
    assert (totals["action"], totals["rejected"], totals["open"]) == (1, 2, 2)


@pytest.mark.parametrize(
    "url",
    [
        "/my-work",
        "/working-groups",
        "/resolutions/workbook.xlsx",
        "/resolutions/workbook.xlsx?organisation=1",
        "/resolutions/import",
        "/resolutions/import/" + "0" * 32,
    ],
)
def test_the_resolution_pages_are_refused_to_reviewers(world, client, reviewer, url):
    assert client.get(url).status_code == 403


def test_a_reviewer_may_not_assign_or_publish(app, world, client, reviewer):
    before = _triage_state(app)
    posts = [
        ("/comments/publish", {"scope": "filter", "confirm": "yes"}),
        (f"/comments/{world.own[0]}/publish", {"version": "1"}),
        (f"/comments/{world.other[0]}/publish", {"version": "1"}),
        ("/comments/bulk", {"scope": "filter", "assignee": "1", "confirm": "yes"}),
        ("/working-groups", {"name": "Reviewers' own"}),
        ("/working-groups/1/members", {"user": "1"}),
        ("/resolutions/import", {}),
    ]
    for url, data in posts:
        assert client.post(url, data=data).status_code == 403, url
    assert _triage_state(app) == before

"""No 500 on any input: every route, every path argument and every query or form value a view
reads, sent hostile values as anonymous, viewer, triager and reviewer (and as lead and admin
where only they get in).

The walk covers `app.url_map` as it is, so a new route is fuzzed the day it is added. The
names a view reads are not listed by hand: probe requests per route and role record every
name the view looks up in `request.args` / `request.form` (a recording MultiDict), and the
fuzz sends each hostile value under those names: all names at once as every role the route
lets in, and name by name as the lowest staff role and a reviewer where the answer is a
refusal (the first bad name may hide the others), and without the names a view only tests for
(a "reset" button turns the column form's other fields off). The test also checks that every
name the source reads by its literal name was seen by a probe, so a name read only in a branch
the probes miss does not go unfuzzed. An upload staged for the triager takes the walk through
the import preview, its column form and the confirm.

Bounded by construction (a fixed list of values, routes and roles, no generated data): about
4,300 requests, 35-50 s on a busy 2-core machine.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask, Request
from sqlalchemy import select
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import Rule

from reviewtracker.extensions import db
from reviewtracker.imports import staging
from reviewtracker.models import (
    Artefact,
    Comment,
    CommentDraft,
    ImportBatch,
    Organisation,
    ReviewRound,
    User,
)
from reviewtracker.services.comment_import import ImportOptions, import_comment_log
from reviewtracker.services.design_status import set_status
from reviewtracker.services.dissensus import open_from_comment
from reviewtracker.services.reference import get_or_create_service
from reviewtracker.services.rounds import invite, set_round_artefacts
from reviewtracker.services.working_groups import create_group
from reviewtracker.unit_of_work import unit_of_work
from tests.logmaker import write_csv_log

from .factories import add_artefacts, comment_rows, signed_in_id

PACKAGE = Path(__file__).resolve().parents[2] / "reviewtracker"

# Values no view may answer with a 5xx, whatever it reads them as: an id, a number, a month,
# a search, a redirect target, a choice.
HOSTILE: tuple[str, ...] = (
    "",
    "0",
    "-1",
    "1.5",
    "2147483647",  # 2**31 - 1: the largest id (PostgreSQL's integer)
    "2147483648",
    "9223372036854775808",  # 2**63: too large for SQLite
    "9" * 5000,  # more digits than int() reads
    "²",  # str.isdigit() says yes, int() says no
    "١",  # an Arabic-Indic one: int() reads it
    "\x00",
    "a\x00b",
    "\x01\x08\x0b\x1b\x7f\x85",
    "/x\r\nSet-Cookie: evil=1",
    "/\\evil.example",
    "https://evil.example/",
    '"',
    'a OR b NEAR(c d) NOT "e',
    '"a" * ^b -c +d (e title:x AND',
    "0000-01",
    "0001-01",
    "9999-12",
    "2022-04\n",
    "../../../../etc/passwd",
    "é漢😀\u200b\ufeff'<script>",
    "x" * 10_000,
)
ROLES = ("anonymous", "viewer", "triager", "reviewer", "lead", "admin")
# The roles the issue names: every route is walked as each of them. lead and admin go deep
# only where the others are refused (the design dashboard's form, the users page).
REQUIRED_ROLES = ("anonymous", "viewer", "triager", "reviewer")
# These end the fuzzing client's sign-in: covered by test_sessions.py, not walked here.
NOT_WALKED = {"static", "auth.logout", "auth.sign_out_everywhere"}
# Routes that use up what the walk needs run last, in this order: importing the staged upload
# (the preview and its column form need it; this one then imports it, with whatever columns
# the fuzz chose), discarding it, undoing the seeded import.
LAST = ("imports.confirm", "imports.cancel", "imports.undo")
# Names read only where the walk does not go, with the reason. "fields" and "cancel" are read
# only on a staged resolutions workbook (/resolutions/import/<token>), and the walk has one
# <token>, the staged comment log's; test_resolutions_roundtrip.py sends them itself.
NOT_REACHED: set[str] = {"fields", "cancel"}


# --- recording what the views read ------------------------------------------------------------

WILDCARD = "*"  # the view iterated over every name (items(), to_dict(), ...)


class RecordingDict(ImmutableMultiDict):
    """request.args / request.form that notes every name a view looks up, and which of them it
    also took a value of (not only tested with `in`). `lists()` is not a look-up: the
    control-character guard (inputs.py) walks every request's values with it."""

    reads: set[str] = set()
    values_read: set[str] = set()

    def _note(self, key: object, value: bool = True) -> None:
        if isinstance(key, str):
            RecordingDict.reads.add(key)
            if value:
                RecordingDict.values_read.add(key)

    def __contains__(self, key: object) -> bool:
        self._note(key, value=False)
        return super().__contains__(key)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):  # (MultiDict's own signature)
        self._note(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        self._note(key)
        return super().getlist(key, type)

    def _everything(self) -> None:
        RecordingDict.reads.add(WILDCARD)

    def items(self, multi: bool = False):
        self._everything()
        return super().items(multi)

    def keys(self):
        self._everything()
        return super().keys()

    def to_dict(self, flat: bool = True):
        self._everything()
        return super().to_dict(flat)


class RecordingRequest(Request):
    parameter_storage_class = RecordingDict


# --- the seeded world ---------------------------------------------------------------------------


@dataclass
class World:
    path_values: dict[str, object]
    query: dict[str, str]  # valid values, for probes that reach deeper
    clients: dict[str, object]
    failures: list[str] = field(default_factory=list)
    requests: int = 0
    read: set[str] = field(default_factory=set)  # every name a probe saw a view read
    # (role, method, rule) -> the answer to the probe without parameters
    answers: dict[tuple[str, str, str], Answer] = field(default_factory=dict)


def _seed(app: Flask, make_user, tmp_path: Path) -> World:
    """A little of everything: artefacts with a service, an import (batch, organisations,
    review round, comments), a design dashboard record, a user of each role, and an upload
    staged by the triager (so the import preview and its column form are walked)."""
    rows = comment_rows(6, organisation="Acme Energy", constituency="Supplier- Large")
    rows[0]["comment"] = "The trigger is unclear = clarification needed"
    rows[1]["disposition"] = "Accepted"
    log = write_csv_log(tmp_path / "log.csv", rows)
    more = comment_rows(3, start=7, organisation="Acme Energy", constituency="Supplier- Large")
    staged_log = write_csv_log(tmp_path / "staged.csv", more)
    with app.app_context():
        add_artefacts(("BP004", "1"), ("BP005", "1"), ("IF005", "1"))
        service_id = get_or_create_service("Registration Service", {})
        db.session.commit()
        report = import_comment_log(log, options=ImportOptions(tranche="1"))
        assert report.written, [str(p) for p in report.problems]
        with unit_of_work():
            set_status("1", service_id, "2022-04", {"rag": "at_risk"}, "tester")
        organisation_id = db.session.scalars(select(Organisation.id)).first()
        comment_id = db.session.scalar(select(Comment.id).order_by(Comment.id))
        batch_id = db.session.scalar(select(ImportBatch.id))
        round_id = db.session.scalar(select(ReviewRound.id))
        with unit_of_work():
            group_id = create_group("BPRWG", "Business process review").id
            entry_id = open_from_comment(comment_id, "tester").id
    users = {
        role: make_user(role, organisation=organisation_id if role == "reviewer" else None)
        for role in ROLES
        if role != "anonymous"
    }
    spare = make_user("viewer", "spare@example.org")
    draft_id, artefact_id = _seed_submissions(app, round_id, organisation_id, users["reviewer"].id)
    clients = {"anonymous": app.test_client()}
    for role, user in users.items():
        with app.app_context():
            cookie_id = signed_in_id(db.session.get(User, user.id))
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = cookie_id
        clients[role] = client
    with app.app_context():  # staged in the database, as the upload page stages it
        upload = staging.stage(
            [("staged log.csv", staged_log.read_bytes())],
            {"tranche": "1"},
            owner=users["triager"].id,
        )
        db.session.commit()
    path_values = {
        "comment_id": comment_id,
        "organisation_id": organisation_id,
        "code": "1",
        "number": 1,
        "reference": "BP004",
        "token": upload.token,
        "index": 1,
        "batch_id": batch_id,
        "tranche": "1",
        "service_id": service_id,
        "month": "2022-04",
        "user_id": spare.id,
        "filename": "app.css",
        "round_id": round_id,
        "group_id": group_id,
        "entry_id": entry_id,
        "artefact_id": artefact_id,
        "draft_id": draft_id,
        "submission_id": 1,
    }
    query = {
        "tranche": "1",
        "round": "1",
        "month": "2022-04",
        "service_id": str(service_id),
        "service": str(service_id),
        "organisation": str(organisation_id),
        "artefact": "BP004",
        "disposition": "open",
        "q": "trigger",
        "page": "1",
        "sort": "changed",
        "next": "/comments/",
        "ids": str(comment_id),
        "other": str(comment_id + 1),
        "version": "1",
        "scope": "filter",
        # A lifecycle move a lead may make (the tracker's bulk move reads "expected" after).
        "to_state": "resolving",
        "to_tranche": "",  # keep its tranche
        "on": "2022-04-01",
        "note": "fuzz",
    }
    return World(path_values, query, clients)


def _seed_submissions(app: Flask, round_id: int, organisation_id: int, reviewer_id: int):
    """The reviewer's organisation invited to the round, which reviews BP004, and a draft of
    the reviewer's on it: the reviewer's submission pages are walked, not only refused."""
    with app.app_context():
        artefact_id = db.session.scalar(select(Artefact.id).where(Artefact.reference == "BP004"))
        with unit_of_work():
            set_round_artefacts(round_id, {"BP004": None}, actor="tester")
            invite(round_id, [organisation_id])
            draft = CommentDraft(
                review_round_id=round_id,
                organisation_id=organisation_id,
                author_id=reviewer_id,
                artefact_id=artefact_id,
                comment="A draft of the reviewer's.",
            )
            db.session.add(draft)
        return draft.id, artefact_id


# --- requests ------------------------------------------------------------------------------------


def _path(rule: Rule, values: dict[str, object]) -> str:
    """The rule's URL with each argument's value URL-quoted (hostile ones too)."""

    def fill(match: re.Match) -> str:
        return quote(str(values[match.group(1)]), safe="")

    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", fill, rule.rule)


def _send(app: Flask, world: World, role: str, method: str, path: str, params: dict) -> Answer:
    """One request, in the app context the test client gives it (as a server runs it: no user
    cached from another role's request, the test holds no context). A 5xx, or an exception
    (TESTING propagates them), is a failure."""
    world.requests += 1
    client = world.clients[role]
    where = f"{role}: {method} {path[:200]} {_short(params)}"
    try:
        if method == "GET":
            response = client.get(path, query_string=params)
        else:
            response = client.post(path, data=params)
        answer = Answer(response.status_code, response.location or "")
        response.close()
    except Exception as error:  # any crash is what this test looks for
        world.failures.append(f"{where} raised {type(error).__name__}: {str(error)[:200]}")
        return Answer(500, "")
    if answer.status >= 500:
        world.failures.append(f"{where} answered {answer.status}")
    return answer


@dataclass(frozen=True)
class Answer:
    status: int
    location: str

    @property
    def gated(self) -> bool:
        """Sent to sign in, refused (403) or absent (404, 405): the view's code did not run."""
        return self.status in (401, 403, 404, 405) or (
            self.status == 302 and self.location.startswith("/login")
        )


def _short(params: dict) -> str:
    return repr(
        {name: (value if len(value) < 60 else value[:20] + "…") for name, value in params.items()}
    )


def _routes(app: Flask) -> Iterator[tuple[Rule, str]]:
    """(rule, method) for every route but NOT_WALKED, GETs first, LAST at the very end."""

    def order(pair: tuple[Rule, str]) -> tuple:
        rule, method = pair
        last = LAST.index(rule.endpoint) if rule.endpoint in LAST else -1
        return (last, method == "POST", rule.rule)

    pairs = [
        (rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in NOT_WALKED
        for method in ("GET", "POST")
        if method in (rule.methods or ())
    ]
    return iter(sorted(pairs, key=order))


def _probe(
    app: Flask, world: World, role: str, method: str, path: str
) -> tuple[Answer, set[str], set[str]]:
    """The answer without parameters, every name the view read (without, and with valid
    values that take it further), and those of them it only tested for (`"reset" in form`)."""
    RecordingDict.reads, RecordingDict.values_read = set(), set()
    answer = _send(app, world, role, method, path, {})
    _send(app, world, role, method, path, world.query)
    world.read |= RecordingDict.reads
    return answer, set(RecordingDict.reads), RecordingDict.reads - RecordingDict.values_read


def _names(read: set[str]) -> list[str]:
    """The names to fuzz: those read, plus the list filter's under the bulk form's prefix if
    the view went through all of them (items(), to_dict())."""
    names = read - {WILDCARD}
    if WILDCARD in read:
        names |= {f"f-{name}" for name in FILTER_ARGS} | FILTER_ARGS
    return sorted(names)


FILTER_ARGS = {"tranche", "service", "artefact", "round", "organisation", "constituency"} | {
    "disposition",
    "q",
    "sort",
    "page",
}
STAFF = ("viewer", "triager", "lead", "admin")


def _deep(allowed: dict[str, list[str]]) -> list[str]:
    """The roles fuzzed name by name: the lowest staff role the route lets in, and a reviewer
    if it lets them in (their queries are confined: other code)."""
    staff = [role for role in STAFF if role in allowed][:1]
    return staff + (["reviewer"] if "reviewer" in allowed else [])


def _walk(app: Flask, world: World, rule: Rule, method: str) -> None:
    """Every path argument and every name the view reads, each hostile value, as the roles
    the route lets in; every value at once as each required role it lets in."""
    path = _path(rule, world.path_values)
    allowed: dict[str, list[str]] = {}
    switches: dict[str, set[str]] = {}
    for role in ROLES:
        answer, read, tested_only = _probe(app, world, role, method, path)
        world.answers[(role, method, rule.rule)] = answer
        if not answer.gated:
            allowed[role] = _names(read)
            switches[role] = tested_only
    deep = _deep(allowed)
    for name in rule.arguments:
        for role in ["anonymous", *deep]:
            for value in HOSTILE:
                hostile_path = _path(rule, world.path_values | {name: value})
                _send(app, world, role, method, hostile_path, {})
    for role, names in allowed.items():
        if not names or (role not in REQUIRED_ROLES and role not in deep):
            continue
        for value in HOSTILE:
            answer = _send(app, world, role, method, path, dict.fromkeys(names, value))
            if answer.status >= 400 and role in deep and method == "GET":
                # Refused: maybe by the first name it checked. Each name alone, then (a form
                # is validated whole: every field was read).
                for name in names:
                    _send(app, world, role, method, path, {name: value})
            others = [name for name in names if name not in switches[role]]
            if role in deep and len(others) < len(names) and others:
                # A name the view only tests for ("reset" in the column form) may turn off
                # the code that reads the others: they are sent without it too.
                _send(app, world, role, method, path, dict.fromkeys(others, value))


# `request.args.get("x")`, `args.get("x", ...)`, `form.getlist("x")`, `"x" in request.form`
_LITERAL_READS = re.compile(
    r"""\b(?:args|form)\.(?:get|getlist)\(\s*(?:f?["']([^"'{}]+)["'])"""
    r"""|["']([^"']+)["']\s+(?:not\s+)?in\s+(?:request\.)?(?:args|form)\b"""
)


def _names_in_source() -> set[str]:
    """Every name the app's code reads from a query string or a form by its literal name."""
    names = set()
    for path in PACKAGE.rglob("*.py"):
        for match in _LITERAL_READS.finditer(path.read_text(encoding="utf-8")):
            names.add(match.group(1) or match.group(2))
    return names


@pytest.fixture
def fuzz_app(app):
    app.request_class = RecordingRequest
    return app


def test_no_route_answers_5xx_to_hostile_values(fuzz_app, make_user, tmp_path):
    world = _seed(fuzz_app, make_user, tmp_path)
    rules = list(_routes(fuzz_app))
    for name in {a for rule, _ in rules for a in rule.arguments} - set(world.path_values):
        pytest.fail(f"a route takes <{name}>: give it a valid value in _seed's path_values")
    for rule, method in rules:
        _walk(fuzz_app, world, rule, method)
    # The probes saw the views read every name the code reads by name (one read only deep in
    # a branch they missed would never be sent a hostile value).
    in_source = _names_in_source()
    assert {"page", "month", "next", "ids", "service_id", "reset"} <= in_source
    missing = in_source - set(_names(world.read)) - NOT_REACHED
    assert not missing, (
        f"the views read {sorted(missing)}, which no probe reached: add a valid value to "
        "_seed's query so that the fuzz sends them hostile values"
    )
    assert world.requests > 3_000  # the walk really walked (every route, value and role)
    # The staged upload took it through the import preview (a read-only dry run), its column
    # form and the confirm (before the cancel discarded it): none of them found it gone (a
    # redirect to the upload form).
    preview = f"/imports/preview/{world.path_values['token']}"
    answers = world.answers
    assert answers[("triager", "GET", "/imports/preview/<token>")].status == 200
    columns = answers[("triager", "POST", "/imports/preview/<token>/columns/<int:index>")]
    assert columns.location == preview + "#file-1" and "reset" in world.read
    confirm = answers[("triager", "POST", "/imports/preview/<token>/confirm")]
    assert confirm.location in ("/imports/history", preview)  # imported, or its errors shown
    assert not world.failures, f"{len(world.failures)} of {world.requests} requests failed:\n" + (
        "\n".join(world.failures[:25])
    )

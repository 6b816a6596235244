"""Two triagers changing the same comments at once: nothing lost, every change audited.

Each triager is a test client of their own, signed in through the login form, with CSRF
protection on: they load the real forms (token and all) and post them back. Where the two
requests must overlap, each runs in a thread and the order of the database statements that
matter is forced with threading events (`Choreography`): no sleep orders anything and nothing
is timed. The waits' timeouts only stop a broken run from hanging.

The wall-clock soak (many triagers saving for minutes through the real server) is
`make bench`'s: bench/web.py, bench/README.md.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, select

from bench.web import triage_form
from reviewtracker.extensions import db
from reviewtracker.models import AuditEvent, Comment, User
from reviewtracker.services.bulk_triage import bulk_triage
from reviewtracker.services.comment_import import import_comment_log
from reviewtracker.services.publishing import publish
from reviewtracker.services.triage import triage_comment
from reviewtracker.unit_of_work import unit_of_work
from tests.logmaker import write_xlsx_log

from .factories import add_artefacts

PASSWORD = "secret-password"  # what the make_user fixture gives every user
ANN, BOB = "ann@example.org", "bob@example.org"
ACME = {"Organisation": "Acme Energy", "Constituency": "Supplier - Large"}
WAIT = 30.0  # seconds: a bound on a broken run, never what orders the steps
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


# --- the triagers and their comments -----------------------------------------------------------


@pytest.fixture
def comments(app, tmp_path: Path) -> list[int]:
    """Ids of four open comments on BP004, in log order."""
    rows = [
        {"log_comment_id": str(n), "artefact": "MHHSP-BP004", "comment": f"Step {n} is unclear."}
        for n in range(1, 5)
    ]
    path = write_xlsx_log(tmp_path / "log.xlsx", rows, key_values=ACME)
    with app.app_context():
        add_artefacts(("BP004", "1"))
        report = import_comment_log(path)
        assert report.ok and report.added == 4, [str(p) for p in report.problems]
        return list(db.session.scalars(select(Comment.id).order_by(Comment.id)))


@pytest.fixture
def triagers(app, make_user) -> dict[str, FlaskClient]:
    """Ann's and Bob's browsers, each signed in through the login form, CSRF on."""
    app.config["WTF_CSRF_ENABLED"] = True
    browsers = {}
    for email in (ANN, BOB):
        user = make_user("triager", email)
        with app.app_context():  # named as the pages show them: "Ann", "Bob"
            db.session.get(User, user.id).name = email.split("@")[0].title()
            db.session.commit()
        browser = app.test_client()
        token = csrf_token(browser.get("/login").get_data(as_text=True))
        form = {"csrf_token": token, "email": email, "password": PASSWORD}
        assert browser.post("/login", data=form).status_code == 302, email
        browsers[email] = browser
    return browsers


def csrf_token(page: str) -> str:
    found = _CSRF.search(page)
    assert found, "the page has no CSRF token"
    return found.group(1)


def load_form(browser: FlaskClient, comment_id: int) -> dict[str, str]:
    """The comment page's triage form as the browser would submit it untouched."""
    page = browser.get(f"/comments/{comment_id}")
    assert page.status_code == 200
    return triage_form(page.get_data(as_text=True))


def ann_saves_before_bob(
    triagers: dict[str, FlaskClient], comment_id: int, ann: dict, bob: dict
) -> tuple[dict[str, str], object]:
    """Ann and Bob open the comment, Ann saves her changes, then Bob his from the form he
    loaded: (the form as both loaded it, the answer to Bob's save)."""
    ann_form = load_form(triagers[ANN], comment_id)
    bob_form = load_form(triagers[BOB], comment_id)
    assert ann_form | {"csrf_token": ""} == bob_form | {"csrf_token": ""}  # tokens: per session
    saved = triagers[ANN].post(f"/comments/{comment_id}", data=ann_form | ann | {"save": "Save"})
    assert saved.status_code == 302
    bob_post = bob_form | bob | {"save": "Save"}
    return bob_form, triagers[BOB].post(f"/comments/{comment_id}", data=bob_post)


def confirmation(browser: FlaskClient, ids: list[int], **changes: str) -> dict[str, list[str]]:
    """Tick `ids` on the list, ask for `changes` in bulk; the confirmation form it answers with
    (its hidden fields, as the browser would post them)."""
    token = csrf_token(browser.get("/comments/").get_data(as_text=True))
    form = {"csrf_token": token, "scope": "selected", "ids": [str(i) for i in ids], **changes}
    page = browser.post("/comments/bulk", data=form)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"This will change <strong>{len(ids)}</strong> comments" in html
    fields: dict[str, list[str]] = {}
    for name, value in _HIDDEN.findall(html.split('class="confirm-actions"')[1]):
        fields.setdefault(name, []).append(unescape(value))
    return fields


# --- what the database holds -------------------------------------------------------------------


def stored(app, comment_id: int) -> tuple:
    """(disposition, response, action owner, version) of the comment now."""
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        return comment.disposition, comment.response, comment.action_owner, comment.version


def events(app, comment_id: int) -> list[tuple]:
    """The comment's browser changes in the order they were written: (field, before, after,
    actor)."""
    query = (
        select(AuditEvent.field, AuditEvent.before, AuditEvent.after, AuditEvent.actor)
        .where(AuditEvent.comment_id == comment_id, AuditEvent.origin == "browser")
        .order_by(AuditEvent.id)
    )
    with app.app_context():
        return [tuple(row) for row in db.session.execute(query)]


def assert_audit_chain(app, comment_id: int) -> None:
    """Nothing changed unseen: per field, each event's "before" is the previous one's "after"
    (the first one's the imported value), and the last "after" is the value stored."""
    disposition, response, action_owner, _version = stored(app, comment_id)
    logged = events(app, comment_id)
    for name, start, now in (
        ("disposition", "open", disposition),
        ("response", None, response),
        ("action_owner", None, action_owner),
    ):
        chain = [(before, after) for field, before, after, _actor in logged if field == name]
        previous = start
        for before, after in chain:
            assert before == previous, (comment_id, name, chain)
            previous = after
        assert previous == now, (comment_id, name, chain, now)


# --- forcing the order of two requests ---------------------------------------------------------


@dataclass
class Step:
    thread: str
    when: str  # "before" or "after" the statement runs
    statement: re.Pattern[str]
    action: Callable[[], object]
    done: bool = False


class Choreography:
    """Runs an action when a named thread is about to run (or has just run) a SQL statement
    matching a pattern, each step once; the test's threads wait on each other's events there.
    On leaving, every step must have run: the interleaving did happen."""

    def __init__(self, app) -> None:
        with app.app_context():
            self.engine = db.engine
        self.steps: list[Step] = []
        self.lock = threading.Lock()

    def before(self, thread: str, statement: str, action: Callable[[], object]) -> None:
        self.steps.append(Step(thread, "before", re.compile(statement, re.I), action))

    def after(self, thread: str, statement: str, action: Callable[[], object]) -> None:
        self.steps.append(Step(thread, "after", re.compile(statement, re.I), action))

    def __enter__(self) -> Choreography:
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, kind, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)
        if kind is None:
            missed = [
                f"{s.thread} {s.when} {s.statement.pattern}" for s in self.steps if not s.done
            ]
            assert not missed, f"steps that never ran: {missed}"

    def _before(self, _conn, _cursor, statement, *_args) -> None:
        self._run("before", statement)

    def _after(self, _conn, _cursor, statement, *_args) -> None:
        self._run("after", statement)

    def _run(self, when: str, statement: str) -> None:
        name = threading.current_thread().name
        with self.lock:
            due = [
                step
                for step in self.steps
                if not step.done
                and (step.thread, step.when) == (name, when)
                and step.statement.match(statement.lstrip())
            ][:1]
            for step in due:
                step.done = True
        for step in due:
            step.action()


def wait(happened: threading.Event, what: str) -> None:
    if not happened.wait(WAIT):
        raise AssertionError(f"waited in vain for: {what}")


def at_once(**requests: Callable[[], object]) -> dict[str, object]:
    """Each request in a thread of its own, named after its key; their answers by name. An
    exception in a thread is raised here."""
    answers: dict[str, object] = {}
    failures: list[BaseException] = []

    def run(name: str, request: Callable[[], object]) -> None:
        try:
            answers[name] = request()
        except BaseException as error:  # noqa: BLE001 - raised again in the test's thread
            failures.append(error)

    threads = [threading.Thread(target=run, args=item, name=item[0]) for item in requests.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * WAIT)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    if failures:
        raise failures[0]
    return answers


# --- one comment, two forms ----------------------------------------------------------------------


def test_the_second_save_of_a_stale_form_is_refused_showing_both_versions(app, comments, triagers):
    """Ann and Bob open the same comment; Ann saves first. Bob's save is refused (409) with
    both versions side by side, nothing of his written; saved again from that page, his
    change goes on top of Ann's. Both are audited, in order."""
    bob = triagers[BOB]
    comment_id = comments[0]
    loaded, refused = ann_saves_before_bob(
        triagers,
        comment_id,
        {"disposition": "accepted", "response": "Ann: agreed."},
        {"disposition": "action", "action_owner": "Bob's team"},
    )
    assert loaded["version"] == "1"
    assert refused.status_code == 409
    page = unescape(refused.get_data(as_text=True))
    assert "Someone else saved this comment" in page
    assert "It was last changed by Ann" in re.sub(r"<[^>]+>", "", page)  # her display name
    assert "Ann: agreed." in page and "Bob's team" in page
    assert "You both changed: disposition" in page
    assert stored(app, comment_id) == ("accepted", "Ann: agreed.", None, 2)
    assert events(app, comment_id) == [
        ("disposition", "open", "accepted", ANN),
        ("response", None, "Ann: agreed.", ANN),
    ]

    # The refusal's form holds Bob's changes on top of Ann's version: saving it keeps both.
    again = triage_form(refused.get_data(as_text=True))
    assert (again["version"], again["disposition"]) == ("2", "action")
    assert (again["response"], again["action_owner"]) == ("Ann: agreed.", "Bob's team")
    assert bob.post(f"/comments/{comment_id}", data=again | {"save": "Save"}).status_code == 302
    assert stored(app, comment_id) == ("action", "Ann: agreed.", "Bob's team", 3)
    assert events(app, comment_id)[2:] == [
        ("disposition", "accepted", "action", BOB),
        ("action_owner", None, "Bob's team", BOB),
    ]
    assert_audit_chain(app, comment_id)


def test_a_stale_form_of_a_published_response_is_refused_as_stale_not_as_a_bad_field(
    app, comments, triagers
):
    """A published response: Ann and Bob open it, Ann changes the disposition (which takes the
    response back to draft). Bob's form still says Published, no longer a state he may pick:
    his save is refused as stale (409, both versions shown), not as a field to correct (400)."""
    comment_id = comments[0]
    with app.app_context(), unit_of_work():
        triage_comment(comment_id, {"disposition": "accepted", "response": "Agreed."}, actor=ANN)
        bulk_triage([comment_id], None, {"response_state": "approved"}, ANN, may_approve=True)
        publish([comment_id], None, ANN)
    loaded, refused = ann_saves_before_bob(
        triagers,
        comment_id,
        {"disposition": "rejected", "response": "Ann: out of scope."},
        {"disposition": "action", "action_owner": "Bob's team"},
    )
    assert loaded["response_state"] == "published"
    assert refused.status_code == 409
    page = unescape(refused.get_data(as_text=True))
    assert "Someone else saved this comment" in page and "Bob's team" in page
    assert stored(app, comment_id)[:3] == ("rejected", "Ann: out of scope.", None)


def test_two_saves_at_once_the_database_lets_one_through(app, comments, triagers):
    """Both saves pass the version check before either writes (the check alone would let
    both through): the write's own version condition refuses the second, which waits for the
    first to commit. Forced order: Bob reads, Ann writes, then Bob tries to write."""
    ann, bob = triagers[ANN], triagers[BOB]
    comment_id = comments[1]
    ann_form = load_form(ann, comment_id) | {"disposition": "action", "save": "Save"}
    ann_form["response"] = "Ann: to the sub-group."
    bob_form = load_form(bob, comment_id) | {"disposition": "clarification", "save": "Save"}
    bob_form["response"] = "Bob: which step?"
    bob_checked, ann_wrote = threading.Event(), threading.Event()

    update = r"UPDATE comment\b"
    with Choreography(app) as steps:
        steps.before("bob", update, lambda: (bob_checked.set(), wait(ann_wrote, "Ann's write")))
        steps.before("ann", update, lambda: wait(bob_checked, "Bob's version check"))
        steps.after("ann", update, ann_wrote.set)
        answers = at_once(
            ann=lambda: ann.post(f"/comments/{comment_id}", data=ann_form),
            bob=lambda: bob.post(f"/comments/{comment_id}", data=bob_form),
        )

    assert answers["ann"].status_code == 302
    assert answers["bob"].status_code == 409
    page = unescape(answers["bob"].get_data(as_text=True))
    assert "Someone else saved this comment" in page and "Ann: to the sub-group." in page
    assert "Bob: which step?" in page  # his text is kept in the form, not lost
    assert stored(app, comment_id) == ("action", "Ann: to the sub-group.", None, 2)
    assert events(app, comment_id) == [
        ("disposition", "open", "action", ANN),
        ("response", None, "Ann: to the sub-group.", ANN),
    ]
    assert_audit_chain(app, comment_id)


# --- bulk changes ------------------------------------------------------------------------------

AUDIT, UPDATE = r"INSERT INTO audit_event\b", r"UPDATE comment\b"
# Bulk triage locks a chunk's rows before auditing it (PostgreSQL: SELECT ... FOR UPDATE;
# SQLite has one writer and no such clause): there, a writer's first statement is the lock.
LOCK = r"^SELECT comment\.id\s+FROM comment\s+WHERE comment\.id IN .*FOR UPDATE"


def first_write(app) -> str:
    """The statement a bulk change's writing starts with on this database."""
    with app.app_context():
        return AUDIT if db.engine.dialect.name == "sqlite" else LOCK


def bob_writes_after_anns_commit(app, steps: Choreography, ann_done: threading.Event) -> None:
    """Both take their selections before either writes; Ann writes and commits; then Bob
    writes."""
    bob_selected, start = threading.Event(), first_write(app)
    steps.before("ann", start, lambda: wait(bob_selected, "Bob's selection"))
    steps.before("bob", start, lambda: (bob_selected.set(), wait(ann_done, "Ann's commit")))


def bob_writes_before_anns_commit(app, steps: Choreography, ann_done: threading.Event) -> None:
    """Ann has written (not committed) when Bob starts writing the same comments. Bob's first
    write waits for Ann's commit by itself: on SQLite his audit insert (one writer), on
    PostgreSQL his lock of the chunk's rows (her row locks), so he audits what she committed."""
    ann_wrote, bob_writing = threading.Event(), threading.Event()
    steps.after("ann", UPDATE, lambda: (ann_wrote.set(), wait(bob_writing, "Bob's write")))
    steps.before(
        "bob", first_write(app), lambda: (wait(ann_wrote, "Ann's write"), bob_writing.set())
    )


@pytest.mark.parametrize("order", [bob_writes_after_anns_commit, bob_writes_before_anns_commit])
def test_two_bulk_changes_at_once_audit_every_change_in_order(app, comments, triagers, order):
    """Ann and Bob confirm bulk changes of overlapping selections at the same time, in a
    forced order (`order`), Ann's first. Bob's change lands on top of Ann's where they
    overlap: his events' "before" is what Ann had just saved, nothing of Ann's that Bob did
    not change is lost, and each comment's version counts its changes."""
    ann, bob = triagers[ANN], triagers[BOB]
    first, second, third, fourth = comments
    ann_form = confirmation(
        ann, [first, second, third], disposition="rejected", response="Ann: out of scope."
    )
    bob_form = confirmation(
        bob, [second, third, fourth], disposition="action", action_owner="Bob's team"
    )
    ann_done = threading.Event()

    def ann_confirms():
        answer = ann.post("/comments/bulk", data=ann_form)
        ann_done.set()  # her request has returned: her change is committed
        return answer

    with Choreography(app) as steps:
        order(app, steps, ann_done)
        answers = at_once(ann=ann_confirms, bob=lambda: bob.post("/comments/bulk", data=bob_form))

    assert answers["ann"].status_code == answers["bob"].status_code == 302
    assert "3 comments updated." in ann.get("/comments/").get_data(as_text=True)
    assert "3 comments updated." in bob.get("/comments/").get_data(as_text=True)
    assert stored(app, first) == ("rejected", "Ann: out of scope.", None, 2)
    for both in (second, third):
        assert stored(app, both) == ("action", "Ann: out of scope.", "Bob's team", 3)
        assert events(app, both) == [
            ("disposition", "open", "rejected", ANN),
            ("response", None, "Ann: out of scope.", ANN),
            ("disposition", "rejected", "action", BOB),
            ("action_owner", None, "Bob's team", BOB),
        ]
    assert stored(app, fourth) == ("action", None, "Bob's team", 2)
    assert events(app, fourth) == [
        ("disposition", "open", "action", BOB),
        ("action_owner", None, "Bob's team", BOB),
    ]
    for comment_id in comments:
        assert_audit_chain(app, comment_id)

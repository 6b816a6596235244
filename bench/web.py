"""The app through its real WSGI server on loopback: page latency, and triagers saving at once.

- `Browser`: one signed-in person, over one keep-alive HTTP/1.1 connection (http.client), with
  the session cookie; signs in through the login form (CSRF token and all), and reads and
  posts the comment page's triage form as a browser would.
- `serve_in_subprocess`: waitress on 127.0.0.1, ephemeral port, built by reviewtracker.server
  (what `reviewtracker serve` runs), in a child process, so the clients don't share a GIL with
  the server.
- `latency`: N sequential GETs of one page, median and 95th percentile.
- `soak`: K triagers (threads) for a bounded time, each: pick a random comment of a pool, GET
  its page, change the disposition and the response in the form, POST it. A 409 is the app
  refusing a stale save (someone saved the comment since the GET), which is what should
  happen when two pick the same comment.
- `verify`: reads the database afterwards: no 500, no lost update (per comment, the successful
  saves form one chain of versions, and the stored disposition and response are those of the
  last save, which is also the last audit event), every successful save has its audit events.

Loopback only; every loop is bounded by a count or a deadline.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from importers.vocabulary import DISPOSITIONS

HOST = "127.0.0.1"
PASSWORD = "bench-password-123"
TIMEOUT = 60.0
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# --- the client ----------------------------------------------------------------------------


@dataclass(slots=True)
class Response:
    status: int
    body: str
    seconds: float
    location: str | None = None


class Browser:
    """One person's browser: a keep-alive connection and the cookies the site set."""

    def __init__(self, port: int, host: str = HOST) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT)

    def close(self) -> None:
        self.connection.close()

    def get(self, path: str) -> Response:
        return self._request("GET", path)

    def post(self, path: str, form: dict[str, str]) -> Response:
        return self._request("POST", path, form)

    def _request(self, method: str, path: str, form: dict[str, str] | None = None) -> Response:
        headers = {"Host": f"{self.host}:{self.port}", "Accept": "text/html,application/json"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):  # the server may have closed an idle keep-alive connection
            started = time.perf_counter()
            try:
                self.connection.request(method, path, body=body, headers=headers)
                answer = self.connection.getresponse()
                data = answer.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                if attempt == 2 or method != "GET":
                    raise
                continue
            seconds = time.perf_counter() - started
            self._keep_cookies(answer.headers.get_all("Set-Cookie") or [])
            text = data.decode("utf-8", "replace")
            return Response(answer.status, text, seconds, answer.getheader("Location"))
        raise AssertionError("unreachable")

    def _keep_cookies(self, headers: list[str]) -> None:
        for header in headers:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["expires"] != "Thu, 01 Jan 1970 00:00:00 GMT":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        page = self.get("/login")
        token = _CSRF.search(page.body)
        if page.status != 200 or token is None:
            raise RuntimeError(f"GET /login: {page.status}, no CSRF token")
        form = {"csrf_token": token.group(1), "email": email, "password": password}
        answer = self.post("/login", form)
        if answer.status != 302:
            raise RuntimeError(f"signing in as {email}: {answer.status}, not a redirect")


class _TriageForm(HTMLParser):
    """The fields of the comment page's triage form (`data-triage-form`), as a browser would
    submit them: inputs' values, the selected option, textareas' text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "form" and "data-triage-form" in a:
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "checkbox"):
            self.fields[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            text = self.fields[self._textarea]
            # A browser drops the newline right after <textarea>.
            self.fields[self._textarea] = text[2:] if text.startswith("\r\n") else text
            self.fields[self._textarea] = self.fields[self._textarea].removeprefix("\n")
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data


def triage_form(page: str) -> dict[str, str]:
    """The triage form's fields in a comment page (only the form is parsed: the page's history
    and similar comments can be long)."""
    marker = page.find("data-triage-form")
    start = page.rfind("<form", 0, marker) if marker >= 0 else -1
    end = page.find("</form>", start)
    if start < 0 or end < 0:
        raise RuntimeError("the comment page has no triage form")
    parser = _TriageForm()
    parser.feed(page[start : end + len("</form>")])
    if "version" not in parser.fields or "csrf_token" not in parser.fields:
        raise RuntimeError("the comment page has no triage form")
    return parser.fields


# --- the server ----------------------------------------------------------------------------


@contextmanager
def serve_in_subprocess(database_url: str, log: Path, threads: int = 8) -> Iterator[int]:
    """waitress serving the app on `database_url` in a child process; yields its port. The
    child's log lines (one per request) go to `log`."""
    command = [sys.executable, __file__, "--serve", database_url, "--threads", str(threads)]
    root = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": root}
    with open(log, "wb") as errors:
        child = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=errors, env=env, cwd=root, text=True
        )
        try:
            line = child.stdout.readline() if child.stdout else ""
            if not line.startswith("PORT "):
                child.wait(timeout=30)
                raise RuntimeError(f"the server did not start: {log.read_text()[-2000:]}")
            yield int(line.split()[1])
        finally:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            if child.stdout is not None:
                child.stdout.close()


def _serve_main(database_url: str, threads: int) -> None:
    """The child of serve_in_subprocess: print the port, serve until SIGTERM."""
    from reviewtracker import create_app
    from reviewtracker.server import ServerSettings, bound_port, build_server, run_server

    app = create_app(
        {
            "SECRET_KEY": "bench",
            "TESTING": False,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "IMPORT_ACTOR": "bench",
        }
    )
    server = build_server(app, ServerSettings(host=HOST, port=0, threads=threads))
    print(f"PORT {bound_port(server)}", flush=True)
    run_server(server)


# --- users ---------------------------------------------------------------------------------


def make_users(count: int, role: str = "triager", prefix: str = "bench") -> list[str]:
    """`count` users (inside an app context), password PASSWORD; existing ones are reused.
    Committed: the server signs them in from other connections."""
    from reviewtracker.services.users import create_user, user_by_email
    from reviewtracker.unit_of_work import unit_of_work

    emails = []
    with unit_of_work():
        for number in range(1, count + 1):
            email = f"{prefix}-{role}-{number:02d}@bench.invalid"
            if user_by_email(email) is None:
                create_user(email, PASSWORD, role, f"Bench {role} {number}")
            emails.append(email)
    return emails


# --- latency -------------------------------------------------------------------------------


@dataclass(slots=True)
class Latency:
    path: str
    times: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times)
        return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def latency(browser: Browser, path: str, requests: int, warm_up: int = 2) -> Latency:
    """`requests` sequential GETs of `path` (after `warm_up` untimed ones); each must be 200."""
    times = []
    for number in range(warm_up + requests):
        answer = browser.get(path)
        if answer.status != 200:
            raise RuntimeError(f"GET {path}: {answer.status}")
        if number >= warm_up:
            times.append(answer.seconds)
    return Latency(path, times)


# --- the soak ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Save:
    comment_id: int
    version: int  # the version the form was loaded with
    disposition: str
    response: str
    actor: str


@dataclass(slots=True)
class SoakResult:
    seconds: float = 0.0
    saves: list[Save] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)  # POST status -> count
    page_statuses: Counter = field(default_factory=Counter)  # GET status -> count
    errors: list[str] = field(default_factory=list)  # exceptions in the clients
    post_times: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def stale(self) -> int:
        return self.statuses[409]

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in (self.statuses + self.page_statuses).items() if s >= 500)

    @property
    def per_second(self) -> float:
        return len(self.saves) / self.seconds if self.seconds else 0.0


def soak(
    port: int, emails: list[str], pool: list[int], seconds: float, seed: int = 1
) -> SoakResult:
    """One thread per email, each signed in as that user, triaging random comments of `pool`
    for `seconds`. Returns what the clients saw; `verify` checks the database."""
    result = SoakResult()
    stop = threading.Event()
    start = threading.Barrier(len(emails) + 1)

    def triager(number: int, email: str) -> None:
        rng = random.Random(seed * 1000 + number)
        browser = Browser(port)
        try:
            browser.sign_in(email)
        except Exception as error:  # noqa: BLE001 - reported, not raised, from a thread
            with result.lock:
                result.errors.append(f"{email}: {error!r}")
            return
        finally:
            start.wait()  # everyone signed in (or failed to): the clock starts
        saved = 0
        try:
            while not stop.is_set():
                saved += _triage_one(browser, rng, pool, email, f"{number}-{saved}", result)
        except Exception as error:  # noqa: BLE001
            with result.lock:
                result.errors.append(f"{email}: {error!r}")
        finally:
            browser.close()

    workers = [
        threading.Thread(target=triager, args=(n, e), daemon=True) for n, e in enumerate(emails)
    ]
    for worker in workers:
        worker.start()
    start.wait()
    started = time.monotonic()
    stop.wait(seconds)
    stop.set()
    for worker in workers:
        worker.join(timeout=2 * TIMEOUT)
    result.seconds = time.monotonic() - started
    return result


def _triage_one(
    browser: Browser, rng: random.Random, pool: list[int], email: str, tag: str, result
) -> int:
    """GET a random comment's page, change its disposition and response, POST; 1 if saved."""
    comment_id = rng.choice(pool)
    page = browser.get(f"/comments/{comment_id}")
    with result.lock:
        result.page_statuses[page.status] += 1
    if page.status != 200:
        return 0
    form = triage_form(page.body)
    form["disposition"] = rng.choice([d for d in DISPOSITIONS.keys if d != form.get("disposition")])
    form["response"] = f"Soak {tag}: set to {form['disposition']} by {email.split('@')[0]}."
    form["save"] = "Save"
    answer = browser.post(f"/comments/{comment_id}", form)
    with result.lock:
        result.statuses[answer.status] += 1
        result.post_times.append(answer.seconds)
        if answer.status == 302:
            result.saves.append(
                Save(comment_id, int(form["version"]), form["disposition"], form["response"], email)
            )
            return 1
    return 0


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The pool before the soak: (version, disposition, response) per comment, and the newest
    audit event then (the soak's events come after it)."""

    comments: dict[int, tuple[int, str, str | None]]
    last_event: int


def snapshot(pool: list[int]) -> Snapshot:
    """The pool's comments and the newest audit event id now (inside an app context)."""
    from sqlalchemy import func, select

    from reviewtracker.extensions import db
    from reviewtracker.models import AuditEvent, Comment

    rows = db.session.execute(
        select(Comment.id, Comment.version, Comment.disposition, Comment.response).where(
            Comment.id.in_(pool)
        )
    )
    found = {row.id: (row.version, row.disposition, row.response) for row in rows}
    last_event = db.session.scalar(select(func.max(AuditEvent.id))) or 0
    db.session.rollback()
    return Snapshot(found, last_event)


def triage_pool(size: int, seed: int = 7, **where) -> list[int]:
    """`size` random comments (inside an app context) that are not duplicates and have none:
    a save then changes only the comment saved, so every change is the clients' own."""
    from sqlalchemy import func, select

    from reviewtracker.extensions import db
    from reviewtracker.models import Comment

    with_duplicates = select(Comment.duplicate_of_id).where(Comment.duplicate_of_id.is_not(None))
    query = select(Comment.id).where(
        Comment.duplicate_of_id.is_(None), Comment.id.not_in(with_duplicates)
    )
    for name, value in where.items():
        query = query.where(getattr(Comment, name) == value)
    # A spread of ids without ORDER BY random() over a million rows: every n-th id.
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    step = max(1, total // (size * 4))
    ids = list(db.session.scalars(query.where(Comment.id % step == 0).order_by(Comment.id)))
    db.session.rollback()
    return sorted(random.Random(seed).sample(ids, min(size, len(ids))))


@dataclass(slots=True)
class Verdict:
    server_errors: int
    lost_updates: list[str]
    missing_audit: list[str]

    @property
    def ok(self) -> bool:
        return not (self.server_errors or self.lost_updates or self.missing_audit)


def verify(result: SoakResult, start: Snapshot) -> Verdict:
    """Check the database (inside an app context) against what the clients were told: every
    audit event on the pool since `start` must be one of theirs."""
    from sqlalchemy import select

    from reviewtracker.extensions import db
    from reviewtracker.models import AuditEvent

    before = start.comments
    pool = sorted(before)
    after = snapshot(pool).comments
    events: dict[tuple[int, str], list[tuple[str | None, str]]] = {}
    for row in db.session.execute(
        select(AuditEvent.comment_id, AuditEvent.field, AuditEvent.after, AuditEvent.actor)
        .where(AuditEvent.comment_id.in_(pool), AuditEvent.id > start.last_event)
        .order_by(AuditEvent.id)
    ):
        events.setdefault((row.comment_id, row.field), []).append((row.after, row.actor))
    db.session.rollback()
    saves: dict[int, list[Save]] = {}
    for save in result.saves:
        saves.setdefault(save.comment_id, []).append(save)
    lost, missing = [], []
    for comment_id in pool:
        mine = sorted(saves.get(comment_id, []), key=lambda s: s.version)
        lost += _chain_problems(comment_id, mine, before[comment_id], after[comment_id])
        missing += _audit_problems(comment_id, mine, events, after[comment_id])
    return Verdict(result.server_errors, lost, missing)


def _chain_problems(comment_id: int, saves: list[Save], before, after) -> list[str]:
    """Successful saves of one comment must be loaded at versions v, v+1, ... (two from the
    same version: one overwrote the other unseen), and the stored values the last one's."""
    versions = [save.version for save in saves]
    expected = list(range(before[0], before[0] + len(saves)))
    problems = []
    if versions != expected:
        problems.append(f"comment {comment_id}: saves loaded at versions {versions}, expected")
    last = (before[1], before[2]) if not saves else (saves[-1].disposition, saves[-1].response)
    if (after[0], after[1], after[2]) != (before[0] + len(saves), *last):
        problems.append(f"comment {comment_id}: stored {after}, last save gave {last}")
    return problems


def _audit_problems(comment_id: int, saves: list[Save], events, after) -> list[str]:
    """One disposition and one response event per save, in the order of the saves, the last
    one the stored value (and no other changes of them)."""
    problems = []
    for name in ("disposition", "response"):
        logged = events.get((comment_id, name), [])
        wanted = [(getattr(save, name), save.actor) for save in saves]
        if logged != wanted:
            problems.append(
                f"comment {comment_id}: {len(logged)} {name} audit events for {len(saves)} saves"
                if len(logged) != len(wanted)
                else f"comment {comment_id}: {name} audit events differ from the saves"
            )
        stored = after[1] if name == "disposition" else after[2]
        if logged and logged[-1][0] != stored:
            problems.append(f"comment {comment_id}: last {name} event is not the stored value")
    return problems


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="serve the app for the benchmark")
    parser.add_argument("--serve", required=True, metavar="DATABASE_URL")
    parser.add_argument("--threads", type=int, default=8)
    arguments = parser.parse_args()
    _serve_main(arguments.serve, arguments.threads)

"""Several app servers on one database, as a team outgrowing one machine runs them behind a
load balancer: two real `reviewtracker serve` processes (waitress, CSRF on, the production
configuration from the environment), one browser whose requests land on either.

On the test database: a SQLite file both processes share, or with
REVIEWTRACKER_TEST_DATABASE_URL the PostgreSQL database. Nothing a request leaves behind may
live in one process only: the upload and the file as read (the database), the session (a
cookie signed with the one SECRET_KEY), the sign-in attempts (the database)."""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from reviewtracker.extensions import db
from reviewtracker.models import Comment, StagedUpload
from tests.logmaker import write_xlsx_log

from ..conftest import add_user
from .factories import add_artefacts, comment_rows, count

HOST = "127.0.0.1"
PASSWORD = "secret-password"  # add_user's
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PREVIEW = re.compile(r"/imports/preview/([0-9a-f]{32})$")
ACME = {"Organisation": "Acme Energy", "Constituency": "Supplier - Large"}
REVIEWTRACKER = str(Path(sys.executable).with_name("reviewtracker"))


class Server:
    """`reviewtracker serve` in a child process on a free port; its log lines kept."""

    def __init__(self, database_url: str, secret_key: str) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": secret_key,
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
        }
        for name in ("REVIEWTRACKER_ENV", "REVIEWTRACKER_HTTPS", "REVIEWTRACKER_TRUSTED_PROXY"):
            env.pop(name, None)
        command = [REVIEWTRACKER, "serve", "--host", HOST, "--port", "0", "--threads", "2"]
        self.child = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        self.lines: list[dict] = []
        self.port = self._port()
        self._drain = threading.Thread(target=self._read_log, daemon=True)
        self._drain.start()

    def _port(self) -> int:
        assert self.child.stderr is not None
        for raw in self.child.stderr:
            line = _json(raw)
            self.lines.append(line)
            if line.get("message", "").startswith("reviewtracker serving on"):
                return int(line["port"])
        self.child.wait(timeout=10)
        raise AssertionError(f"the server did not start: {self.lines[-5:]}")

    def _read_log(self) -> None:
        assert self.child.stderr is not None
        for raw in self.child.stderr:
            self.lines.append(_json(raw))

    def requests(self) -> list[str]:
        """The requests this server answered, as its request log says: 'GET /path 200'."""
        return [
            line["message"] for line in self.lines if line.get("logger") == "reviewtracker.requests"
        ]

    def stop(self) -> None:
        self.child.send_signal(signal.SIGTERM)
        try:
            self.child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.child.kill()
            self.child.wait()
        self._drain.join(timeout=5)
        if self.child.stderr is not None:
            self.child.stderr.close()


def _json(raw: bytes) -> dict:
    try:
        return json.loads(raw)
    except ValueError:
        return {"message": raw.decode("utf-8", "replace")}


class Browser:
    """One person's browser behind the load balancer: its cookies go with every request, to
    whichever server the request is sent to."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, server: Server, method: str, path: str, body=None, content_type=None):
        connection = http.client.HTTPConnection(HOST, server.port, timeout=30)
        headers = {"Host": f"{HOST}:{server.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            text = answer.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and "1970" not in morsel["expires"]:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return answer.status, text, answer.getheader("Location") or ""

    def get(self, server: Server, path: str):
        return self.request(server, "GET", path)

    def post(self, server: Server, path: str, form: dict, *, token_from: str):
        """A form posted as the page `token_from` (got from the same server) offered it."""
        status, page, _ = self.get(server, token_from)
        assert status == 200, (token_from, status)
        form = {"csrf_token": CSRF.search(page).group(1), **form}  # type: ignore[union-attr]
        return self.request(
            server, "POST", path, urlencode(form).encode(), "application/x-www-form-urlencoded"
        )

    def upload(self, server: Server, name: str, content: bytes):
        status, page, _ = self.get(server, "/imports/")
        assert status == 200
        token = CSRF.search(page).group(1)  # type: ignore[union-attr]
        fields = {"csrf_token": token, "files": FileStorage(io.BytesIO(content), name)}
        boundary, body = encode_multipart(fields)
        return self.request(
            server, "POST", "/imports/", body, f"multipart/form-data; boundary={boundary}"
        )

    def sign_in(self, server: Server, email: str, password: str = PASSWORD):
        form = {"email": email, "password": password}
        return self.post(server, "/login", form, token_from="/login")


@contextmanager
def two_servers(app) -> Iterator[tuple[Server, Server]]:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    secret = "one-key-for-every-process"
    first = Server(url, secret)
    try:
        second = Server(url, secret)
        try:
            yield first, second
        finally:
            second.stop()
    finally:
        first.stop()


@pytest.fixture
def people(app):
    with app.app_context():
        add_artefacts(("BP004", "1"), ("BP005", "1"), ("IF005", "1"))
        add_user("triager", "ana@example.org")
        add_user("viewer", "bo@example.org")
        db.session.commit()


def test_two_servers_share_uploads_sessions_and_the_sign_in_limit(app, people, tmp_path):
    log = write_xlsx_log(tmp_path / "acme.xlsx", comment_rows(3), key_values=ACME).read_bytes()
    with two_servers(app) as (a, b):
        ana = Browser()
        # Signed in through A: the session works on B.
        assert ana.sign_in(a, "ana@example.org")[0] == 302
        status, page, _ = ana.get(b, "/comments/")
        assert status == 200 and "Sign out" in page  # not sent to the sign-in page

        # Uploaded and previewed on A, previewed again and confirmed on B.
        status, _, location = ana.upload(a, "acme.xlsx", log)
        assert status == 302, location
        token = PREVIEW.search(location).group(1)  # type: ignore[union-attr]
        preview = f"/imports/preview/{token}"
        assert ana.get(a, preview)[0] == 200
        with app.app_context():  # kept in the database, with the file as read
            (staged,) = db.session.get(StagedUpload, token).files
            assert staged.data == log and '"records"' in staged.parsed
        status, page, _ = ana.get(b, preview)
        assert status == 200 and "acme.xlsx" in page and "Import 1 file</button>" in page
        status, _, location = ana.post(b, f"{preview}/confirm", {}, token_from=preview)
        assert status == 302 and location.endswith("/imports/history")
        assert "acme.xlsx: added 3" in ana.get(a, "/imports/history")[1]

        # Five failed sign-ins for one email, spread over A and B, lock it on both.
        bo = Browser()
        for server in (a, b, a, b, a):
            status, page, _ = bo.sign_in(server, "bo@example.org", "wrong-password")
            assert status == 200 and "do not match" in page
        for server in (b, a):  # even with the right password
            status, page, _ = bo.sign_in(server, "bo@example.org")
            assert status == 429 and "Too many failed sign-ins" in page

    # Each server answered its share: the browser's requests really went to both.
    assert f"POST {preview}/confirm 302" in b.requests()
    assert "POST /login 302" in a.requests() and "GET /comments/ 200" in b.requests()
    with app.app_context():
        assert count(Comment) == 3
        assert db.session.scalar(select(StagedUpload.token)) is None  # gone after the confirm

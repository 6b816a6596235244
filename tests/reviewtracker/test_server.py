"""Production serving: /health, the waitress server for real, its settings and checks."""

from __future__ import annotations

import json
import logging
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from reviewtracker import create_app, server
from reviewtracker.cli import serve_command
from reviewtracker.config import secret_key
from reviewtracker.extensions import db
from reviewtracker.security import SECURITY_HEADERS
from reviewtracker.server import (
    ServerConfigError,
    ServerSettings,
    bound_port,
    build_server,
    preflight,
    run_server,
    settings_from_env,
    stop_server,
)

SERVER_ENV = (
    "REVIEWTRACKER_HOST",
    "REVIEWTRACKER_PORT",
    "REVIEWTRACKER_THREADS",
    "REVIEWTRACKER_TRUSTED_PROXY",
    "REVIEWTRACKER_HTTPS",
    "REVIEWTRACKER_ENV",
)


@pytest.fixture
def clean_env(monkeypatch):
    for name in SERVER_ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


# --- /health -------------------------------------------------------------------------------------


def test_health_is_public_and_checks_the_database(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_health_is_503_without_the_database_and_names_no_secret(tmp_path):
    missing = tmp_path / "no-such-folder" / "secret-name.db"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "health-secret-key",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{missing}",
        }
    )
    response = app.test_client().get("/health")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error"
    assert body["database"].startswith("unreachable (") and "OperationalError" in body["database"]
    text = response.get_data(as_text=True)
    assert "secret-name" not in text and "health-secret-key" not in text and "sqlite" not in text
    with app.app_context():
        db.engine.dispose()


# --- waitress, for real --------------------------------------------------------------------------


def _get(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers={"Connection": "close", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read().decode()


class Running:
    """A waitress server for `app` on an ephemeral loopback port, in a thread."""

    def __init__(self, app, **settings) -> None:
        self.server = build_server(app, ServerSettings(host="127.0.0.1", port=0, **settings))
        self.url = f"http://127.0.0.1:{bound_port(self.server)}"
        self.thread = threading.Thread(target=run_server, args=(self.server,), daemon=True)

    def __enter__(self) -> Running:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        stop_server(self.server)
        self.thread.join(timeout=15)
        assert not self.thread.is_alive(), "the server did not stop"


def test_the_app_under_waitress_serves_health_and_sign_in(app):
    with Running(app, threads=2) as running:
        assert bound_port(running.server) > 0
        status, headers, body = _get(running.url + "/health")
        assert status == 200 and json.loads(body) == {"status": "ok", "database": "ok"}
        assert headers["Server"] == "reviewtracker"
        status, headers, body = _get(running.url + "/login")
        assert status == 200 and "Sign in" in body
        for name, value in SECURITY_HEADERS.items():
            assert headers[name] == value
        status, _headers, body = _get(running.url + "/no-such-page")
        assert status == 404
    with pytest.raises(urllib.error.URLError):
        _get(running.url + "/health")  # stopped: nothing listens any more


def test_requests_under_waitress_are_logged(app, caplog):
    caplog.set_level(logging.INFO)
    with Running(app) as running:
        _get(running.url + "/health", {"X-Forwarded-For": "203.0.113.1"})
    (record,) = [r for r in caplog.records if r.name == "reviewtracker.requests"]
    assert (record.path, record.status) == ("/health", 200)
    assert record.remote_addr == "127.0.0.1"  # no trusted proxy: the header is ignored


def _echo_environ(environ, start_response):
    body = json.dumps({k: environ.get(k) for k in ("wsgi.url_scheme", "REMOTE_ADDR")})
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body.encode()]


def test_behind_a_trusted_proxy_the_client_address_and_scheme_come_through(app, caplog):
    caplog.set_level(logging.INFO)
    forwarded = {"X-Forwarded-For": "203.0.113.1", "X-Forwarded-Proto": "https"}
    with Running(_echo_environ, trusted_proxy="127.0.0.1") as running:
        _status, _headers, body = _get(running.url + "/", forwarded)
    assert json.loads(body) == {"wsgi.url_scheme": "https", "REMOTE_ADDR": "203.0.113.1"}
    with Running(_echo_environ) as running:  # no trusted proxy: the headers are ignored
        _status, _headers, body = _get(running.url + "/", forwarded)
    assert json.loads(body) == {"wsgi.url_scheme": "http", "REMOTE_ADDR": "127.0.0.1"}
    with Running(app, trusted_proxy="127.0.0.1") as running:
        _get(running.url + "/health", forwarded)
    (record,) = [r for r in caplog.records if r.name == "reviewtracker.requests"]
    assert record.remote_addr == "203.0.113.1"  # what the sign-in rate limit counts by


def test_with_https_set_waitress_tells_the_app_the_scheme_is_https():
    with Running(_echo_environ, https=True) as running:
        _status, _headers, body = _get(running.url + "/")
    assert json.loads(body)["wsgi.url_scheme"] == "https"


# --- settings from the environment ---------------------------------------------------------------


def test_settings_default_to_loopback_8000_and_8_threads(clean_env):
    assert settings_from_env() == ServerSettings("127.0.0.1", 8000, 8, None, False)


def test_settings_come_from_the_environment_and_options_win(clean_env):
    clean_env.setenv("REVIEWTRACKER_HOST", "0.0.0.0")
    clean_env.setenv("REVIEWTRACKER_PORT", "8080")
    clean_env.setenv("REVIEWTRACKER_THREADS", "16")
    clean_env.setenv("REVIEWTRACKER_TRUSTED_PROXY", "10.0.0.1")
    clean_env.setenv("REVIEWTRACKER_HTTPS", "1")
    assert settings_from_env() == ServerSettings("0.0.0.0", 8080, 16, "10.0.0.1", True)
    assert settings_from_env(host="127.0.0.1", port=9000, threads=2) == ServerSettings(
        "127.0.0.1", 9000, 2, "10.0.0.1", True
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REVIEWTRACKER_PORT", "eighty"),
        ("REVIEWTRACKER_PORT", "70000"),
        ("REVIEWTRACKER_THREADS", "0"),
    ],
)
def test_bad_numbers_in_the_environment_are_refused(clean_env, name, value):
    clean_env.setenv(name, value)
    with pytest.raises(ServerConfigError, match=name):
        settings_from_env()


# --- the checks before serving -------------------------------------------------------------------


def _generated_key(app, monkeypatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app.config["SECRET_KEY"] = secret_key(app.instance_path)


def test_preflight_passes_a_configured_installation(app, clean_env):
    clean_env.setenv("SECRET_KEY", "from-the-environment")
    assert preflight(app, settings_from_env()) == []


def test_a_generated_secret_key_is_a_loud_warning(app, clean_env):
    _generated_key(app, clean_env)
    assert server.secret_key_generated(app)
    (warning,) = preflight(app, settings_from_env())
    assert "SECRET_KEY is not set" in warning


def test_production_refuses_to_start_without_a_secret_key(app, clean_env):
    _generated_key(app, clean_env)
    clean_env.setenv("REVIEWTRACKER_ENV", "production")
    with pytest.raises(ServerConfigError, match="SECRET_KEY is not set"):
        preflight(app, settings_from_env())


def test_production_over_plain_http_is_warned_about(app, clean_env):
    clean_env.setenv("SECRET_KEY", "from-the-environment")
    clean_env.setenv("REVIEWTRACKER_ENV", "production")
    (warning,) = preflight(app, settings_from_env())
    assert "REVIEWTRACKER_HTTPS=1" in warning


def test_listening_beyond_loopback_without_a_proxy_is_warned_about(app, clean_env):
    clean_env.setenv("SECRET_KEY", "from-the-environment")
    (warning,) = preflight(app, settings_from_env(host="0.0.0.0"))
    assert "reverse proxy" in warning


def test_a_database_without_the_tables_is_refused(tmp_path, clean_env):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.db'}",
        }
    )
    with pytest.raises(ServerConfigError, match="reviewtracker init-db"):
        preflight(app, settings_from_env())
    with app.app_context():
        db.engine.dispose()


# --- the command ---------------------------------------------------------------------------------


@pytest.fixture
def served(monkeypatch):
    """Replace the blocking serve() with one that records what it was asked to serve."""
    calls: list[tuple] = []
    monkeypatch.setattr(server, "serve", lambda app, settings: calls.append((app, settings)))
    return calls


def test_serve_command_passes_options_and_environment(app, runner, served, clean_env):
    clean_env.setenv("SECRET_KEY", "from-the-environment")
    clean_env.setenv("REVIEWTRACKER_THREADS", "4")
    result = runner.invoke(serve_command, ["--host", "127.0.0.1", "--port", "8123"])
    assert result.exit_code == 0, result.output
    ((served_app, settings),) = served
    assert served_app is app
    assert settings == ServerSettings("127.0.0.1", 8123, 4, None, False)


def test_serve_command_warns_loudly_about_a_generated_key(app, runner, served, clean_env):
    _generated_key(app, clean_env)
    result = runner.invoke(serve_command, [])
    assert result.exit_code == 0
    assert "WARNING: SECRET_KEY is not set" in result.output
    assert served


def test_serve_command_refuses_production_without_a_secret_key(app, runner, served, clean_env):
    _generated_key(app, clean_env)
    clean_env.setenv("REVIEWTRACKER_ENV", "production")
    result = runner.invoke(serve_command, [])
    assert result.exit_code == 1
    assert "SECRET_KEY is not set" in result.output
    assert not served


def test_serve_command_is_registered_with_help(runner):
    result = runner.invoke(args=["serve", "--help"])
    assert result.exit_code == 0
    for text in ("waitress", "--host", "--port", "--threads", "REVIEWTRACKER_PORT"):
        assert text in result.output


def test_serve_logs_where_it_listens_and_stops(app, caplog, monkeypatch):
    caplog.set_level(logging.INFO)
    started = threading.Event()
    real_run = server.run_server

    def run_then_stop(waitress_server):
        threading.Timer(0.2, stop_server, args=(waitress_server,)).start()
        started.set()
        real_run(waitress_server)

    monkeypatch.setattr(server, "run_server", run_then_stop)
    thread = threading.Thread(
        target=server.serve, args=(app, ServerSettings("127.0.0.1", 0, 2)), daemon=True
    )
    thread.start()
    thread.join(timeout=15)
    assert started.is_set() and not thread.is_alive()
    messages = [r for r in caplog.records if r.name == "reviewtracker.server"]
    assert messages[0].getMessage().startswith("reviewtracker serving on http://127.0.0.1:")
    assert messages[0].port > 0 and messages[0].threads == 2
    with app.app_context():
        database = db.engine.url.render_as_string(hide_password=True)
    assert messages[0].database == database
    assert messages[-1].getMessage() == "reviewtracker stopped"


# --- a graceful stop --------------------------------------------------------------------------

# A server in a child process (SIGTERM goes to a whole process), serving the app plus one
# test-only route that answers 2 MB once the test says so ("go"), after saying it has started.
SLOW_SERVER = """
import sys, time
from pathlib import Path
from reviewtracker import create_app, server
from reviewtracker.auth import PUBLIC_ENDPOINTS

folder = Path(sys.argv[1])
app = create_app({"SECRET_KEY": "stop-test",
                  "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'stop.db'}"})
BODY = b"".join(b"%09d\\n" % i for i in range(200_000))

@app.get("/slow")
def slow():
    (folder / "started").touch()
    while not (folder / "go").exists():
        time.sleep(0.02)
    return BODY, {"Content-Type": "text/plain"}

PUBLIC_ENDPOINTS.add("slow")
server.serve(app, server.ServerSettings(host="127.0.0.1", port=0, threads=2))
"""
SLOW_BODY = b"".join(b"%09d\n" % i for i in range(200_000))


def _wait_for(condition, what: str, tries: int = 1500) -> None:
    """Poll `condition` (bounded by a number of tries, 20 ms apart): fail naming `what`."""
    for _ in range(tries):
        if condition():
            return
        time.sleep(0.02)
    pytest.fail(f"never happened: {what}")


def _refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


def test_sigterm_lets_a_running_request_finish_and_answer_in_full(tmp_path):
    env = {**os.environ, "LOG_FORMAT": "text", "PYTHONPATH": str(Path(__file__).parents[2])}
    child = subprocess.Popen(
        [sys.executable, "-c", SLOW_SERVER, str(tmp_path)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in child.stderr])
    reader.start()
    try:
        port = _port_from_log(lines)
        answer: dict = {}

        def fetch() -> None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/slow", timeout=60) as reply:
                    answer["status"], answer["body"] = reply.status, reply.read()
            except OSError as error:  # a cut connection: what a stop must not do
                answer["error"] = repr(error)

        client = threading.Thread(target=fetch)
        client.start()
        _wait_for((tmp_path / "started").exists, "the slow request started")
        child.send_signal(signal.SIGTERM)
        _wait_for(lambda: _refuses_connections(port), "the stopping server refused new connections")
        (tmp_path / "go").touch()  # the request under way finishes now, after the stop began
        client.join(timeout=60)
        assert "error" not in answer and answer["status"] == 200, answer.get("error")
        assert answer["body"] == SLOW_BODY  # the whole answer, not a cut connection
        assert child.wait(timeout=60) == 0
        reader.join(timeout=60)
        assert "reviewtracker stopped" in "".join(lines.queue)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        reader.join(timeout=60)
        child.stderr.close()


def _port_from_log(lines: queue.Queue[str]) -> int:
    """The port from the server's "serving on" log line (the first lines it writes)."""
    for _ in range(50):
        line = lines.get(timeout=60)
        found = re.search(r"serving on http://127\.0\.0\.1:(\d+)/", line)
        if found:
            return int(found.group(1))
    pytest.fail("the server did not say where it listens")

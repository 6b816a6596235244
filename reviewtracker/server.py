"""Production serving: the app under waitress, a pure-Python multi-threaded WSGI server.

`reviewtracker serve` (cli.py) reads its settings from the environment (see the README,
"Running in production"), checks the installation (`preflight`), builds the server
(`build_server`) and runs it until Ctrl+C or SIGTERM (`run_server`). Tests build the same
server on an ephemeral port in a thread and stop it with `stop_server`.

A stop is graceful: the server stops accepting connections at once, lets every request under
way finish and send its whole answer (up to `stop_timeout` seconds), then exits. An import
confirmed just before a deploy's SIGTERM commits and its user sees the result page, instead of
a dropped connection that leaves them guessing. A second signal stops at once.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import inspect
from waitress import create_server, wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer

from .config import env_flag
from .extensions import db

log = logging.getLogger("reviewtracker.server")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_THREADS = 8
# How long a stop waits for the requests under way (seconds): longer than the slowest request
# (a large import, an export), shorter than a supervisor's wait before SIGKILL (systemd: 90 s).
DEFAULT_STOP_TIMEOUT = 30
# What a trusted reverse proxy may tell waitress: the client's address, and whether the
# client spoke HTTPS (so request.remote_addr and request.is_secure are the client's).
PROXY_HEADERS = {"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port"}
# Tables this version needs that an older database may lack (`reviewtracker init-db` adds).
# Every page reads installation_fact (the demo banner): a database from before it needs init-db.
REQUIRED_TABLES = (
    "comment",
    "user_account",
    "login_attempt",
    "user_session",
    "installation_fact",
    "staged_upload",
)


class ServerConfigError(Exception):
    """The installation is not fit to serve: the message says what to change."""


@dataclass(frozen=True)
class ServerSettings:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    threads: int = DEFAULT_THREADS
    trusted_proxy: str | None = None  # REVIEWTRACKER_TRUSTED_PROXY: the proxy's address, or *
    https: bool = False  # REVIEWTRACKER_HTTPS: clients reach the site over HTTPS
    stop_timeout: int = DEFAULT_STOP_TIMEOUT  # REVIEWTRACKER_STOP_TIMEOUT, seconds


def is_production() -> bool:
    return os.environ.get("REVIEWTRACKER_ENV", "").strip().lower() == "production"


def secret_key_generated(app: Flask) -> bool:
    """True if the app signs its cookies with the key generated into instance/secret_key
    (SECRET_KEY unset in the environment and in instance/config.py)."""
    if os.environ.get("SECRET_KEY"):
        return False
    path = Path(app.instance_path) / "secret_key"
    return path.exists() and path.read_text().strip() == app.config["SECRET_KEY"]


def preflight(app: Flask, settings: ServerSettings) -> list[str]:
    """Check the installation before serving. Raises ServerConfigError for what must be
    fixed first; returns warnings for what should be."""
    with app.app_context():
        missing = [t for t in REQUIRED_TABLES if not inspect(db.engine).has_table(t)]
    if missing:
        raise ServerConfigError(
            f"the database lacks the table(s) {', '.join(missing)}: "
            "run `reviewtracker init-db` (safe to re-run) and start again"
        )
    warnings = []
    if secret_key_generated(app):
        if is_production():
            raise ServerConfigError(
                "REVIEWTRACKER_ENV=production but SECRET_KEY is not set: set SECRET_KEY to a "
                "long random value, the same in every process serving the site (e.g. "
                "`python -c 'import secrets; print(secrets.token_hex(32))'`)"
            )
        warnings.append(
            "SECRET_KEY is not set: cookies are signed with the key generated in "
            f"{Path(app.instance_path) / 'secret_key'}. Set SECRET_KEY for production "
            "(REVIEWTRACKER_ENV=production refuses to start without it)."
        )
    if not app.config.get("SESSION_COOKIE_SECURE") and (is_production() or settings.https):
        warnings.append(
            "cookies are not marked Secure: set REVIEWTRACKER_HTTPS=1 when the site is served "
            "over HTTPS (through a TLS-terminating proxy)"
        )
    if settings.host not in ("127.0.0.1", "::1", "localhost") and not settings.trusted_proxy:
        warnings.append(
            f"listening on {settings.host} without REVIEWTRACKER_TRUSTED_PROXY: waitress speaks "
            "plain HTTP; put a TLS-terminating reverse proxy in front"
        )
    return warnings


def settings_from_env(
    host: str | None = None,
    port: int | None = None,
    threads: int | None = None,
    trusted_proxy: str | None = None,
) -> ServerSettings:
    """Settings: the values given (command-line options), else the environment's, else the
    defaults."""
    env = os.environ
    return ServerSettings(
        host=host or env.get("REVIEWTRACKER_HOST", "").strip() or DEFAULT_HOST,
        port=_number("REVIEWTRACKER_PORT", port, DEFAULT_PORT, 0, 65535),
        threads=_number("REVIEWTRACKER_THREADS", threads, DEFAULT_THREADS, 1, 1024),
        trusted_proxy=trusted_proxy or env.get("REVIEWTRACKER_TRUSTED_PROXY", "").strip() or None,
        https=env_flag("REVIEWTRACKER_HTTPS"),
        stop_timeout=_number("REVIEWTRACKER_STOP_TIMEOUT", None, DEFAULT_STOP_TIMEOUT, 0, 3600),
    )


def _number(name: str, given: int | None, default: int, low: int, high: int) -> int:
    if given is not None:
        return given
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise ServerConfigError(f"{name}={text!r}: expected a whole number from {low} to {high}")
    return int(text)


def build_server(app: Flask, settings: ServerSettings):
    """A waitress server for `app`, bound (port 0: any free port; see `bound_port`), not yet
    running."""
    options: dict = {
        "host": settings.host,
        "port": settings.port,
        "threads": settings.threads,
        "ident": "reviewtracker",
        "url_scheme": "https" if settings.https else "http",
    }
    if settings.trusted_proxy:
        options["trusted_proxy"] = settings.trusted_proxy
        options["trusted_proxy_headers"] = PROXY_HEADERS
    server = create_server(app, **options)
    server._reviewtracker_stop = threading.Event()  # see stop_server
    server._reviewtracker_stop_timeout = settings.stop_timeout  # see run_server
    return server


def bound_port(server) -> int:
    return int(server.effective_port)


# How often the serving loop looks whether it was asked to stop (seconds): the longest a stop
# waits, never a cost to requests, which wake the loop themselves.
STOP_CHECK_SECONDS = 0.2


def stop_server(server) -> None:
    """Ask a running server to stop, from another thread or a signal handler: its loop notices
    within STOP_CHECK_SECONDS, stops accepting, lets the requests under way finish and be
    answered (see `run_server`), then closes. Only an event is set here: writing to the loop's
    wake-up pipe from another thread raced with the pipe's own closing (EBADF seen in the test
    suite)."""
    _stop_event(server).set()


def _stop_event(server) -> threading.Event:
    event = getattr(server, "_reviewtracker_stop", None)
    if event is None:
        event = server._reviewtracker_stop = threading.Event()
    return event


def _channels(server) -> dict:
    channels = getattr(server, "_map", None)
    return server.map if channels is None else channels


def _on_signal(server):
    """The SIGTERM / SIGINT handler: the first asks for a graceful stop, a second stops now."""

    def handler(_signum, _frame) -> None:
        if _stop_event(server).is_set():
            raise KeyboardInterrupt
        stop_server(server)

    return handler


def run_server(server) -> None:
    """Serve until stop_server, Ctrl+C or SIGTERM (signals only in the main thread), then stop
    gracefully (`_drain`, within the settings' stop_timeout). waitress's own `run` loops until
    its sockets are closed; this loop also stops when asked to."""
    stop = _stop_event(server)
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, _on_signal(server))
    channels = _channels(server)
    try:
        while channels and not stop.is_set():
            _poll(server, channels)
        timeout = getattr(server, "_reviewtracker_stop_timeout", DEFAULT_STOP_TIMEOUT)
        _drain(server, channels, timeout)
    except (SystemExit, KeyboardInterrupt):
        pass
    finally:
        wasyncore.close_all(channels, ignore_all=True)
        server.task_dispatcher.shutdown()


def _poll(server, channels: dict) -> None:
    wasyncore.loop(
        timeout=STOP_CHECK_SECONDS,
        map=channels,
        use_poll=server.adj.asyncore_use_poll,
        count=1,
    )


def _busy(channel: HTTPChannel) -> bool:
    """A request of this connection is queued or running, or its answer is not all sent."""
    return bool(channel.requests) or channel.total_outbufs_len > 0


def _drain(server, channels: dict, timeout: float) -> None:
    """Stop accepting (close the listening sockets: a new connection is refused), close the
    idle connections, and keep the loop sending answers until every request under way has
    been answered or `timeout` seconds have passed."""
    for listener in [c for c in channels.values() if isinstance(c, BaseWSGIServer)]:
        listener.accepting = False
        wasyncore.dispatcher.close(listener)  # its socket only: the wake-up pipe stays
    deadline = time.monotonic() + timeout
    while True:
        connections = [c for c in list(channels.values()) if isinstance(c, HTTPChannel)]
        for idle in [c for c in connections if not _busy(c)]:
            idle.handle_close()  # keep-alive, or a request not fully received: nothing owed
        running = sum(1 for c in connections if _busy(c))
        if not running:
            return
        if time.monotonic() >= deadline:
            log.warning(
                "stopping with %d request(s) still running after %s s",
                running,
                timeout,
                extra={"running": running},
            )
            return
        _poll(server, channels)


def serve(app: Flask, settings: ServerSettings) -> None:
    """Build the server, log where it listens, and run it until stopped."""
    server = build_server(app, settings)
    with app.app_context():
        database = db.engine.url.render_as_string(hide_password=True)
    log.info(
        "reviewtracker serving on %s",
        f"http://{settings.host}:{bound_port(server)}/",
        extra={
            "host": settings.host,
            "port": bound_port(server),
            "threads": settings.threads,
            "trusted_proxy": settings.trusted_proxy,
            "https": settings.https,
            "database": database,
        },
    )
    run_server(server)
    log.info("reviewtracker stopped")

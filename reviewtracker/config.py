"""Settings from the environment, with embedded defaults for a laptop."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

SIGN_IN_LIFETIME = timedelta(days=14)


def database_url(instance_path: str) -> str:
    """DATABASE_URL if set (postgresql://... uses psycopg 3), else SQLite in the instance folder."""
    url = normalise_url(os.environ.get("DATABASE_URL", ""))
    return url or "sqlite:///" + str(Path(instance_path) / "reviewtracker.db")


def normalise_url(url: str) -> str:
    """Bare postgresql:// (and Heroku's postgres://) URLs go through psycopg 3."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the instance folder."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def env_flag(name: str) -> bool:
    """An on/off environment variable: 1, true, yes, on (any case) are on."""
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def default_config(instance_path: str) -> dict:
    https = env_flag("REVIEWTRACKER_HTTPS")
    return {
        "SECRET_KEY": secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "IMPORT_ACTOR": os.environ.get("REVIEWTRACKER_USER") or os.environ.get("USER") or "cli",
        # Cookies: never readable by scripts, not sent on cross-site posts, and only over
        # HTTPS when the site is served over HTTPS (REVIEWTRACKER_HTTPS=1; see security.py).
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        # A sign-in (services/sessions.py) ends after this, remembered or not; the
        # remember-me cookie lasts as long in the browser.
        "SIGN_IN_LIFETIME": SIGN_IN_LIFETIME,
        "REMEMBER_COOKIE_DURATION": SIGN_IN_LIFETIME,
        # Sign-in rate limit (services/users.py): this many failures for one email, or from
        # one address, within the window lock sign-in for LOGIN_LOCKOUT.
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_MAX_FAILURES_PER_ADDRESS": 20,
        "LOGIN_WINDOW": timedelta(minutes=15),
        "LOGIN_LOCKOUT": timedelta(minutes=15),
        # Reviewers' submissions (services/submissions.py): uploads and submissions one
        # reviewer may make within the window, before the next is refused.
        "SUBMISSION_MAX_PER_WINDOW": 20,
        "SUBMISSION_WINDOW": timedelta(hours=1),
        # Logging (logs.py): JSON lines on stderr, or LOG_FORMAT=text for people.
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "json").strip().lower() or "json",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO").strip().upper() or "INFO",
    }

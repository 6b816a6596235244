"""Settings from the environment, with embedded defaults for a laptop."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


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


def default_config(instance_path: str) -> dict:
    return {
        "SECRET_KEY": secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "IMPORT_ACTOR": os.environ.get("REVIEWTRACKER_USER") or os.environ.get("USER") or "cli",
    }

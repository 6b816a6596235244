"""Operations: GET /health for load balancers and monitoring, and /favicon.ico for browsers
that ask for it (both public, no sign-in)."""

from __future__ import annotations

import logging
from contextlib import suppress

from flask import Blueprint, current_app, jsonify, send_from_directory
from sqlalchemy import text

from .extensions import db

bp = Blueprint("ops", __name__)
log = logging.getLogger("reviewtracker.health")


@bp.get("/health")
def health():
    """200 {"status": "ok", "database": "ok"} when the database answers a SELECT 1, else 503
    with the kind of failure only (the details, which may name hosts and users, go to the
    log)."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any failure to reach the database is "unhealthy"
        with suppress(Exception):
            db.session.rollback()
        log.error("health check: the database is unreachable", exc_info=True)
        body, status = {"status": "error", "database": f"unreachable ({type(error).__name__})"}, 503
    else:
        db.session.rollback()  # end the read transaction at once
        body, status = {"status": "ok", "database": "ok"}, 200
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/favicon.ico")
def favicon():
    """Pages name their icon (static/favicon.svg); this answers clients that ask the
    conventional address instead (a download, a JSON page), rather than a 404."""
    return send_from_directory(
        current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400
    )

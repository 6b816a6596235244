"""The navigation bar: the links each role sees; and the banner of a demo database."""

import logging

from flask import Flask, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db
from .services.installation import holds_demo_data

log = logging.getLogger("reviewtracker.navigation")

# (endpoint, label, role needed to see the link).
NAVIGATION = (
    ("dashboard.index", "Tranches", "viewer"),
    ("dashboard.design", "Design dashboard", "viewer"),
    ("artefacts.index", "Artefacts", "viewer"),
    ("lifecycle.tracker", "Tracker", "viewer"),
    ("rounds.index", "Rounds", "viewer"),
    ("comments.index", "Comments", "viewer"),
    ("governance.meetings", "Meetings", "viewer"),
    ("governance.actions", "Actions", "viewer"),
    ("governance.decisions", "Decisions", "viewer"),
    ("resolution.my_work", "My work", "viewer"),
    ("resolution.working_groups", "Working groups", "triager"),
    ("dissensus.index", "Dissensus log", "viewer"),
    ("imports.upload", "Import", "triager"),
    ("imports.history", "Import history", "triager"),
    ("auth.users", "Users", "admin"),
)
# A reviewer's navigation: (endpoint, label); their responses log is their organisation's.
REVIEWER_NAVIGATION = (
    ("comments.index", "My comments"),
    ("submissions.index", "Submit comments"),
    ("dashboard.index", "Tranches"),
    ("governance.actions", "Actions"),
    ("governance.decisions", "Decisions"),
    ("dissensus.index", "Dissensus log"),
    ("downloads.responses_xlsx", "My responses (xlsx)"),
)


def _reviewer_links(organisation_id: int | None) -> list[tuple[str, str, str]]:
    links = []
    for endpoint, label in REVIEWER_NAVIGATION:
        if endpoint == "downloads.responses_xlsx":
            if organisation_id is None:
                continue
            links.append((endpoint, label, url_for(endpoint, organisation_id=organisation_id)))
        else:
            links.append((endpoint, label, url_for(endpoint)))
    return links


def init_app(app: Flask) -> None:
    @app.context_processor
    def navigation():
        links = []
        if current_user.is_authenticated and current_user.is_reviewer:
            links = _reviewer_links(current_user.organisation_id)
        elif current_user.is_authenticated:
            links = [
                (endpoint, label, url_for(endpoint))
                for endpoint, label, role in NAVIGATION
                if current_user.has_role(role)
            ]
        return {"navigation": links}

    @app.context_processor
    def demo_banner():
        """Every page of a database holding the demo data set says so (see installation.py);
        the sign-in page then also gives the demo's login."""
        from .demo import DEMO_EMAIL, DEMO_PASSWORD, DEMO_REVIEWER_EMAIL
        from .demo_programme import ANSWERING

        return {
            "demo_data": _demo_data(),
            "demo_login": (DEMO_EMAIL, DEMO_PASSWORD),
            "demo_reviewer": (DEMO_REVIEWER_EMAIL, ANSWERING),
        }


def _demo_data() -> bool:
    """holds_demo_data(), or False where the database can't say: an error page rendered
    because the database failed, or a database not upgraded yet (`init-db` adds the table),
    still gets its page rather than a second error."""
    try:
        return holds_demo_data()
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("the demo banner could not be decided: run `reviewtracker init-db`?")
        return False

"""Blueprint registration, the navigation, and the error pages."""

from flask import Flask, jsonify, render_template, request, url_for
from flask_login import current_user

# (endpoint, label, role needed to see the link).
NAVIGATION = (
    ("dashboard.index", "Tranches", "viewer"),
    ("dashboard.design", "Design dashboard", "viewer"),
    ("artefacts.index", "Artefacts", "viewer"),
    ("comments.index", "Comments", "viewer"),
    ("imports.upload", "Import", "triager"),
    ("imports.history", "Import history", "triager"),
    ("auth.users", "Users", "admin"),
)
# A reviewer's navigation: (endpoint, label); their responses log is their organisation's.
REVIEWER_NAVIGATION = (
    ("comments.index", "My comments"),
    ("dashboard.index", "Tranches"),
    ("exports.responses_xlsx", "My responses (xlsx)"),
)


def _reviewer_links(organisation_id: int | None) -> list[tuple[str, str, str]]:
    links = []
    for endpoint, label in REVIEWER_NAVIGATION:
        if endpoint == "exports.responses_xlsx":
            if organisation_id is None:
                continue
            links.append((endpoint, label, url_for(endpoint, organisation_id=organisation_id)))
        else:
            links.append((endpoint, label, url_for(endpoint)))
    return links


def init_app(app: Flask) -> None:
    from . import api, artefacts, auth, comments, dashboard, imports
    from .api import exports

    auth.init_app(app)
    for blueprint in (dashboard.bp, artefacts.bp, comments.bp, imports.bp, api.bp, exports.bp):
        app.register_blueprint(blueprint)

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

    @app.errorhandler(403)
    def forbidden(_error):
        return render_template("errors/403.html"), 403

    @app.errorhandler(404)
    def not_found(_error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(413)
    def too_large(_error):
        return render_template("errors/413.html"), 413

    @app.errorhandler(405)
    def method_not_allowed(error):
        # Raised while routing, before any blueprint (the API's JSON errors) is known.
        if request.path.startswith("/api/"):
            return (
                jsonify(error=error.description),
                405,
                {"Allow": ", ".join(error.valid_methods or [])},
            )
        return error

    @app.errorhandler(500)
    def server_error(_error):
        return render_template("errors/500.html"), 500

"""The error pages, in the app's layout (JSON under /api: see api/views.py)."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request


def init_app(app: Flask) -> None:
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

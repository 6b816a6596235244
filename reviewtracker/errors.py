"""The error pages, in the app's layout (the API answers its own errors in JSON: api/views.py).

A bad value in the address or a form (`abort(400, message)`) shows its message; a refused
CSRF check (an expired or missing form token: a page left open past its token's life, or a
form posted from another site) says to reload the page and try again, instead of Werkzeug's
bare "Bad Request" page.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest

CSRF_MESSAGE = (
    "This form has expired or did not come from this site, so nothing was done. Reload the "
    "page and try again."
)


def bad_request(error: BadRequest):
    return render_template("errors/400.html", message=error.description), 400


def csrf_refused(_error: CSRFError):
    return render_template("errors/400.html", message=CSRF_MESSAGE, csrf=True), 400


def init_app(app: Flask) -> None:
    app.register_error_handler(BadRequest, bad_request)
    app.register_error_handler(CSRFError, csrf_refused)

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

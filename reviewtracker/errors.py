"""The 400 pages: a refused request shown in the app's layout, saying what to do next.

A bad value in the address or a form (`abort(400, message)`) shows its message; a refused
CSRF check (an expired or missing form token: a page left open past its token's life, or a
form posted from another site) says to reload the page and try again, instead of Werkzeug's
bare "Bad Request" page. The API's blueprint answers its own errors in JSON.
"""

from __future__ import annotations

from flask import Flask, render_template
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

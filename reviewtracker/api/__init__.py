"""JSON at stable URLs (`/api/...`), from the same rollup services as the pages and the CLI.

An anonymous request to /api gets a 401 JSON answer (a script can't follow a redirect to a
sign-in form); the downloads (reviewtracker/downloads) send anonymous visitors to sign in.
"""

from flask import Blueprint

from ..extensions import login_manager

bp = Blueprint("api", __name__, url_prefix="/api")

# No sign-in page for the API: Flask-Login's unauthorized() aborts with 401 instead of
# redirecting when a blueprint's login view is None.
login_manager.blueprint_login_views["api"] = None

from . import views  # noqa: E402,F401  (routes register on the blueprint)

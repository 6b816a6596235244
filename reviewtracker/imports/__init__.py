"""Import in the browser: comment logs and the artefact register (upload, preview, confirm);
the history, and undo."""

from flask import Blueprint

bp = Blueprint("imports", __name__, url_prefix="/imports")

from . import register, views  # noqa: E402,F401  (routes register on the blueprint)

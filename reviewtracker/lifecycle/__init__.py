"""The artefact lifecycle in the browser: the live Design Artefact Tracker (page, xlsx, bulk
moves by filter), an artefact's moves, versions and tracker fields, and the accepted changes
not yet implemented."""

from flask import Blueprint

bp = Blueprint("lifecycle", __name__)

from . import views  # noqa: E402,F401  (routes register on the blueprint)

"""The dissensus log's pages: the list with its filters and export, an entry's page (positions
per constituency with the tally, outcome, history), opening an entry by hand or from a
reviewer's disagreement."""

from flask import Blueprint

bp = Blueprint("dissensus", __name__, url_prefix="/dissensus")

from . import views  # noqa: E402,F401  (routes register on the blueprint)

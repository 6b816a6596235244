"""Review rounds in the browser: the rounds, a new round and the next one (carry-over), a
round's page (engagement, progress, carried comments), repeats, and the round diff."""

from flask import Blueprint

bp = Blueprint("rounds", __name__, url_prefix="/rounds")

from . import views  # noqa: E402,F401  (routes register on the blueprint)

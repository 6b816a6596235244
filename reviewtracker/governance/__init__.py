"""The advisory group's logs in the browser: meetings and their packs (with a printable page),
the action log, the decision log, and the action a comment in Action raises."""

from flask import Blueprint

bp = Blueprint("governance", __name__)

from . import actions, decisions, views  # noqa: E402,F401  (routes register on the blueprint)

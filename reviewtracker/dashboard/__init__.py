"""Read-only dashboard pages: the tranches and the DAG pack's tables for each."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from . import design, views  # noqa: E402,F401  (routes register on the blueprint)

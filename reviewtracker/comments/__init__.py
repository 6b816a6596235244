"""The comments: the filtered list, bulk triage, and (detail.py) one comment's page."""

from flask import Blueprint

bp = Blueprint("comments", __name__, url_prefix="/comments")

from . import answers, detail, publish, views  # noqa: E402,F401  (routes register on the blueprint)

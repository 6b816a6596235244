"""The artefacts: per tranche, grouped by service, with their comment counts; one artefact's
page with its comments."""

from flask import Blueprint

bp = Blueprint("artefacts", __name__, url_prefix="/artefacts")

from . import views  # noqa: E402,F401  (routes register on the blueprint)

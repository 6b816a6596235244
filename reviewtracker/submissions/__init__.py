"""Reviewers submit their organisation's comments to a review round: their open rounds, the
log template, an uploaded log checked and previewed with the import's own checks then
submitted, comments typed per artefact as drafts then submitted, a copy of each submission;
and a lead's extension of a round's window for one organisation."""

from flask import Blueprint

bp = Blueprint("submissions", __name__, url_prefix="/submissions")

from . import views  # noqa: E402,F401  (routes register on the blueprint)

"""The resolution workflow's pages: working groups, "My work", and the resolutions workbook
(export, and import back with a preview)."""

from flask import Blueprint

bp = Blueprint("resolution", __name__)

from . import views, workbook_views  # noqa: E402,F401  (routes register on the blueprint)

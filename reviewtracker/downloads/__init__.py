"""The downloads (`/exports/...`): the board pack, a reviewer's responses log, the comment
register as xlsx or csv. The services build the bytes; these views check the arguments and
send them. People click these in the browser, so an anonymous visitor is sent to sign in."""

from flask import Blueprint

bp = Blueprint("downloads", __name__, url_prefix="/exports")

from . import views  # noqa: E402,F401  (routes register on the blueprint)

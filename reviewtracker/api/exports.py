"""The downloads: the board pack, a reviewer's responses log, the comment register.

The services build the bytes; these views only check the arguments and send them.
"""

from __future__ import annotations

import io

from flask import Blueprint, abort, request, send_file
from flask_login import current_user

from ..auth import role_required
from ..extensions import db
from ..models import Organisation
from ..services.access import is_reviewer, may_see_organisation
from ..services.comment_queries import CommentFilter
from ..services.exports import (
    CSV_MIMETYPE,
    XLSX_MIMETYPE,
    board_pack,
    board_pack_filename,
    comment_register,
    comment_register_csv,
    register_filename,
    responses_filename,
    responses_log,
)
from .args import month_arg, review_round_arg, tranche_or_404

bp = Blueprint("exports", __name__, url_prefix="/exports")


def _send(data: bytes, filename: str, mimetype: str):
    response = send_file(
        io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/board-pack.xlsx")
@role_required("viewer")
def board_pack_xlsx():
    """?tranche=1[&round=N][&month=YYYY-MM]. Not for reviewers: besides the published tranche
    tables it holds the design dashboard, the programme's own status and issues."""
    code = request.args.get("tranche", "").strip()
    if not code:
        abort(400, "which tranche? add ?tranche=1")
    tranche = tranche_or_404(code)
    review_round = review_round_arg(tranche)
    month = month_arg()
    data = board_pack(tranche, review_round, month)
    return _send(data, board_pack_filename(tranche, review_round, month), XLSX_MIMETYPE)


@bp.get("/responses/<int:organisation_id>.xlsx")
@role_required("viewer", reviewers=True)
def responses_xlsx(organisation_id: int):
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not may_see_organisation(organisation_id):
        abort(404)  # a reviewer: another organisation's log is as absent as an unknown one
    data = responses_log(organisation_id)
    return _send(data, responses_filename(organisation), XLSX_MIMETYPE)


@bp.get("/comments.xlsx")
@role_required("viewer", reviewers=True)
def comments_xlsx():
    """The comment list's filter arguments (tranche, artefact, disposition, round, ...). A
    reviewer's filter is confined to their organisation, and their register has no internal
    columns."""
    f = CommentFilter.from_args(request.args)
    data = comment_register(
        f, internal_notes=current_user.has_role("triager"), for_reviewer=is_reviewer()
    )
    return _send(data, register_filename(f, ".xlsx"), XLSX_MIMETYPE)


@bp.get("/comments.csv")
@role_required("viewer", reviewers=True)
def comments_csv():
    f = CommentFilter.from_args(request.args)
    data = comment_register_csv(
        f, internal_notes=current_user.has_role("triager"), for_reviewer=is_reviewer()
    )
    return _send(data, register_filename(f, ".csv"), CSV_MIMETYPE)

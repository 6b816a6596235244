"""The download views: check the arguments, call the service that builds the bytes, send them.
The comment register, which runs to 100,000 rows, is streamed as the service makes it."""

from __future__ import annotations

import io
from collections.abc import Iterator

from flask import Response, abort, request, send_file, stream_with_context
from flask_login import current_user

from ..api.args import month_arg, review_round_arg, tranche_or_404
from ..auth import role_required, viewer_scope
from ..extensions import db
from ..governance.args import meeting_arg
from ..models import Organisation
from ..services.board_pack import board_pack, board_pack_filename
from ..services.comment_filter import CommentFilter
from ..services.comment_register import (
    comment_register_chunks,
    comment_register_csv_chunks,
    register_filename,
)
from ..services.responses_log import NoSuchOrganisation, responses_filename, responses_log
from ..services.spreadsheet import CSV_MIMETYPE, XLSX_MIMETYPE
from . import bp


def send_download(data: bytes, filename: str, mimetype: str):
    response = send_file(
        io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _stream(chunks: Iterator[bytes], filename: str, mimetype: str) -> Response:
    """A download sent as it is made: the first bytes leave before the last row is read. The
    request's context (its database session) lasts until the last piece is sent. Its length is
    not known beforehand: sent chunked (HTTP/1.1), or until the connection closes."""
    response = Response(stream_with_context(chunks), mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/board-pack.xlsx")
@role_required("viewer")
def board_pack_xlsx():
    """?tranche=1[&round=N][&month=YYYY-MM][&meeting=DAG013]. Not for reviewers: besides the
    published tranche tables it holds the design dashboard, the programme's own status and
    issues, and every action and decision, public or not."""
    code = request.args.get("tranche", "").strip()
    if not code:
        abort(400, "which tranche? add ?tranche=1")
    tranche = tranche_or_404(code)
    review_round = review_round_arg(tranche)
    month = month_arg()
    meeting = meeting_arg()
    data = board_pack(tranche, review_round, month, meeting)
    return send_download(
        data, board_pack_filename(tranche, review_round, month, meeting), XLSX_MIMETYPE
    )


@bp.get("/responses/<int:organisation_id>.xlsx")
@role_required("viewer", reviewers=True)
def responses_xlsx(organisation_id: int):
    try:
        data = responses_log(organisation_id, viewer_scope())
    except NoSuchOrganisation:
        abort(404)  # a reviewer: another organisation's log is as absent as an unknown one
    organisation = db.session.get(Organisation, organisation_id)
    return send_download(data, responses_filename(organisation), XLSX_MIMETYPE)


@bp.get("/comments.xlsx")
@role_required("viewer", reviewers=True)
def comments_xlsx():
    """The comment list's filter arguments (tranche, artefact, disposition, round, ...). A
    reviewer's filter is confined to their organisation, and their register has no internal
    columns."""
    f = CommentFilter.from_args(request.args, viewer_scope())
    chunks = comment_register_chunks(f, internal_notes=current_user.has_role("triager"))
    return _stream(chunks, register_filename(f, ".xlsx"), XLSX_MIMETYPE)


@bp.get("/comments.csv")
@role_required("viewer", reviewers=True)
def comments_csv():
    f = CommentFilter.from_args(request.args, viewer_scope())
    chunks = comment_register_csv_chunks(f, internal_notes=current_user.has_role("triager"))
    return _stream(chunks, register_filename(f, ".csv"), CSV_MIMETYPE)

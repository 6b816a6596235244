"""The JSON API: the DAG pack's tables and the design dashboard, from the same services as
the pages. Errors are JSON too: {"error": "..."} with the HTTP status.

The tranche tables are aggregates, published to reviewers as the tranche pages are; the design
dashboard (the programme's own status and issues) is not."""

from __future__ import annotations

from dataclasses import asdict

from flask import jsonify
from werkzeug.exceptions import HTTPException

from importers.vocabulary import RAG_STATUSES

from ..auth import role_required, viewer_scope
from ..services.answers import answer_tables
from ..services.design_status import design_dashboard
from ..services.rollups import comment_status, constituency_table, tranche_rollup
from . import bp
from .args import month_arg, review_round_arg, tranche_or_404

# (A 405 is raised while routing, before the request is known to be the API's: views.py
# answers it in JSON under /api.)
ERROR_CODES = (400, 401, 403, 404, 500)


def _json_error(error: HTTPException):
    """Every error under /api as {"error": "..."}, also the login gate's 401."""
    code = error.code or 500
    message = error.description if code != 500 else "internal server error"
    if code == 401:
        message = "sign in first: this API needs a signed-in session"
    return jsonify(error=message), code


for _code in ERROR_CODES:
    bp.register_error_handler(_code, _json_error)


@bp.get("/tranches/<code>/comment-status")
@role_required("viewer", reviewers=True)
def tranche_comment_status(code: str):
    """The comment status table: per artefact, comments per disposition, and the totals."""
    code = tranche_or_404(code)
    return comment_status(code, review_round_arg(code), scope=viewer_scope()).as_json()


@bp.get("/tranches/<code>/constituencies")
@role_required("viewer", reviewers=True)
def tranche_constituencies(code: str):
    """The constituency table: every constituency (zeros too), organisations and comments."""
    code = tranche_or_404(code)
    return constituency_table(code, review_round_arg(code)).as_json()


@bp.get("/tranches/<code>")
@role_required("viewer", reviewers=True)
def tranche(code: str):
    """Both tables, exactly as `reviewtracker rollup --json` prints them."""
    code = tranche_or_404(code)
    return tranche_rollup(code, review_round_arg(code), scope=viewer_scope())


@bp.get("/tranches/<code>/answers")
@role_required("viewer")
def tranche_answers(code: str):
    """Per artefact and per constituency: published dispositions, answered, and each answer
    (the programme's: not for reviewers, whose answers are each organisation's own)."""
    code = tranche_or_404(code)
    return answer_tables(code, review_round_arg(code), viewer_scope()).as_json()


@bp.get("/design-dashboard")
@role_required("viewer")
def design_dashboard_json():
    """The design dashboard of ?month=YYYY-MM (default: the latest month with records)."""
    dashboard = design_dashboard(month_arg())
    return {
        "month": dashboard.month,
        "previous_month": dashboard.previous_month,
        "rag_labels": RAG_STATUSES.labels,
        "rows": [asdict(row) for row in dashboard.rows],
    }

"""The tranche pages: the DAG pack's tables, each number a link to the comments it counts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from flask import abort, current_app, render_template, request, url_for
from flask_login import current_user

from importers.reference import TRANCHES
from importers.vocabulary import ANSWERS, DISPOSITIONS

from ..auth import role_required, viewer_scope
from ..services.answers import answer_tables, round_window
from ..services.charts import disposition_bars
from ..services.comment_filter import CommentFilter
from ..services.engagement import round_engagement
from ..services.progress import round_progress, tranche_progress
from ..services.progress_charts import burndown, median_bars, received_bars
from ..services.reference import rounds_of_tranche
from ..services.rollups import comment_status, constituency_table, tranche_overview
from ..services.scope import Scope
from . import bp


@bp.get("/")
@role_required("viewer", reviewers=True)
def index():
    return render_template("dashboard/index.html", tranches=tranche_overview(viewer_scope()))


def comment_list_url(base: CommentFilter, scope: Scope) -> Callable[..., str | None]:
    """list_url(artefact=..., disposition=..., constituency_id=...) -> the comment list
    filtered to `base` narrowed by those parts (None while the list page doesn't exist).

    None for a reviewer's `scope` too: the tables count every organisation's comments, and a
    reviewer's list holds only their own, so the numbers are published without links."""
    if "comments.index" not in current_app.view_functions or scope.is_reviewer:
        return lambda **_parts: None

    def list_url(**parts) -> str:
        return url_for("comments.index", **replace(base, **parts).to_args())

    return list_url


@bp.get("/tranches/<code>")
@bp.get("/tranches/<code>/rounds/<int:number>")
@role_required("viewer", reviewers=True)
def tranche(code: str, number: int | None = None):
    if code not in TRANCHES:
        abort(404)
    rounds = rounds_of_tranche(code)
    if number is not None and number not in {r.number for r in rounds}:
        abort(404)
    scope = viewer_scope()
    status = comment_status(code, number, scope=scope)
    base = CommentFilter(tranche=code, review_round=number)
    return render_template(
        "dashboard/tranche.html",
        code=code,
        number=number,
        rounds=rounds,
        status=status,
        constituencies=constituency_table(code, number),
        chart=disposition_bars(status),
        dispositions=DISPOSITIONS,
        list_url=comment_list_url(base, scope),
        # The answers are each organisation's own: the programme's view only.
        answers=None if scope.is_reviewer else answer_tables(code, number, scope),
        answer_labels=ANSWERS.labels,
        here=request.path,
        answer_window=round_window(code, number)
        if number is not None and current_user.has_role("lead")
        else None,
        answers_json=None
        if scope.is_reviewer
        else url_for("api.tranche_answers", code=code, **({"round": number} if number else {})),
        scope_args=base.to_args(),
        **_rounds_panel(rounds, number, scope, code),
    )


def _rounds_panel(rounds: list, number: int | None, scope: Scope, code: str) -> dict:
    """The staff's panels: engagement in the round shown (or the tranche's latest), and where
    progress over time is drawn (progress_panel: read from every comment, so it has a request
    of its own that the page loads after it). A reviewer sees neither (they name other
    organisations)."""
    if scope.is_reviewer or not rounds:
        return {"engagement": None, "progress_url": None}
    shown = next((r for r in rounds if r.number == number), rounds[-1])
    return {
        "engagement": round_engagement(shown.id, date.today(), scope),
        "progress_url": url_for(
            "dashboard.progress_panel", code=code, **({"number": number} if number else {})
        ),
    }


@bp.get("/tranches/<code>/progress")
@bp.get("/tranches/<code>/rounds/<int:number>/progress")
@role_required("viewer")
def progress_panel(code: str, number: int | None = None):
    """Progress over time in the tranche (every round) or one round: comments received per
    day, the triage burn-down and the median days to a disposition by constituency and by
    artefact. Its own page, which the tranche and round pages load into themselves."""
    if code not in TRANCHES:
        abort(404)
    rounds = {r.number: r for r in rounds_of_tranche(code)}
    if number is not None and number not in rounds:
        abort(404)
    scope = viewer_scope()
    progress = round_progress(rounds[number].id, scope) if number else tranche_progress(code, scope)
    return render_template(
        "dashboard/progress.html",
        code=code,
        number=number,
        received=received_bars(progress, "Comments received per day"),
        burndown=burndown(progress, "Open and dispositioned comments per day"),
        by_constituency=median_bars(
            progress.by_constituency, "Median days to a disposition, by constituency"
        ),
        by_artefact=median_bars(progress.by_artefact, "Median days to a disposition, by artefact"),
    )

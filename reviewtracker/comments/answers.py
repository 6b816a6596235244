"""A reviewer answers a published disposition (agree, can live with it, disagree with a
reason, a follow-up comment), or agrees with all remaining ones of an artefact at once."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from importers import normalise_artefact_ref

from ..auth import role_required, viewer_scope
from ..services import ServiceError
from ..services.answers import agree_all_plan, agree_with_all, answer_comment
from ..services.comment_queries import visible_comment
from ..unit_of_work import unit_of_work
from . import bp
from .forms import AgreeAllForm, AnswerForm


def _reviewers_only() -> None:
    if not current_user.is_reviewer:
        abort(403)  # the programme's staff do not answer for an organisation


@bp.post("/<int:comment_id>/answer")
@role_required("viewer", reviewers=True)
def answer(comment_id: int):
    _reviewers_only()
    scope = viewer_scope()
    if visible_comment(comment_id, scope) is None:
        abort(404)
    form = AnswerForm()
    here = url_for("comments.detail", comment_id=comment_id) + "#answer"
    if not form.validate() or not form.answer.data:
        flash("Nothing was saved: choose agree, can live with it, or disagree.", "error")
        return redirect(here)
    try:
        with unit_of_work():
            answer_comment(
                comment_id,
                scope,
                form.answer.data,
                reason=form.reason.data,
                follow_up=form.follow_up.data,
                actor=current_user.email,
            )
    except ServiceError as error:
        flash(f"Nothing was saved: {error}.", "error")
    else:
        flash("Your answer is saved; you can change it until the answer window closes.", "success")
    return redirect(here)


@bp.post("/agree-all")
@role_required("viewer", reviewers=True)
def agree_all():
    _reviewers_only()
    form = AgreeAllForm()
    artefact = normalise_artefact_ref(form.artefact.data or "") if form.validate() else None
    if artefact is None:
        flash("Nothing was saved: choose an artefact first (filter the list by it).", "error")
        return redirect(url_for("comments.index"))
    back = url_for("comments.index", artefact=artefact)
    scope = viewer_scope()
    try:
        if form.confirm.data == "yes":
            with unit_of_work():
                count = agree_with_all(artefact, scope, current_user.email)
            flash(
                f"You agreed with {count} published disposition{'' if count == 1 else 's'} "
                f"of {artefact}.",
                "success",
            )
            return redirect(back)
        ids = agree_all_plan(artefact, scope)
    except ServiceError as error:
        flash(f"Nothing was saved: {error}.", "error")
        return redirect(back)
    return render_template(
        "comments/agree_all_confirm.html", artefact=artefact, count=len(ids), back=back
    )

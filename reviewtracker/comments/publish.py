"""Publishing to reviewers from the comment list (the ticked comments, or every comment
matching the filter: an artefact, a round, ...) and from one comment's page. A lead's."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth import role_required, viewer_scope
from ..inputs import positive_int
from ..services import ServiceError
from ..services.comment_choices import describe
from ..services.comment_queries import comments_by_ids, visible_comment
from ..services.publishing import publish as publish_selection
from ..services.publishing import publish_comment, publish_plan
from ..unit_of_work import unit_of_work
from . import bp
from .forms import PublishForm, PublishOneForm
from .views import FILTER_PREFIX, back_to, selection


@bp.post("/publish")
@role_required("lead")
def publish():
    form = PublishForm()
    ids, f = selection(request.form)
    back = back_to(form.back.data, f)
    if not form.validate():
        flash("Nothing was published: the form was incomplete; reload the page.", "error")
        return redirect(back)
    if ids == []:
        flash(
            "Nothing was published: tick the comments to publish, or choose every comment "
            "matching the filter.",
            "error",
        )
        return redirect(back)
    selection_filter = f if ids is None else None
    try:
        if form.confirm.data == "yes":
            with unit_of_work():
                published = publish_selection(ids, selection_filter, current_user.email)
            flash(
                f"Published {published} response{'' if published == 1 else 's'} to reviewers.",
                "success",
            )
            return redirect(back)
        plan = publish_plan(ids, selection_filter)
    except ServiceError as error:
        flash(f"Nothing was published: {error}", "error")
        return redirect(back)
    return render_template(
        "comments/publish_confirm.html",
        plan=plan,
        ids=ids,
        filter_args=f.to_args(),
        filter_prefix=FILTER_PREFIX,
        active_filters=describe(f),
        rows=comments_by_ids(ids, f.scope) if ids else [],
        back=back,
    )


@bp.post("/<int:comment_id>/publish")
@role_required("lead")
def publish_one(comment_id: int):
    """Publish this comment's approved response."""
    comment = visible_comment(comment_id, viewer_scope())
    if comment is None:
        abort(404)
    form = PublishOneForm()
    here = url_for("comments.detail", comment_id=comment_id)
    version = positive_int(form.version.data) if form.validate() else None
    if version is None:
        flash("Nothing was published: the form was incomplete; reload the page.", "error")
        return redirect(here)
    try:
        with unit_of_work():
            publish_comment(comment_id, current_user.email, expected_version=version)
    except ServiceError as error:
        flash(f"Nothing was published: {error}.", "error")
    else:
        flash(f"Published comment #{comment_id}'s response to the reviewer.", "success")
    return redirect(here)

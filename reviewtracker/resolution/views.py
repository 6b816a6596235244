"""Working groups (a lead manages them) and "My work"."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from importers.vocabulary import DISPOSITIONS, RESPONSE_STATES

from ..auth import role_required, viewer_scope
from ..inputs import local_path, positive_int
from ..services import ServiceError
from ..services import working_groups as groups
from ..services.answers import set_answer_window
from ..services.comment_choices import team_members
from ..services.my_work import work_counts, work_filter, work_page
from ..unit_of_work import unit_of_work
from . import bp
from .forms import ActionForm, AnswerWindowForm, GroupForm, MemberForm


@bp.get("/working-groups")
@role_required("triager")
def working_groups():
    return render_template(
        "resolution/working_groups.html",
        groups=groups.working_groups(),
        team=team_members(),
        can_manage=current_user.has_role("lead"),
        group_form=GroupForm(formdata=None),
        action_form=ActionForm(formdata=None),
    )


def _act(action, done: str):
    try:
        with unit_of_work():
            action()
    except ServiceError as error:
        flash(f"Nothing was changed: {error}.", "error")
    else:
        flash(done, "success")
    return redirect(url_for("resolution.working_groups"))


def _form_error(form) -> str:
    return "; ".join(f"{form[name].label.text}: {' '.join(e)}" for name, e in form.errors.items())


@bp.post("/working-groups")
@role_required("lead")
def create_group():
    form = GroupForm()
    if not form.validate():
        flash(f"No working group was added: {_form_error(form)}", "error")
        return redirect(url_for("resolution.working_groups"))
    name = form.name.data or ""
    return _act(
        lambda: groups.create_group(name, form.description.data or ""),
        f"Added the working group {' '.join(name.split())}.",
    )


@bp.post("/working-groups/<int:group_id>")
@role_required("lead")
def update_group(group_id: int):
    form = GroupForm()
    if not form.validate():
        flash(f"Nothing was changed: {_form_error(form)}", "error")
        return redirect(url_for("resolution.working_groups"))
    return _act(
        lambda: groups.update_group(group_id, form.name.data or "", form.description.data or ""),
        "Saved the working group.",
    )


@bp.post("/working-groups/<int:group_id>/members")
@role_required("lead")
def add_member(group_id: int):
    form = MemberForm()
    user_id = positive_int(form.user.data) if form.validate() else None
    if user_id is None:
        flash("Nobody was added: choose a member of the design team.", "error")
        return redirect(url_for("resolution.working_groups"))
    return _act(lambda: groups.add_member(group_id, user_id), "Added the member.")


@bp.post("/working-groups/<int:group_id>/members/<int:user_id>/remove")
@role_required("lead")
def remove_member(group_id: int, user_id: int):
    if not ActionForm().validate():
        abort(400)
    return _act(lambda: groups.remove_member(group_id, user_id), "Removed the member.")


@bp.post("/working-groups/<int:group_id>/delete")
@role_required("lead")
def delete_group(group_id: int):
    if not ActionForm().validate():
        abort(400)
    return _act(lambda: groups.delete_group(group_id), "Deleted the working group.")


@bp.get("/my-work")
@role_required("viewer")
def my_work():
    scope = viewer_scope()
    page = positive_int(request.args.get("page"), 100_000) or 1
    f = work_filter(current_user.id, scope)
    return render_template(
        "resolution/my_work.html",
        counts=work_counts(current_user.id, scope),
        page=work_page(current_user.id, scope, page),
        my_groups=groups.groups_of(current_user.id),
        f=f,
        list_args=f.to_args(),
        labels=DISPOSITIONS.labels,
        states=RESPONSE_STATES.labels,
    )


@bp.post("/rounds/<int:round_id>/answer-window")
@role_required("lead")
def answer_window(round_id: int):
    """Set (or, left blank, clear) when a review round's answer window closes."""
    form = AnswerWindowForm()
    back = local_path(form.back.data) or url_for("dashboard.index")
    if not form.validate():
        flash("Nothing was changed: that is not a date.", "error")
        return redirect(back)
    try:
        with unit_of_work():
            set_answer_window(round_id, form.closes_on.data)
    except ServiceError as error:
        flash(f"Nothing was changed: {error}.", "error")
    else:
        when = form.closes_on.data
        flash(
            f"Answers close on {when.isoformat()}."
            if when
            else "Answers close ten working days after each publication.",
            "success",
        )
    return redirect(back)

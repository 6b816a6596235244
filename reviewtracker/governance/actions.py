"""The action log: the list with its filters, one action with its updates and links, and the
lead's forms (raise, edit, update, link); and the one click that raises an action from a
comment in Action."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from importers.governance import normalise_action_ref, normalise_meeting_ref
from importers.vocabulary import ACTION_LINK_KINDS, ACTION_STATUSES

from ..auth import role_required, viewer_scope
from ..extensions import db
from ..models import Action, Comment
from ..services import ServiceError
from ..services.action_queries import (
    ActionFilter,
    action_by_reference,
    action_links,
    action_list,
    action_updates,
    status_counts,
)
from ..services.actions import (
    ACTION_MOVES,
    EDITABLE,
    NewAction,
    StaleAction,
    add_update,
    edit_action,
    link_action,
    raise_action,
    raise_from_comment,
    unlink_action,
)
from ..services.artefacts import artefact_by_reference
from ..services.dissensus import entry_id_by_reference
from ..services.meetings import meeting_by_reference, meeting_choices, next_meeting
from ..unit_of_work import unit_of_work
from . import bp
from .args import arg, form_id, positive_int, reference_or_404
from .forms import ActionForm, LinkForm, UnlinkForm, UpdateForm
from .views import common


def _filter() -> ActionFilter:
    """The list's filters from the query string; a value that is not one is ignored."""
    status = arg("status", 30)
    meeting = normalise_meeting_ref(arg("meeting", 30))
    return ActionFilter(
        status=status if status in ACTION_STATUSES else None,
        meeting=meeting,
        overdue=arg("overdue", 5) in ("1", "on", "yes"),
        owner=arg("owner", 100) or None,
    )


@bp.get("/actions/")
@role_required("viewer", reviewers=True)
def actions():
    scope = viewer_scope()
    f = _filter()
    today = date.today()
    return render_template(
        "governance/actions.html",
        rows=action_list(scope, f, today=today),
        f=f,
        counts=status_counts(scope),
        meetings=meeting_choices(),
        **common(),
    )


def _action_or_404(reference: str) -> Action:
    canonical = reference_or_404(reference, normalise_action_ref)
    action = action_by_reference(canonical, viewer_scope())
    if action is None:
        abort(404)  # a reviewer: an action not public is as absent as an unknown one
    return action


def _page(action: Action, **forms):
    today = date.today()
    update_form = forms.get("update_form") or UpdateForm(
        data={"dated": today, "version": str(action.version)}
    )
    return render_template(
        "governance/action.html",
        action=action,
        updates=action_updates(action.id),
        links=action_links(action.id, viewer_scope()),
        moves=ACTION_MOVES[action.status],
        update_form=update_form,
        link_form=forms.get("link_form") or LinkForm(),
        unlink_form=UnlinkForm(),
        kinds=ACTION_LINK_KINDS,
        overdue=action.status in ("open", "ongoing")
        and action.due is not None
        and action.due < today,
        **common(),
    )


@bp.get("/actions/<reference>")
@role_required("viewer", reviewers=True)
def action(reference: str):
    found = _action_or_404(reference)
    if found.reference != reference:
        return redirect(url_for("governance.action", reference=found.reference))
    return _page(found)


def _here(action: Action):
    return redirect(url_for("governance.action", reference=action.reference))


def _save(action: Action, change: Callable[[], object], done: str) -> bool:
    """Run one change in its own unit of work; flash what happened. True if it was saved."""
    try:
        with unit_of_work():
            change()
    except StaleAction as error:
        flash(f"Nothing was saved: {error}. Check it below and try again.", "error")
        return False
    except ServiceError as error:
        flash(f"Nothing was saved: {error}.", "error")
        return False
    flash(done, "success")
    return True


@bp.post("/actions/<reference>/update")
@role_required("lead")
def update(reference: str):
    found = _action_or_404(reference)
    form = UpdateForm()
    if not form.validate():
        flash("Nothing was saved: please correct the update below.", "error")
        return _page(found, update_form=form), 400
    saved = _save(
        found,
        lambda: add_update(
            found.id,
            form.text.data or "",
            current_user.email,
            dated=form.dated.data,
            to_status=form.to_status.data or None,
            expected_version=int(form.version.data),
        ),
        f"Update added to {found.reference}.",
    )
    if not saved:
        return _page(found, update_form=form), 409
    return _here(found)


@bp.post("/actions/<reference>/links")
@role_required("lead")
def add_link(reference: str):
    found = _action_or_404(reference)
    form = LinkForm()
    if not form.validate():
        flash("Nothing was linked: choose what to link and name it.", "error")
        return _page(found, link_form=form), 400
    target_id = _link_target(form.kind.data, form.target.data)
    if target_id is None:
        flash(
            f"Nothing was linked: no {ACTION_LINK_KINDS[form.kind.data].label.lower()} "
            f"{form.target.data!r}.",
            "error",
        )
        return _page(found, link_form=form), 400
    saved = _save(
        found,
        lambda: link_action(found.id, form.kind.data, target_id, current_user.email),
        f"{found.reference} now links to {form.target.data}.",
    )
    return _here(found) if saved else (_page(found, link_form=form), 400)


def _link_target(kind: str, written: str) -> int | None:
    """The id a link names: an artefact's reference, a comment's number ("#12" or "12"), a
    dissensus entry's reference ("D-001")."""
    if kind == "dissensus":
        return entry_id_by_reference(written)
    if kind == "artefact":
        from importers import normalise_artefact_ref

        canonical = normalise_artefact_ref(written)
        artefact = artefact_by_reference(canonical) if canonical else None
        return artefact.id if artefact is not None else None
    return positive_int(written.lstrip("#"))


@bp.post("/actions/<reference>/links/delete")
@role_required("lead")
def remove_link(reference: str):
    found = _action_or_404(reference)
    link_id = form_id("link_id")
    _save(found, lambda: unlink_action(found.id, link_id), "Link removed.")
    return _here(found)


@bp.route("/actions/<reference>/edit", methods=["GET", "POST"])
@role_required("lead")
def edit(reference: str):
    found = _action_or_404(reference)
    if request.method == "GET":
        data = {name: getattr(found, name) for name in EDITABLE}
        form = ActionForm(data=data | {"version": str(found.version)})
    else:
        form = ActionForm()
    del form.meeting
    if request.method == "POST":
        if form.validate():
            changed: list[str] = []

            def change() -> None:
                changed.extend(
                    edit_action(
                        found.id,
                        form.changes(),
                        current_user.email,
                        dated=date.today(),
                        expected_version=int(form.version.data),
                    )
                )

            if _save(found, change, f"{found.reference} saved."):
                return _here(found)
        else:
            flash("Nothing was saved: please correct the fields marked below.", "error")
    status = 400 if request.method == "POST" else 200
    return render_template(
        "governance/action_form.html", form=form, action=found, **common()
    ), status


@bp.route("/actions/new", methods=["GET", "POST"])
@role_required("lead")
def new():
    choices = meeting_choices()
    if not choices:
        flash("Add a meeting first: an action belongs to the meeting that raised it.", "info")
        return redirect(url_for("governance.meetings"))
    form = ActionForm()
    form.meeting.choices = choices
    if request.method == "GET":
        wanted = normalise_meeting_ref(arg("meeting", 30))
        default = next_meeting(date.today())
        form.meeting.data = wanted or (default.reference if default else choices[0][0])
    elif form.validate():
        meeting = meeting_by_reference(form.meeting.data)
        values = form.changes()
        created: list[str] = []

        def change() -> None:
            created.append(
                raise_action(
                    meeting.id, NewAction(**values), current_user.email, dated=date.today()
                ).reference
            )

        try:
            with unit_of_work():
                change()
        except ServiceError as error:
            flash(f"Nothing was saved: {error}.", "error")
        else:
            flash(f"Action {created[0]} raised.", "success")
            return redirect(url_for("governance.action", reference=created[0]))
    else:
        flash("Nothing was saved: please correct the fields marked below.", "error")
    status = 400 if request.method == "POST" else 200
    return render_template(
        "governance/action_form.html", form=form, action=None, **common()
    ), status


@bp.post("/actions/from-comment/<comment_id>")
@role_required("lead")
def from_comment(comment_id: str):
    """The comment page's "Raise an action" button: one click, back to the comment."""
    number = positive_int(comment_id)
    if number is None:
        abort(404)
    db.get_or_404(Comment, number)
    raised: list[str] = []
    try:
        with unit_of_work():
            action = raise_from_comment(number, current_user.email, today=date.today())
            raised.append(action.reference)
    except ServiceError as error:
        flash(f"No action was raised: {error}.", "error")
    else:
        flash(f"Action {raised[0]} raised from comment #{number}.", "success")
    return redirect(url_for("comments.detail", comment_id=number))

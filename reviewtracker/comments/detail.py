"""One comment's page, where a triager decides: the comment and where it came from, the triage
form (with "Save and next" through the list's filter), duplicates, similar comments, history.

The list's filter travels in the query string (`/comments/123?tranche=1&disposition=open`), so
every link and form here keeps it: previous / next, back to the list, and the POSTs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.routing import BuildError

from importers.vocabulary import ANSWERS, DISPOSITIONS, PUBLISHED_OUTCOMES, RESPONSE_STATES

from ..auth import role_required, viewer_scope
from ..extensions import db
from ..governance.panels import comment_actions
from ..models import AuditEvent, Comment, ImportBatch
from ..services import ServiceError, resolution, triage
from ..services.answers import answer_state, follow_ups
from ..services.comment_choices import describe, filter_choices
from ..services.comment_filter import CommentFilter
from ..services.comment_queries import neighbours, next_open, position, visible_comment
from ..services.dissensus import entries_for_comment
from ..services.implementation import implemented_in
from ..services.people import names_for
from ..services.published_view import published_versions
from ..services.repeats import repeat_of
from ..services.round_lists import carried_into
from ..services.scope import Scope
from ..services.similar import similar_comments
from ..unit_of_work import unit_of_work
from . import bp
from .detail_forms import (
    FIELDS,
    ID_FIELDS,
    OtherCommentForm,
    TriageForm,
    UnmarkDuplicateForm,
    clean,
    snapshot,
)
from .forms import AnswerForm, PublishOneForm

# How the page names each field the audit trail records.
FIELD_LABELS = {
    "disposition": "Disposition",
    "response": "Response",
    "action_owner": "Action owner",
    "action_due": "Action due",
    "internal_note": "Internal note",
    "duplicate_of": "Duplicate of",
    "assignee_id": "Assigned to",
    "assignee": "Assigned to",
    "working_group_id": "Working group",
    "working_group": "Working group",
    "due_on": "Due date",
    "response_state": "Response",
    "implemented_in": "Implemented in",
    "published": "Published",
    "answer": "Reviewer's answer",
    "answer_reason": "Reason given",
    "follow_up": "Follow-up comment",
}


@dataclass(frozen=True, slots=True)
class ConflictRow:
    """One field of a stale save: the stored value, the one typed, and who changed what."""

    name: str
    theirs: object
    yours: object
    you_changed: bool
    they_changed: bool


@dataclass(frozen=True, slots=True)
class Conflict:
    rows: list[ConflictRow]
    last_change: AuditEvent | None

    @property
    def clashes(self) -> list[str]:
        """Fields both sides changed, to different values."""
        return [
            row.name
            for row in self.rows
            if row.you_changed and row.they_changed and row.yours != row.theirs
        ]


# --- the page ----------------------------------------------------------------------------------


@bp.route("/<int:comment_id>", methods=["GET", "POST"])
@role_required("viewer", reviewers=True)
def detail(comment_id: int):
    # A reviewer gets a 404 for another organisation's comment, as for one that isn't there.
    scope = viewer_scope()
    comment = visible_comment(comment_id, scope)
    if comment is None:
        abort(404)
    f = CommentFilter.from_args(request.args, scope)
    if request.method == "POST":
        if not current_user.has_role("triager"):
            abort(403)
        return _save(comment, f)
    form = None
    if current_user.has_role("triager"):
        stored = _stored(comment)
        form = TriageForm(
            data=_form_data(stored) | {"version": str(comment.version), "loaded": snapshot(stored)}
        )
        _offer(form, stored["response_state"])
    return _page(comment, f, form)


def _form_data(stored: dict[str, object]) -> dict[str, object]:
    """Stored values as the form's fields take them (the selects' values are text)."""
    return {
        name: (str(value) if name in ID_FIELDS and value is not None else value)
        for name, value in stored.items()
    }


def _offer(form: TriageForm, state: object) -> None:
    """The resolution selects' choices: the team, the groups, and the response states this
    user may move the response to from `state` (itself included)."""
    choices = filter_choices(Scope.staff())
    lead = current_user.has_role("lead")
    state = str(state)
    reachable = [state] + [
        key
        for key in RESPONSE_STATES.keys
        if key in resolution.MOVES.get(state, ()) and (key not in resolution.LEAD_ONLY or lead)
    ]
    form.offer(
        choices["assignees"],
        choices["groups"],
        [(key, RESPONSE_STATES[key].label) for key in RESPONSE_STATES.keys if key in reachable],
    )


def _save(comment: Comment, f: CommentFilter):
    form = TriageForm()
    _offer(form, resolution.current(comment.id)["response_state"])
    if not form.validate():
        if _stale(form, comment):
            # Saved by someone else since this form was loaded: a response state offered then
            # may be offered no longer (their change took a published response back to draft),
            # so the refusal is theirs to see side by side, not a field of the user's to correct.
            return _conflict(comment, f, form), 409
        flash("Nothing was saved: please correct the fields marked below.", "error")
        return _page(comment, f, form), 400
    # The next comment as the user saw the list, before this save can move the comment in it.
    _, next_id = neighbours(f, comment.id)
    if form.save_next_open.data:
        next_id = next_open(f, comment.id)
    stored, typed = _stored(comment), form.posted_values(request.form)
    changes = {name: value for name, value in typed.items() if value != clean(name, stored[name])}
    loaded = form.loaded_values()
    if loaded is not None and all(typed[name] == loaded[name] for name in typed):
        changes = {}  # nothing typed: nothing to save, even if someone else saved meanwhile
    if changes:
        try:
            with unit_of_work():
                result = triage.triage_comment(
                    comment.id,
                    changes,
                    actor=current_user.email,
                    expected_version=int(form.version.data),
                    may_approve=current_user.has_role("lead"),
                )
        except triage.StaleComment:
            return _conflict(comment, f, form), 409
        except ServiceError as error:
            flash(f"Nothing was saved: {error}", "error")
            return _page(comment, f, form), 400
        saved = ", ".join(FIELD_LABELS[name].lower() for name in result.changed)
        flash(f"Saved comment {_name(comment)}: {saved}.", "success")
    else:
        flash(f"Nothing to save on comment {_name(comment)}: no field was changed.", "info")
    if form.save_next.data or form.save_next_open.data:
        return _to_next(f, next_id, open_only=bool(form.save_next_open.data))
    return redirect(_here(comment.id, f))


def _stale(form: TriageForm, comment: Comment) -> bool:
    """The form was loaded at another version of the comment than the stored one."""
    loaded = (form.version.data or "").strip()
    # ASCII digits only ("²".isdigit() too), and short: a refused form's version is anything.
    number = loaded.isascii() and loaded.isdigit() and len(loaded) <= 12
    return number and int(loaded) != comment.version


def _conflict(comment: Comment, f: CommentFilter, form: TriageForm):
    """Someone saved since the form was loaded: show their values and the user's side by side,
    and put the user's changes on top of the current version in the form."""
    db.session.refresh(comment)
    theirs = {name: clean(name, value) for name, value in _stored(comment).items()}
    yours = form.values()
    base = form.loaded_values()
    rows = []
    for name in FIELDS:
        you_changed = base is None or yours[name] != base[name]
        they_changed = base is not None and theirs[name] != base[name]
        rows.append(ConflictRow(name, theirs[name], yours[name], you_changed, they_changed))
    merged = {row.name: row.yours if row.you_changed else row.theirs for row in rows}
    form.show(merged, comment.version)
    form.loaded.data = snapshot(theirs)
    _offer(form, theirs["response_state"])
    conflict = Conflict(rows, triage.last_change(comment.id))
    return _page(comment, f, form, conflict=conflict)


def _to_next(f: CommentFilter, next_id: int | None, *, open_only: bool = False):
    if next_id is None:
        if open_only:
            flash("There is no open comment after it in this list.", "info")
        else:
            flash("That was the last comment in this list.", "info")
        return redirect(url_for("comments.index", **f.to_args()))
    return redirect(_here(next_id, f))


def _page(comment: Comment, f: CommentFilter, form: TriageForm | None, **extra) -> str:
    scope: Scope = f.scope
    prev_id, next_id = neighbours(f, comment.id)
    original = db.session.get(Comment, comment.duplicate_of_id) if comment.duplicate_of_id else None
    # A reviewer sees the outcome for their organisation as published, never the design
    # team's working fields, the imports, or other organisations' comments (similar ones,
    # duplicates): the services give a reviewer's scope published views only.
    reviewer = scope.is_reviewer
    seen_original = visible_comment(original.id, scope) if original is not None else None
    # A reviewer's history is the publications (no one named); the staff's names who changed
    # what, through services/people.py.
    events = triage.history(comment.id, scope, newest_first=True)
    batches = [] if reviewer else _batches(comment)
    conflict = extra.get("conflict")
    last = [conflict.last_change] if conflict and conflict.last_change else []
    names = names_for(
        [
            *(getattr(e, "actor", None) for e in [*events, *last]),
            *(batch.imported_by for _, batch in batches),
        ],
        [getattr(e, "import_batch_id", None) for e in [*events, *last]],
    )
    return render_template(
        "comments/detail.html",
        comment=comment,
        form=form,
        reviewer=reviewer,
        can_triage=current_user.has_role("triager"),
        filter_args=f.to_args(),
        filter_parts=describe(f),
        list_url=url_for("comments.index", **f.to_args()),
        prev_url=_here(prev_id, f) if prev_id else None,
        place=position(f, comment.id),
        next_url=_here(next_id, f) if next_id else None,
        artefact_url=None
        if reviewer
        else _optional_url("artefacts.detail", reference=comment.artefact.reference),
        batches=batches,
        imports_url=_optional_url("imports.history") if current_user.has_role("triager") else None,
        original=seen_original,
        follows_other=original is not None and not scope.may_see_comment(original),
        duplicates=triage.duplicates_of(comment.id, scope),
        similar=similar_comments(comment.id, scope),
        events=events,
        names=names,
        labels=(PUBLISHED_OUTCOMES if reviewer else DISPOSITIONS).labels,
        states=RESPONSE_STATES.labels,
        resolution=None if reviewer else _resolution_facts(comment.id),
        versions=[] if reviewer else published_versions(comment.id),
        publish_form=PublishOneForm(formdata=None, version=str(getattr(comment, "version", "")))
        if current_user.has_role("lead")
        else None,
        answers=answer_state(comment.id, scope),
        follow_ups=follow_ups(comment.id, scope),
        answer_labels=ANSWERS.labels,
        answer_form=_answer_form(comment.id, scope) if reviewer else None,
        entries=entries_for_comment(comment.id, scope),
        can_open_entry=current_user.has_role("triager")
        and "dissensus.from_comment" in current_app.view_functions,
        field_labels=FIELD_LABELS,
        keys=DISPOSITIONS.shortcuts,
        conflict=conflict,
        **comment_actions(comment, scope),
        implemented_in=implemented_in([comment.id], scope).get(comment.id),
        carried_into=carried_into(comment.id),
        repeats=repeat_of(comment.id, scope),
    )


# --- actions with another comment --------------------------------------------------------------


@bp.post("/<int:comment_id>/duplicate")
@role_required("triager")
def mark_duplicate(comment_id: int):
    """Mark this comment as a duplicate of the one the form names."""
    comment = db.get_or_404(Comment, comment_id)
    form = OtherCommentForm()
    if form.validate():
        other = int(form.other.data)
        if form.confirm.data != "yes":
            asked = _ask_before_duplicate(comment, other, form)
            if asked is not None:
                return asked
        _act(
            lambda: triage.mark_duplicate(
                comment.id,
                other,
                actor=current_user.email,
                expected_version=int(form.version.data),
            ),
            f"Comment {_name(comment)} is now a duplicate of comment #{other}: it takes and "
            "follows that comment's disposition and response.",
        )
    else:
        flash("Nothing was changed: the form was incomplete; reload the page.", "error")
    return redirect(_here(comment.id, CommentFilter.from_args(request.args, viewer_scope())))


def _ask_before_duplicate(comment: Comment, other: int, form: OtherCommentForm):
    """The confirmation page, if marking the comment as a duplicate would replace a response
    someone wrote; None if nothing written would be lost."""
    try:
        plan = triage.duplicate_changes(comment.id, other)
    except ServiceError:
        return None  # mark_duplicate refuses it, with the reason
    if not plan.replaces_response:
        return None
    f = CommentFilter.from_args(request.args, viewer_scope())
    return render_template(
        "comments/duplicate_confirm.html",
        comment=comment,
        original=db.session.get(Comment, plan.original_id),
        plan=plan,
        form=form,
        filter_args=f.to_args(),
        labels=DISPOSITIONS.labels,
        field_labels=FIELD_LABELS,
        back=_here(comment.id, f),
    )


@bp.post("/<int:comment_id>/unmark-duplicate")
@role_required("triager")
def unmark_duplicate(comment_id: int):
    comment = db.get_or_404(Comment, comment_id)
    form = UnmarkDuplicateForm()
    if form.validate():
        _act(
            lambda: triage.unmark_duplicate(
                comment.id, actor=current_user.email, expected_version=int(form.version.data)
            ),
            f"Comment {_name(comment)} is no longer a duplicate; it keeps its disposition and "
            "response.",
        )
    else:
        flash("Nothing was changed: the form was incomplete; reload the page.", "error")
    return redirect(_here(comment.id, CommentFilter.from_args(request.args, viewer_scope())))


@bp.post("/<int:comment_id>/copy-response")
@role_required("triager")
def copy_response(comment_id: int):
    """Copy the response of the comment the form names into this one."""
    comment = db.get_or_404(Comment, comment_id)
    form = OtherCommentForm()
    if form.validate():
        other = int(form.other.data)
        _act(
            lambda: triage.copy_response(
                other,
                comment.id,
                actor=current_user.email,
                expected_version=int(form.version.data),
            ),
            f"Copied the response of comment #{other} into comment {_name(comment)}.",
        )
    else:
        flash("Nothing was changed: the form was incomplete; reload the page.", "error")
    return redirect(_here(comment.id, CommentFilter.from_args(request.args, viewer_scope())))


def _act(action: Callable[[], object], done: str) -> None:
    try:
        with unit_of_work():
            action()
    except triage.StaleComment:
        flash(
            "Nothing was changed: someone saved this comment since you opened it. "
            "Check its current values below and try again.",
            "error",
        )
    except ServiceError as error:
        flash(f"Nothing was changed: {error}.", "error")
    else:
        flash(done, "success")


# --- helpers -----------------------------------------------------------------------------------


def _stored(comment: Comment) -> dict[str, object]:
    """The triage fields as stored: the comment's own and its resolution's."""
    current = resolution.current(comment.id)
    return {name: current[name] if name in current else getattr(comment, name) for name in FIELDS}


def _answer_form(comment_id: int, scope: Scope) -> AnswerForm:
    """The reviewer's answer form, filled with their current answer."""
    current = answer_state(comment_id, scope).answer
    data = {"answer": current.answer, "reason": current.reason} if current is not None else {}
    return AnswerForm(formdata=None, data=data)


def _resolution_facts(comment_id: int) -> dict[str, object]:
    """Who resolves the comment and where its response stands, by name, for the page."""
    current = resolution.current(comment_id)
    return current | {
        "assignee": resolution.audit_text("assignee_id", current["assignee_id"]),
        "working_group": resolution.audit_text("working_group_id", current["working_group_id"]),
    }


def _name(comment: Comment) -> str:
    return f"#{comment.id}"


def _here(comment_id: int, f: CommentFilter) -> str:
    return url_for("comments.detail", comment_id=comment_id, **f.to_args())


def _optional_url(endpoint: str, **values) -> str | None:
    """A link to another feature's page, if that page exists in this installation."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def _batches(comment: Comment) -> list[tuple[str, ImportBatch]]:
    """The import that added the comment and, if another, the last one that updated it."""
    found = []
    for label, batch_id in (
        ("Imported by", comment.import_batch_id),
        ("Last updated by", comment.last_import_batch_id),
    ):
        if batch_id is not None and batch_id not in {b.id for _, b in found}:
            batch = db.session.get(ImportBatch, batch_id)
            if batch is not None:
                found.append((label, batch))
    return found

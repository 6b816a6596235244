"""The dissensus log's views: thin, every read through services/dissensus.py with the
viewer's scope (a reviewer sees the entries concerning their organisation's comments)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from importers.vocabulary import DISSENSUS_OUTCOMES, DISSENSUS_STATUSES, POSITIONS

from ..auth import role_required, viewer_scope
from ..downloads.views import send_download
from ..extensions import db
from ..inputs import positive_int
from ..models import Constituency, Organisation
from ..services import ServiceError
from ..services import dissensus as log
from ..services.dissensus_export import dissensus_log_xlsx
from ..services.spreadsheet import XLSX_MIMETYPE
from ..unit_of_work import unit_of_work
from . import bp
from .forms import ActionForm, EditForm, EntryForm, OutcomeForm, PositionsForm


def _choices() -> dict:
    from sqlalchemy import select

    return {
        "constituencies": db.session.execute(
            select(Constituency.id, Constituency.name).order_by(Constituency.position)
        ).all(),
        "organisations": db.session.execute(
            select(Organisation.id, Organisation.name).order_by(Organisation.name_key)
        ).all(),
    }


@bp.get("/")
@role_required("viewer", reviewers=True)
def index():
    scope = viewer_scope()
    f = log.EntryFilter.from_args(request.args)
    return render_template(
        "dissensus/index.html",
        rows=log.entries(f, scope),
        f=f,
        reviewer=scope.is_reviewer,
        statuses=DISSENSUS_STATUSES,
        outcomes=DISSENSUS_OUTCOMES,
        constituencies=[] if scope.is_reviewer else _choices()["constituencies"],
        can_edit=current_user.has_role("triager"),
    )


@bp.get("/log.xlsx")
@role_required("viewer")
def export():
    f = log.EntryFilter.from_args(request.args)
    data = dissensus_log_xlsx(f, viewer_scope(), internal_notes=current_user.has_role("triager"))
    return send_download(data, "dissensus-log.xlsx", XLSX_MIMETYPE)


@bp.get("/<int:entry_id>")
@role_required("viewer", reviewers=True)
def entry(entry_id: int):
    scope = viewer_scope()
    row = log.entry_for(entry_id, scope)
    if row is None:
        abort(404)  # a reviewer: another organisation's entry is as absent as none
    e = row.entry
    editing = current_user.has_role("triager")
    return render_template(
        "dissensus/entry.html",
        row=row,
        e=e,
        reviewer=scope.is_reviewer,
        meetings=log.meetings(e.id),
        events=log.history(e.id, scope),
        positions=POSITIONS,
        outcomes=DISSENSUS_OUTCOMES,
        statuses=DISSENSUS_STATUSES,
        constituencies=_choices()["constituencies"] if editing else [],
        edit_form=EditForm(formdata=None, obj=e, version=str(e.version)) if editing else None,
        outcome_form=OutcomeForm(formdata=None, obj=e, version=str(e.version)) if editing else None,
        positions_form=PositionsForm(formdata=None) if editing else None,
    )


def _ids(text: str | None) -> list[int]:
    found = []
    for part in (text or "").replace(";", ",").split(","):
        number = positive_int(part.strip().lstrip("#"))
        if part.strip() and number is None:
            raise ServiceError(f"not a comment id: {part.strip()!r}")
        if number is not None:
            found.append(number)
    return found


@bp.route("/new", methods=["GET", "POST"])
@role_required("triager")
def new():
    form = EntryForm()
    if request.method == "POST" and form.validate():
        try:
            with unit_of_work():
                created = log.create_entry(
                    title=form.title.data or "",
                    actor=current_user.email,
                    issue=form.issue.data or "",
                    programme_position=form.programme_position.data or "",
                    artefacts=[a for a in (form.artefacts.data or "").split(",") if a.strip()],
                    comment_ids=_ids(form.comments.data),
                    organisation_id=positive_int(form.organisation.data),
                    constituency_id=positive_int(form.constituency.data),
                    raised_on=form.raised_on.data,
                    internal_note=form.internal_note.data,
                )
        except ServiceError as error:
            flash(f"No entry was opened: {error}.", "error")
        else:
            flash(f"Opened {created.reference}.", "success")
            return redirect(url_for("dissensus.entry", entry_id=created.id))
    elif request.method == "POST":
        flash("No entry was opened: please correct the fields marked below.", "error")
    return render_template("dissensus/new.html", form=form, **_choices())


@bp.post("/from-comment/<int:comment_id>")
@role_required("triager")
def from_comment(comment_id: int):
    if not ActionForm().validate():
        abort(400)
    try:
        with unit_of_work():
            created = log.open_from_comment(comment_id, current_user.email)
    except ServiceError:
        abort(404)
    flash(
        f"Opened {created.reference} from comment #{comment_id}: check and complete it.", "success"
    )
    return redirect(url_for("dissensus.entry", entry_id=created.id))


def _change(entry_id: int, changes: dict, version: str | None, done: str):
    try:
        with unit_of_work():
            changed = log.update_entry(
                entry_id,
                changes,
                actor=current_user.email,
                expected_version=positive_int(version),
            )
    except ServiceError as error:
        flash(f"Nothing was changed: {error}.", "error")
    else:
        flash(done if changed else "Nothing to change.", "success" if changed else "info")
    return redirect(url_for("dissensus.entry", entry_id=entry_id))


@bp.post("/<int:entry_id>")
@role_required("triager")
def edit(entry_id: int):
    form = EditForm()
    if not form.validate():
        flash("Nothing was changed: a title is required.", "error")
        return redirect(url_for("dissensus.entry", entry_id=entry_id))
    changes = {
        name: getattr(form, name).data
        for name in ("title", "issue", "programme_position", "internal_note")
    }
    return _change(entry_id, changes, form.version.data, "Saved.")


@bp.post("/<int:entry_id>/outcome")
@role_required("triager")
def outcome(entry_id: int):
    form = OutcomeForm()
    if not form.validate():
        flash("Nothing was changed: please check the outcome's fields.", "error")
        return redirect(url_for("dissensus.entry", entry_id=entry_id))
    names = ("outcome", "outcome_note", "post_meeting_update", "decided_on", "status")
    changes = {name: getattr(form, name).data for name in names}
    return _change(entry_id, changes, form.version.data, "Outcome saved.")


@bp.post("/<int:entry_id>/positions")
@role_required("triager")
def positions(entry_id: int):
    form = PositionsForm()
    if not form.validate():
        flash("Nothing was recorded: give the meeting's date.", "error")
        return redirect(url_for("dissensus.entry", entry_id=entry_id))
    chosen = {}
    for key, value in request.form.items():
        if key.startswith("c-") and value:
            constituency = positive_int(key[2:])
            if constituency is None or value not in POSITIONS:
                flash("Nothing was recorded: a position was not one of the list.", "error")
                return redirect(url_for("dissensus.entry", entry_id=entry_id))
            chosen[constituency] = value
    try:
        with unit_of_work():
            changed = log.record_positions(
                entry_id, form.meeting_on.data, chosen, actor=current_user.email
            )
    except ServiceError as error:
        flash(f"Nothing was recorded: {error}.", "error")
    else:
        flash(f"Recorded {changed} position{'' if changed == 1 else 's'}.", "success")
    return redirect(url_for("dissensus.entry", entry_id=entry_id))

"""The lifecycle views: thin. Parse (inputs.py, the forms), call a service inside one unit
of work, render or redirect."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from importers import normalise_artefact_ref
from importers.reference import TRANCHES
from importers.vocabulary import ARTEFACT_STATES, DISPOSITIONS, STATE_MOVES

from ..auth import role_required, viewer_scope
from ..downloads.views import send_download
from ..inputs import choice, id_list, positive_int
from ..models import Artefact
from ..services import ServiceError
from ..services.artefacts import artefact_by_reference
from ..services.implementation import mark_all_accepted, mark_implemented, not_implemented_report
from ..services.lifecycle import (
    Change,
    issue_version,
    move_artefacts,
    set_details,
    timeline,
    versions_of,
)
from ..services.outstanding import PARTS, outstanding_of
from ..services.spreadsheet import XLSX_MIMETYPE
from ..services.tracker import (
    TrackerFilter,
    filtered_artefact_ids,
    tracker_choices,
    tracker_rows,
    tracker_xlsx,
)
from ..unit_of_work import unit_of_work
from . import bp
from .forms import KEEP, DetailsForm, ImplementForm, MoveForm, VersionForm


def _artefact(reference: str) -> Artefact:
    canonical = normalise_artefact_ref(reference[:60])
    artefact = artefact_by_reference(canonical) if canonical else None
    if artefact is None:
        abort(404)
    return artefact


def _form_errors(form) -> None:
    for field in form:
        for error in field.errors:
            flash(f"Nothing was changed: {field.label.text}: {error}", "error")


def artefact_lifecycle(artefact: Artefact) -> dict:
    """What the artefact page shows of the lifecycle: state, versions, the timeline, the
    outstanding issues, and the lead's forms."""
    context = {
        "artefact_states": ARTEFACT_STATES,
        "timeline": timeline(artefact.id),
        "versions": versions_of(artefact.id),
        "outstanding": outstanding_of(artefact.id, viewer_scope()),
        "outstanding_parts": PARTS,
        "can_move": current_user.has_role("lead"),
    }
    if context["can_move"]:
        move = MoveForm(formdata=None)
        move.offer_moves_from(artefact.state)
        details = DetailsForm(
            formdata=None,
            data={
                "action_with": artefact.action_with,
                "expected_dag_month": artefact.expected_dag_month,
                "responsible": artefact.responsible,
            },
        )
        context.update(move_form=move, version_form=VersionForm(formdata=None), details=details)
    return context


@bp.post("/artefacts/<reference>/move")
@role_required("lead")
def move(reference: str):
    artefact = _artefact(reference)
    form = MoveForm()
    form.offer_moves_from(artefact.state)
    back = redirect(url_for("artefacts.detail", reference=artefact.reference) + "#lifecycle")
    if not form.validate():
        _form_errors(form)
        return back
    try:
        with unit_of_work():
            report = move_artefacts(
                [artefact.id],
                form.to_state.data or None,
                to_tranche=form.to_tranche.data or None,
                on=form.on.data,
                note=form.note.data,
                decision_ref=(form.decision_ref.data or "").strip() or None,
                version=(form.version.data or "").strip() or None,
                actor=current_user.email,
            )
    except ServiceError as refused:
        flash(f"Nothing was changed: {refused}", "error")
        return back
    if report.moved:
        flash(f"Moved {artefact.reference}.", "success")
    else:
        flash(f"{artefact.reference} is already there: nothing was changed.", "info")
    return back


@bp.post("/artefacts/<reference>/versions")
@role_required("lead")
def add_version(reference: str):
    artefact = _artefact(reference)
    form = VersionForm()
    back = redirect(url_for("artefacts.detail", reference=artefact.reference) + "#versions")
    if not form.validate():
        _form_errors(form)
        return back
    try:
        with unit_of_work():
            change = Change(current_user.email, form.issued_on.data, form.note.data or "")
            version = issue_version(
                artefact.id, form.label.data, issued_on=form.issued_on.data, change=change
            )
            marked = 0
            if form.implement_accepted.data:
                marked = mark_all_accepted(artefact.id, version.id, actor=current_user.email)
            label = version.label
    except ServiceError as refused:
        flash(f"Nothing was changed: {refused}", "error")
        return back
    extra = f"; {marked} accepted change{'s' if marked != 1 else ''} marked implemented in it"
    flash(f"Issued v{label} of {artefact.reference}{extra if marked else ''}.", "success")
    return back


@bp.post("/artefacts/<reference>/details")
@role_required("lead")
def details(reference: str):
    artefact = _artefact(reference)
    form = DetailsForm()
    back = redirect(url_for("artefacts.detail", reference=artefact.reference) + "#lifecycle")
    if not form.validate():
        _form_errors(form)
        return back
    values = {
        "action_with": form.action_with.data,
        "expected_dag_month": form.expected_dag_month.data,
        "responsible": form.responsible.data,
    }
    try:
        with unit_of_work():
            changed = set_details(
                artefact.id, values, change=Change(current_user.email, note=form.note.data or "")
            )
    except ServiceError as refused:
        flash(f"Nothing was changed: {refused}", "error")
        return back
    flash(
        f"Saved {artefact.reference}." if changed else "Nothing to save: no field was changed.",
        "success" if changed else "info",
    )
    return back


# --- the live tracker ------------------------------------------------------------------------


@bp.get("/tracker")
@role_required("viewer")
def tracker():
    f = TrackerFilter.from_args(request.args)
    rows = tracker_rows(f, viewer_scope())
    bulk = None
    if current_user.has_role("lead"):
        bulk = MoveForm(formdata=None)
    return render_template(
        "lifecycle/tracker.html",
        f=f,
        rows=rows,
        bulk=bulk,
        states=ARTEFACT_STATES,
        moves=STATE_MOVES,
        dispositions=DISPOSITIONS,
        parts=PARTS,
        tranches=TRANCHES,
        **tracker_choices(),
    )


@bp.get("/tracker.xlsx")
@role_required("viewer")
def tracker_export():
    f = TrackerFilter.from_args(request.args)
    data = tracker_xlsx(f, viewer_scope())
    name = f"design-artefact-tracker{'-tranche-' + f.tranche if f.tranche else ''}.xlsx"
    return send_download(data, name, XLSX_MIMETYPE)


@bp.post("/tracker/move")
@role_required("lead")
def bulk_move():
    """Move every artefact the tracker's filter picks (the filter rides in the form)."""
    f = TrackerFilter.from_args(request.form)
    back = redirect(url_for("lifecycle.tracker", **f.to_args()))
    form = MoveForm()
    if not form.validate():
        _form_errors(form)
        return back
    ids = filtered_artefact_ids(f)
    expected = positive_int(request.form.get("expected"))
    if not ids:
        flash("Nothing was changed: no artefact matches the filter.", "error")
        return back
    if expected != len(ids):
        flash(
            "Nothing was changed: the artefacts matching the filter changed since the page "
            "was loaded; check the list and move again.",
            "error",
        )
        return back
    try:
        with unit_of_work():
            report = move_artefacts(
                ids,
                form.to_state.data or None,
                to_tranche=form.to_tranche.data or None,
                on=form.on.data,
                note=form.note.data,
                decision_ref=(form.decision_ref.data or "").strip() or None,
                version=(form.version.data or "").strip() or None,
                actor=current_user.email,
            )
    except ServiceError as refused:
        flash(f"Nothing was changed: {refused}", "error")
        return back
    moved = len(report.moved)
    flash(
        f"Moved {moved} artefact{'s' if moved != 1 else ''}"
        + (f"; {len(report.unchanged)} already there" if report.unchanged else "")
        + ".",
        "success",
    )
    return back


# --- accepted changes not yet implemented ------------------------------------------------


@bp.get("/implementation")
@role_required("viewer")
def implementation():
    tranche = choice(request.args.get("tranche"), TRANCHES)
    report = not_implemented_report(viewer_scope(), tranche=tranche)
    return render_template(
        "lifecycle/implementation.html",
        report=report,
        tranche=tranche,
        tranches=TRANCHES,
        can_mark=current_user.has_role("triager"),
        form=ImplementForm(formdata=None),
    )


@bp.post("/implementation/<reference>")
@role_required("triager")
def implement(reference: str):
    artefact = _artefact(reference)
    tranche = choice(request.form.get("tranche"), TRANCHES)
    back = redirect(url_for("lifecycle.implementation", tranche=tranche) + f"#{artefact.reference}")
    form = ImplementForm()
    version_id = positive_int(form.version_id.data)
    ids = id_list(request.form.getlist("comment"))
    if not form.validate() or version_id is None:
        flash("Nothing was changed: choose the version.", "error")
        return back
    if not ids:
        flash("Nothing was changed: tick the comments implemented in that version.", "error")
        return back
    try:
        with unit_of_work():
            marked = mark_implemented(ids, version_id, actor=current_user.email)
    except ServiceError as refused:
        flash(f"Nothing was changed: {refused}", "error")
        return back
    plural = "s" if marked != 1 else ""
    flash(f"Marked {marked} accepted change{plural} of {artefact.reference} done.", "success")
    return back


__all__ = ["KEEP", "artefact_lifecycle"]

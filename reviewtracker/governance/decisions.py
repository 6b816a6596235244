"""The decision log: the list, one decision with its artefacts and the lifecycle move it
carries, and the lead's form (record or edit a decision)."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from importers.governance import normalise_decision_ref, normalise_meeting_ref

from ..auth import role_required, viewer_scope
from ..models import Decision
from ..services import ServiceError
from ..services.decision_moves import RequestedMove, target_states
from ..services.decisions import (
    DecisionFields,
    StaleDecision,
    artefact_ids,
    decision_artefacts,
    decision_by_reference,
    decision_rows,
    edit_decision,
    record_decision,
)
from ..services.meetings import meeting_by_reference, meeting_choices, next_meeting
from ..unit_of_work import unit_of_work
from . import bp
from .args import arg, reference_or_404
from .forms import DecisionForm, split_references
from .views import common


def _extra() -> dict:
    states = target_states()
    return {"states": states, **common()}


@bp.get("/decisions/")
@role_required("viewer", reviewers=True)
def decisions():
    return render_template(
        "governance/decisions.html", rows=decision_rows(viewer_scope()), **_extra()
    )


def _decision_or_404(reference: str) -> Decision:
    canonical = reference_or_404(reference, normalise_decision_ref)
    decision = decision_by_reference(canonical, viewer_scope())
    if decision is None:
        abort(404)  # a reviewer: a decision not public is as absent as an unknown one
    return decision


@bp.get("/decisions/<reference>")
@role_required("viewer", reviewers=True)
def decision(reference: str):
    found = _decision_or_404(reference)
    if found.reference != reference:
        return redirect(url_for("governance.decision", reference=found.reference))
    return render_template(
        "governance/decision.html",
        decision=found,
        artefacts=decision_artefacts(found.id),
        **_extra(),
    )


def _form(found: Decision | None) -> DecisionForm:
    """The form, its selects filled: the meetings, and the lifecycle states if any."""
    if request.method == "POST":
        form = DecisionForm()
    elif found is None:
        upcoming = next_meeting(date.today())
        default = normalise_meeting_ref(arg("meeting", 30)) or getattr(upcoming, "reference", None)
        form = DecisionForm(data={"meeting": default})
    else:
        refs = [row.reference for row in decision_artefacts(found.id)]
        moved = [row.reference for row in decision_artefacts(found.id) if row.moves]
        form = DecisionForm(
            data={
                "area": found.area,
                "text": found.text,
                "public": found.public,
                "artefacts": ", ".join(refs),
                "move_state": found.move_state or "",
                "move_on": found.move_on,
                "move_artefacts": ", ".join(moved),
                "version": str(found.version),
            }
        )
    form.meeting.choices = meeting_choices()
    states = target_states()
    form.move_state.choices = [SelectChoice("", "No lifecycle move")] + [
        SelectChoice(term.key, term.label) for term in states
    ]
    if found is not None:
        del form.meeting
        del form.reference
    return form


def _move(
    form: DecisionForm, fields: DecisionFields, found: Decision | None
) -> RequestedMove | None:
    """The lifecycle move the form asks for (none if no target state is chosen)."""
    if not form.move_state.data:
        return None
    if form.move_on.data is None:
        raise ServiceError("a lifecycle move needs its date")
    moved = split_references(form.move_artefacts.data or "") or fields.artefacts
    return RequestedMove(tuple(artefact_ids(moved)), form.move_state.data, form.move_on.data)


def _fields(form: DecisionForm) -> DecisionFields:
    return DecisionFields(
        text=form.text.data or "",
        area=form.area.data or "",
        public=bool(form.public.data),
        artefacts=split_references(form.artefacts.data or ""),
    )


@bp.route("/decisions/new", methods=["GET", "POST"])
@role_required("lead")
def new_decision():
    if not meeting_choices():
        flash("Add a meeting first: a decision belongs to the meeting that took it.", "info")
        return redirect(url_for("governance.meetings"))
    form = _form(None)
    if request.method == "POST":
        if form.validate():
            made: list[str] = []
            try:
                with unit_of_work():
                    fields = _fields(form)
                    meeting = meeting_by_reference(form.meeting.data)
                    decision = record_decision(
                        meeting.id,
                        fields,
                        current_user.email,
                        reference=form.reference.data or None,
                        move=_move(form, fields, None),
                    )
                    made.append(decision.reference)
            except ServiceError as error:
                flash(f"Nothing was saved: {error}.", "error")
            else:
                flash(f"Decision {made[0]} recorded.", "success")
                return redirect(url_for("governance.decision", reference=made[0]))
        else:
            flash("Nothing was saved: please correct the fields marked below.", "error")
    status = 400 if request.method == "POST" else 200
    return render_template(
        "governance/decision_form.html", form=form, decision=None, **_extra()
    ), status


@bp.route("/decisions/<reference>/edit", methods=["GET", "POST"])
@role_required("lead")
def edit_decision_page(reference: str):
    found = _decision_or_404(reference)
    form = _form(found)
    if request.method == "POST":
        if form.validate():
            try:
                with unit_of_work():
                    fields = _fields(form)
                    edit_decision(
                        found.id,
                        fields,
                        current_user.email,
                        move=_move(form, fields, found),
                        expected_version=int(form.version.data),
                    )
            except StaleDecision as error:
                flash(f"Nothing was saved: {error}. Reload the page and try again.", "error")
            except ServiceError as error:
                flash(f"Nothing was saved: {error}.", "error")
            else:
                flash(f"Decision {found.reference} saved.", "success")
                return redirect(url_for("governance.decision", reference=found.reference))
        else:
            flash("Nothing was saved: please correct the fields marked below.", "error")
    status = 400 if request.method == "POST" else 200
    return render_template(
        "governance/decision_form.html", form=form, decision=found, **_extra()
    ), status

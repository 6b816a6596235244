"""The meetings: their list, each meeting's page (its pack: actions as the papers group them,
those closed since the previous meeting, its decisions) and the same pack as a printable
page. Leads add meetings and set their date and title."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from importers.governance import normalise_meeting_ref
from importers.reference import TRANCHES
from importers.vocabulary import ACTION_STATUSES

from ..auth import role_required, viewer_scope
from ..services import ServiceError
from ..services.meeting_pack import PREVIOUS_MEETINGS, meeting_pack
from ..services.meetings import (
    create_meeting,
    edit_meeting,
    meeting_by_reference,
    meeting_list,
    next_meeting,
)
from ..unit_of_work import unit_of_work
from . import bp
from .args import reference_or_404
from .forms import MeetingEditForm, MeetingForm


def common() -> dict:
    """What every governance page uses: the statuses, who may edit, today."""
    return {
        "statuses": ACTION_STATUSES,
        "can_edit": current_user.has_role("lead"),
        "reviewer": current_user.is_reviewer,
        "today": date.today(),
    }


@bp.route("/meetings/", methods=["GET", "POST"])
@role_required("viewer", reviewers=True)
def meetings():
    form = MeetingForm()
    if request.method == "POST":
        if not current_user.has_role("lead"):
            abort(403)
        if form.validate():
            try:
                with unit_of_work():
                    meeting = create_meeting(
                        form.reference.data, form.held_on.data, form.title.data or ""
                    )
                    reference = meeting.reference
            except ServiceError as error:
                flash(f"Nothing was saved: {error}.", "error")
            else:
                flash(f"Meeting {reference} added.", "success")
                return redirect(url_for("governance.meeting", reference=reference))
        else:
            flash("Nothing was saved: please correct the fields marked below.", "error")
    status = 400 if request.method == "POST" else 200
    return render_template(
        "governance/meetings.html", rows=meeting_list(viewer_scope()), form=form, **common()
    ), status


@bp.get("/meetings/next")
@role_required("viewer", reviewers=True)
def next_pack():
    """The pack for the next meeting: the first held today or later, else the latest."""
    meeting = next_meeting(date.today())
    if meeting is None:
        flash("No meeting yet: add one to see its pack.", "info")
        return redirect(url_for("governance.meetings"))
    return redirect(url_for("governance.meeting", reference=meeting.reference))


def _pack_or_404(reference: str):
    canonical = reference_or_404(reference, normalise_meeting_ref)
    meeting = meeting_by_reference(canonical)
    if meeting is None:
        abort(404)
    return meeting_pack(meeting.id, viewer_scope(), today=date.today())


@bp.route("/meetings/<reference>", methods=["GET", "POST"])
@role_required("viewer", reviewers=True)
def meeting(reference: str):
    pack = _pack_or_404(reference)
    if request.method == "GET":
        form = MeetingEditForm(data={"held_on": pack.meeting.held_on, "title": pack.meeting.title})
    else:
        if not current_user.has_role("lead"):
            abort(403)
        form = MeetingEditForm()
        if form.validate():
            try:
                with unit_of_work():
                    edit_meeting(pack.meeting.id, form.held_on.data, form.title.data or "")
            except ServiceError as error:
                flash(f"Nothing was saved: {error}.", "error")
            else:
                flash(f"Meeting {pack.meeting.reference} saved.", "success")
                return redirect(url_for("governance.meeting", reference=pack.meeting.reference))
        else:
            flash("Nothing was saved: please correct the fields marked below.", "error")
    status = 400 if request.method == "POST" else 200
    return render_template(
        "governance/meeting.html",
        pack=pack,
        form=form,
        previous_heading=PREVIOUS_MEETINGS,
        tranches=TRANCHES,
        **common(),
    ), status


@bp.get("/meetings/<reference>/print")
@role_required("viewer", reviewers=True)
def meeting_print(reference: str):
    """The pack as a page to print (or save as PDF from the browser's print dialogue)."""
    pack = _pack_or_404(reference)
    return render_template(
        "governance/print.html", pack=pack, previous_heading=PREVIOUS_MEETINGS, **common()
    )

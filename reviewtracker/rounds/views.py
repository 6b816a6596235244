"""The round views: thin. Parse (inputs.py, the forms), call a service (inside one unit of
work for a change), render or redirect."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from importers.reference import TRANCHES
from importers.vocabulary import DISPOSITIONS, ROUND_DIFF, ROUND_STATES, SUBMISSION_KINDS

from ..auth import role_required, viewer_scope
from ..downloads.views import send_download
from ..inputs import choice, id_list, positive_int, text_block
from ..services import ServiceError
from ..services.engagement import engagement_xlsx, round_engagement
from ..services.repeats import accept_suggestions, link_repeat, suggest_repeats
from ..services.round_diff import round_diff, round_diff_xlsx
from ..services.round_lists import (
    artefact_choices,
    carried_comments,
    invited_ids,
    organisation_choices,
    round_versions,
)
from ..services.rounds import (
    RoundPlan,
    close_round,
    create_round,
    get_round,
    import_invitations,
    invite,
    list_rounds,
    round_artefacts,
    round_state,
    start_next_round,
)
from ..services.spreadsheet import XLSX_MIMETYPE
from ..services.submission_records import invited_organisations, round_extensions, round_submissions
from ..submissions.forms import ExtensionForm
from ..unit_of_work import unit_of_work
from . import bp
from .forms import AcceptRepeatsForm, CloseForm, InviteForm, LinkRepeatForm, RoundForm

MAX_LIST_BYTES = 2_000_000


def _round(round_id: int):
    try:
        return get_round(round_id)
    except ServiceError:
        abort(404)


def _flash_errors(form) -> None:
    for field in form:
        for error in field.errors:
            flash(f"{field.label.text}: {error}", "error")


@bp.get("/")
@role_required("viewer")
def index():
    tranche = choice(request.args.get("tranche"), TRANCHES)
    return render_template(
        "rounds/index.html",
        rounds=list_rounds(date.today(), tranche),
        tranche=tranche,
        tranches=TRANCHES,
        states=ROUND_STATES,
        can_create=current_user.has_role("lead"),
    )


def _selected_artefacts() -> dict[str, str | None]:
    """The ticked artefacts and the version typed beside each (blank: its current one)."""
    chosen = {}
    for value in request.form.getlist("artefact")[:500]:
        reference = text_block(value, 20)
        if reference:
            version = text_block(request.form.get(f"version-{reference}"), 21)
            chosen[reference] = version or None
    return chosen


def _invitation_list(form) -> tuple[bytes, str] | None:
    upload = form.invitation_list.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    return upload.read(MAX_LIST_BYTES + 1), text_block(upload.filename, 200) or "list"


def _apply_list(round_id: int, listed: tuple[bytes, str] | None) -> list[str]:
    """Invite the organisations of an uploaded list; the problems, if any (nothing invited)."""
    if listed is None:
        return []
    data, name = listed
    if len(data) > MAX_LIST_BYTES:
        return [f"{name}: the list is over {MAX_LIST_BYTES // 1_000_000} MB"]
    result = import_invitations(round_id, data, name)
    return [str(p) for p in result.problems if p.severity == "error"]


def _round_form_page(form, *, earlier=None, status: int = 200):
    tranche = form.tranche.data if form.tranche.data in TRANCHES else TRANCHES[0]
    chosen = (
        set(request.form.getlist("artefact"))
        if request.method == "POST"
        else set(round_versions(earlier.id))
        if earlier
        else set()
    )
    ticked = (
        set(id_list(request.form.getlist("organisation")))
        if request.method == "POST"
        else invited_ids(earlier.id)
        if earlier
        else set()
    )
    return (
        render_template(
            "rounds/form.html",
            form=form,
            earlier=earlier,
            artefacts=artefact_choices(tranche),
            chosen=chosen,
            organisations=organisation_choices(),
            ticked=ticked,
        ),
        status,
    )


def _plan(form) -> RoundPlan:
    return RoundPlan(
        tranche=form.tranche.data,
        number=form.number.data,
        opens_on=form.opens_on.data,
        closes_on=form.closes_on.data,
        name=form.name.data or "",
        scope_note=form.scope_note.data or "",
        artefacts=_selected_artefacts(),
        organisation_ids=id_list(request.form.getlist("organisation")),
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required("lead")
def new():
    form = RoundForm()
    if request.method == "GET":
        form.tranche.data = choice(request.args.get("tranche"), TRANCHES) or TRANCHES[0]
        form.number.data = positive_int(request.args.get("number"), 20) or 1
        return _round_form_page(form)
    if request.form.get("refresh") or not form.validate():
        if not request.form.get("refresh"):
            _flash_errors(form)
        return _round_form_page(form, status=200 if request.form.get("refresh") else 400)
    listed = _invitation_list(form)
    try:
        with unit_of_work() as work:
            created = create_round(_plan(form), actor=current_user.email)
            problems = _apply_list(created.id, listed)
            if problems:
                work.discard()
            round_id = created.id
    except ServiceError as refused:
        flash(f"Nothing was created: {refused}", "error")
        return _round_form_page(form, status=400)
    if problems:
        for problem in problems:
            flash(problem, "error")
        flash("Nothing was created: correct the list, or tick the organisations.", "error")
        return _round_form_page(form, status=400)
    flash("Round created.", "success")
    return redirect(url_for("rounds.detail", round_id=round_id))


@bp.route("/<int(max=2147483647):round_id>/next", methods=["GET", "POST"])
@role_required("lead")
def next_round(round_id: int):
    earlier = _round(round_id)
    form = RoundForm()
    code = earlier.tranche.code
    if request.method == "GET":
        form.tranche.data, form.number.data = code, earlier.number + 1
        return _round_form_page(form, earlier=earlier)
    form.tranche.data = code
    if not form.validate():
        _flash_errors(form)
        return _round_form_page(form, earlier=earlier, status=400)
    try:
        with unit_of_work():
            new_round, carried = start_next_round(round_id, _plan(form), actor=current_user.email)
            new_id = new_round.id
    except ServiceError as refused:
        flash(f"Nothing was created: {refused}", "error")
        return _round_form_page(form, earlier=earlier, status=400)
    flash(f"Round started; {carried} unresolved comment(s) carried forward.", "success")
    return redirect(url_for("rounds.detail", round_id=new_id))


@bp.get("/<int(max=2147483647):round_id>")
@role_required("viewer")
def detail(round_id: int):
    review_round = _round(round_id)
    scope = viewer_scope()
    today = date.today()
    engagement = round_engagement(round_id, today, scope)
    numbers = [r.number for r in list_rounds(today, review_round.tranche.code)]
    earlier_numbers = [n for n in numbers if n < review_round.number]
    return render_template(
        "rounds/detail.html",
        round=review_round,
        state=round_state(review_round, today),
        states=ROUND_STATES,
        artefacts=round_artefacts(round_id),
        engagement=engagement,
        carried=carried_comments(round_id, scope),
        dispositions=DISPOSITIONS,
        # Read from every comment in the round: a page of its own, loaded after this one.
        progress_url=url_for(
            "dashboard.progress_panel",
            code=review_round.tranche.code,
            number=review_round.number,
        ),
        earlier_numbers=earlier_numbers,
        latest=review_round.number >= max(numbers, default=0),  # only the latest has a next
        can_lead=current_user.has_role("lead"),
        can_triage=current_user.has_role("triager"),
        close_form=CloseForm(formdata=None, data={"on": today}),
        invite_form=InviteForm(formdata=None),
        organisations=organisation_choices(),
        invited=invited_ids(round_id),
        submissions=round_submissions(round_id, scope),
        extensions=round_extensions(round_id),
        extension_form=_extension_form(round_id, today),
        kinds=SUBMISSION_KINDS,
    )


def _extension_form(round_id: int, today: date) -> ExtensionForm:
    form = ExtensionForm(formdata=None, data={"until": today})
    form.organisation.choices = invited_organisations(round_id)
    return form


@bp.post("/<int(max=2147483647):round_id>/close")
@role_required("lead")
def close(round_id: int):
    _round(round_id)
    form = CloseForm()
    if not form.validate():
        _flash_errors(form)
    else:
        try:
            with unit_of_work():
                close_round(round_id, form.on.data)
            flash("Round closed.", "success")
        except ServiceError as refused:
            flash(f"Nothing was changed: {refused}", "error")
    return redirect(url_for("rounds.detail", round_id=round_id))


@bp.post("/<int(max=2147483647):round_id>/invitations")
@role_required("lead")
def invitations(round_id: int):
    _round(round_id)
    form = InviteForm()
    ids = id_list(request.form.getlist("organisation"))
    listed = _invitation_list(form) if form.validate() else None
    try:
        with unit_of_work() as work:
            added = invite(round_id, ids)
            problems = _apply_list(round_id, listed)
            if problems:
                work.discard()
    except ServiceError as refused:
        flash(f"Nothing was changed: {refused}", "error")
        return redirect(url_for("rounds.detail", round_id=round_id) + "#engagement")
    for problem in problems:
        flash(problem, "error")
    if not problems:
        flash(f"Invitations saved ({added} organisation(s) ticked were new).", "success")
    return redirect(url_for("rounds.detail", round_id=round_id) + "#engagement")


@bp.get("/<int(max=2147483647):round_id>/engagement.json")
@role_required("viewer")
def engagement_json(round_id: int):
    _round(round_id)
    return jsonify(round_engagement(round_id, date.today(), viewer_scope()).as_json())


@bp.get("/<int(max=2147483647):round_id>/engagement.xlsx")
@role_required("viewer")
def engagement_export(round_id: int):
    review_round = _round(round_id)
    data = engagement_xlsx(round_engagement(round_id, date.today(), viewer_scope()))
    name = f"engagement-tranche-{review_round.tranche.code}-round-{review_round.number}.xlsx"
    return send_download(data, name, XLSX_MIMETYPE)


# --- repeats -------------------------------------------------------------------------------


@bp.get("/<int(max=2147483647):round_id>/repeats")
@role_required("triager")
def repeats(round_id: int):
    review_round = _round(round_id)
    return render_template(
        "rounds/repeats.html",
        round=review_round,
        suggestions=suggest_repeats(round_id, viewer_scope()),
        accept_form=AcceptRepeatsForm(formdata=None),
        link_form=LinkRepeatForm(formdata=None),
    )


@bp.post("/<int(max=2147483647):round_id>/repeats/link")
@role_required("triager")
def link(round_id: int):
    _round(round_id)
    form = LinkRepeatForm()
    back = redirect(url_for("rounds.repeats", round_id=round_id))
    if not form.validate():
        flash("Nothing was linked: the form was incomplete; reload the page.", "error")
        return back
    try:
        with unit_of_work():
            link_repeat(form.comment_id.data, form.repeats_id.data, actor=current_user.email)
    except ServiceError as refused:
        flash(f"Nothing was linked: {refused}", "error")
        return back
    flash(f"#{form.comment_id.data} linked: repeats #{form.repeats_id.data}.", "success")
    return back


@bp.post("/<int(max=2147483647):round_id>/repeats/accept")
@role_required("triager")
def accept(round_id: int):
    _round(round_id)
    form = AcceptRepeatsForm()
    back = redirect(url_for("rounds.repeats", round_id=round_id))
    if not form.validate():
        _flash_errors(form)
        return back
    with unit_of_work():
        linked = accept_suggestions(
            round_id, float(form.above.data), actor=current_user.email, scope=viewer_scope()
        )
    flash(f"Linked {linked} repeat(s) scoring {form.above.data} or more.", "success")
    return back


# --- the round diff ------------------------------------------------------------------------


def _diff(round_id: int):
    review_round = _round(round_id)
    earlier = positive_int(request.args.get("from"), 20) or review_round.number - 1
    if earlier < 1 or earlier >= review_round.number:
        abort(404)
    try:
        return review_round, round_diff(
            review_round.tranche.code, earlier, review_round.number, viewer_scope()
        )
    except ServiceError:
        abort(404)


@bp.get("/<int(max=2147483647):round_id>/diff")
@role_required("viewer")
def diff(round_id: int):
    review_round, table = _diff(round_id)
    return render_template(
        "rounds/diff.html", round=review_round, diff=table, categories=ROUND_DIFF
    )


@bp.get("/<int(max=2147483647):round_id>/diff.json")
@role_required("viewer")
def diff_json(round_id: int):
    _review_round, table = _diff(round_id)
    return jsonify(table.as_json())


@bp.get("/<int(max=2147483647):round_id>/diff.xlsx")
@role_required("viewer")
def diff_export(round_id: int):
    review_round, table = _diff(round_id)
    name = f"round-diff-tranche-{table.tranche}-{table.from_round}-to-{table.to_round}.xlsx"
    return send_download(round_diff_xlsx(table), name, XLSX_MIMETYPE)

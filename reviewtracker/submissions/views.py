"""The submission views: thin. A reviewer's views confine them to their own organisation (its
scope) and their own drafts and uploads (their user id); parse, call a service, render.

Upload -> preview -> submit reuses the design team's import: the same upload checks (size,
type, hostile workbooks: imports.views.read_uploads), the same staging of the file between
the preview and the submit (imports/staging.py, an upload of kind "submission" owned by the
reviewer), the same reader, checks and problem list (imports.views.FilePreview)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from importers.vocabulary import ROUND_STATES, SUBMISSION_KINDS

from ..auth import role_required, viewer_scope
from ..downloads.views import send_download
from ..imports import staging
from ..imports.views import (
    FIELD_LABELS,
    PREVIEW_ROWS,
    FilePreview,
    chosen_columns,
    read_uploads,
)
from ..services import ServiceError
from ..services.rounds import get_round
from ..services.scope import Scope
from ..services.spreadsheet import CSV_MIMETYPE, XLSX_MIMETYPE
from ..services.submission_audit import (
    UPLOAD,
    Throttled,
    check_throttle,
    record_event,
)
from ..services.submission_drafts import (
    DraftValues,
    NoSuchDraft,
    author_drafts,
    delete_draft,
    get_draft,
    save_draft,
    submit_drafts,
    template_xlsx,
)
from ..services.submission_records import (
    grant_extension,
    invited_organisations,
    round_submissions,
    submission_copy,
)
from ..services.submissions import (
    NOT_FROM_REVIEWERS,
    NoSuchRound,
    RoundWindow,
    Submitter,
    check_log,
    invited_rounds,
    open_window,
    record_refusal,
    reviewer_columns,
    reviewer_window,
    submission_options,
    submit_log,
)
from ..unit_of_work import unit_of_work
from . import bp
from .forms import ActionForm, DraftForm, ExtensionForm, LogUploadForm

SUBMISSIONS = staging.SUBMISSIONS  # the staged upload's kind: never the design team's preview's
# The fields a reviewer may choose a column for (the rest are the round's or the design team's).
REVIEWER_FIELDS = {k: v for k, v in FIELD_LABELS.items() if k not in NOT_FROM_REVIEWERS}
ID = "<int(max=2147483647):{}>"


def reviewer_only(view: Callable) -> Callable:
    """A reviewer's own page: staff have no organisation to submit for (403)."""

    @role_required("admin", reviewers=True)
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_reviewer:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _scope() -> Scope:
    return viewer_scope()


def _submitter() -> Submitter:
    return Submitter(current_user.id, current_user.email)


def _window(round_id: int) -> RoundWindow:
    try:
        return reviewer_window(round_id, _scope(), date.today())
    except NoSuchRound:
        abort(404)


def _back(round_id: int, anchor: str | None = None):
    return redirect(url_for("submissions.round_page", round_id=round_id, _anchor=anchor))


def _draft_form(artefact_id: int, **kwargs) -> DraftForm:
    return DraftForm(prefix=f"a{artefact_id}", **kwargs)


@bp.get("/")
@reviewer_only
def index():
    today = date.today()
    return render_template(
        "submissions/index.html",
        windows=invited_rounds(_scope(), today),
        today=today,
        states=ROUND_STATES,
    )


@bp.get(f"/rounds/{ID.format('round_id')}")
@reviewer_only
def round_page(round_id: int):
    window = _window(round_id)
    today = date.today()
    drafts = author_drafts(round_id, current_user.id, _scope())
    return render_template(
        "submissions/round.html",
        window=window,
        today=today,
        refusal=window.refusal(today),
        states=ROUND_STATES,
        kinds=SUBMISSION_KINDS,
        upload_form=LogUploadForm(formdata=None),
        action_form=ActionForm(formdata=None),
        draft_forms={
            a.artefact_id: _draft_form(a.artefact_id, formdata=None) for a in window.artefacts
        },
        drafts=drafts,
        open_drafts=[d for d in drafts if not d.locked],
        submissions=round_submissions(round_id, _scope()),
    )


@bp.get(f"/rounds/{ID.format('round_id')}/template.xlsx")
@reviewer_only
def template(round_id: int):
    window = _window(round_id)
    name = f"comment-log-tranche-{window.tranche}-round-{window.number}.xlsx"
    return send_download(template_xlsx(window), name, XLSX_MIMETYPE)


def _open_or_refuse(round_id: int) -> RoundWindow | None:
    """The round if the reviewer may submit to it now (flashes why not, else)."""
    try:
        window = open_window(round_id, _scope(), date.today())
        check_throttle(current_user.id)
    except NoSuchRound:
        abort(404)
    except (ServiceError, Throttled) as refused:
        flash(str(refused), "error")
        return None
    return window


@bp.post(f"/rounds/{ID.format('round_id')}/upload")
@reviewer_only
def upload(round_id: int):
    window = _open_or_refuse(round_id)
    if window is None:
        return _back(round_id)
    form = LogUploadForm()
    if not form.validate():
        flash("The form expired: upload the log again.", "error")
        return _back(round_id, "upload")
    files, errors = read_uploads([form.file.data], missing="Choose your log (.xlsx or .csv).")
    if len(files) > 1:
        errors.append("Upload one log at a time.")
    for error in errors:
        flash(error, "error")
    with unit_of_work():  # every upload is audited, and counts for the throttle
        detail = files[0][0] if files else "no file"
        record_event(UPLOAD, **_who(window), detail=f"{detail}{': refused' if errors else ''}")
    if errors:
        return _back(round_id, "upload")
    options = {"round_id": round_id, "organisation_id": window.organisation_id}
    with unit_of_work():
        read_with = submission_options(window, current_user.email)  # read once, kept
        staged = staging.stage(files, options, current_user.id, SUBMISSIONS, read_with)
    return redirect(url_for("submissions.preview", token=staged.token))


def _who(window: RoundWindow) -> dict:
    return {
        "actor": current_user.email,
        "user_id": current_user.id,
        "organisation_id": window.organisation_id,
        "round_id": window.round_id,
    }


def _staged(token: str) -> tuple[staging.Upload, RoundWindow] | None:
    """The reviewer's own staged log and its round, or None (flashed) if it is gone."""
    upload = staging.load(token, current_user.id, SUBMISSIONS)
    if upload is None or upload.options.get("organisation_id") != current_user.organisation_id:
        flash(
            "That upload is no longer available: it was submitted or cancelled, or is more "
            "than a day old. Upload your log again.",
            "error",
        )
        return None
    round_id = upload.options.get("round_id")
    return upload, _window(round_id if isinstance(round_id, int) else 0)


def _parsed(upload: staging.Upload, window: RoundWindow):
    staged = upload.files[0]
    options = submission_options(window, current_user.email, staged.overrides)
    return staged, staging.parsed_log(upload, staged, options)


@bp.get("/preview/<token>")
@reviewer_only
def preview(token: str):
    found = _staged(token)
    if found is None:
        return redirect(url_for("submissions.index"))
    upload, window = found
    today = date.today()
    staged, parsed = _parsed(upload, window)
    report = check_log(parsed, window, current_user.email, today, sample_rows=PREVIEW_ROWS)
    return render_template(
        "submissions/preview.html",
        upload=upload,
        window=window,
        preview=FilePreview(1, staged, report),
        report=report,
        refusal=window.refusal(today),
        late=window.late(today),
        fields=REVIEWER_FIELDS,
        action_form=ActionForm(formdata=None),
    )


@bp.post("/preview/<token>/columns")
@reviewer_only
def columns(token: str):
    """Check the staged log again with the reviewer's choice of column per field: a log
    whose headers were not recognised, or were read from the wrong column. A read of the
    file again, so audited and throttled like an upload."""
    found = _staged(token)
    if found is None:
        return redirect(url_for("submissions.index"))
    upload, window = found
    if _open_or_refuse(window.round_id) is None:
        return redirect(url_for("submissions.preview", token=token))
    staged = upload.files[0]
    overrides = {} if "reset" in request.form else reviewer_columns(chosen_columns(request.form))
    what = "columns chosen" if overrides else "columns read automatically"
    with unit_of_work():
        record_event(UPLOAD, **_who(window), detail=f"{staged.name}: read again, {what}")
        read_with = submission_options(window, current_user.email, overrides)
        staging.choose_columns(upload, staged, overrides, read_with)
    flash(f"{staged.name}: {what}; checked again with them below.", "info")
    return redirect(url_for("submissions.preview", token=token, _anchor="columns"))


@bp.post("/preview/<token>/submit")
@reviewer_only
def submit(token: str):
    found = _staged(token)
    if found is None or not ActionForm().validate():
        return redirect(url_for("submissions.index"))
    upload, window = found
    if _open_or_refuse(window.round_id) is None:
        return redirect(url_for("submissions.preview", token=token))
    staged, parsed = _parsed(upload, window)
    content = staging.file_bytes(staged)
    report = submit_log(parsed, content, window, _submitter(), date.today())
    if not report.written:
        with unit_of_work():
            record_refusal(report, window, _submitter())
        flash(
            f"{staged.name}: not submitted, it has errors; fix them and upload it again.", "error"
        )
        return redirect(url_for("submissions.preview", token=token))
    with unit_of_work():
        staging.discard(upload)
    flash(_submitted_message(report, window), "success")
    return _back(window.round_id, "submissions")


def _submitted_message(report, window: RoundWindow) -> str:
    late = (
        " It arrived after the closing date and is flagged late."
        if window.late(date.today())
        else ""
    )
    return (
        f"Submitted to {window.title}: {report.added} new comment(s), {report.updated} updated, "
        f"{report.unchanged} unchanged. The design team has it now.{late}"
    )


@bp.post("/preview/<token>/cancel")
@reviewer_only
def cancel(token: str):
    upload = staging.load(token, current_user.id, SUBMISSIONS)
    round_id = upload.options.get("round_id") if upload is not None else None
    if upload is not None and ActionForm().validate():
        with unit_of_work():
            staging.discard(upload)
        flash("Upload discarded: nothing was submitted.", "info")
    if isinstance(round_id, int):
        return _back(round_id, "upload")
    return redirect(url_for("submissions.index"))


# --- drafts --------------------------------------------------------------------------------


def _values(form: DraftForm, artefact_id: int) -> DraftValues:
    return DraftValues(
        artefact_id=artefact_id,
        comment=form.comment.data or "",
        section=form.section.data or "",
        page=form.page.data or "",
        line=form.line.data or "",
        proposed_change=form.proposed_change.data or "",
        comment_type=form.comment_type.data or "",
    )


def _form_errors(form) -> None:
    for field in form:
        for error in field.errors:
            flash(f"{field.label.text}: {error}", "error")


@bp.post(f"/rounds/{ID.format('round_id')}/artefacts/{ID.format('artefact_id')}/drafts")
@reviewer_only
def new_draft(round_id: int, artefact_id: int):
    window = _window(round_id)
    if artefact_id not in {a.artefact_id for a in window.artefacts}:
        abort(404)
    form = _draft_form(artefact_id)
    anchor = f"artefact-{artefact_id}"
    if not form.validate():
        _form_errors(form)
        return _back(round_id, anchor)
    try:
        with unit_of_work():
            save_draft(window, _submitter(), _values(form, artefact_id))
    except ServiceError as refused:
        flash(f"Not saved: {refused}.", "error")
    else:
        flash("Draft saved: only you can see it until you submit your drafts.", "success")
    return _back(round_id, anchor)


@bp.route(f"/drafts/{ID.format('draft_id')}", methods=["GET", "POST"])
@reviewer_only
def edit_draft(draft_id: int):
    try:
        draft = get_draft(draft_id, current_user.id, _scope())
    except NoSuchDraft:
        abort(404)
    round_id = draft.review_round_id
    window = _window(round_id)
    form = _draft_form(draft.artefact_id, obj=None if request.method == "POST" else draft)
    if request.method == "POST" and form.validate():
        try:
            with unit_of_work():
                save_draft(window, _submitter(), _values(form, draft.artefact_id), draft_id)
        except NoSuchDraft:
            abort(404)
        except ServiceError as refused:
            flash(f"Not saved: {refused}.", "error")
        else:
            flash("Draft saved.", "success")
            return _back(round_id, f"artefact-{draft.artefact_id}")
    status = 400 if request.method == "POST" else 200
    page = render_template(
        "submissions/draft.html",
        window=window,
        draft=draft,
        form=form,
        action_form=ActionForm(formdata=None),
    )
    return page, status


@bp.post(f"/drafts/{ID.format('draft_id')}/delete")
@reviewer_only
def remove_draft(draft_id: int):
    if not ActionForm().validate():
        abort(400)
    try:
        with unit_of_work():
            round_id = delete_draft(draft_id, _submitter(), _scope())
    except NoSuchDraft:
        abort(404)
    flash("Draft deleted.", "info")
    return _back(round_id, "drafts")


@bp.post(f"/rounds/{ID.format('round_id')}/drafts/submit")
@reviewer_only
def submit_form_drafts(round_id: int):
    _window(round_id)
    if not ActionForm().validate():
        abort(400)
    window = _open_or_refuse(round_id)
    if window is None:
        return _back(round_id, "drafts")
    try:
        report = submit_drafts(window, _submitter(), date.today())
    except ServiceError as refused:
        flash(f"Nothing was submitted: {refused}.", "error")
        return _back(round_id, "drafts")
    if not report.written:
        with unit_of_work():
            record_refusal(report, window, _submitter())
        for problem in report.errors:
            flash(str(problem), "error")
        return _back(round_id, "drafts")
    flash(_submitted_message(report, window), "success")
    return _back(round_id, "submissions")


# --- a copy of a submission; a lead's extension ----------------------------------------------


@bp.get(f"/{ID.format('submission_id')}/copy")
@role_required("triager", reviewers=True)
def copy(submission_id: int):
    """What was submitted, as submitted: the reviewer's organisation's, or any for the staff."""
    try:
        name, content = submission_copy(submission_id, _scope())
    except NoSuchRound:
        abort(404)
    mimetype = XLSX_MIMETYPE if name.lower().endswith(".xlsx") else CSV_MIMETYPE
    return send_download(content, name, mimetype)


@bp.post(f"/rounds/{ID.format('round_id')}/extensions")
@role_required("lead")
def extend(round_id: int):
    try:
        get_round(round_id)
    except ServiceError:
        abort(404)
    form = ExtensionForm()
    form.organisation.choices = invited_organisations(round_id)
    anchor = "extensions"
    if not form.validate():
        _form_errors(form)
        return redirect(url_for("rounds.detail", round_id=round_id, _anchor=anchor))
    try:
        with unit_of_work():
            grant_extension(
                round_id,
                form.organisation.data,
                form.until.data,
                actor=current_user.email,
                user_id=current_user.id,
                note=form.note.data or "",
            )
    except ServiceError as refused:
        flash(f"No extension granted: {refused}.", "error")
    else:
        flash(f"Extension granted until {form.until.data:%d %B %Y}.", "success")
    return redirect(url_for("rounds.detail", round_id=round_id, _anchor=anchor))

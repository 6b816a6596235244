"""The artefact register in the browser: upload -> preview (a dry run) -> confirm.

The same service as `reviewtracker import-artefacts` (services/artefact_import.py), which
flushes; each file's import here is one unit of work. The upload is staged like comment logs'
(staging.py, in the database), with the file as read at the upload kept with it. A register
uploaded among comment logs arrives here from their upload (views._to_register), and its
confirm leads on to the logs.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth import role_required
from ..services.artefact_import import RegisterReport, import_artefact_register
from ..services.artefacts import register_state
from ..unit_of_work import unit_of_work
from . import bp, staging
from .forms import RegisterUploadForm
from .views import GONE, PREVIEW_ROWS, read_uploads

MISSING = "Choose the artefact register (.xlsx or .csv) to upload."


@dataclass(slots=True)
class RegisterPreview:
    index: int  # 1-based position in the upload
    staged: staging.StagedLog
    report: RegisterReport

    @property
    def read_sheets(self) -> list:
        return [sheet for sheet in self.report.sheets if sheet.header_row is not None]


def _load(token: str) -> staging.Upload | None:
    upload = staging.load(token, current_user.id, staging.ARTEFACT_REGISTERS)
    if upload is None:
        flash(GONE.replace("Upload the log", "Upload the register"), "error")
    return upload


def _waiting(upload: staging.Upload) -> staging.Upload | None:
    """The comment logs uploaded with the register, if they are still staged."""
    then = upload.options.get("then")
    return staging.load(str(then), current_user.id, staging.COMMENT_LOGS) if then else None


@bp.route("/register", methods=["GET", "POST"])
@role_required("triager")
def register():
    form = RegisterUploadForm()
    if form.validate_on_submit():
        files, errors = read_uploads([form.file.data], MISSING)
        if not errors:
            with unit_of_work():  # read here, once, and kept with the upload
                upload = staging.stage(files, {}, current_user.id, staging.ARTEFACT_REGISTERS)
            return redirect(url_for(".register_preview", token=upload.token))
        form.file.errors = [*form.file.errors, *errors]
    status = 400 if request.method == "POST" else 200
    page = render_template("imports/register_upload.html", form=form, state=register_state())
    return page, status


@bp.get("/register/<token>")
@role_required("triager")
def register_preview(token: str):
    upload = _load(token)
    if upload is None:
        return redirect(url_for(".register"))
    previews = [
        RegisterPreview(
            index,
            staged,
            import_artefact_register(
                staging.parsed_register(upload, staged), dry_run=True, sample_rows=PREVIEW_ROWS
            ),
        )
        for index, staged in enumerate(upload.files, start=1)
    ]
    return render_template(
        "imports/register_preview.html",
        upload=upload,
        previews=previews,
        ready=[p for p in previews if p.report.ok],
        waiting=_waiting(upload),
    )


@bp.post("/register/<token>/confirm")
@role_required("triager")
def register_confirm(token: str):
    """Import each file of the upload in a unit of work of its own, as the CLI does."""
    upload = _load(token)
    if upload is None:
        return redirect(url_for(".register"))
    reports = []
    for staged in upload.files:
        parsed = staging.parsed_register(upload, staged)
        with unit_of_work():
            reports.append(import_artefact_register(parsed, actor=current_user.email))
    written = [report for report in reports if report.written]
    refused = [report.file for report in reports if not report.written]
    if written:
        flash(_imported(written), "success")
    if refused:
        flash(
            f"Not imported, it has errors (nothing from it was written): {', '.join(refused)}",
            "error",
        )
    if not written:
        return redirect(url_for(".register_preview", token=token))
    waiting = _waiting(upload)
    with unit_of_work():
        staging.discard(upload)
    if waiting is not None:
        flash("Now the comment logs uploaded with the register: check them and import.", "info")
        return redirect(url_for(".preview", token=waiting.token))
    return redirect(url_for("artefacts.index"))


def _imported(reports: list[RegisterReport]) -> str:
    added, updated = sum(r.added for r in reports), sum(r.updated for r in reports)
    unchanged = sum(r.unchanged for r in reports)
    names = ", ".join(report.file for report in reports)
    made = sorted({name for report in reports for name in report.services_created})
    services = f"; new services: {', '.join(made)}" if made else ""
    return (
        f"{names}: artefacts added {added:,}, updated {updated:,}, unchanged {unchanged:,}"
        f"{services}."
    )


@bp.post("/register/<token>/cancel")
@role_required("triager")
def register_cancel(token: str):
    upload = staging.load(token, current_user.id, staging.ARTEFACT_REGISTERS)
    waiting = _waiting(upload) if upload is not None else None
    if upload is not None:
        with unit_of_work():
            staging.discard(upload)
    flash("Register discarded: nothing was imported.", "info")
    if waiting is not None:
        return redirect(url_for(".preview", token=waiting.token))
    return redirect(url_for(".register"))

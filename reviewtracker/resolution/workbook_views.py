"""The resolutions workbook in the browser: download it for the list's filter, upload it back,
see the preview (changed, unchanged, unmatched, unreadable values, conflicts side by side),
choose the fields and the conflicts to take, apply."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from importers.resolutions import EDITABLE, read_resolutions

from ..auth import role_required, viewer_scope
from ..downloads.views import send_download
from ..imports import staging
from ..inputs import positive_int
from ..services import ServiceError
from ..services.comment_filter import CommentFilter
from ..services.resolutions_import import LABELS, apply_resolutions, plan_resolutions
from ..services.resolutions_workbook import BY, resolutions_workbook, workbook_filename
from ..services.spreadsheet import XLSX_MIMETYPE
from ..unit_of_work import unit_of_work
from . import bp
from .forms import ApplyForm, UploadForm


@bp.get("/resolutions/workbook.xlsx")
@role_required("triager")
def export_workbook():
    """The list's filter arguments, and ?by=artefact|group for a sheet each."""
    f = CommentFilter.from_args(request.args, viewer_scope())
    by = request.args.get("by")
    by = by if by in BY else None
    data = resolutions_workbook(f, by=by)
    return send_download(data, workbook_filename(f, by), XLSX_MIMETYPE)


@bp.route("/resolutions/import", methods=["GET", "POST"])
@role_required("triager")
def import_workbook():
    form = UploadForm()
    if request.method == "GET":
        return render_template("resolution/import.html", form=form)
    upload = request.files.get("workbook")
    if not form.validate() or upload is None or not upload.filename:
        flash("Choose the resolutions workbook (.xlsx) to upload.", "error")
        return render_template("resolution/import.html", form=form), 400
    name = staging.display_name(upload.filename)
    data = upload.read()
    refused = staging.check_file(name, data)
    if refused is None and not name.lower().endswith(".xlsx"):
        refused = f"{name}: a resolutions workbook is an .xlsx file"
    if refused:
        flash(refused, "error")
        return render_template("resolution/import.html", form=form), 400
    with unit_of_work():
        staged = staging.stage([(name, data)], {}, current_user.id, staging.RESOLUTIONS)
    return redirect(url_for("resolution.preview", token=staged.token))


def _staged(token: str):
    upload = staging.load(token, current_user.id, staging.RESOLUTIONS)
    if upload is None or not upload.files:
        abort(404)
    staged = upload.files[0]
    return upload, staged, staging.file_bytes(staged)


def _fields(values: list[str]) -> list[str] | None:
    chosen = [name for name in values if name in EDITABLE]
    return chosen or None


@bp.get("/resolutions/import/<token>")
@role_required("triager")
def preview(token: str):
    upload, staged, data = _staged(token)
    read = read_resolutions(data, filename=staged.name)
    fields = _fields(request.args.getlist("fields"))
    try:
        plan = plan_resolutions(read, fields)
    except ServiceError as error:
        flash(str(error), "error")
        plan = plan_resolutions(read, None)
    present = sorted(
        {name for record in read.records for name in record.values}, key=EDITABLE.index
    )
    return render_template(
        "resolution/preview.html",
        plan=plan,
        read=read,
        token=token,
        file_name=staged.name,
        present=present,
        labels=LABELS,
        form=ApplyForm(formdata=None, token=token),
    )


@bp.post("/resolutions/import/<token>")
@role_required("triager")
def apply(token: str):
    upload, staged, data = _staged(token)
    form = ApplyForm()
    if not form.validate():
        flash("Nothing was applied: the form was incomplete; reload the preview.", "error")
        return redirect(url_for("resolution.preview", token=token))
    if request.form.get("cancel"):
        with unit_of_work():
            staging.discard(upload)
        flash("Import cancelled: nothing was applied.", "info")
        return redirect(url_for("comments.index"))
    fields = _fields(form.fields.data or [])
    if fields is None:
        flash("Nothing was applied: choose at least one field to update.", "error")
        return redirect(url_for("resolution.preview", token=token))
    taken = [n for n in (positive_int(v) for v in form.conflicts.data or []) if n is not None]
    read = read_resolutions(data, filename=staged.name)
    try:
        with unit_of_work():
            plan = plan_resolutions(read, fields)
            applied = apply_resolutions(
                plan, actor=current_user.email, data=data, take_conflicts=taken
            )
            staging.discard(upload)  # with the changes: applied once, then gone
    except ServiceError as error:
        flash(f"Nothing was applied: {error}", "error")
        return redirect(url_for("resolution.preview", token=token))
    flash(
        f"Applied {applied.changed} row{'' if applied.changed == 1 else 's'} from {staged.name} "
        f"({applied.conflicts_applied} conflict{'' if applied.conflicts_applied == 1 else 's'} "
        f"taken, {applied.conflicts_left} left as they were); recorded as import "
        f"#{applied.batch_id}.",
        "success",
    )
    return redirect(url_for("comments.index"))

"""Upload -> preview (a dry run, with column overrides) -> confirm; the history; undo.

The browser imports exactly as the CLI does: the same service function, one transaction per
file, with the signed-in user recorded as the actor. The preview is a read-only dry run of
the file as read once, at upload (or at a new choice of columns), and kept with the upload in
the database (staging.py), as is the confirm: any app process can serve either. An artefact
register uploaded here among the logs is recognised (importers.identify) and sent to the
register's own preview (register.py) first.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from importers import ARTEFACT_REGISTER, COMMENT_FIELDS, identify
from importers.records import Problem, column_letter
from importers.vocabulary import DISPOSITIONS, SUBMISSION_KINDS

from ..auth import role_required
from ..inputs import positive_int
from ..services import ServiceError
from ..services.artefacts import register_state
from ..services.comment_import import ImportReport, import_comment_log
from ..services.import_history import NoSuchBatch, import_history, undo_batch, undo_plan
from ..services.people import names_for
from ..unit_of_work import unit_of_work
from . import bp, staging
from .forms import UploadForm

PREVIEW_ROWS = 10
MAX_OVERRIDE = 300  # longest header text accepted as an override
FIELD_LABELS: dict[str, str] = {
    "log_comment_id": "Comment id",
    "artefact": "Artefact",
    "section": "Section",
    "page": "Page",
    "line": "Line",
    "comment": "Comment",
    "proposed_change": "Proposed change",
    "comment_type": "Comment type",
    "response": "Response",
    "disposition": "Disposition",
    "organisation": "Organisation",
    "constituency": "Constituency",
    "reviewer": "Reviewer",
    "raised_on": "Raised on",
    "tranche": "Tranche",
    "review_round": "Review round",
}
GONE = (
    "That upload is no longer available: it was imported or cancelled, or is more than a day "
    "old. Upload the log again."
)


@dataclass(slots=True)
class FilePreview:
    """One uploaded file as the dry run saw it."""

    index: int  # 1-based position in the upload
    staged: staging.StagedLog
    report: ImportReport

    @property
    def headers(self) -> list[str]:
        """Every column header of the sheets read, in sheet order, each once."""
        seen: dict[str, None] = {}
        for sheet in self.report.sheets:
            if sheet.header_row is not None:
                seen.update(dict.fromkeys([*sheet.mapping.values(), *sheet.unmapped]))
        return list(seen)

    @property
    def read_sheets(self) -> list:
        return [sheet for sheet in self.report.sheets if sheet.header_row is not None]

    def read_from(self, name: str) -> list[tuple[str, str]]:
        """(sheet, header) of each sheet read where the field has a column."""
        return [(s.name, s.mapping[name]) for s in self.read_sheets if name in s.mapping]

    def choice(self, name: str) -> str:
        """The select's value for a field: auto, none (not used) or h:<header>."""
        if name not in self.staged.overrides:
            return "auto"
        header = self.staged.overrides[name]
        return "none" if header is None else f"h:{header}"

    @property
    def problems(self) -> list[dict]:
        return [_problem(problem) for problem in self.report.problems]

    @property
    def open(self) -> bool:
        """The file's detail opens by itself where there is something to look at: problems,
        or columns the user chose."""
        return bool(self.report.problems or self.staged.overrides)


def _problem(problem: Problem) -> dict:
    column = problem.column or ""
    if problem.column_index is not None:
        column = f"{column} ({column_letter(problem.column_index)})".strip()
    message = problem.message
    if "{value}" in message:
        message = message.replace("{value}", repr(problem.value or ""))
    return {
        "severity": problem.severity,
        "sheet": problem.sheet,
        "row": problem.row,
        "column": column,
        "value": problem.value,
        "message": message,
    }


def _import(upload: staging.Upload, staged: staging.StagedLog, **extra) -> ImportReport:
    """Import one staged file (or dry-run it: a preview), from the file as it was read."""
    options = staging.reader_options(upload, staged, actor=current_user.email, **extra)
    parsed = staging.parsed_log(upload, staged, options)
    return import_comment_log(parsed, filename=staged.name, options=options)


def _load_upload(token: str) -> staging.Upload | None:
    upload = staging.load(token, current_user.id)
    if upload is None:
        flash(GONE, "error")
    return upload


def read_uploads(
    storages: list, missing: str = "Choose one or more comment logs (.xlsx or .csv) to upload."
) -> tuple[list[tuple[str, bytes]], list[str]]:
    """(name, bytes) of each chosen file, and what is wrong with any of them."""
    chosen = [s for s in storages or [] if isinstance(s, FileStorage) and s.filename]
    if not chosen:
        return [], [missing]
    files, errors = [], []
    for storage in chosen:
        name = staging.display_name(storage.filename)
        data = storage.read()
        error = staging.check_file(name, data)
        if error:
            errors.append(error)
        files.append((name, data))
    return files, errors


@bp.route("/", methods=["GET", "POST"])
@role_required("triager")
def upload():
    form = UploadForm()
    if form.validate_on_submit():
        files, errors = read_uploads(form.files.data)
        if not errors:
            options = form.options()
            # Keeping comments on artefacts a round does not review is the lead's call.
            options["allow_other_artefacts"] &= current_user.has_role("lead")
            with unit_of_work():  # each file is read here, once, and kept with the upload
                upload = staging.stage(files, options, current_user.id)
                registers = _registers(upload)
                moved = _to_register(upload, registers) if registers else None
            if moved is not None:
                return redirect(url_for(".register_preview", token=moved.token))
            return redirect(url_for(".preview", token=upload.token))
        form.files.errors = [*form.files.errors, *errors]
    status = 400 if request.method == "POST" else 200
    page = render_template("imports/upload.html", form=form, register=register_state())
    return page, status


def _registers(upload: staging.Upload) -> list[int]:
    """The positions of the files that are artefact registers, not comment logs, told from
    the files as read at the upload."""
    found = []
    for index, staged in enumerate(upload.files):
        parsed = staging.parsed_log(upload, staged, staging.reader_options(upload, staged))
        data = staging.file_bytes(staged)
        what = identify(data, filename=staged.name, comment_read=parsed.read)
        if what == ARTEFACT_REGISTER:
            found.append(index)
    return found


def _to_register(upload: staging.Upload, registers: list[int]) -> staging.Upload:
    """Move the registers of an upload to an upload of their own, for the register's preview;
    the logs uploaded with them wait for it (the register's confirm leads on to theirs)."""
    names = [upload.files[index].name for index in registers]
    logs = len(upload.files) - len(registers)
    then = {"then": upload.token} if logs else {}
    moved = staging.split(upload, registers, staging.ARTEFACT_REGISTERS, then)
    if not logs:
        staging.discard(upload)
    what = "is an artefact register" if len(names) == 1 else "are artefact registers"
    waiting = (
        f" The {_plural(logs, 'comment log')} uploaded with it wait: after the register they "
        "are previewed as usual."
        if logs
        else ""
    )
    flash(
        f"{', '.join(names)} {what} (the Design Artefact Tracker), not a comment log: check it "
        f"here and import it first, so that the logs' artefacts are known.{waiting}",
        "info",
    )
    return moved


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


@bp.get("/preview/<token>")
@role_required("triager")
def preview(token: str):
    upload = _load_upload(token)
    if upload is None:
        return redirect(url_for(".upload"))
    if upload.kind != staging.COMMENT_LOGS:
        return redirect(url_for(".register_preview", token=token))
    previews = [
        FilePreview(index, staged, _import(upload, staged, dry_run=True, sample_rows=PREVIEW_ROWS))
        for index, staged in enumerate(upload.files, start=1)
    ]
    return render_template(
        "imports/preview.html",
        upload=upload,
        previews=previews,
        ready=[p for p in previews if p.report.ok],
        fields=FIELD_LABELS,
        dispositions=DISPOSITIONS.labels,
    )


@bp.post("/preview/<token>/columns/<int:index>")
@role_required("triager")
def columns(token: str, index: int):
    """Re-preview one file with the user's choice of column per field."""
    upload = _load_upload(token)
    if upload is None:
        return redirect(url_for(".upload"))
    if not 1 <= index <= len(upload.files):
        abort(404)
    staged = upload.files[index - 1]
    overrides: dict[str, str | None] = {}
    if "reset" not in request.form:
        overrides = chosen_columns(request.form)
    with unit_of_work():  # the file read again with the columns chosen, and kept
        staging.choose_columns(upload, staged, overrides)
    what = "columns chosen" if overrides else "columns read automatically"
    flash(f"{staged.name}: {what}; the preview below uses them.", "info")
    return redirect(url_for(".preview", token=token, _anchor=f"file-{index}"))


def chosen_columns(form) -> dict[str, str | None]:
    """field -> header (or None: not used) from the column form; a header typed in (when no
    table was found to choose from) counts like one chosen."""
    overrides: dict[str, str | None] = {}
    for name in COMMENT_FIELDS:
        value = form.get(f"field-{name}", "auto")
        typed = form.get(f"typed-{name}", "").strip()
        if typed:
            overrides[name] = typed[:MAX_OVERRIDE]
        elif value == "none":
            overrides[name] = None
        elif value.startswith("h:") and value[2:].strip():
            overrides[name] = value[2:][:MAX_OVERRIDE]
    return overrides


@bp.post("/preview/<token>/confirm")
@role_required("triager")
def confirm(token: str):
    """Import every file of the upload, each in its own transaction, as the CLI does."""
    upload = _load_upload(token)
    if upload is None or upload.kind != staging.COMMENT_LOGS:
        return redirect(url_for(".upload"))
    reports = [_import(upload, staged) for staged in upload.files]
    written = [report for report in reports if report.written]
    refused = [report for report in reports if not report.written]
    if written:
        flash(_imported_message(written), "success")
    if refused:
        flash(_refused_message(refused), "error")
    if not written:
        return redirect(url_for(".preview", token=token))
    with unit_of_work():
        staging.discard(upload)
    return redirect(url_for(".history"))


def _imported_message(reports: list[ImportReport]) -> str:
    """One message for the whole import: the totals (and the file's name, for one file)."""
    added, unchanged = sum(r.added for r in reports), sum(r.unchanged for r in reports)
    updated, kept = sum(r.updated for r in reports), sum(len(r.conflicts) for r in reports)
    totals = (
        f"added {added:,}, unchanged {unchanged:,}, updated {updated:,}, conflicts kept {kept:,}"
    )
    if len(reports) == 1:
        return f"{reports[0].file}: {totals}"
    return f"Imported {len(reports)} files: {totals}. Each file is a batch in the history below."


def _refused_message(reports: list[ImportReport]) -> str:
    if len(reports) == 1:
        report = reports[0]
        return (
            f"{report.file}: not imported, it has {_plural(len(report.errors), 'error')}; "
            "nothing from it was written"
        )
    names = ", ".join(report.file for report in reports)
    return f"Not imported, they have errors (nothing from them was written): {names}"


@bp.post("/preview/<token>/cancel")
@role_required("triager")
def cancel(token: str):
    upload = staging.load(token, current_user.id)
    if upload is not None:
        with unit_of_work():
            staging.discard(upload)
    flash("Upload discarded: nothing was imported.", "info")
    return redirect(url_for(".upload"))


@bp.get("/history")
@role_required("triager")
def history():
    page = positive_int(request.args.get("page")) or 1
    return render_template(
        "imports/history.html", history=import_history(page), kinds=SUBMISSION_KINDS
    )


@bp.route("/<int:batch_id>/undo", methods=["GET", "POST"])
@role_required("triager")
def undo(batch_id: int):
    """GET: what undo would do (the confirmation step); POST: do it."""
    error = None
    if request.method == "POST":
        try:
            with unit_of_work():
                result = undo_batch(batch_id, current_user.email)
        except NoSuchBatch:
            abort(404)
        except ServiceError as refused:
            error = str(refused)
        else:
            flash(str(result), "success")
            return redirect(url_for(".history"))
    try:
        plan = undo_plan(batch_id)
    except NoSuchBatch:
        abort(404)
    status = 409 if error else 200
    names = names_for([plan.batch.imported_by])
    return render_template("imports/undo.html", plan=plan, error=error, names=names), status

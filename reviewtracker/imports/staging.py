"""Uploaded files kept between the preview and the confirm, in the database: comment logs,
artefact registers (the Design Artefact Tracker) and resolutions workbooks, each upload of
one kind.

An upload is a `staged_upload` row under a random token (who uploaded it, its kind, the
options) with a `staged_file` row per file: the bytes, the name the user's computer gave it
(only ever shown and recorded, never used as a path), the column choices, and the file as the
reader read it (a ParsedLog or a ParsedRegister as JSON). In the database, every app process
serving the site sees them: an upload previewed through one can be confirmed through another,
with no shared folder. Uploads are removed on confirm or cancel, and any older than a day on
the next upload.

A file is read when it is uploaded (or recognised as a register) and again when its columns
are chosen anew (all POSTs), and what was read is kept; a preview (a GET, which writes
nothing) and the confirm use it without reading the spreadsheet again. What the import would
do is never kept: each preview compares anew with what is stored, which other imports and
triage change meanwhile.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import PurePath

from sqlalchemy import delete, select, update

from importers import guards

from ..extensions import db
from ..models import StagedFile, StagedUpload, utcnow
from ..services.artefact_import import ParsedRegister, parse_artefact_register
from ..services.comment_import import ImportOptions, ParsedLog, parse_comment_log

ALLOWED_SUFFIXES = (".xlsx", ".csv")
# An upload's kind: what its files are read as. A reviewer's submission is a comment log read
# with its round's options (submissions/ passes them to `stage`).
COMMENT_LOGS, ARTEFACT_REGISTERS, RESOLUTIONS = "comments", "artefacts", "resolutions"
SUBMISSIONS = "submission"
MAX_AGE = timedelta(days=1)
MAX_NAME = 200
_TOKEN = re.compile(r"[0-9a-f]{32}")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BINARY_MAGIC = (_ZIP_MAGIC, _OLE_MAGIC, b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")


@dataclass(slots=True)
class StagedLog:
    """One file of an upload, as the views see it (its bytes stay in the database)."""

    id: int
    position: int  # 1-based, in the order uploaded
    name: str  # as the user's computer named it: shown, and recorded on the import batch
    size: int
    overrides: dict[str, str | None] = field(default_factory=dict)  # field -> header / None


@dataclass(slots=True)
class Upload:
    token: str
    owner: int  # the user id of whoever uploaded it
    # A log upload's: tranche, review_round, organisation, constituency. A register upload's
    # "then": the token of the logs uploaded with the register, to preview after it.
    options: dict[str, str | int | None]
    files: list[StagedLog]
    kind: str = COMMENT_LOGS


def display_name(filename: str | None) -> str:
    """The client's file name without any folder part, trimmed to fit the import batch."""
    name = PurePath((filename or "").replace("\\", "/")).name.strip() or "upload"
    if len(name) > MAX_NAME:
        suffix = PurePath(name).suffix[:10]
        name = name[: MAX_NAME - len(suffix)] + suffix
    return name


def check_file(name: str, data: bytes) -> str | None:
    """Why this upload can't be read, or None: by extension, then by content."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        kind = f"a {suffix} file" if suffix else "a file without an extension"
        return f"{name}: {kind} can't be imported; upload .xlsx or .csv files"
    if not data:
        return f"{name}: the file is empty"
    if len(data) > guards.MAX_FILE_BYTES:
        limit = guards.megabytes(guards.MAX_FILE_BYTES)
        return f"{name}: the file is too large; the limit is {limit}"
    if suffix == ".xlsx":
        return _check_workbook(name, data)
    if data.startswith(_BINARY_MAGIC) or b"\x00" in data[:65536]:
        return (
            f"{name}: this is not a text CSV file (it looks like a binary file); save the log "
            "from Excel as 'CSV UTF-8' or upload the .xlsx"
        )
    return None


def _check_workbook(name: str, data: bytes) -> str | None:
    """The reader's own archive checks (importers/guards.py), made at upload so that a
    damaged file, a zip bomb or an XML entity attack is refused before anything is kept."""
    if data.startswith(_OLE_MAGIC):
        return (
            f"{name}: not a valid .xlsx file: it is password-protected or an old .xls renamed; "
            "save it from Excel as a normal .xlsx workbook"
        )
    if not data.startswith(_ZIP_MAGIC):
        return f"{name}: not a valid .xlsx file (the content is not an Excel workbook)"
    try:
        guards.check_archive(data)
    except guards.SourceError as refused:
        return f"{name}: {refused}"
    return None


def reader_options(upload: Upload, staged: StagedLog, **extra) -> ImportOptions:
    """The options a staged log is read and imported with: the upload's, its columns."""
    return ImportOptions(
        tranche=upload.options.get("tranche"),  # type: ignore[arg-type]
        review_round=upload.options.get("review_round"),  # type: ignore[arg-type]
        organisation=upload.options.get("organisation"),  # type: ignore[arg-type]
        constituency=upload.options.get("constituency"),  # type: ignore[arg-type]
        allow_other_artefacts=bool(upload.options.get("allow_other_artefacts")),
        column_overrides=dict(staged.overrides) or None,
        **extra,
    )


def stage(
    files: list[tuple[str, bytes]],
    options: dict,
    owner: int,
    kind: str = COMMENT_LOGS,
    read_with: ImportOptions | None = None,
) -> Upload:
    """Keep checked uploads (name, bytes) under a new token, each read once as its kind is
    read (a log with `read_with` if given, else the upload's options); returns the upload.
    Adds and flushes: the caller's unit of work commits."""
    sweep()
    row = StagedUpload(
        token=secrets.token_hex(16), owner_id=owner, kind=kind, options=dict(options)
    )
    upload = Upload(row.token, owner, row.options, [], kind)
    for position, (name, data) in enumerate(files, start=1):
        staged = StagedLog(0, position, name, len(data))
        row.files.append(
            StagedFile(
                position=position,
                name=name,
                size=len(data),
                overrides={},
                data=data,
                parsed=_read(data, upload, staged, read_with),
            )
        )
    db.session.add(row)
    db.session.flush()
    return load(row.token, owner)  # type: ignore[return-value]


def split(upload: Upload, indexes: list[int], kind: str, options: dict) -> Upload:
    """Move the files at these (0-based) positions out of `upload` into a new upload of
    `kind` (read again as that kind); returns it. Flushes: the caller commits."""
    row = StagedUpload(
        token=secrets.token_hex(16), owner_id=upload.owner, kind=kind, options=dict(options)
    )
    db.session.add(row)
    db.session.flush()
    moved = Upload(row.token, upload.owner, row.options, [], kind)
    for index in sorted(indexes):
        staged = upload.files[index]
        data = file_bytes(staged)
        db.session.execute(
            update(StagedFile)
            .where(StagedFile.id == staged.id)
            .values(upload_token=row.token, parsed=_read(data, moved, staged))
        )
    db.session.flush()
    for changed in (row, db.session.get(StagedUpload, upload.token)):
        if changed is not None:
            db.session.expire(changed)  # their lists of files changed under them
    upload.files = [f for i, f in enumerate(upload.files) if i not in set(indexes)]
    return load(row.token, upload.owner)  # type: ignore[return-value]


def load(token: str, owner: int, kind: str | None = None) -> Upload | None:
    """The upload with this token, if it exists, belongs to `owner` (and is of `kind`);
    neither bytes nor reading are loaded here."""
    if not _TOKEN.fullmatch(token):
        return None
    row = db.session.get(StagedUpload, token)
    if row is None or row.owner_id != owner or (kind is not None and row.kind != kind):
        return None
    files = [StagedLog(f.id, f.position, f.name, f.size, dict(f.overrides)) for f in row.files]
    return Upload(row.token, row.owner_id, dict(row.options), files, row.kind)


def file_bytes(staged: StagedLog) -> bytes:
    """The staged file's bytes, as uploaded."""
    return db.session.scalar(select(StagedFile.data).where(StagedFile.id == staged.id)) or b""


def choose_columns(
    upload: Upload,
    staged: StagedLog,
    overrides: dict[str, str | None],
    read_with: ImportOptions | None = None,
) -> None:
    """Keep the user's choice of columns for one file and read it again with them (or with
    `read_with`, options that include them: a reviewer's submission). A POST: the caller's
    unit of work commits."""
    staged.overrides = overrides
    row = db.session.get(StagedFile, staged.id)
    assert row is not None and row.upload_token == upload.token
    row.overrides = overrides
    row.parsed = _read(row.data, upload, staged, read_with)
    db.session.flush()


def parsed_log(upload: Upload, staged: StagedLog, options: ImportOptions) -> ParsedLog:
    """The staged log as read with `options`: the kept reading if it was made with the same
    ones (always, through the views), else the file read now (and not kept: a GET writes
    nothing)."""
    try:
        parsed = ParsedLog.from_json(kept) if (kept := _kept(staged)) else None
    except (ValueError, KeyError, TypeError):
        parsed = None  # kept by a version this one can't read: read the file again
    if parsed is not None and parsed.fits(options) and parsed.file == staged.name:
        return parsed
    return parse_comment_log(file_bytes(staged), filename=staged.name, options=options)


def parsed_register(upload: Upload, staged: StagedLog) -> ParsedRegister:
    """The staged register as read: the kept reading, else the file read now (not kept)."""
    try:
        parsed = ParsedRegister.from_json(kept) if (kept := _kept(staged)) else None
    except (ValueError, KeyError, TypeError):
        parsed = None  # kept by a version this one can't read: read the file again
    if parsed is not None and parsed.file == staged.name:
        return parsed
    return parse_artefact_register(file_bytes(staged), filename=staged.name)


def _kept(staged: StagedLog) -> str | None:
    return db.session.scalar(select(StagedFile.parsed).where(StagedFile.id == staged.id))


def _read(
    data: bytes, upload: Upload, staged: StagedLog, read_with: ImportOptions | None = None
) -> str | None:
    """The file as its upload's kind reads it, as JSON to keep (a workbook of resolutions is
    read by its own preview, from the bytes)."""
    if read_with is not None or upload.kind == COMMENT_LOGS:
        options = read_with or reader_options(upload, staged)
        return parse_comment_log(data, filename=staged.name, options=options).to_json()
    if upload.kind == ARTEFACT_REGISTERS:
        return parse_artefact_register(data, filename=staged.name).to_json()
    return None


def discard(upload: Upload) -> None:
    """Remove the upload and its files (the caller's unit of work commits)."""
    db.session.execute(delete(StagedFile).where(StagedFile.upload_token == upload.token))
    db.session.execute(delete(StagedUpload).where(StagedUpload.token == upload.token))


def sweep(max_age: timedelta = MAX_AGE) -> int:
    """Remove uploads older than max_age (abandoned previews); returns how many."""
    old = list(
        db.session.scalars(
            select(StagedUpload.token).where(StagedUpload.created_at < utcnow() - max_age)
        )
    )
    if old:
        db.session.execute(delete(StagedFile).where(StagedFile.upload_token.in_(old)))
        db.session.execute(delete(StagedUpload).where(StagedUpload.token.in_(old)))
    return len(old)


__all__ = [
    "ARTEFACT_REGISTERS",
    "COMMENT_LOGS",
    "RESOLUTIONS",
    "SUBMISSIONS",
    "StagedLog",
    "Upload",
    "check_file",
    "choose_columns",
    "discard",
    "display_name",
    "file_bytes",
    "load",
    "parsed_log",
    "parsed_register",
    "reader_options",
    "split",
    "stage",
    "sweep",
]

"""Uploaded files kept on the server between the preview and the confirm: comment logs, and
artefact registers (the Design Artefact Tracker), each upload of one kind.

Each upload is a folder `<upload folder>/<random token>/` with the files under safe names and
a manifest (who uploaded them, their kind, their original names, the options and column
overrides). The client's file name is only ever shown and recorded, never used as a path.
Folders are removed on confirm or cancel, and any older than a day on the next upload.

Beside each file the preview keeps the file as read (`<stored name>.read.json`, a ParsedLog or
a ParsedRegister), so that a reload, and then the confirm, do not read the spreadsheet again.
A log's holds for the column overrides it was read with: a new choice of columns reads the
file again. What the import would do is never kept: each preview compares anew with what is
stored, which other imports and triage change in the meantime.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from dataclasses import asdict, dataclass, field
from glob import escape as glob_escape
from pathlib import Path, PurePath

from flask import current_app
from werkzeug.utils import secure_filename

from importers import guards

from ..services.artefact_import import ParsedRegister, parse_artefact_register
from ..services.comment_import import ImportOptions, ParsedLog, parse_comment_log

ALLOWED_SUFFIXES = (".xlsx", ".csv")
COMMENT_LOGS, ARTEFACT_REGISTERS = "comments", "artefacts"  # an upload's kind
MAX_AGE_SECONDS = 24 * 60 * 60
MAX_NAME = 200
MANIFEST = "manifest.json"
PARSED_SUFFIX = ".read.json"
_TOKEN = re.compile(r"[0-9a-f]{32}")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BINARY_MAGIC = (_ZIP_MAGIC, _OLE_MAGIC, b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")


@dataclass(slots=True)
class StagedFile:
    name: str  # as the user's computer named it: shown, and recorded on the import batch
    stored: str  # the file's name inside the upload folder
    size: int
    overrides: dict[str, str | None] = field(default_factory=dict)  # field -> header / None


@dataclass(slots=True)
class Upload:
    token: str
    owner: int  # the user id of whoever uploaded it
    # A log upload's: tranche, review_round, organisation, constituency. A register upload's
    # "then": the token of the logs uploaded with the register, to preview after it.
    options: dict[str, str | int | None]
    files: list[StagedFile]
    created: float = field(default_factory=time.time)
    kind: str = COMMENT_LOGS  # COMMENT_LOGS or ARTEFACT_REGISTERS

    @property
    def folder(self) -> Path:
        return upload_root() / self.token

    def path(self, staged: StagedFile) -> Path:
        return self.folder / staged.stored


def upload_root() -> Path:
    """UPLOAD_FOLDER if configured, else `uploads/` in the instance folder."""
    configured = current_app.config.get("UPLOAD_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def display_name(filename: str | None) -> str:
    """The client's file name without any folder part, trimmed to fit the import batch."""
    name = PurePath((filename or "").replace("\\", "/")).name.strip() or "upload"
    if len(name) > MAX_NAME:
        suffix = PurePath(name).suffix[:10]
        name = name[: MAX_NAME - len(suffix)] + suffix
    return name


def check_file(name: str, data: bytes) -> str | None:
    """Why this upload can't be a comment log, or None: by extension, then by content."""
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


def stage(
    files: list[tuple[str, bytes]], options: dict, owner: int, kind: str = COMMENT_LOGS
) -> Upload:
    """Keep checked uploads (name, bytes) under a new token; returns the upload."""
    sweep()
    upload = _new_upload(owner, options, kind)
    for index, (name, data) in enumerate(files, start=1):
        suffix = PurePath(name).suffix.lower()
        safe = secure_filename(name)
        if not safe.lower().endswith(suffix) or len(safe) > 120:
            safe = f"log{suffix}"
        staged = StagedFile(name=name, stored=f"{index:02d}-{safe}", size=len(data))
        upload.path(staged).write_bytes(data)
        upload.files.append(staged)
    save(upload)
    return upload


def _new_upload(owner: int, options: dict, kind: str) -> Upload:
    upload = Upload(secrets.token_hex(16), owner, dict(options), [], kind=kind)
    upload.folder.mkdir(parents=True, mode=0o700)
    return upload


def split(upload: Upload, indexes: list[int], kind: str, options: dict) -> Upload:
    """Move the files at these (0-based) positions, with what was read of them, out of
    `upload` into a new upload of `kind`; returns it. Both manifests are saved."""
    moved = _new_upload(upload.owner, options, kind)
    for index in sorted(indexes):
        staged = upload.files[index]
        for path in upload.folder.glob(f"{glob_escape(staged.stored)}*"):
            path.replace(moved.folder / path.name)
        moved.files.append(staged)
    upload.files = [f for i, f in enumerate(upload.files) if i not in set(indexes)]
    save(moved)
    save(upload)
    return moved


def load(token: str, owner: int, kind: str | None = None) -> Upload | None:
    """The upload with this token, if it exists, belongs to `owner` (and is of `kind`)."""
    if not _TOKEN.fullmatch(token):
        return None
    manifest = upload_root() / token / MANIFEST
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        upload = Upload(
            token=token,
            owner=data["owner"],
            options=data["options"],
            files=[StagedFile(**item) for item in data["files"]],
            created=data["created"],
            kind=data.get("kind", COMMENT_LOGS),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if upload.owner != owner or not all(upload.path(f).is_file() for f in upload.files):
        return None
    if kind is not None and upload.kind != kind:
        return None
    return upload


def save(upload: Upload) -> None:
    data = asdict(upload)
    del data["token"]
    temporary = upload.folder / f"{MANIFEST}.tmp"
    temporary.write_text(json.dumps(data), encoding="utf-8")
    temporary.replace(upload.folder / MANIFEST)


def parsed_log(upload: Upload, staged: StagedFile, options: ImportOptions) -> ParsedLog:
    """The staged file as read with `options`: kept from an earlier preview if it was read
    with the same ones, else read now and kept."""
    kept = upload.folder / f"{staged.stored}{PARSED_SUFFIX}"
    try:
        parsed = ParsedLog.from_json(kept.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        parsed = None  # not read yet, or a file this version can't use: read it again
    if parsed is not None and parsed.fits(options) and parsed.file == staged.name:
        return parsed
    parsed = parse_comment_log(upload.path(staged), filename=staged.name, options=options)
    _keep(kept, parsed.to_json())
    return parsed


def parsed_register(upload: Upload, staged: StagedFile) -> ParsedRegister:
    """The staged register as read: kept from an earlier preview, else read now and kept."""
    kept = upload.folder / f"{staged.stored}{PARSED_SUFFIX}"
    try:
        parsed = ParsedRegister.from_json(kept.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        parsed = None  # not read yet (or read as a comment log, before it was recognised)
    if parsed is not None and parsed.file == staged.name:
        return parsed
    parsed = parse_artefact_register(upload.path(staged), filename=staged.name)
    _keep(kept, parsed.to_json())
    return parsed


def _keep(kept: Path, text: str) -> None:
    # A name of its own: two previews of one upload may be reading it at once.
    temporary = kept.with_name(f"{kept.name}.{secrets.token_hex(4)}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(kept)
    except OSError:  # the upload was confirmed or cancelled meanwhile: nothing to keep it for
        temporary.unlink(missing_ok=True)


def discard(upload: Upload) -> None:
    shutil.rmtree(upload.folder, ignore_errors=True)


def sweep(max_age: float = MAX_AGE_SECONDS) -> int:
    """Remove uploads older than max_age seconds (abandoned previews); returns how many."""
    root = upload_root()
    if not root.is_dir():
        return 0
    limit = time.time() - max_age
    removed = 0
    for folder in root.iterdir():
        if not (folder.is_dir() and _TOKEN.fullmatch(folder.name)):
            continue
        try:
            old = folder.stat().st_mtime < limit
        except OSError:
            continue
        if old:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed

"""Tell an artefact register (the Design Artefact Tracker) from a comment log, by its columns.

Both are spreadsheets with a table under some title rows, and their headers overlap ("Reference",
"Status", "Tranche" and even "Comments" appear in both). What tells them apart is the columns
only one of them has: a register's "MHHS Service", "Name / Description", "Document Type",
"Version", "Action With"; a log's "Comment", "Proposed change", "Response", "Section",
"Reviewer". A table is a register's when it has a reference column and more register-only
columns (at least two) than log-only ones. Pure Python, like every reader here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from .comment_log import read_comment_log
from .normalise import COMMENT_HEADER_LOOKUP, REGISTER_HEADER_LOOKUP, normalise_header
from .records import ReadResult
from .register import read_artefact_register
from .sources import Source

Kind = Literal["comment log", "artefact register"]
COMMENT_LOG: Kind = "comment log"
ARTEFACT_REGISTER: Kind = "artefact register"
# A register's table needs at least this many columns no comment log has.
REGISTER_ONLY_NEEDED = 2


def is_register_header(headers: Iterable[str]) -> bool:
    """True if a table with these column headers is an artefact register's (see above)."""
    keys = [normalise_header(header) for header in headers]
    register = {REGISTER_HEADER_LOOKUP[key] for key in keys if key in REGISTER_HEADER_LOOKUP}
    register_only = [
        k for k in keys if k in REGISTER_HEADER_LOOKUP and k not in COMMENT_HEADER_LOOKUP
    ]
    log_only = [k for k in keys if k in COMMENT_HEADER_LOOKUP and k not in REGISTER_HEADER_LOOKUP]
    return (
        "reference" in register
        and len(register_only) >= REGISTER_ONLY_NEEDED
        and len(register_only) > len(log_only)
    )


def _tables_headers(read: ReadResult) -> list[list[str]]:
    """The header texts of each table a reader found (mapped and not)."""
    return [
        [*sheet.mapping.values(), *sheet.unmapped]
        for sheet in read.sheets
        if sheet.header_row is not None
    ]


def identify(
    source: Source, *, filename: str | None = None, comment_read: ReadResult | None = None
) -> Kind | None:
    """What the file is: a comment log, an artefact register, or None (neither reader found a
    table it could read). `comment_read`: the file as read_comment_log read it already, so
    that a comment log is not read twice; a register is read again (registers are small)."""
    read = comment_read if comment_read is not None else read_comment_log(source, filename=filename)
    tables = _tables_headers(read)
    if any(is_register_header(headers) for headers in tables):
        return ARTEFACT_REGISTER
    if tables:
        return COMMENT_LOG
    register = read_artefact_register(source, filename=filename)
    if any(is_register_header(headers) for headers in _tables_headers(register)):
        return ARTEFACT_REGISTER
    return None


__all__ = ["ARTEFACT_REGISTER", "COMMENT_LOG", "Kind", "identify", "is_register_header"]

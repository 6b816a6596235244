"""A ReadResult as JSON text and back, to keep what a reader read without reading it again.

Plain JSON, never pickle: the text may sit on disk between two requests (the browser's import
preview keeps it with a staged upload). A record or a problem is the list of its fields in
order, a date `{"date": "2022-03-28"}`. `extra` values travel with the result.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from datetime import date
from operator import attrgetter
from typing import Any

from .design_dashboard import DesignDashboardRecord
from .records import ArtefactRecord, CommentRecord, Problem, ReadResult, SheetReport

FORMAT = 1  # bump when a record's fields change: older texts are then refused
RECORD_TYPES = {kind.__name__: kind for kind in (CommentRecord, ArtefactRecord)}
RECORD_TYPES[DesignDashboardRecord.__name__] = DesignDashboardRecord


def _values(kind: type) -> attrgetter:
    """A getter of a dataclass's field values, in order, as one tuple."""
    return attrgetter(*(f.name for f in fields(kind)))


_PROBLEM_VALUES = _values(Problem)


def _encode_date(value: object) -> dict[str, str]:
    if isinstance(value, date):
        return {"date": value.isoformat()}
    raise TypeError(f"{type(value).__name__} is not kept in a read result")


def _decode_date(data: dict[str, Any]) -> Any:
    if len(data) == 1 and "date" in data:
        return date.fromisoformat(data["date"])
    return data


def read_result_to_json(result: ReadResult, **extra: Any) -> str:
    kind = type(result.records[0]) if result.records else CommentRecord
    values = _values(kind)
    data = {
        "format": FORMAT,
        "file": result.file,
        "encoding": result.encoding,
        "record_type": kind.__name__,
        "records": [values(record) for record in result.records],
        "problems": [_PROBLEM_VALUES(problem) for problem in result.problems],
        "sheets": [asdict(sheet) for sheet in result.sheets],
        "extra": extra,
    }
    return json.dumps(data, default=_encode_date, ensure_ascii=False, separators=(",", ":"))


def read_result_from_json(text: str) -> tuple[ReadResult, dict[str, Any]]:
    """(the result, the extra values) from `read_result_to_json`'s text. ValueError if the text
    is not one (or of another format), KeyError or TypeError if it was altered."""
    data = json.loads(text, object_hook=_decode_date)
    if data.get("format") != FORMAT:
        raise ValueError(f"not a read result of format {FORMAT}")
    kind = RECORD_TYPES[data["record_type"]]
    result = ReadResult(
        file=data["file"],
        records=[kind(*values) for values in data["records"]],
        problems=[Problem(*values) for values in data["problems"]],
        sheets=[SheetReport(**sheet) for sheet in data["sheets"]],
        encoding=data["encoding"],
    )
    return result, data["extra"]

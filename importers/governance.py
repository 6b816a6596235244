"""The advisory group's references and words, as the papers write them: meetings (DAG013),
actions (DAG13-04, DAG06.1-01, DES-03-05), decisions (DAG-DEC-29, DAG-DEC75), action statuses
("ONGOING - Dates proposed ...", "RECOMMEND CLOSED - ...", "Action closed.") and due dates
("10/08/2022", "31/08/22", an Excel date, "ASAP").

Pure Python: no Flask, no database. The readers (action_log.py, decision_log.py), the import
service and the forms all go through these functions, so a reference typed in the browser and
one read from a file are the same reference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from .normalise import normalise_header
from .table import CellProblem, cell_date, cell_text
from .vocabulary import ACTION_STATUSES

# Digits are ASCII only: [0-9], not \d, which takes "١٢" too. A meeting: letters, then its
# number, maybe a sub-number for an extraordinary meeting ("DAG013", "DAG006.1", "DAG #8").
_MEETING = re.compile(r"^([A-Z]{2,8})\s*#?\s*([0-9]{1,4})(?:\.([0-9]{1,2}))?$")
# An action: the meeting's letters and number, a dash, the action's number
# ("DAG13-04", "DAG06.1-01", "CCAG03-17", "DES-03-05").
_ACTION = re.compile(r"^([A-Z]{2,8})-?([0-9]{1,4})(?:\.([0-9]{1,2}))?-([0-9]{1,4})$")
# A decision: the group's letters, DEC, the decision's number ("DAG-DEC-29", "DAG-DEC75").
_DECISION = re.compile(r"^([A-Z]{2,8})-?DEC-?([0-9]{1,5})$")
_SPACES = re.compile(r"\s+")

ACTION_REF_HINT = "like DAG13-04"
DECISION_REF_HINT = "like DAG-DEC-29"
MEETING_REF_HINT = "like DAG013"


@dataclass(frozen=True, slots=True)
class ActionRef:
    group: str  # "DAG"
    meeting_number: int  # 13
    meeting_sub: int | None  # 1 in DAG06.1-01
    number: int  # 4

    @property
    def meeting(self) -> str:
        """The meeting's reference: DAG13-04 belongs to DAG013, DAG06.1-01 to DAG006.1."""
        return meeting_reference(self.group, self.meeting_number, self.meeting_sub)


def _squash(text: object) -> str:
    return _SPACES.sub("", str(text or "")).upper()


def meeting_reference(group: str, number: int, sub: int | None = None) -> str:
    return f"{group}{number:03d}" + (f".{sub}" if sub is not None else "")


def normalise_meeting_ref(text: object) -> str | None:
    """'DAG013', 'dag 13', 'DAG #8' -> 'DAG013', 'DAG008'; 'DAG006.1' stays; None if not one."""
    match = _MEETING.match(" ".join(str(text or "").upper().split()))
    if match is None:
        return None
    group, number, sub = match.groups()
    return meeting_reference(group, int(number), int(sub) if sub else None)


def split_meeting_ref(reference: str) -> tuple[str, int, int | None]:
    """A canonical meeting reference's letters, number and sub-number."""
    match = _MEETING.match(reference)
    if match is None:
        raise ValueError(f"not a meeting reference: {reference!r}")
    group, number, sub = match.groups()
    return group, int(number), int(sub) if sub else None


def parse_action_ref(text: object) -> ActionRef | None:
    match = _ACTION.match(_squash(text))
    if match is None:
        return None
    group, meeting, sub, number = match.groups()
    return ActionRef(group, int(meeting), int(sub) if sub else None, int(number))


def normalise_action_ref(text: object) -> str | None:
    """An action reference as given, upper-cased and without spaces ('dag13-04 ' ->
    'DAG13-04'); None if it is not one."""
    squashed = _squash(text)
    return squashed if _ACTION.match(squashed) else None


def action_prefix(meeting: str) -> str:
    """How a meeting's actions start: DAG013 -> 'DAG13', DAG006.1 -> 'DAG06.1'."""
    group, number, sub = split_meeting_ref(meeting)
    return f"{group}{number:02d}" + (f".{sub}" if sub is not None else "")


def action_reference(meeting: str, number: int) -> str:
    """The `number`th action of a meeting: (DAG013, 4) -> 'DAG13-04'."""
    return f"{action_prefix(meeting)}-{number:02d}"


def normalise_decision_ref(text: object) -> str | None:
    """'DAG-DEC-29', 'DAG-DEC75', 'dag dec 5' -> 'DAG-DEC-29', 'DAG-DEC-75', 'DAG-DEC-05';
    None if it is not one."""
    match = _DECISION.match(_squash(text))
    if match is None:
        return None
    group, number = match.groups()
    return decision_reference(group, int(number))


def decision_reference(group: str, number: int) -> str:
    return f"{group}-DEC-{number:02d}"


def decision_number(reference: str) -> tuple[str, int]:
    match = _DECISION.match(reference)
    if match is None:
        raise ValueError(f"not a decision reference: {reference!r}")
    return match.group(1), int(match.group(2))


def action_sort_key(reference: str) -> str:
    """Sorts actions as the log lists them: by meeting, then number (DAG06-10 before
    DAG06.1-01 before DAG13-02, which plain text order gets wrong)."""
    ref = parse_action_ref(reference)
    if ref is None:
        return f"~{reference}"
    return f"{ref.group}|{ref.meeting_number:05d}|{ref.meeting_sub or 0:03d}|{ref.number:05d}"


def decision_sort_key(reference: str) -> str:
    group, number = decision_number(reference)
    return f"{group}|{number:06d}"


def meeting_sort_key(reference: str) -> str:
    group, number, sub = split_meeting_ref(reference)
    return f"{group}|{number:05d}|{sub or 0:03d}"


# --- statuses ------------------------------------------------------------------------------

# The ways the papers write each action status, keyed by vocabulary.ACTION_STATUSES' keys. A
# status cell often goes on with the update ("ONGOING - Dates proposed, awaiting agreement"):
# the longest written form the cell starts with gives the status, the rest is the update.
ACTION_STATUS_SYNONYMS: dict[str, tuple[str, ...]] = {
    "open": ("Open", "New", "Not started", "Raised", "Action open"),
    "ongoing": (
        "Ongoing",
        "On going",
        "On-going",
        "In progress",
        "Action ongoing",
        "Action changed to ongoing",
        "Remains ongoing",
        "Retained as ongoing",
        "Open - ongoing",
    ),
    "recommend_closed": (
        "Recommend closed",
        "Recommend close",
        "Recommend closure",
        "Recommended closed",
        "Recommended for closure",
        "Recommend for closure",
        "Proposed closed",
        "Propose closure",
        "Propose close",
    ),
    "closed": ("Closed", "Close", "Action closed", "Complete", "Completed", "Done"),
}
STATUS_HINT = "use Open, Ongoing, Recommend closed or Closed"
_SEPARATORS = " \t\n-–—:;.,"


@lru_cache(maxsize=1)
def _status_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    unknown = set(ACTION_STATUS_SYNONYMS) ^ set(ACTION_STATUSES.keys)
    if unknown:
        raise ValueError(f"status synonyms and ACTION_STATUSES differ: {sorted(unknown)}")
    patterns = []
    for key, written in ACTION_STATUS_SYNONYMS.items():
        for text in written:
            words = normalise_header(text).split()
            body = r"[\W_]+".join(re.escape(word) for word in words)
            patterns.append((len(words), re.compile(rf"^\W*{body}(?![\w])", re.I), key))
    patterns.sort(key=lambda item: -item[0])  # the longest written form first
    return tuple((pattern, key) for _, pattern, key in patterns)


def read_status(text: object) -> tuple[str, str | None] | None:
    """('ongoing', 'Dates proposed') from 'ONGOING - Dates proposed'; ('closed', None) from
    'Action closed.'; None if the text starts with no status."""
    written = cell_text(text)
    if written is None:
        return None
    for pattern, key in _status_patterns():
        match = pattern.match(written)
        if match is not None:
            rest = written[match.end() :].lstrip(_SEPARATORS).rstrip()
            return key, rest or None
    return None


def tidy_update(text: object) -> str | None:
    """An update as written, without the 'Update:' the papers start it with."""
    written = cell_text(text)
    if written is None:
        return None
    if normalise_header(written[:7]) == "update" and written[6:7] in (":", "-", " "):
        written = written[7:].strip()
    return written or None


# --- dates ---------------------------------------------------------------------------------

# A date at the start of a longer text: "16/03/22 (to include in meeting papers)",
# "28 July 2022 09:30-14:00".
_LEADING_DATE = re.compile(
    r"^\s*(\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2} [A-Za-z]{3,9} \d{4})(?![\d/])(.*)$",
    re.S,
)
_LOOKS_LIKE_DATE = re.compile(r"^\s*\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}")


def due_date(value: object) -> tuple[date | None, str | None]:
    """(date, note) from a due date cell: a date cell, an Excel serial, dd/mm/yyyy or
    dd/mm/yy text; a date followed by words keeps the words as the note; words alone ("ASAP",
    "TBC") are the note. Raises CellProblem for text that looks like a date and is none."""
    text = cell_text(value)
    if text is None:
        return None, None
    try:
        parsed = cell_date(value)
    except CellProblem:
        parsed = None
    if parsed is not None:
        return parsed, None
    match = _LEADING_DATE.match(text)
    if match is not None:
        try:
            parsed = cell_date(match.group(1))
        except CellProblem:
            parsed = None
        if parsed is not None:
            return parsed, match.group(2).strip(_SEPARATORS + "()") or None
    if _LOOKS_LIKE_DATE.match(text):
        raise CellProblem("not a date (write dd/mm/yyyy):")
    return None, text


def leading_date(value: object) -> date | None:
    """The date a cell starts with ("28 July 2022 09:30-14:00" -> 2022-07-28), if any."""
    try:
        parsed, _note = due_date(value)
    except CellProblem:
        return None
    return parsed


__all__ = [
    "ACTION_REF_HINT",
    "ACTION_STATUS_SYNONYMS",
    "DECISION_REF_HINT",
    "MEETING_REF_HINT",
    "STATUS_HINT",
    "ActionRef",
    "action_prefix",
    "action_reference",
    "action_sort_key",
    "decision_number",
    "decision_reference",
    "decision_sort_key",
    "due_date",
    "leading_date",
    "meeting_reference",
    "meeting_sort_key",
    "normalise_action_ref",
    "normalise_decision_ref",
    "normalise_meeting_ref",
    "parse_action_ref",
    "read_status",
    "split_meeting_ref",
    "tidy_update",
]

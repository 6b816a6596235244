"""What a meeting's pack holds about the group's own logs, as the papers lay it out: the
meeting's actions grouped by area (the area written once for its run), then under "Previous
meetings" every earlier meeting's action still open; the actions closed since the previous
meeting; and the meeting's decisions. One function serves the meeting page, its printable page
and the board pack's sheets, so the three never disagree.

"Earlier meetings" are the same group's (DAG013's are DAG001 ... DAG012.1). "Closed since the
previous meeting": closed after the previous meeting's date (any time, if it has none) and, for
a meeting already dated, not after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from itertools import groupby

from sqlalchemy import select

from ..extensions import db
from ..models import Action, Meeting
from .action_queries import ActionRow, action_rows
from .decisions import DecisionRow, decision_rows
from .meetings import earlier_meetings, previous_meeting
from .scope import Scope

PREVIOUS_MEETINGS = "Previous meetings"


@dataclass(frozen=True, slots=True)
class ActionGroup:
    area: str  # "" for actions without one
    rows: list[ActionRow]


@dataclass(slots=True)
class MeetingPack:
    meeting: Meeting
    previous: Meeting | None
    groups: list[ActionGroup] = field(default_factory=list)  # this meeting's, by area
    earlier_open: list[ActionRow] = field(default_factory=list)  # "Previous meetings"
    closed_since: list[ActionRow] = field(default_factory=list)
    decisions: list[DecisionRow] = field(default_factory=list)

    @property
    def actions(self) -> int:
        return sum(len(group.rows) for group in self.groups) + len(self.earlier_open)

    @property
    def overdue(self) -> int:
        rows = [row for group in self.groups for row in group.rows] + self.earlier_open
        return sum(row.overdue for row in rows)


def _by_area(rows: list[ActionRow]) -> list[ActionGroup]:
    """Runs of the same area in reference order, as the papers write them."""
    return [ActionGroup(area, list(run)) for area, run in groupby(rows, key=lambda r: r.area)]


def meeting_pack(meeting_id: int, scope: Scope, *, today: date) -> MeetingPack | None:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        return None
    previous = previous_meeting(meeting)
    pack = MeetingPack(meeting=meeting, previous=previous)
    pack.groups = _by_area(action_rows(scope, Action.meeting_id == meeting.id, today=today))
    earlier = select(Meeting.id).where(earlier_meetings(meeting))
    pack.earlier_open = action_rows(
        scope, Action.meeting_id.in_(earlier), Action.status != "closed", today=today
    )
    closed = [Action.meeting_id.in_(earlier), Action.status == "closed"]
    if previous is not None and previous.held_on is not None:
        closed.append(Action.closed_on > previous.held_on)
    if meeting.held_on is not None:
        closed.append(Action.closed_on <= meeting.held_on)
    pack.closed_since = action_rows(scope, *closed, today=today)
    pack.decisions = decision_rows(scope, Meeting.id == meeting.id)
    return pack


__all__ = ["PREVIOUS_MEETINGS", "ActionGroup", "MeetingPack", "meeting_pack"]

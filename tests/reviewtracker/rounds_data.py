"""A two-round data set written by hand for the round tests.

Tranche 1, round 1 (1-15 April 2022) reviews BP004 and BP005 at v0.3; Acme, Northgate and
Helix are invited. Acme sends four comments (one raised after the closing date), Northgate
one, Helix none. Round 2 (1-13 May) reviews BP004 alone, at v0.4, and carries BP004's two
unresolved round-1 comments (Acme's #2 and #4); Acme sends two round-2 comments, one of them
repeating its #2.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from reviewtracker.extensions import db
from reviewtracker.models import Comment, Organisation
from reviewtracker.services.rounds import (
    RoundPlan,
    create_round,
    import_invitations,
    start_next_round,
)
from reviewtracker.unit_of_work import unit_of_work

from .lifecycle_data import ACME, NORTH, import_log, load_register

SWIMLANE = "Swimlane 3 omits the supplier when the meter read is rejected."
SWIMLANE_AGAIN = (
    "Swimlane 3 still omits the supplier when the meter read is rejected; this was raised in "
    "round 1."
)
TIMEOUT = "New point: the timeout value for the read request is not defined."
INVITED = (
    "Organisation,Constituency\n"
    "Acme Energy,Supplier - Large\n"
    "Northgate Data,Other- IT Service Provider\n"
    "Helix Utility Software,Supplier Agent- Independent\n"
)


def row(n: int, artefact: str, text: str, raised: date, disposition: str = "") -> dict:
    return {
        "log_comment_id": str(n),
        "artefact": artefact,
        "section": f"3.{n}",
        "comment": text,
        "proposed_change": "",
        "disposition": disposition,
        "raised_on": raised,
    }


ROUND_1_ACME = [
    row(1, "BP004", "The trigger for the meter read is unclear.", date(2022, 4, 10), "Accepted"),
    row(2, "BP004", SWIMLANE, date(2022, 4, 12), "Action"),
    row(3, "BP005", "Data item DI-018 has no valid set of values.", date(2022, 4, 20)),
    row(
        4,
        "BP004",
        "Clarify which party sends the D0010 flow after a failed read.",
        date(2022, 4, 14),
        "Clarification required",
    ),
]
ROUND_1_NORTH = [
    row(
        1,
        "BP004",
        "Please add the exception path for a rejected read.",
        date(2022, 4, 11),
        "Rejected",
    ),
]
ROUND_2_ACME = [
    row(11, "BP004", SWIMLANE_AGAIN, date(2022, 5, 3)),
    row(12, "BP004", TIMEOUT, date(2022, 5, 4)),
]


def round_one(folder: Path) -> int:
    """The register, round 1 created with its invitations, and its logs imported."""
    load_register(folder)
    with unit_of_work():
        first = create_round(
            RoundPlan(
                tranche="1",
                number=1,
                name="1st review",
                opens_on=date(2022, 4, 1),
                closes_on=date(2022, 4, 15),
                scope_note="",
                artefacts={"BP004": None, "BP005": None},
            ),
            actor="lead",
        )
        result = import_invitations(first.id, INVITED.encode(), "invited.csv")
        assert not result.problems and result.added == 3
        round_id = first.id
    import_log(folder / "acme1.xlsx", ROUND_1_ACME, ACME, tranche="1", review_round=1)
    import_log(folder / "north1.xlsx", ROUND_1_NORTH, NORTH, tranche="1", review_round=1)
    return round_id


def round_two(folder: Path, first_id: int) -> tuple[int, int]:
    """Round 2 started from round 1 for BP004 at v0.4, and Acme's round-2 log imported.
    Returns (round 2's id, how many comments it carried)."""
    with unit_of_work():
        second, carried = start_next_round(
            first_id,
            RoundPlan(
                tranche="1",
                number=2,
                name="2nd review",
                opens_on=date(2022, 5, 1),
                closes_on=date(2022, 5, 13),
                scope_note="Comments on the data items only",
                artefacts={"BP004": "0.4"},
            ),
            actor="lead",
        )
        second_id = second.id
    import_log(folder / "acme2.xlsx", ROUND_2_ACME, ACME, tranche="1", review_round=2)
    return second_id, carried


def comment_id(organisation: str, log_id: str, round_number: int | None = None) -> int:
    from reviewtracker.models import ReviewRound

    query = (
        select(Comment.id)
        .join(Organisation, Organisation.id == Comment.organisation_id)
        .join(ReviewRound, ReviewRound.id == Comment.review_round_id)
        .where(Organisation.name == organisation, Comment.log_comment_id == log_id)
    )
    if round_number is not None:
        query = query.where(ReviewRound.number == round_number)
    return db.session.scalar(query)

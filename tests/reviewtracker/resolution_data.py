"""A small hand-made data set for the resolution workflow's tests: two organisations, eight
comments on two artefacts, a design team (triagers, a lead), a working group. Ids only."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from reviewtracker.extensions import db
from reviewtracker.models import Comment, Constituency, Organisation, ReviewRound, Tranche
from reviewtracker.services.working_groups import add_member, create_group
from reviewtracker.unit_of_work import unit_of_work
from tests.conftest import add_user

from .factories import add_artefacts

OWN_ORG, OTHER_ORG = "Acme Energy", "Beta Networks"


@dataclass
class Team:
    own_org_id: int = 0
    other_org_id: int = 0
    own: list[int] = field(default_factory=list)  # Acme's comments: BP004 x3, BP005 x2
    other: list[int] = field(default_factory=list)  # Beta's: BP004 x2, BP005 x1
    triager_id: int = 0
    member_id: int = 0  # a triager in the working group
    lead_id: int = 0
    group_id: int = 0  # "BPRWG", with the member in it


def make_team() -> Team:
    """Call inside an app context; commits."""
    t = Team()
    bp004, bp005 = add_artefacts(("BP004", "1"), ("BP005", "1"))
    tranche = db.session.scalar(select(Tranche).where(Tranche.code == "1"))
    constituency = db.session.scalar(select(Constituency).order_by(Constituency.position))
    review_round = ReviewRound(tranche_id=tranche.id, number=1)
    own = Organisation(name=OWN_ORG, name_key="acme energy", constituency_id=constituency.id)
    other = Organisation(name=OTHER_ORG, name_key="beta networks", constituency_id=constituency.id)
    db.session.add_all([review_round, own, other])
    db.session.flush()
    t.own_org_id, t.other_org_id = own.id, other.id
    rows = [
        (own, bp004, "Acme one: the trigger for step 1 is unclear."),
        (own, bp004, "Acme two: the exception path has no owner."),
        (own, bp004, "Acme three: add a timeout to the retry."),
        (own, bp005, "Acme four: the interface version is missing."),
        (own, bp005, "Acme five: the glossary lacks MPAN."),
        (other, bp004, "Beta one: the settlement run is late."),
        (other, bp004, "Beta two: the meter read window is short."),
        (other, bp005, "Beta three: the file format is ambiguous."),
    ]
    for index, (organisation, artefact, text) in enumerate(rows, start=1):
        comment = Comment(
            artefact_id=artefact.id,
            review_round_id=review_round.id,
            organisation_id=organisation.id,
            source_key=f"row{index}",
            log_comment_id=str(index),
            section=f"3.{index}",
            text=text,
            source_file="log.xlsx",
            source_sheet="Comments",
            source_row=index + 1,
        )
        db.session.add(comment)
        db.session.flush()
        (t.own if organisation is own else t.other).append(comment.id)
    db.session.commit()
    t.triager_id = add_user("triager", "triager@programme.example").id
    t.member_id = add_user("triager", "member@programme.example").id
    t.lead_id = add_user("lead", "lead@programme.example").id
    with unit_of_work():
        t.group_id = create_group("BPRWG", "Business process review").id
        add_member(t.group_id, t.member_id)
    return t

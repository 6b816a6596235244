"""A small hand-made world for the submissions tests: tranche 1's round 1 reviews BP004 and
BP005 (not IF005), open from 5 days ago to 5 days ahead, and invites Acme Energy and Beta
Metering; Gamma Data is not invited. One reviewer per organisation, a lead and a triager.
Call `make_world()` inside an app context; it commits and returns ids."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from importers.normalise import fold_name
from reviewtracker.extensions import db
from reviewtracker.models import Constituency, Organisation
from reviewtracker.services.rounds import RoundPlan, create_round
from reviewtracker.unit_of_work import unit_of_work
from tests.conftest import add_user

from .factories import add_artefacts

ACME, BETA, GAMMA = "Acme Energy", "Beta Metering", "Gamma Data"


@dataclass(slots=True)
class World:
    round_id: int
    acme: int
    beta: int
    gamma: int
    acme_reviewer: int
    beta_reviewer: int
    gamma_reviewer: int
    lead: int
    triager: int
    artefacts: dict[str, int]


def make_world(today: date | None = None) -> World:
    today = today or date.today()
    artefacts = add_artefacts(("BP004", "1"), ("BP005", "1"), ("IF005", "1"))
    constituency = db.session.scalar(select(Constituency.id).order_by(Constituency.position))
    organisations = [
        Organisation(name=name, name_key=fold_name(name), constituency_id=constituency)
        for name in (ACME, BETA, GAMMA)
    ]
    db.session.add_all(organisations)
    db.session.commit()
    acme, beta, gamma = (o.id for o in organisations)
    with unit_of_work():
        review_round = create_round(
            RoundPlan(
                tranche="1",
                number=1,
                opens_on=today - timedelta(days=5),
                closes_on=today + timedelta(days=5),
                name="1st review",
                artefacts={"BP004": "0.3", "BP005": None},
                organisation_ids=[acme, beta],
            ),
            actor="lead@example.org",
        )
    return World(
        round_id=review_round.id,
        acme=acme,
        beta=beta,
        gamma=gamma,
        acme_reviewer=add_user("reviewer", "rev@acme.example", acme).id,
        beta_reviewer=add_user("reviewer", "rev@beta.example", beta).id,
        gamma_reviewer=add_user("reviewer", "rev@gamma.example", gamma).id,
        lead=add_user("lead", "lead@example.org").id,
        triager=add_user("triager", "triager@example.org").id,
        artefacts={a.reference: a.id for a in artefacts},
    )

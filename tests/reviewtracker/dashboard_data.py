"""Data for the dashboard, API and export tests: comments written straight to the database.

(The demo data set, with the DAG #8 pack's tranche 1 and its design dashboard as April 2022,
comes from demo_copy.load_demo_copy.)

Call `add_comment` inside an app context; it is test set-up and commits, so a request made
after the context is closed sees the comment. Keep its `.id` (or other columns) rather than
the object: it is detached once the context ends.
"""

from __future__ import annotations

from sqlalchemy import func, select

from importers.normalise import fold_name as organisation_key
from reviewtracker.extensions import db
from reviewtracker.models import Artefact, Comment, Constituency, Organisation, Tranche
from reviewtracker.services.reference import get_or_create_round

DEMO_MONTH = "2022-04"  # the month of the demo's design dashboard


def add_comment(
    artefact: str,
    text: str,
    *,
    organisation: str = "Acme Energy",
    constituency: str = "Supplier- Large",
    tranche: str = "1",
    review_round: int = 1,
    **fields,
) -> Comment:
    """One comment written straight to the database (artefact, organisation and round made
    as needed): for text no import would let through as it is, like a formula."""
    tranche_id = db.session.scalar(select(Tranche.id).where(Tranche.code == tranche))
    found = db.session.scalar(select(Artefact).where(Artefact.reference == artefact))
    if found is None:
        found = Artefact(reference=artefact, title=f"Title of {artefact}", tranche_id=tranche_id)
        db.session.add(found)
    key = organisation_key(organisation)
    owner = db.session.scalar(select(Organisation).where(Organisation.name_key == key))
    if owner is None:
        constituency_id = db.session.scalar(
            select(Constituency.id).where(Constituency.name == constituency)
        )
        owner = Organisation(name=organisation, name_key=key, constituency_id=constituency_id)
        db.session.add(owner)
    db.session.flush()
    round_id = get_or_create_round(tranche_id, review_round, {})
    count = db.session.scalar(select(func.count()).select_from(Comment)) or 0
    comment = Comment(
        artefact_id=found.id,
        review_round_id=round_id,
        organisation_id=owner.id,
        source_key=f"test-{count + 1}",
        text=text,
        **fields,
    )
    db.session.add(comment)
    db.session.commit()
    return comment

"""Schema creation and the reference data every installation has."""

from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import func, select

from importers.normalise import fold_name, tidy_name
from importers.reference import CONSTITUENCIES, TRANCHES

from ..extensions import MIGRATIONS, db
from ..models import Constituency, ReviewRound, Service, Tranche


def init_db() -> dict[str, int]:
    """Bring the schema up to date (the Alembic migrations, the full-text search index
    included, which commit their own DDL), then add the reference data if missing, in the
    caller's unit of work. Safe to run again: adds only what is missing."""
    upgrade(directory=MIGRATIONS)
    added = {"tranches": 0, "constituencies": 0}
    known_tranches = set(db.session.scalars(select(Tranche.code)))
    for position, code in enumerate(TRANCHES):
        if code not in known_tranches:
            db.session.add(Tranche(code=code, position=position))
            added["tranches"] += 1
    known = set(db.session.scalars(select(Constituency.name)))
    for position, name in enumerate(CONSTITUENCIES):
        if name not in known:
            db.session.add(Constituency(name=name, position=position))
            added["constituencies"] += 1
    db.session.flush()
    return added


def tranche_ids_by_code() -> dict[str, int]:
    return dict(db.session.execute(select(Tranche.code, Tranche.id)).all())


def get_or_create_service(name: str, cache: dict[str, int]) -> int:
    """Service id by name (folded: case and spaces), created if new. `cache` is folded name
    -> id."""
    key = fold_name(name)
    if not cache:
        cache.update(
            (fold_name(n), i) for n, i in db.session.execute(select(Service.name, Service.id))
        )
    if key not in cache:
        service = Service(name=tidy_name(name))
        db.session.add(service)
        db.session.flush()
        cache[key] = service.id
    return cache[key]


def get_or_create_round(tranche_id: int, number: int, cache: dict[tuple[int, int], int]) -> int:
    key = (tranche_id, number)
    if key not in cache:
        round_id = db.session.scalar(
            select(ReviewRound.id).where(
                ReviewRound.tranche_id == tranche_id, ReviewRound.number == number
            )
        )
        if round_id is None:
            review_round = ReviewRound(tranche_id=tranche_id, number=number)
            db.session.add(review_round)
            db.session.flush()
            round_id = review_round.id
        cache[key] = round_id
    return cache[key]


def rounds_of_tranche(code: str) -> list[ReviewRound]:
    return list(
        db.session.scalars(
            select(ReviewRound)
            .join(Tranche)
            .where(Tranche.code == code)
            .order_by(ReviewRound.number)
        )
    )


def schema_exists() -> bool:
    from sqlalchemy import inspect

    return inspect(db.engine).has_table("comment")


def count_rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0

"""Small factories for service tests.

Call them inside an app context (the `app_context` fixture or `with app.app_context():`).
`add_artefacts` is test set-up and commits, so a later request or context sees the rows.
"""

from __future__ import annotations

from sqlalchemy import func, select

from importers import document_type
from reviewtracker.extensions import db
from reviewtracker.models import Artefact, Tranche, User
from reviewtracker.services.sessions import start_session


def signed_in_id(user: User) -> str:
    """A new sign-in for `user`, committed: what a test puts in session["_user_id"] to be
    signed in as them (the id the session cookie holds)."""
    start_session(user)
    db.session.commit()
    return user.get_id()


def sign_in_as(client, user_id: int) -> None:
    """Sign the test client in as an existing user (a new sign-in, committed), outside any
    app context of the test's."""
    with client.application.app_context():
        cookie_id = signed_in_id(db.session.get(User, user_id))
    with client.session_transaction() as session:
        session["_user_id"] = cookie_id
        session["_fresh"] = True


def add_artefacts(*artefacts: tuple[str, str]) -> list[Artefact]:
    """Artefacts by (reference, tranche code), titled after their reference."""
    tranches = dict(db.session.execute(select(Tranche.code, Tranche.id)).all())
    rows = [
        Artefact(
            reference=reference,
            title=f"Title of {reference}",
            document_type=document_type(reference),
            tranche_id=tranches[tranche],
            position=position,
        )
        for position, (reference, tranche) in enumerate(artefacts)
    ]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def comment_rows(n: int = 3, start: int = 1, **overrides) -> list[dict]:
    """`n` comment log rows (logmaker fields) over BP004, BP005 and IF005, each reference
    written another way; `overrides` set a field on every row."""
    rows = []
    for i in range(start, start + n):
        row = {
            "log_comment_id": str(i),
            "artefact": ["MHHSP-BP004", "BP-005", "IF-05"][(i - 1) % 3],
            "section": f"3.{i}",
            "comment": f"Comment number {i}: the trigger for step {i} is unclear.",
            "proposed_change": f"Clarify step {i}.",
            "disposition": "",
        }
        row.update(overrides)
        rows.append(row)
    return rows


def count(model, *where) -> int:
    """Rows of a model's table (matching `where`)."""
    return db.session.scalar(select(func.count()).select_from(model).where(*where))

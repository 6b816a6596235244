"""Sign-ins: started at sign-in, checked on every request, ended at sign-out, all of a user's
ended when their password, role or standing changes.

A signed cookie that held only the user's id signed them in for as long as it was replayed:
after sign-out, after a password change, for ever in a remember-me cookie. Now each sign-in
is a `UserSession` row holding a digest of a random token; the cookies hold the user's id and
that token (`User.get_id`), and `session_user` accepts them only while the row exists and has
not expired (SIGN_IN_LIFETIME, 14 days by default, remembered or not). Deleting rows revokes
the cookies everywhere at once.

Services flush; the view or command that calls them owns the transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from ..extensions import db
from ..inputs import positive_int
from ..models import User, UserSession, utcnow

DEFAULT_LIFETIME = timedelta(days=14)
# The token part of a cookie's id is token_urlsafe(32): 43 characters.
MAX_TOKEN_LENGTH = 64


def lifetime() -> timedelta:
    return current_app.config.get("SIGN_IN_LIFETIME", DEFAULT_LIFETIME)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, now: datetime | None = None) -> str:
    """A new sign-in for `user`: its token is set on `user` (so `user.get_id()` names it) and
    returned. Expired sign-ins of everyone are pruned on the way."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    db.session.execute(delete(UserSession).where(UserSession.expires_at <= now))
    db.session.add(
        UserSession(
            user_id=user.id,
            token_digest=_digest(token),
            created_at=now,
            expires_at=now + lifetime(),
        )
    )
    db.session.flush()
    user.sign_in_token = token
    return token


def session_user(cookie_id: str | None, now: datetime | None = None) -> User | None:
    """The active user a cookie's id ("<user id>:<token>") names, if that sign-in is still
    open; else None (so the cookie signs nobody in)."""
    user_id, _, token = (cookie_id or "").partition(":")
    number = positive_int(user_id)
    if number is None or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    user = db.session.scalar(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            User.id == number,
            UserSession.token_digest == _digest(token),
            UserSession.expires_at > (now or utcnow()),
        )
    )
    if user is None or not user.active:
        return None
    user.sign_in_token = token
    return user


def end_session(user: User) -> None:
    """End the sign-in `user` was loaded for (sign-out): its cookies sign nobody in again."""
    token = getattr(user, "sign_in_token", None)
    if token:
        db.session.execute(delete(UserSession).where(UserSession.token_digest == _digest(token)))
    user.sign_in_token = None


def open_sessions(user_id: int, now: datetime | None = None) -> int:
    """How many sign-ins of a user are open (browsers that are, or may come back, signed in)."""
    return db.session.scalar(
        select(func.count())
        .select_from(UserSession)
        .where(UserSession.user_id == user_id, UserSession.expires_at > (now or utcnow()))
    )


def end_all_sessions(user_id: int) -> int:
    """End every sign-in of a user, in every browser; how many there were."""
    result = db.session.execute(delete(UserSession).where(UserSession.user_id == user_id))
    return result.rowcount or 0


__all__ = [
    "DEFAULT_LIFETIME",
    "end_all_sessions",
    "end_session",
    "open_sessions",
    "session_user",
    "start_session",
]

"""A signed-in user's own account: changing their password."""

from __future__ import annotations

from ..extensions import db
from ..models import User
from . import ServiceError
from .sessions import end_all_sessions
from .users import MIN_PASSWORD

MAX_PASSWORD = 200


def change_password(user: User, current: str, new: str) -> int:
    """Set `user`'s password to `new` if `current` is their password now, and end every
    sign-in of theirs (a stolen cookie dies with the old password); how many were ended."""
    if not user.check_password(current or ""):
        raise ServiceError("that is not your current password")
    if not MIN_PASSWORD <= len(new or "") <= MAX_PASSWORD:
        raise ServiceError(
            f"the new password must have {MIN_PASSWORD} to {MAX_PASSWORD} characters"
        )
    if new == current:
        raise ServiceError("the new password is the same as the current one")
    user.set_password(new)
    ended = end_all_sessions(user.id)
    db.session.flush()
    return ended


__all__ = ["MAX_PASSWORD", "change_password"]

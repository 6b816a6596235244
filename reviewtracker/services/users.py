"""Users: creation, roles, sign-in checks. The CLI and the admin page both come here."""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from ..extensions import db
from ..models import ALL_ROLES, REVIEWER, ROLES, LoginAttempt, Organisation, User, utcnow
from . import ServiceError
from .organisations import organisation_by_name
from .sessions import end_all_sessions

MIN_PASSWORD = 10
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def create_user(
    email: str,
    password: str,
    role: str,
    name: str = "",
    *,
    organisation: Organisation | int | str | None = None,
) -> User:
    """A new user. A reviewer must have an `organisation` (an Organisation, its id, or its
    name, matched as the importer matches names); nobody else may have one."""
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise ServiceError(f"{email!r} is not an email address")
    if role not in ALL_ROLES:
        raise ServiceError(f"unknown role {role!r}: choose one of {', '.join(ALL_ROLES)}")
    organisation = _organisation_for(role, organisation)
    if len(password) < MIN_PASSWORD:
        raise ServiceError(f"the password must have at least {MIN_PASSWORD} characters")
    if user_by_email(email) is not None:
        raise ServiceError(f"a user {email} already exists")
    user = User(
        email=email,
        name=(name or "").strip(),
        role=role,
        organisation_id=organisation.id if organisation is not None else None,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def _organisation_for(
    role: str, organisation: Organisation | int | str | None
) -> Organisation | None:
    """The organisation a user of `role` is tied to: required for a reviewer (an unknown name
    is a clear error naming close matches), refused for everyone else."""
    if isinstance(organisation, str):
        organisation = organisation.strip() or None
    if isinstance(organisation, int):
        found = db.session.get(Organisation, organisation)
        if found is None:
            raise ServiceError(f"no organisation with id {organisation}")
        organisation = found
    if role != REVIEWER:
        if organisation is not None:
            raise ServiceError(f"only a reviewer has an organisation, not a {role}")
        return None
    if organisation is None:
        raise ServiceError("a reviewer must have an organisation: name the one they review for")
    if isinstance(organisation, str):
        return organisation_by_name(organisation)  # matched as the importer folds names
    return organisation


def any_user() -> bool:
    """True once anyone can sign in: a fresh installation has no user until its first admin
    is created (`reviewtracker create-user EMAIL --role admin`)."""
    return db.session.scalar(select(User.id).limit(1)) is not None


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, else None (no hint which was wrong)."""
    user = user_by_email(email)
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


# --- the sign-in rate limit ------------------------------------------------------------------

AUTH_LOG = logging.getLogger("reviewtracker.auth")
# Attempts older than this are deleted (far longer than any window or lockout).
LOGIN_ATTEMPT_RETENTION = timedelta(days=1)


class TooManyAttempts(ServiceError):
    """Sign-in refused without checking the password: too many recent failures."""

    def __init__(self, message: str, retry_after: timedelta) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    @property
    def retry_after_seconds(self) -> int:
        return max(1, math.ceil(self.retry_after.total_seconds()))


@dataclass(frozen=True)
class _Limit:
    max_failures: int
    window: timedelta
    lockout: timedelta


def sign_in(email: str, password: str, ip: str | None, now: datetime | None = None) -> User | None:
    """authenticate(), rate limited. After LOGIN_MAX_FAILURES failures for one email (or
    LOGIN_MAX_FAILURES_PER_ADDRESS from one address) within LOGIN_WINDOW, every attempt is
    refused with TooManyAttempts for LOGIN_LOCKOUT, even with the right password; refused
    attempts are not counted. A success resets the count for its email. Every attempt is
    recorded in login_attempt (shared by all threads and processes); old rows are pruned."""
    now = now or utcnow()
    key = email.strip().lower()[:254]
    config = current_app.config
    window, lockout = config["LOGIN_WINDOW"], config["LOGIN_LOCKOUT"]
    checks = [
        (
            "email",
            LoginAttempt.email == key,
            _Limit(config["LOGIN_MAX_FAILURES"], window, lockout),
            "for this email address",
        )
    ]
    if ip:
        limit = _Limit(config["LOGIN_MAX_FAILURES_PER_ADDRESS"], window, lockout)
        checks.append(("address", LoginAttempt.ip == ip, limit, "from your network address"))
    for scope, where, limit, whose in checks:
        until = _locked_until(where, limit, now, reset_by_success=scope == "email")
        if until is not None:
            AUTH_LOG.warning("sign-in refused", extra={"scope": scope, "remote_addr": ip})
            minutes = math.ceil((until - now).total_seconds() / 60)
            raise TooManyAttempts(
                f"Too many failed sign-ins {whose}: signing in is paused for "
                f"{minutes} minute{'s' if minutes != 1 else ''}. Please try again later.",
                until - now,
            )
    user = authenticate(key, password)
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - LOGIN_ATTEMPT_RETENTION))
    # Recorded in the caller's unit of work, which commits it whatever the outcome.
    db.session.add(LoginAttempt(email=key, ip=ip, at=now, success=user is not None))
    db.session.flush()
    if user is None:
        AUTH_LOG.info("sign-in failed", extra={"remote_addr": ip})
    else:
        AUTH_LOG.info("signed in", extra={"user_id": user.id, "remote_addr": ip})
    return user


def _locked_until(where, limit: _Limit, now: datetime, reset_by_success: bool) -> datetime | None:
    """The end of the lockout in force at `now`, if any. A lockout starts at the failure that
    makes `max_failures` within `window`; refused attempts are not recorded, so only the
    latest failure can have started one still in force."""
    since = now - limit.window - limit.lockout
    if reset_by_success:
        last_success = db.session.scalar(
            select(func.max(LoginAttempt.at)).where(where, LoginAttempt.success)
        )
        if last_success is not None:
            since = max(since, last_success)
    failures = list(
        db.session.scalars(
            select(LoginAttempt.at)
            .where(where, ~LoginAttempt.success, LoginAttempt.at > since)
            .order_by(LoginAttempt.at.desc())
            .limit(limit.max_failures)
        )
    )
    if len(failures) < limit.max_failures or failures[0] - failures[-1] > limit.window:
        return None
    until = failures[0] + limit.lockout
    return until if now < until else None


def update_user(user_id: int, *, role: str, active: bool, acting: User) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise ServiceError(f"no user {user_id}")
    if role not in ALL_ROLES:
        raise ServiceError(f"unknown role {role!r}")
    if user.id == acting.id and (role != "admin" or not active):
        raise ServiceError("you cannot take away your own admin role or deactivate yourself")
    if role == REVIEWER and user.role != REVIEWER:
        # A reviewer needs an organisation, and this form has none to give.
        raise ServiceError(
            f"{user.email} cannot become a reviewer here: add them anew as a reviewer of "
            "their organisation"
        )
    if role in ROLES and user.role == REVIEWER:
        raise ServiceError(
            f"{user.email} is a reviewer of one organisation; to give them another role, "
            "deactivate them and add them anew"
        )
    if (user.role, user.active) != (role, active):
        end_all_sessions(user.id)  # no cookie may go on with the old role or standing
    user.role, user.active = role, active
    db.session.flush()
    return user


def all_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(func.lower(User.email))))

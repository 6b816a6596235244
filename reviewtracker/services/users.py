"""Users: creation, roles, sign-in checks. The CLI and the admin page both come here."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from ..extensions import db
from ..models import ROLES, User
from . import ServiceError

MIN_PASSWORD = 10
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def create_user(email: str, password: str, role: str, name: str = "") -> User:
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise ServiceError(f"{email!r} is not an email address")
    if role not in ROLES:
        raise ServiceError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise ServiceError(f"the password must have at least {MIN_PASSWORD} characters")
    if user_by_email(email) is not None:
        raise ServiceError(f"a user {email} already exists")
    user = User(email=email, name=name.strip(), role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, else None (no hint which was wrong)."""
    user = user_by_email(email)
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


def update_user(user_id: int, *, role: str, active: bool, acting: User) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise ServiceError(f"no user {user_id}")
    if role not in ROLES:
        raise ServiceError(f"unknown role {role!r}")
    if user.id == acting.id and (role != "admin" or not active):
        raise ServiceError("you cannot take away your own admin role or deactivate yourself")
    user.role, user.active = role, active
    db.session.commit()
    return user


def all_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(func.lower(User.email))))

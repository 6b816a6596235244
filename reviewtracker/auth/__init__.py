"""Sign-in, roles and users. Every view is behind a login; `role_required` guards the rest."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, Flask, abort, request
from flask_login import current_user

from ..extensions import db, login_manager
from ..models import User

bp = Blueprint("auth", __name__)

# Endpoints an anonymous visitor may reach.
PUBLIC_ENDPOINTS = {"auth.login", "static"}


def role_required(role: str) -> Callable:
    """Refuse (403) a signed-in user below `role`; the login gate has already sent anonymous
    visitors to the sign-in page."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


def _login_gate():
    """Every page needs a signed-in user, except the sign-in page itself."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.before_request(_login_gate)
    from . import views  # noqa: F401  (routes register on the blueprint)

    app.register_blueprint(bp)

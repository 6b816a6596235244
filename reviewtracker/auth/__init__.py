"""Sign-in, roles and users. Every view is behind a login; `role_required` guards the rest."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, Flask, abort, current_app, request
from flask_login import current_user

from ..extensions import login_manager
from ..models import User
from ..services.scope import Scope
from ..services.sessions import session_user

bp = Blueprint("auth", __name__)

# Endpoints an anonymous visitor may reach.
PUBLIC_ENDPOINTS = {
    "auth.login",
    "static",
    "ops.health",
    "ops.favicon",
    "vocabulary.stylesheet",
}
# Endpoints a reviewer may reach besides the views marked `role_required(..., reviewers=True)`.
REVIEWER_ENDPOINTS = {"auth.logout"}


def role_required(role: str, *, reviewers: bool = False) -> Callable:
    """Refuse (403) a signed-in user below `role`; the login gate has already sent anonymous
    visitors to the sign-in page.

    A reviewer is outside the role ladder and is refused too, unless `reviewers=True`: the
    view then opts in, and must itself confine the reviewer to their organisation.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not (current_user.has_role(role) or (reviewers and current_user.is_reviewer)):
                abort(403)
            return view(*args, **kwargs)

        wrapped.reviewers_allowed = reviewers
        return wrapped

    return decorator


def reviewer_may_reach(endpoint: str | None) -> bool:
    """True if a reviewer may reach `endpoint` at all: a view that opted in, or sign-out."""
    if endpoint in PUBLIC_ENDPOINTS or endpoint in REVIEWER_ENDPOINTS:
        return True
    view = current_app.view_functions.get(endpoint or "")
    return bool(getattr(view, "reviewers_allowed", False))


# A reviewer without an organisation (the schema forbids it) sees nothing: no organisation
# has this id.
NO_ORGANISATION = 0


def viewer_scope() -> Scope:
    """The signed-in user's scope, for the services a view calls: a reviewer's organisation,
    or the staff's whole view. Only the login gate lets anyone else this far."""
    if not current_user.is_authenticated:
        abort(401)
    if current_user.is_reviewer:
        return Scope.organisation(current_user.organisation_id or NO_ORGANISATION)
    return Scope.staff()


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The user a session or remember-me cookie names, while that sign-in is open."""
    return session_user(user_id)


def _login_gate():
    """Every page needs a signed-in user, except the sign-in page itself."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    # Secure by default: a reviewer reaches only the views that opted in, so a new view
    # (or one without `role_required`) never shows a reviewer more than their own.
    if getattr(current_user, "is_reviewer", False) and not reviewer_may_reach(request.endpoint):
        abort(403)
    return None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.before_request(_login_gate)
    from . import account, views  # noqa: F401  (routes register on the blueprint)

    app.register_blueprint(bp)

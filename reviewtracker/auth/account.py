"""A signed-in user's account page: change the password, sign out everywhere.

Both end every sign-in of the user (services/sessions.py): a password change keeps this
browser signed in with a new sign-in; "sign out everywhere" signs this browser out too.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from ..services import ServiceError
from ..services.account import change_password
from ..services.sessions import end_all_sessions, lifetime, open_sessions, start_session
from ..unit_of_work import unit_of_work
from . import bp, role_required
from .forms import PasswordForm


def _remembered() -> bool:
    """True if this browser came with a remember-me cookie (it gets a new one)."""
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


@bp.route("/account", methods=["GET", "POST"])
@role_required("viewer", reviewers=True)
def account():
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            with unit_of_work():
                change_password(user, form.current.data, form.new.data)
                start_session(user)  # this browser stays signed in, with a new sign-in
        except ServiceError as error:
            flash(f"Nothing was changed: {error}.", "error")
            return _page(form), 400
        login_user(user, remember=_remembered())
        flash("Password changed. Every other browser signed in as you was signed out.", "success")
        return redirect(url_for("auth.account"))
    return _page(form), 400 if form.errors else 200


def _page(form: PasswordForm) -> str:
    return render_template(
        "auth/account.html",
        form=form,
        open_sessions=open_sessions(current_user.id),
        lifetime_days=lifetime().days,
    )


@bp.post("/account/sign-out-everywhere")
@role_required("viewer", reviewers=True)
def sign_out_everywhere():
    with unit_of_work():
        ended = end_all_sessions(current_user.id)
    logout_user()
    flash(
        f"Signed out everywhere: {ended} sign-in{'' if ended == 1 else 's'} ended, this one "
        "included.",
        "info",
    )
    return redirect(url_for("auth.login"))

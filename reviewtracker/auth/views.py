from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..inputs import local_path
from ..services import ServiceError
from ..services.sessions import end_session, start_session
from ..services.users import (
    TooManyAttempts,
    all_users,
    any_user,
    create_user,
    sign_in,
    update_user,
)
from ..unit_of_work import unit_of_work
from . import bp, role_required
from .forms import LoginForm, NewUserForm, UserForm


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never send a user on to another host after sign-in."""
    return local_path(target) or url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():  # the attempt is recorded, whatever its outcome
                user = sign_in(form.email.data, form.password.data, request.remote_addr)
        except TooManyAttempts as refused:
            flash(str(refused), "error")
            headers = {"Retry-After": str(refused.retry_after_seconds)}
            return _login_page(form), 429, headers
        if user is not None:
            with unit_of_work():
                start_session(user)
            login_user(user, remember=form.remember.data)
            flash(f"Signed in as {user.display_name}.", "success")
            return redirect(_safe_next(request.args.get("next")))
        flash("That email and password do not match an active account.", "error")
    return _login_page(form), 200 if not form.errors else 400


def _login_page(form: LoginForm) -> str:
    return render_template("auth/login.html", form=form, no_users=not any_user())


@bp.post("/logout")
@login_required
def logout():
    with unit_of_work():
        end_session(current_user)  # this browser's cookies, replayed, sign nobody in
    logout_user()
    flash("Signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/users", methods=["GET", "POST"])
@role_required("admin")
def users():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                user = create_user(
                    form.email.data,
                    form.password.data,
                    form.role.data,
                    form.name.data,
                    organisation=form.organisation_id(),
                )
        except ServiceError as error:
            flash(str(error), "error")
        else:
            flash(f"User {user.email} created with the role {user.role}.", "success")
            return redirect(url_for("auth.users"))
    rows = [(user, UserForm(prefix=f"u{user.id}", obj=user)) for user in all_users()]
    return render_template("auth/users.html", form=form, rows=rows)


@bp.post("/users/<int:user_id>")
@role_required("admin")
def update(user_id: int):
    form = UserForm(prefix=f"u{user_id}")
    if form.validate_on_submit():
        try:
            with unit_of_work():
                user = update_user(
                    user_id, role=form.role.data, active=form.active.data, acting=current_user
                )
        except ServiceError as error:
            flash(str(error), "error")
        else:
            flash(f"{user.email}: role {user.role}, {'active' if user.active else 'inactive'}.")
    else:
        flash("Nothing changed: the form was not valid.", "error")
    return redirect(url_for("auth.users"))

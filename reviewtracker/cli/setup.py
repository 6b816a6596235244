"""Setting up: the schema and reference data, users, the demo data set."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from ..models import ALL_ROLES, Comment
from ..services import ServiceError
from ..services.installation import refuse_own_data
from ..services.organisations import organisation_by_name
from ..services.reference import count_rows, init_db
from ..services.users import any_user, create_user
from ..unit_of_work import unit_of_work
from .common import require_schema


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create the database schema and the reference data (tranches, constituencies).

    Safe to run again: it only adds what is missing and never touches comments.
    """
    with unit_of_work():
        added = init_db()
        first_run = not any_user()
    click.echo(
        f"Database ready at {current_app.config['SQLALCHEMY_DATABASE_URI']} "
        f"({added['tranches']} tranches, {added['constituencies']} constituencies added)."
    )
    if first_run:
        click.echo(
            "No one can sign in yet: create the first administrator with\n"
            '  reviewtracker create-user YOU@EXAMPLE.ORG --role admin --name "Your Name"\n'
            "who then adds everyone else on the Users page."
        )


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing if the demo is already loaded.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Load the demo data set: Tranche 1 as in the DAG #8 pack, and a Tranche 2 review under
    way, imported from generated logs through the real import path. Also makes sure the demo
    user exists, and prints its login.

    The demo goes in a database of its own (`make run` uses instance/demo.db), never beside a
    team's data: refused in a database that holds anything else. The database records that
    it holds the demo, and every page then shows a "Demo data" banner.
    """
    from ..demo import DEMO_PASSWORD, ensure_demo_reviewer, ensure_demo_user, load_demo
    from ..demo_programme import ANSWERING

    with unit_of_work():
        init_db()
    try:
        refuse_own_data()
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    if if_empty and count_rows(Comment):
        click.echo("The database already has comments; demo data not loaded.")
    else:
        summary = load_demo()
        click.echo(
            f"Demo data loaded: {summary['artefacts']} artefacts, {summary['comments']} "
            f"comments, {summary['triaged']} triaged and published."
        )
    with unit_of_work():
        user = ensure_demo_user()
        email, role = user.email, user.role
        reviewer = ensure_demo_reviewer()
        reviewer_email = reviewer.email if reviewer is not None else None
    click.echo(f"Sign in as {email} with the password {DEMO_PASSWORD} ({role}).")
    if reviewer_email:
        click.echo(f"To see what a reviewer of {ANSWERING} sees: {reviewer_email}, same password.")


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(ALL_ROLES), default="triager", show_default=True)
@click.option("--name", default="", help="The person's name, as shown in the audit trail.")
@click.option(
    "--organisation",
    help="A reviewer's organisation (required for --role reviewer), its name as imported.",
)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (scripts)."
)
@with_appcontext
def create_user_command(
    email: str, role: str, name: str, organisation: str | None, password_stdin: bool
) -> None:
    """Create a user who signs in with EMAIL. Prompts for the password unless --password-stdin.

    Roles: viewer (read-only), triager (triage and import), lead (also the dashboard status),
    admin (also manages users); reviewer (industry: only their --organisation's comments and
    responses, and the tranche dashboards). The organisation's name is matched ignoring case
    and spaces, as the importer matches it.
    """
    require_schema()
    if role == "reviewer" and not (organisation or "").strip():
        raise click.UsageError("a reviewer needs --organisation NAME")
    tied_to = None
    if organisation is not None and role == "reviewer":
        try:  # before the password prompt: a typo in the name is an error at once
            tied_to = organisation_by_name(organisation)
        except ServiceError as error:
            raise click.ClickException(str(error)) from error
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with unit_of_work():
            user = create_user(email, password, role, name, organisation=tied_to or organisation)
            of = f" of {user.organisation.name}" if user.organisation is not None else ""
            created = f"Created {user.email} ({user.role}{of})."
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    click.echo(created)

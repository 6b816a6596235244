"""The artefacts and their lifecycle on the command line: the live tracker."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext
from rich.table import Table

from importers.reference import TRANCHES
from importers.vocabulary import ARTEFACT_STATES

from ..services.scope import Scope
from ..services.tracker import TrackerFilter, tracker_rows
from .common import make_console, require_schema


@click.command("artefacts")
@click.option("--tranche", type=click.Choice(TRANCHES), help="Only this tranche's artefacts.")
@click.option(
    "--state",
    type=click.Choice(ARTEFACT_STATES.keys),
    help="Only artefacts in this lifecycle state.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@with_appcontext
def artefacts_command(tranche: str | None, state: str | None, as_json: bool) -> None:
    """List the artefacts in register order, as the live Design Artefact Tracker shows them:
    tranche, service, lifecycle state, version, expected DAG month, comments and outstanding
    issues. --json prints one object per artefact."""
    require_schema()
    rows = tracker_rows(TrackerFilter(tranche=tranche, state=state), Scope.staff())
    if as_json:
        click.echo(json.dumps([row.as_json() for row in rows], indent=2))
        return
    table = Table(title="Design Artefact Tracker")
    for heading in ("Tranche", "Reference", "Name", "State", "Version", "Expected DAG"):
        table.add_column(heading)
    for heading in ("Comments", "Outstanding"):
        table.add_column(heading, justify="right")
    for row in rows:
        table.add_row(
            row.tranche or "",
            row.reference,
            row.title,
            row.state_label or "not set",
            row.version or "",
            row.expected_dag_month or "",
            str(row.received),
            str(row.outstanding.total),
        )
    make_console().print(table)

"""The advisory group's logs: import the action and decision logs from the papers' tables, and
list them (as text or JSON)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from rich.console import Console
from rich.table import Table

from importers.vocabulary import ACTION_STATUSES

from ..services import ServiceError
from ..services.action_import import GovernanceImportReport, import_action_log
from ..services.action_queries import ActionFilter, action_list
from ..services.decision_import import import_decision_log
from ..services.decisions import decision_rows
from ..services.scope import Scope
from ..unit_of_work import unit_of_work
from .common import make_console, require_schema

FILES = click.Path(exists=True, dir_okay=False, path_type=Path)
MEETING_HELP = "The meeting every row belongs to (DAG013), whatever the file says."
PUBLIC_HELP = (
    "Mark every imported item public (--public: reviewers see them) or not (--internal). "
    "Default: as the file's 'Classification' line says, else leave each item as it is."
)


def _import_files(
    files: tuple[Path, ...], dry_run: bool, run: Callable[[Path], GovernanceImportReport]
) -> None:
    """Each file in a transaction of its own: written whole, or (refused, or a dry run) not at
    all; the other files go on. Exits non-zero if any file was refused."""
    console = make_console()
    refused = 0
    for path in files:
        try:
            with unit_of_work() as work:
                report = run(path)
                if dry_run or not report.ok:
                    work.discard()
        except ServiceError as error:
            raise click.ClickException(str(error)) from error
        _print_report(report, dry_run, console)
        refused += not report.ok
    if refused:
        raise click.ClickException(
            f"{refused} of {len(files)} file(s) refused; nothing was written from them"
        )


def _print_report(report: GovernanceImportReport, dry_run: bool, console: Console) -> None:
    console.print(f"[bold]{report.file}[/]")
    for sheet in report.sheets:
        if sheet.skipped:
            console.print(f"  sheet '{sheet.name}': skipped, {sheet.skipped}")
        elif sheet.header_row:
            mapping = ", ".join(f"{name} <- '{header}'" for name, header in sheet.mapping.items())
            console.print(f"  sheet '{sheet.name}': header row {sheet.header_row}; {mapping}")
    for problem in report.problems:
        colour = "red" if problem.severity == "error" else "yellow"
        console.print(f"  [{colour}]{problem}[/]", soft_wrap=True)
    if not report.ok:
        console.print(f"  [red]refused: {len(report.errors)} error(s); nothing was written[/]")
        return
    for line in report.kept:
        console.print(f"  [yellow]kept: {line}[/]", soft_wrap=True)
    if report.meetings_created:
        made = "would create" if dry_run else "created"
        console.print(f"  meetings {made}: {', '.join(report.meetings_created)}")
    verb = "would add" if dry_run else "added"
    console.print(
        f"  {verb} {report.added}, updated {report.updated}, unchanged {report.unchanged}"
        + (f"; {report.updates_added} dated update(s)" if report.updates_added else "")
        + (" (dry run: nothing written)" if dry_run else ""),
        soft_wrap=True,
    )


def _public_option(function: Callable) -> Callable:
    return click.option("--public/--internal", "public", default=None, help=PUBLIC_HELP)(function)


@click.command("import-actions")
@click.argument("files", nargs=-1, required=True, type=FILES)
@click.option("--meeting", help=MEETING_HELP)
@_public_option
@click.option("--dry-run", is_flag=True, help="Read, check and count; write nothing.")
@with_appcontext
def import_actions_command(
    files: tuple[Path, ...], meeting: str | None, public: bool | None, dry_run: bool
) -> None:
    """Import action logs (.xlsx or .csv) in the papers' layout: Area | Action Ref | Action |
    Owner | Due Date, with Date, Status and Update columns when present.

    The area may be written once for a run of rows (blank or merged cells below it); a
    "Previous meetings" heading starts the earlier meetings' actions. Dates: dd/mm/yyyy,
    dd/mm/yy or Excel dates. A status cell may go on with the update ("ONGOING - Dates
    proposed"). Each action belongs to the meeting its reference names (DAG13-04: DAG013)
    unless --meeting says otherwise. Re-importing updates statuses and adds new updates, never
    a second action; an action last changed in the browser is kept (listed). Each FILE is one
    transaction.
    """
    require_schema()
    actor = current_app.config["IMPORT_ACTOR"]
    today = date.today()
    _import_files(
        files,
        dry_run,
        lambda path: import_action_log(path, actor, meeting=meeting, public=public, today=today),
    )


@click.command("import-decisions")
@click.argument("files", nargs=-1, required=True, type=FILES)
@click.option("--meeting", help=MEETING_HELP)
@_public_option
@click.option("--dry-run", is_flag=True, help="Read, check and count; write nothing.")
@with_appcontext
def import_decisions_command(
    files: tuple[Path, ...], meeting: str | None, public: bool | None, dry_run: bool
) -> None:
    """Import decision logs (.xlsx or .csv) in the papers' layout: Area | Dec Ref | Decision
    (paragraphs and numbered points kept), with Meeting and Artefacts columns when present.

    A decision's meeting is --meeting, else its Meeting column, else the "Meeting Number" line
    above the table. Re-importing adds nothing; a decision last changed in the browser is kept
    (listed). Each FILE is one transaction.
    """
    require_schema()
    _import_files(
        files,
        dry_run,
        lambda path: import_decision_log(path, meeting=meeting, public=public),
    )


@click.command("actions")
@click.option("--meeting", help="Only this meeting's actions (DAG013).")
@click.option("--status", type=click.Choice(ACTION_STATUSES.keys), help="Only this status.")
@click.option("--overdue", is_flag=True, help="Only actions open or ongoing past their due date.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@with_appcontext
def actions_command(meeting: str | None, status: str | None, overdue: bool, as_json: bool) -> None:
    """The action log in reference order. JSON: a list of {"ref", "meeting", "area", "action",
    "owner", "due", "status"}."""
    require_schema()
    from importers.governance import normalise_meeting_ref

    if meeting is not None and normalise_meeting_ref(meeting) is None:
        raise click.BadParameter(f"{meeting!r} is not a meeting reference (like DAG013)")
    f = ActionFilter(status=status, meeting=normalise_meeting_ref(meeting), overdue=overdue)
    rows = action_list(Scope.staff(), f, today=date.today())
    if as_json:
        click.echo(json.dumps([row.as_json() for row in rows], indent=2, ensure_ascii=False))
        return
    table = Table(title="Action log")
    for heading in ("Ref", "Meeting", "Area", "Action", "Owner", "Due", "Status"):
        table.add_column(heading)
    for row in rows:
        due = row.due.strftime("%d/%m/%Y") if row.due else (row.due_note or "")
        status_label = ACTION_STATUSES[row.status].label + (" (overdue)" if row.overdue else "")
        table.add_row(row.reference, row.meeting, row.area, row.text, row.owner, due, status_label)
    make_console().print(table)


@click.command("decisions")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@with_appcontext
def decisions_command(as_json: bool) -> None:
    """The decision log in reference order. JSON: a list of {"ref", "meeting", "area",
    "decision"}."""
    require_schema()
    rows = decision_rows(Scope.staff())
    if as_json:
        click.echo(json.dumps([row.as_json() for row in rows], indent=2, ensure_ascii=False))
        return
    table = Table(title="Decision log")
    for heading in ("Ref", "Meeting", "Area", "Decision"):
        table.add_column(heading)
    for row in rows:
        table.add_row(row.reference, row.meeting, row.area, row.text)
    make_console().print(table)


COMMANDS = (
    import_actions_command,
    import_decisions_command,
    actions_command,
    decisions_command,
)

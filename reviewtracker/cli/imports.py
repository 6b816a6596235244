"""Importing files: the artefact register, comment logs, the design dashboard table."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from importers.reference import TRANCHES

from ..services import ServiceError
from ..services.artefact_import import import_artefact_register
from ..services.comment_import import ImportOptions, ImportReport, import_comment_log
from ..unit_of_work import unit_of_work
from .common import make_console, require_schema

# Progress bars only for files big enough to make someone wait.
PROGRESS_FROM_BYTES = 1_000_000


@click.command("import-artefacts")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@with_appcontext
def import_artefacts_command(file: Path, dry_run: bool) -> None:
    """Load an artefact register (the Design Artefact Tracker) from FILE (.xlsx or .csv).

    Artefacts are matched by their normalised reference (MHHSP-BP004 and BP-004 are BP004):
    new ones are added, known ones updated with the register's title, tranche, service,
    status and version.
    """
    require_schema()
    with unit_of_work() as work:
        report = import_artefact_register(
            file, actor=current_app.config["IMPORT_ACTOR"], dry_run=dry_run
        )
        if not report.ok:
            work.discard()  # nothing was written; said plainly
    console = make_console()
    for problem in report.problems:
        console.print(f"  [{'red' if problem.severity == 'error' else 'yellow'}]{problem}[/]")
    if not report.ok:
        raise click.ClickException(f"{file.name}: refused, nothing was written")
    if report.services_created:
        made = "would create" if dry_run else "created"
        console.print(f"  services {made}: {', '.join(report.services_created)}", soft_wrap=True)
    verb = "would add" if dry_run else "added"
    console.print(
        f"{file.name}: {verb} {report.added}, updated {report.updated}, "
        f"unchanged {report.unchanged} artefacts"
        + (" (dry run: nothing written)" if dry_run else "")
    )


@click.command("import-comments")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--tranche",
    type=click.Choice(TRANCHES),
    help="Tranche under review, if the log doesn't say (default: the artefact's).",
)
@click.option(
    "--round",
    "review_round",
    type=click.IntRange(1, 20),
    help="Review round, if the log doesn't say (default 1).",
)
@click.option("--organisation", help="Organisation that sent the log, if the log doesn't say.")
@click.option("--constituency", help="Constituency of a new organisation, if the log doesn't say.")
@click.option(
    "--allow-other-artefacts",
    is_flag=True,
    help="Keep comments on artefacts the review round does not review (else refused).",
)
@click.option("--dry-run", is_flag=True, help="Read, check and count; write nothing.")
@with_appcontext
def import_comments_command(
    files: tuple[Path, ...],
    tranche: str | None,
    review_round: int | None,
    organisation: str | None,
    constituency: str | None,
    allow_other_artefacts: bool,
    dry_run: bool,
) -> None:
    """Import reviewers' comment logs (.xlsx or .csv) into the database.

    Each FILE is one transaction: a file with any error writes nothing and the command exits
    non-zero (the other files are still imported). Re-importing a log adds nothing; an updated
    log updates the reviewer's text but never a disposition or response set in the browser,
    which is listed as a conflict instead. The options fill only what the log itself lacks.
    """
    require_schema()
    console = make_console()
    options = ImportOptions(
        tranche=tranche,
        review_round=review_round,
        organisation=organisation,
        constituency=constituency,
        actor=current_app.config["IMPORT_ACTOR"],
        dry_run=dry_run,
        allow_other_artefacts=allow_other_artefacts,
    )
    failed = 0
    for path in files:
        report = _import_one(path, options, console)
        _print_report(report, console)
        failed += not report.ok
    if failed:
        raise click.ClickException(
            f"{failed} of {len(files)} file(s) refused; nothing was written from them"
        )


def _import_one(path: Path, options: ImportOptions, console: Console) -> ImportReport:
    if path.stat().st_size < PROGRESS_FROM_BYTES or not console.is_terminal:
        return import_comment_log(path, options=options)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task(f"{path.name}: reading", total=None)

        def tick(phase: str, done: int, total: int) -> None:
            bar.update(task, description=f"{path.name}: {phase}", completed=done, total=total)

        return import_comment_log(path, options=options, progress=tick)


def _print_report(report: ImportReport, console: Console) -> None:
    head = f"[bold]{report.file}[/]"
    if report.encoding:
        head += f" ({report.encoding})"
    console.print(head)
    for sheet in report.sheets:
        if sheet.skipped:
            console.print(f"  sheet '{sheet.name}': skipped, {sheet.skipped}")
            continue
        mapping = ", ".join(f"{name} <- '{header}'" for name, header in sheet.mapping.items())
        console.print(f"  sheet '{sheet.name}': header row {sheet.header_row}; {mapping}")
        if sheet.unmapped:
            console.print(f"    columns not used: {', '.join(repr(h) for h in sheet.unmapped)}")
        if sheet.context:
            given = ", ".join(f"{k} = {v!r}" for k, v in sheet.context.items())
            console.print(f"    from above the table: {given}")
    for note in report.notes:
        console.print(f"  note: {note}")
    if report.late:
        console.print(f"  late: {report.late} comment(s) raised after the round's closing date")
    if report.created:
        made = "would create" if report.dry_run else "created"
        console.print(f"  {made}: {', '.join(report.created)}", soft_wrap=True)
    for problem in report.problems:
        colour = "red" if problem.severity == "error" else "yellow"
        console.print(f"  [{colour}]{problem}[/]", markup=True, soft_wrap=True)
    if not report.ok:
        console.print(f"  [red]refused: {len(report.errors)} error(s); nothing was written[/]")
        return
    verb = "would add" if report.dry_run else "added"
    console.print(
        f"  {verb} {report.added}, unchanged {report.unchanged}, updated {report.updated}, "
        f"conflicts kept {len(report.conflicts)}"
        + (" (dry run: nothing written)" if report.dry_run else "")
    )
    for conflict in report.conflicts:
        console.print(f"  [yellow]conflict: {conflict}[/]", soft_wrap=True)


def _month_option(_ctx, _param, value: str) -> str:
    from ..services.months import parse_month

    try:
        return parse_month(value)
    except ServiceError as error:
        raise click.BadParameter(str(error)) from error


@click.command("import-design-dashboard")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--month",
    required=True,
    callback=_month_option,
    help="The month the file reports, YYYY-MM: its 'This month' RAG and texts go to this "
    "month, its 'Last month' RAG to the month before (where that has no record yet).",
)
@click.option("--dry-run", is_flag=True, help="Read, check and count; write nothing.")
@with_appcontext
def import_design_dashboard_command(file: Path, month: str, dry_run: bool) -> None:
    """Load the MHHS Design Dashboard table (the DAG pack's monthly status slide) from FILE
    (.xlsx or .csv): Tranche, MHHS Service, Artefacts, RAG Last month / This month, Planned
    and Expected DAG Month, Current status and issues, Actions to resolve.

    One transaction: a file with any error writes nothing and the command exits non-zero.
    RAG cells are words: Green / Amber / Red / Complete / TBD (or G, A, R, On track, ...).
    A service not yet known is created. A month's record last changed in the browser is kept,
    never overwritten (listed as a conflict).
    """
    from ..services.design_import import import_design_dashboard
    from ..services.months import previous_month
    from ..unit_of_work import unit_of_work

    require_schema()
    try:
        with unit_of_work() as work:
            report = import_design_dashboard(file, month, current_app.config["IMPORT_ACTOR"])
            if dry_run or not report.ok:
                work.discard()
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    console = make_console()
    for sheet in report.sheets:
        if sheet.header_row:
            mapping = ", ".join(f"{name} <- '{header}'" for name, header in sheet.mapping.items())
            console.print(f"  sheet '{sheet.name}': header row {sheet.header_row}; {mapping}")
    for problem in report.problems:
        colour = "red" if problem.severity == "error" else "yellow"
        console.print(f"  [{colour}]{problem}[/]", soft_wrap=True)
    if not report.ok:
        raise click.ClickException(
            f"{file.name}: refused, {len(report.errors)} error(s); nothing was written"
        )
    for line in [*report.notes, *(f"conflict: {c}" for c in report.conflicts)]:
        console.print(f"  [yellow]{line}[/]", soft_wrap=True)
    if report.services_created:
        console.print(f"  new services: {', '.join(report.services_created)}")
    dry = " (dry run: nothing written)" if dry_run else ""
    console.print(
        f"{file.name}: {report.month}: {report.created} added, {report.updated} updated, "
        f"{report.unchanged} unchanged, {len(report.conflicts)} kept (changed in the browser)"
        f"{dry}",
        soft_wrap=True,
    )
    console.print(
        f"  {previous_month(report.month)}: {report.previous_created} added from the "
        f"'Last month' column (months that had no record yet){dry}",
        soft_wrap=True,
    )

"""The `reviewtracker` command: set-up, imports, rollups and the demo data set."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, ScriptInfo, pass_script_info, with_appcontext
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from importers.reference import TRANCHES

from .models import ALL_ROLES, DISPOSITION_LABELS, Comment
from .services import ServiceError
from .services.artefact_import import import_artefact_register
from .services.comment_import import ImportOptions, ImportReport, import_comment_log
from .services.reference import count_rows, init_db, schema_exists
from .services.rollups import comment_status, constituency_table, tranche_rollup
from .services.users import create_user

# Progress bars only for files big enough to make someone wait.
PROGRESS_FROM_BYTES = 1_000_000


def _console() -> Console:
    # Built per call so that the test runner's captured stdout is the one written to.
    return Console(file=sys.stdout, width=None if sys.stdout.isatty() else 120, highlight=False)


def _require_schema() -> None:
    if not schema_exists():
        raise click.ClickException("the database has no tables yet: run `reviewtracker init-db`")


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create the database schema and the reference data (tranches, constituencies).

    Safe to run again: it only adds what is missing and never touches comments.
    """
    added = init_db()
    click.echo(
        f"Database ready at {current_app.config['SQLALCHEMY_DATABASE_URI']} "
        f"({added['tranches']} tranches, {added['constituencies']} constituencies added)."
    )


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
    _require_schema()
    report = import_artefact_register(
        file, actor=current_app.config["IMPORT_ACTOR"], dry_run=dry_run
    )
    console = _console()
    for problem in report.problems:
        console.print(f"  [{'red' if problem.severity == 'error' else 'yellow'}]{problem}[/]")
    if not report.ok:
        raise click.ClickException(f"{file.name}: refused, nothing was written")
    verb = "would add" if dry_run else "added"
    console.print(
        f"{file.name}: {verb} {report.added}, updated {report.updated}, "
        f"unchanged {report.unchanged} artefacts"
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
@click.option("--dry-run", is_flag=True, help="Read, check and count; write nothing.")
@with_appcontext
def import_comments_command(
    files: tuple[Path, ...],
    tranche: str | None,
    review_round: int | None,
    organisation: str | None,
    constituency: str | None,
    dry_run: bool,
) -> None:
    """Import reviewers' comment logs (.xlsx or .csv) into the database.

    Each FILE is one transaction: a file with any error writes nothing and the command exits
    non-zero (the other files are still imported). Re-importing a log adds nothing; an updated
    log updates the reviewer's text but never a disposition or response set in the browser,
    which is listed as a conflict instead. The options fill only what the log itself lacks.
    """
    _require_schema()
    console = _console()
    options = ImportOptions(
        tranche=tranche,
        review_round=review_round,
        organisation=organisation,
        constituency=constituency,
        actor=current_app.config["IMPORT_ACTOR"],
        dry_run=dry_run,
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


@click.command("rollup")
@click.option("--tranche", required=True, type=click.Choice(TRANCHES), help="Tranche to roll up.")
@click.option("--round", "review_round", type=click.IntRange(1, 20), help="Only this review round.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text tables.")
@with_appcontext
def rollup_command(tranche: str, review_round: int | None, as_json: bool) -> None:
    """Print the DAG pack's two tables for a tranche: comment status per artefact, and
    organisations and comments per constituency."""
    _require_schema()
    try:
        if as_json:
            click.echo(json.dumps(tranche_rollup(tranche, review_round), indent=2))
            return
        status = comment_status(tranche, review_round)
        constituencies = constituency_table(tranche, review_round)
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    console = _console()
    scope = f"Tranche {tranche}" + (f", review round {review_round}" if review_round else "")
    table = Table(title=f"Comment status - {scope}")
    table.add_column("Design Artefacts")
    labels = {name: DISPOSITION_LABELS[name] for name in status.totals if name != "total"}
    for label in [*labels.values(), "Total"]:
        table.add_column(label, justify="right")
    for row in status.artefacts:
        cells = [getattr(row, name) for name in [*labels, "total"]]
        table.add_row(f"{row.reference}- {row.title}", *[str(n or "") for n in cells])
    table.add_row("Grand Total", *[str(status.totals[n]) for n in [*labels, "total"]], style="bold")
    console.print(table)
    by_constituency = Table(title=f"Constituencies - {scope}")
    for label in ("Constituency", "No. Organisations", "Total Comments"):
        by_constituency.add_column(label, justify="left" if label == "Constituency" else "right")
    for row in constituencies.constituencies:
        by_constituency.add_row(row.constituency, str(row.organisations), str(row.comments))
    totals = constituencies.totals
    by_constituency.add_row(
        "Total", str(totals["organisations"]), str(totals["comments"]), style="bold"
    )
    console.print(by_constituency)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database already has comments.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Load the demo data set: Tranche 1 as in the DAG #8 pack, and a Tranche 2 review under
    way, imported from generated logs through the real import path. Also makes sure the demo
    user exists, and prints its login."""
    from .demo import DEMO_PASSWORD, ensure_demo_user, load_demo

    init_db()
    if if_empty and count_rows(Comment):
        click.echo("The database already has comments; demo data not loaded.")
    else:
        summary = load_demo()
        click.echo(
            f"Demo data loaded: {summary['artefacts']} artefacts, {summary['comments']} "
            f"comments, {summary['triaged']} triaged."
        )
    user = ensure_demo_user()
    click.echo(f"Sign in as {user.email} with the password {DEMO_PASSWORD} ({user.role}).")


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
    _require_schema()
    if role == "reviewer" and not (organisation or "").strip():
        raise click.UsageError("a reviewer needs --organisation NAME")
    tied_to = None
    if organisation is not None and role == "reviewer":
        from .services.exports import organisation_by_name

        try:  # before the password prompt: a typo in the name is an error at once
            tied_to = organisation_by_name(organisation)
        except ServiceError as error:
            raise click.ClickException(str(error)) from error
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email, password, role, name, organisation=tied_to or organisation)
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    of = f" of {user.organisation.name}" if user.organisation is not None else ""
    click.echo(f"Created {user.email} ({user.role}{of}).")


# --- exports: the same bytes the download buttons send --------------------------------------

OUTPUT = click.Path(dir_okay=False, writable=True, path_type=Path)


@click.group("export")
def export_group() -> None:
    """Write the board pack, a reviewer's responses log or the comment register to a file
    (the same files the pages' download buttons give)."""


def _write_export(output: Path, build) -> None:
    """Build the export (a ServiceError is a clear refusal, exit 1) and write it to OUTPUT."""
    _require_schema()
    try:
        data = build()
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    output.write_bytes(data)
    click.echo(f"Wrote {output} ({len(data):,} bytes).")


@export_group.command("board-pack")
@click.option("--tranche", required=True, type=click.Choice(TRANCHES), help="Tranche to report.")
@click.option("--round", "review_round", type=click.IntRange(1, 20), help="Only this review round.")
@click.option("--month", help="Month of the design dashboard, YYYY-MM (default: the latest).")
@click.option("-o", "--output", required=True, type=OUTPUT, help="The .xlsx file to write.")
@with_appcontext
def export_board_pack_command(
    tranche: str, review_round: int | None, month: str | None, output: Path
) -> None:
    """The board's meeting pack for a tranche as xlsx: comment status per artefact (with a
    chart), comments per constituency, the design dashboard and the status definitions."""
    from .services.exports import board_pack

    _write_export(output, lambda: board_pack(tranche, review_round, month))


@export_group.command("responses")
@click.option("--organisation", required=True, help="The organisation's name, as imported.")
@click.option("-o", "--output", required=True, type=OUTPUT, help="The .xlsx file to write.")
@with_appcontext
def export_responses_command(organisation: str, output: Path) -> None:
    """Every comment the organisation raised, with the programme's disposition and response,
    as xlsx to send back to the reviewer. Internal notes are never included. The name is
    matched ignoring case and spaces."""
    from .services.exports import organisation_by_name, responses_log

    _write_export(output, lambda: responses_log(organisation_by_name(organisation).id))


@export_group.command("comments")
@click.option("--tranche", type=click.Choice(TRANCHES), help="Only this tranche.")
@click.option("--artefact", help="Only this artefact (BP004, MHHSP-BP004, ...).")
@click.option("--organisation", help="Only this organisation's comments (its name).")
@click.option("--constituency", help="Only comments from this constituency (its name).")
@click.option(
    "--disposition", type=click.Choice(list(DISPOSITION_LABELS)), help="Only this disposition."
)
@click.option("--round", "review_round", type=click.IntRange(1, 20), help="Only this round.")
@click.option("--q", help="Only comments whose text, proposed change or response has this.")
@click.option("--internal-notes", is_flag=True, help="Add the design team's internal notes.")
@click.option("-o", "--output", required=True, type=OUTPUT, help="The file: .xlsx or .csv.")
@with_appcontext
def export_comments_command(output: Path, internal_notes: bool, **names) -> None:
    """The comment register, filtered like the comment list, as xlsx or CSV (UTF-8 with a
    byte order mark, for Excel); the format follows the output file's suffix."""
    from .services.exports import comment_register, comment_register_csv, filter_from_names

    build = {".xlsx": comment_register, ".csv": comment_register_csv}.get(output.suffix.lower())
    if build is None:
        raise click.ClickException(f"{output.name}: the output file must end in .xlsx or .csv")
    _write_export(output, lambda: build(filter_from_names(**names), internal_notes=internal_notes))


def _month_option(_ctx, _param, value: str) -> str:
    from .services.design_dashboard import parse_month

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
    from .services.design_dashboard import import_design_dashboard, previous_month

    _require_schema()
    try:
        report = import_design_dashboard(
            file, month, current_app.config["IMPORT_ACTOR"], dry_run=dry_run
        )
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    console = _console()
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


@click.command("serve")
@click.option("--host", help="Address to listen on [env REVIEWTRACKER_HOST; default 127.0.0.1].")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    help="Port to listen on, 0 for any free one [env REVIEWTRACKER_PORT; default 8000].",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 1024),
    help="Requests served at once [env REVIEWTRACKER_THREADS; default 8].",
)
@pass_script_info
def serve_command(
    info: ScriptInfo, host: str | None, port: int | None, threads: int | None
) -> None:
    """Serve the app in production under waitress (a multi-threaded WSGI server); Ctrl+C or
    SIGTERM stops it. Put a TLS-terminating reverse proxy in front (REVIEWTRACKER_HTTPS=1,
    REVIEWTRACKER_TRUSTED_PROXY). Logs are JSON lines on stderr (LOG_FORMAT=text for people).

    Refuses to start if the database lacks tables (run `reviewtracker init-db`), or, with
    REVIEWTRACKER_ENV=production, without SECRET_KEY. `reviewtracker run` is the development
    server instead.
    """
    from . import server

    app = info.load_app()
    try:
        settings = server.settings_from_env(host=host, port=port, threads=threads)
        warnings = server.preflight(app, settings)
    except server.ServerConfigError as error:
        raise click.ClickException(str(error)) from error
    for warning in warnings:
        server.log.warning(warning)
        click.secho(f"WARNING: {warning}", err=True, fg="yellow", bold=True)
    server.serve(app, settings)


COMMANDS = (
    init_db_command,
    import_artefacts_command,
    import_comments_command,
    rollup_command,
    demo_command,
    create_user_command,
    export_group,
    import_design_dashboard_command,
    serve_command,
)


def init_app(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


def _create_app() -> Flask:
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """reviewtracker: import comment logs, triage them, roll them up for the board."""

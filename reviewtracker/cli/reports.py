"""Reports: the DAG pack's tables on the terminal, and the exports written to files."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext
from rich.table import Table

from importers.reference import TRANCHES
from importers.vocabulary import DISPOSITIONS

from ..services import ServiceError
from ..services.comment_choices import filter_from_names
from ..services.organisations import organisation_by_name
from ..services.rollups import comment_status, constituency_table, tranche_rollup
from ..services.scope import Scope
from .common import make_console, require_schema


@click.command("rollup")
@click.option("--tranche", required=True, type=click.Choice(TRANCHES), help="Tranche to roll up.")
@click.option("--round", "review_round", type=click.IntRange(1, 20), help="Only this review round.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text tables.")
@with_appcontext
def rollup_command(tranche: str, review_round: int | None, as_json: bool) -> None:
    """Print the DAG pack's two tables for a tranche: comment status per artefact, and
    organisations and comments per constituency."""
    require_schema()
    try:
        if as_json:
            click.echo(
                json.dumps(tranche_rollup(tranche, review_round, scope=Scope.staff()), indent=2)
            )
            return
        status = comment_status(tranche, review_round, scope=Scope.staff())
        constituencies = constituency_table(tranche, review_round)
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    console = make_console()
    scope = f"Tranche {tranche}" + (f", review round {review_round}" if review_round else "")
    table = Table(title=f"Comment status - {scope}")
    table.add_column("Design Artefacts")
    labels = DISPOSITIONS.labels
    for label in [*labels.values(), "Total"]:
        table.add_column(label, justify="right")
    for row in status.artefacts:
        cells = [row[name] for name in [*labels, "total"]]
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


# --- exports: the same bytes the download buttons send --------------------------------------

OUTPUT = click.Path(dir_okay=False, writable=True, path_type=Path)


@click.group("export")
def export_group() -> None:
    """Write the board pack, a reviewer's responses log or the comment register to a file
    (the same files the pages' download buttons give)."""


def write_export(output: Path, build) -> None:
    """Build the export (a ServiceError is a clear refusal, exit 1) and write it to OUTPUT."""
    require_schema()
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
@click.option("--meeting", help="Meeting of the actions and decisions (default: the next one).")
@click.option("-o", "--output", required=True, type=OUTPUT, help="The .xlsx file to write.")
@with_appcontext
def export_board_pack_command(
    tranche: str, review_round: int | None, month: str | None, meeting: str | None, output: Path
) -> None:
    """The board's meeting pack for a tranche as xlsx: comment status per artefact (with a
    chart), comments per constituency, the design dashboard, the status definitions, and the
    meeting's actions (open, and closed since the previous meeting) and decisions."""
    from ..services.board_pack import board_pack

    write_export(output, lambda: board_pack(tranche, review_round, month, meeting))


@export_group.command("responses")
@click.option("--organisation", required=True, help="The organisation's name, as imported.")
@click.option("-o", "--output", required=True, type=OUTPUT, help="The .xlsx file to write.")
@with_appcontext
def export_responses_command(organisation: str, output: Path) -> None:
    """Every comment the organisation raised, with the programme's disposition and response,
    as xlsx to send back to the reviewer. Internal notes are never included. The name is
    matched ignoring case and spaces."""
    from ..services.responses_log import responses_log

    # The CLI is the programme's own: the staff's scope.
    write_export(
        output, lambda: responses_log(organisation_by_name(organisation).id, Scope.staff())
    )


@export_group.command("comments")
@click.option("--tranche", type=click.Choice(TRANCHES), help="Only this tranche.")
@click.option("--artefact", help="Only this artefact (BP004, MHHSP-BP004, ...).")
@click.option("--organisation", help="Only this organisation's comments (its name).")
@click.option("--constituency", help="Only comments from this constituency (its name).")
@click.option("--disposition", type=click.Choice(DISPOSITIONS.keys), help="Only this disposition.")
@click.option("--round", "review_round", type=click.IntRange(1, 20), help="Only this round.")
@click.option("--q", help="Only comments whose text, proposed change or response has this.")
@click.option("--internal-notes", is_flag=True, help="Add the design team's internal notes.")
@click.option("-o", "--output", required=True, type=OUTPUT, help="The file: .xlsx or .csv.")
@with_appcontext
def export_comments_command(output: Path, internal_notes: bool, **names) -> None:
    """The comment register, filtered like the comment list, as xlsx or CSV (UTF-8 with a
    byte order mark, for Excel); the format follows the output file's suffix."""
    from ..services.comment_register import comment_register, comment_register_csv

    build = {".xlsx": comment_register, ".csv": comment_register_csv}.get(output.suffix.lower())
    if build is None:
        raise click.ClickException(f"{output.name}: the output file must end in .xlsx or .csv")
    write_export(
        output,
        lambda: build(filter_from_names(Scope.staff(), **names), internal_notes=internal_notes),
    )

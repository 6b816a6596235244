"""The resolutions workbook round trip: `export resolutions` and `import-resolutions`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from importers.reference import TRANCHES
from importers.resolutions import EDITABLE, read_resolutions
from importers.vocabulary import DISPOSITIONS

from ..services import ServiceError
from ..services.scope import Scope
from ..unit_of_work import unit_of_work
from .common import require_schema
from .reports import OUTPUT, export_group, write_export


@export_group.command("resolutions")
@click.option("--tranche", type=click.Choice(TRANCHES), help="Only this tranche.")
@click.option("--artefact", help="Only this artefact (BP004, MHHSP-BP004, ...).")
@click.option("--organisation", help="Only this organisation's comments (its name).")
@click.option("--constituency", help="Only comments from this constituency (its name).")
@click.option("--disposition", type=click.Choice(DISPOSITIONS.keys), help="Only this disposition.")
@click.option("--round", "review_round", type=click.IntRange(1, 20), help="Only this round.")
@click.option("--q", help="Only comments whose text, proposed change or response has this.")
@click.option(
    "--by", type=click.Choice(("artefact", "group")), help="One sheet per artefact or group."
)
@click.option("-o", "--output", required=True, type=OUTPUT, help="The .xlsx file to write.")
@with_appcontext
def export_resolutions_command(output: Path, by: str | None, **names) -> None:
    """The resolutions workbook of the comments the filter selects, to resolve offline and
    import back with `import-resolutions`: a stable Comment Ref column, the reviewer's text
    locked, and editable disposition (a drop-down), response, assignee (email), working group,
    due date and implemented in."""
    from ..services.comment_choices import filter_from_names
    from ..services.resolutions_workbook import resolutions_workbook

    if output.suffix.lower() != ".xlsx":
        raise click.ClickException(f"{output.name}: the output file must end in .xlsx")
    write_export(
        output, lambda: resolutions_workbook(filter_from_names(Scope.staff(), **names), by=by)
    )


@click.command("import-resolutions")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--fields",
    help=f"Comma-separated fields to update (default: every one the workbook has): "
    f"{','.join(EDITABLE)}.",
)
@click.option(
    "--take-conflicts",
    help="Comment refs (comma-separated) of conflicts to apply anyway, or 'all'.",
)
@click.option("--dry-run", is_flag=True, help="Read, compare and report; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts and problems as JSON.")
@with_appcontext
def import_resolutions_command(
    file: Path, fields: str | None, take_conflicts: str | None, dry_run: bool, as_json: bool
) -> None:
    """Apply a resolutions workbook edited offline: rows matched by Comment Ref, the chosen
    fields updated, audited as from the workbook (the file, and REVIEWTRACKER_USER). A row
    whose comment changed in the browser after the export is a conflict, left as it is unless
    --take-conflicts names it. Exits non-zero when any problem or unapplied conflict remains."""
    from ..services.resolutions_import import apply_resolutions, plan_resolutions

    require_schema()
    data = file.read_bytes()
    read = read_resolutions(data, filename=file.name)
    chosen = None if fields is None else fields.split(",")
    actor = current_app.config["IMPORT_ACTOR"]
    try:
        with unit_of_work() as work:
            plan = plan_resolutions(read, chosen)
            taken = _taken(take_conflicts, [c.comment_id for c in plan.conflicts])
            applied = 0
            if dry_run:
                work.discard()
                applied = len(taken)
            else:
                applied = apply_resolutions(
                    plan, actor=actor, data=data, take_conflicts=taken
                ).conflicts_applied
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    summary = plan.as_json(applied_conflicts=applied)
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    else:
        _print(plan, summary, dry_run)
    if summary["problems"] or summary["conflicts"]:
        raise SystemExit(1)


def _taken(option: str | None, conflicts: list[int]) -> list[int]:
    if not option:
        return []
    if option.strip().lower() == "all":
        return conflicts
    taken = []
    for part in option.split(","):
        part = part.strip().lstrip("#")
        if not (part.isascii() and part.isdigit()):
            raise ServiceError(f"--take-conflicts: not a comment ref: {part!r}")
        taken.append(int(part))
    return taken


def _print(plan, summary: dict, dry_run: bool) -> None:
    verb = "would change" if dry_run else "changed"
    click.echo(
        f"{plan.file}: {verb} {summary['changed']}, unchanged {summary['unchanged']}, "
        f"conflicts left {summary['conflicts']}, unmatched {summary['unmatched']} "
        f"(fields: {', '.join(plan.fields) or 'none'})"
    )
    for change in plan.conflicts:
        click.echo(f"  conflict: comment {change.comment_id} ({change.sheet} row {change.row})")
        for name, (theirs, yours) in change.fields.items():
            click.echo(f"    {name}: browser {theirs!r} | workbook {yours!r}")
    for sheet, row, comment_id in plan.unmatched:
        click.echo(f"  unmatched: comment ref {comment_id} ({sheet} row {row})")
    for problem in plan.problems:
        click.echo(f"  {problem}")

"""Review rounds on the command line: create one, link repeats, print the round diff."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from rich.table import Table

from importers import normalise_artefact_ref
from importers.reference import TRANCHES
from importers.vocabulary import ROUND_DIFF

from ..services import ServiceError
from ..services.organisations import organisation_by_name
from ..services.repeats import accept_suggestions, suggest_repeats
from ..services.round_diff import round_diff
from ..services.rounds import RoundPlan, create_round, find_round, import_invitations
from ..services.scope import Scope
from ..unit_of_work import unit_of_work
from .common import make_console, require_schema

round_group = AppGroup("round", help="Review rounds: create one.")


def _artefacts(values: tuple[str, ...]) -> dict[str, str | None]:
    """'BP004' or 'BP004=0.4' -> {reference: version or None}."""
    chosen: dict[str, str | None] = {}
    for value in values:
        written, _, version = value.partition("=")
        reference = normalise_artefact_ref(written)
        if reference is None:
            raise click.BadParameter(
                f"not an artefact reference: {written!r}", param_hint="--artefact"
            )
        chosen[reference] = version.strip() or None
    return chosen


@round_group.command("create")
@click.option("--tranche", required=True, type=click.Choice(TRANCHES))
@click.option("--number", required=True, type=click.IntRange(1, 20), help="The round's number.")
@click.option("--name", default="", help='As the papers say: "2nd review".')
@click.option("--opens", "opens_on", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--closes", "closes_on", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--scope-note", default="", help='"Comments on the data items only".')
@click.option(
    "--artefact",
    "artefacts",
    multiple=True,
    required=True,
    help="An artefact under review, optionally with its version: BP004 or BP004=0.4.",
)
@click.option("--invite", "invited", multiple=True, help="An organisation invited (by name).")
@click.option(
    "--invite-list",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A list of invited organisations (.xlsx/.csv: Organisation, Constituency).",
)
@with_appcontext
def create_round_command(
    tranche, number, name, opens_on, closes_on, scope_note, artefacts, invited, invite_list
) -> None:
    """Create a review round: its window, scope, artefacts (and versions) and invitations."""
    require_schema()
    try:
        with unit_of_work() as work:
            plan = RoundPlan(
                tranche=tranche,
                number=number,
                opens_on=opens_on.date(),
                closes_on=closes_on.date(),
                name=name,
                scope_note=scope_note,
                artefacts=_artefacts(artefacts),
                organisation_ids=[organisation_by_name(n).id for n in invited],
            )
            created = create_round(plan, actor=current_app.config["IMPORT_ACTOR"])
            problems = []
            if invite_list is not None:
                result = import_invitations(created.id, invite_list.read_bytes(), invite_list.name)
                problems = [str(p) for p in result.problems if p.severity == "error"]
            if problems:
                work.discard()
            title = created.title
    except ServiceError as refused:
        raise click.ClickException(str(refused)) from refused
    if problems:
        raise click.ClickException("nothing was created:\n" + "\n".join(problems))
    click.echo(f"Tranche {tranche}: created {title} ({opens_on:%Y-%m-%d} to {closes_on:%Y-%m-%d})")


@click.command("link-repeats")
@click.option("--tranche", required=True, type=click.Choice(TRANCHES))
@click.option("--round", "number", required=True, type=click.IntRange(1, 20))
@click.option(
    "--accept-above",
    type=click.FloatRange(50, 100),
    help="Link every suggestion scoring this or more; without it, only list them.",
)
@with_appcontext
def link_repeats_command(tranche: str, number: int, accept_above: float | None) -> None:
    """Suggest the round's comments that repeat an earlier comment of their organisation on
    their artefact; with --accept-above, link those scoring at least that."""
    require_schema()
    try:
        review_round = find_round(tranche, number)
        if accept_above is None:
            console = make_console()
            suggestions = suggest_repeats(review_round.id, Scope.staff())
            for s in suggestions:
                console.print(
                    f"#{s.comment_id} ({s.artefact}, {s.organisation}) repeats "
                    f"#{s.repeats_id} (round {s.earlier_round})? score {s.score}"
                )
            console.print(f"{len(suggestions)} suggestion(s)")
            return
        with unit_of_work():
            linked = accept_suggestions(
                review_round.id,
                accept_above,
                actor=current_app.config["IMPORT_ACTOR"],
                scope=Scope.staff(),
            )
    except ServiceError as refused:
        raise click.ClickException(str(refused)) from refused
    click.echo(f"linked {linked} repeat(s) scoring {accept_above} or more")


@click.command("round-diff")
@click.option("--tranche", required=True, type=click.Choice(TRANCHES))
@click.option("--from", "from_round", required=True, type=click.IntRange(1, 20))
@click.option("--to", "to_round", required=True, type=click.IntRange(1, 20))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@with_appcontext
def round_diff_command(tranche: str, from_round: int, to_round: int, as_json: bool) -> None:
    """Per artefact: new in the later round, repeating an earlier comment, carried forward
    and still unresolved, resolved since the earlier round."""
    require_schema()
    try:
        diff = round_diff(tranche, from_round, to_round, Scope.staff())
    except ServiceError as refused:
        raise click.ClickException(str(refused)) from refused
    if as_json:
        click.echo(json.dumps(diff.as_json(), indent=2))
        return
    table = Table(title=f"Tranche {tranche}: round {from_round} to round {to_round}")
    table.add_column("Artefact")
    for term in ROUND_DIFF:
        table.add_column(term.label, justify="right")
    for row in diff.artefacts:
        table.add_row(row.reference, *(str(row.counts[t.key]) for t in ROUND_DIFF))
    table.add_row("Total", *(str(diff.totals[t.key]) for t in ROUND_DIFF), style="bold")
    make_console().print(table)

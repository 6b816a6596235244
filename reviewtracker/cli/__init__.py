"""The `reviewtracker` command: a FlaskGroup with one module per area of commands."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from .artefacts import artefacts_command
from .governance import COMMANDS as GOVERNANCE_COMMANDS
from .imports import (
    import_artefacts_command,
    import_comments_command,
    import_design_dashboard_command,
)
from .reports import export_group, rollup_command
from .resolutions import import_resolutions_command
from .rounds import link_repeats_command, round_diff_command, round_group
from .serve import serve_command
from .setup import create_user_command, demo_command, init_db_command

COMMANDS = (
    init_db_command,
    import_artefacts_command,
    import_comments_command,
    rollup_command,
    demo_command,
    create_user_command,
    export_group,
    import_design_dashboard_command,
    import_resolutions_command,
    serve_command,
    *GOVERNANCE_COMMANDS,
    artefacts_command,
    round_group,
    link_repeats_command,
    round_diff_command,
)


def init_app(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


def _create_app() -> Flask:
    from .. import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """reviewtracker: import comment logs, triage them, roll them up for the board."""

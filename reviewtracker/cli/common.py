"""What every command shares: a console to print to, and the check that the schema exists."""

from __future__ import annotations

import sys

import click
from rich.console import Console

from ..services.reference import schema_exists


def make_console() -> Console:
    # Built per call so that the test runner's captured stdout is the one written to.
    return Console(file=sys.stdout, width=None if sys.stdout.isatty() else 120, highlight=False)


def require_schema() -> None:
    if not schema_exists():
        raise click.ClickException("the database has no tables yet: run `reviewtracker init-db`")

"""Serving the app in production (waitress)."""

from __future__ import annotations

import click
from flask.cli import ScriptInfo, pass_script_info


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
    from .. import server

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

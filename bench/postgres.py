"""A throw-away PostgreSQL server for the benchmark, and the benchmark's databases on it.

The server is the one scripts/with-postgres.sh starts: Debian's binaries from
/usr/lib/postgresql/*/bin (the newest), a fresh cluster in a temporary folder, listening on
127.0.0.1 only, on a free port, stopped and deleted at the end. Unlike the test script it keeps
PostgreSQL's stock settings (fsync on): the figures are meant to be a real server's. Run as root,
the server runs as the `postgres` user, since PostgreSQL refuses root. Nothing is installed:
without the binaries the PostgreSQL figures are skipped.

The 1,000,000-comment database is copied from the cached SQLite one (same ids, same rows): the
schema and the search index come from the app (`init_db`), the rows go in with COPY, then the
secondary indexes are built and `VACUUM ANALYZE` runs, as autovacuum would in a deployment.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

Progress = Callable[[str], None]


def binaries() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin with initdb, or None."""
    found = [
        path / "bin"
        for path in Path("/usr/lib/postgresql").glob("*")
        if (path / "bin" / "initdb").exists()
    ]
    if not found:
        return None
    return max(found, key=lambda p: [int(x) for x in p.parent.name.split(".") if x.isdigit()])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`with Server(bin) as pg: pg.create_database("x")` -> a URL; stopped on exit."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.work = Path(tempfile.mkdtemp(prefix="bench-pg-"))
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            shutil.chown(self.work, "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.started = False

    @property
    def version(self) -> str:
        done = subprocess.run(
            [str(self.bin / "postgres"), "--version"], capture_output=True, text=True, check=True
        )
        return done.stdout.split()[2]  # "postgres (PostgreSQL) 15.18 (Debian ...)"

    def __enter__(self) -> Server:
        data = self.work / "data"
        self._run("initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.work}"
        self._run(
            "pg_ctl", "-D", str(data), "-l", str(self.work / "server.log"), "-w", "-o", options,
            "start",
        )  # fmt: skip
        self.started = True
        return self

    def __exit__(self, *_exc) -> None:
        if self.started:
            self._run("pg_ctl", "-D", str(self.work / "data"), "-m", "fast", "stop", check=False)
        shutil.rmtree(self.work, ignore_errors=True)

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        command = [*self.as_user, str(self.bin / program), *args]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if check and done.returncode != 0:
            raise RuntimeError(f"{program} failed:\n{done.stdout}\n{done.stderr}")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        self._admin(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin(self, statement: str) -> None:
        import psycopg

        dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(statement)


# --- the 1,000,000-comment database, copied from SQLite -------------------------------------------


def copy_from_sqlite(source: Path, url: str, make_app, progress: Progress) -> None:
    """Schema from the app, then every table's rows from the SQLite database `source` (the same
    ids), COPY per table, secondary indexes of the comment table built after the rows."""
    from sqlalchemy import text

    from reviewtracker.extensions import db
    from reviewtracker.services import search
    from reviewtracker.services.reference import init_db
    from reviewtracker.unit_of_work import unit_of_work

    app = make_app(url)
    with app.app_context():
        with unit_of_work():  # committed: the TRUNCATE below runs on another connection
            init_db()
        tables = db.metadata.sorted_tables
        comment = db.metadata.tables["comment"]
        with db.engine.begin() as connection:
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            # The search's GIN index (not in the models): re-created from its own definition.
            gin_index = connection.scalar(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = :name"),
                {"name": search.PG_INDEX},
            )
            connection.execute(text(f"DROP INDEX {search.PG_INDEX}"))
            for index in comment.indexes:
                index.drop(connection, checkfirst=True)
        raw = db.engine.raw_connection()
        try:
            _copy_tables(source, raw.driver_connection, tables, progress)
        finally:
            raw.close()
        started = time.perf_counter()
        with db.engine.begin() as connection:
            for index in comment.indexes:
                index.create(connection)
            connection.exec_driver_sql(gin_index)
        progress(f"  PostgreSQL: indexes built in {time.perf_counter() - started:.1f}s")
        db.session.remove()
        db.engine.dispose()
    started = time.perf_counter()
    _vacuum_analyze(url)
    progress(f"  PostgreSQL: VACUUM ANALYZE in {time.perf_counter() - started:.1f}s")


def _copy_tables(source: Path, connection, tables, progress: Progress) -> None:
    lite = sqlite3.connect(source)
    try:
        with connection.cursor() as cursor:
            for table in tables:
                columns = [c.name for c in table.columns]
                quoted = ", ".join(f'"{c}"' for c in columns)
                started = time.perf_counter()
                count = 0
                rows = lite.execute(f'SELECT {quoted} FROM "{table.name}"')
                with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
                if count > 10_000:
                    elapsed = time.perf_counter() - started
                    progress(f"  PostgreSQL: {table.name}: {count:,} rows in {elapsed:.1f}s")
                if "id" in columns:
                    cursor.execute(
                        "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                        f'coalesce((SELECT max(id) FROM "{table.name}"), 0) + 1, false)',
                        (table.name,),
                    )
        connection.commit()
    finally:
        lite.close()


def _vacuum_analyze(url: str) -> None:
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")

"""A SELECT compiled once and run many times on the DBAPI cursor: the large exports' reads.

SQLAlchemy compiles (or finds in its cache), expands an IN list and builds a Row per row on
every execution: a third of the time of reading the 100,000-comment register a chunk at a
time. Here the statement is compiled once for the connection's dialect, each execution passes
only its own parameters, and rows are the driver's tuples. The values stay what SQLAlchemy
would return: its result processors (SQLite's dates are text, parsed into dates) are applied
column by column, and its bind processors to the statement's own constants.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Select


class DriverQuery:
    """`query` on `connection`'s DBAPI connection (the session's transaction), its bind
    parameters without a value given at each execution (`rows`); a context manager that
    closes the cursor. Only for SELECTs: the write guard (unit_of_work) does not see it."""

    def __init__(self, connection: Connection, query: Select) -> None:
        self.dialect = connection.dialect
        compiled = query.compile(dialect=self.dialect)
        self.sql = str(compiled)
        self.names: list[str] | None = list(compiled.positiontup or ()) or None
        self.types = [column.type for column in query.selected_columns]
        escaped = compiled.escaped_bind_names
        binds = {escaped.get(name, name): bind for bind, name in compiled.bind_names.items()}
        self.bind_processors = {
            name: process
            for name, bind in binds.items()
            if (process := bind.type.dialect_impl(self.dialect).bind_processor(self.dialect))
        }
        self.constants = self._bound(
            {name: bind.effective_value for name, bind in binds.items() if not bind.required}
        )
        self.cursor = connection.connection.cursor()
        self.processors: list[tuple[int, Callable[[Any], Any]]] | None = None

    def _bound(self, values: dict[str, Any]) -> dict[str, Any]:
        """`values` as the driver takes them (SQLAlchemy's bind processing done)."""
        for name, process in self.bind_processors.items():
            if name in values:
                values[name] = process(values[name])
        return values

    def rows(self, params: dict[str, Any]) -> list[tuple]:
        """The rows for `params` (the values of the parameters left open), as the driver
        returns them: see `processed`."""
        values = {**self.constants, **self._bound(params)}
        if self.names is not None:  # a positional paramstyle (SQLite's qmark)
            self.cursor.execute(self.sql, [values[name] for name in self.names])
        else:
            self.cursor.execute(self.sql, values)
        if self.processors is None:
            self.processors = self._processors()
        return self.cursor.fetchall()

    def _processors(self) -> list[tuple[int, Callable[[Any], Any]]]:
        found = []
        for index, (type_, description) in enumerate(
            zip(self.types, self.cursor.description, strict=True)
        ):
            process = type_.dialect_impl(self.dialect).result_processor(
                self.dialect, description[1]
            )
            if process is not None:
                found.append((index, process))
        return found

    def processed(self, columns: list[Sequence[object]]) -> list[Sequence[object]]:
        """A block of rows held column by column (the query's columns, in order) with
        SQLAlchemy's result processing done."""
        for index, process in self.processors or ():
            columns[index] = list(map(process, columns[index]))
        return columns

    def __enter__(self) -> DriverQuery:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.cursor.close()


__all__ = ["DriverQuery"]

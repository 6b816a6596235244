"""What Alembic compares: the models' schema, less the full-text search index, which is
created with each database's own DDL (services/search.py) and is not in the models."""

from .services.search import FTS_TABLE, PG_COLUMN, PG_INDEX


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    if not reflected:
        return True
    if type_ == "table":
        return not (name or "").startswith(FTS_TABLE)
    if type_ == "column":
        return name != PG_COLUMN
    if type_ == "index":
        return name != PG_INDEX
    return True

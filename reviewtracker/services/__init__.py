"""The service layer: everything the views and the CLI do to the database goes through here."""


class ServiceError(Exception):
    """A refusal to show the user as it is (no traceback): bad input, unknown reference, ..."""

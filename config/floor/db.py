"""Database plumbing the apps share: case-insensitive text that works for Cyrillic everywhere.

SQLite's UPPER/LOWER (and so `iexact`) fold ASCII letters only: «МОСКВА» and «Москва» differ there.
The lookup `field__cfexact=value` compares both sides folded: Python's `str.casefold` on SQLite (a
function registered on every connection) and LOWER on PostgreSQL (which folds every letter under
the database's UTF-8 ctype).
"""

from django.db.backends.signals import connection_created
from django.db.models import CharField, Lookup

SQLITE_FUNCTION = "portal_casefold"


def casefold_function(connection) -> str:
    """The SQL function that case-folds text on this connection's database (for raw SQL)."""
    return SQLITE_FUNCTION if connection.vendor == "sqlite" else "LOWER"


def _casefold(value):
    return value.casefold() if isinstance(value, str) else value


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 1, _casefold, deterministic=True)


class CasefoldExact(Lookup):
    """`field__cfexact=value`: equal once both are case-folded (Cyrillic too, on every database)."""

    lookup_name = "cfexact"

    def as_sql(self, compiler, connection):
        function = casefold_function(connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{function}({lhs}) = {function}({rhs})", (*lhs_params, *rhs_params)


def connect() -> None:
    connection_created.connect(register_sqlite_functions, dispatch_uid="portal_casefold")
    CharField.register_lookup(CasefoldExact)

"""Server-side prepared statements for the hottest hand-written reads (PostgreSQL).

A statement read on every call (the account's workspace, the knowledge-base search) costs the
database more to plan than to run; prepared once per connection it is planned once (a generic
plan). Its name carries a hash of its SQL, so a changed statement is prepared afresh, never
confused with the old; a new connection (the pool opens one, a worker restarts) prepares it again.
"""

import functools
import hashlib
import weakref

from django.db import connection

# The names prepared on each raw connection.
_prepared_on: "weakref.WeakKeyDictionary[object, set[str]]" = weakref.WeakKeyDictionary()


@functools.lru_cache(maxsize=64)
def _name(key: str, sql: str) -> str:
    return f"{key}_{hashlib.blake2s(sql.encode(), digest_size=4).hexdigest()}"


def prepared(cursor, key: str, sql: str, types: str) -> str:
    """The name of `sql` (placeholders $1, $2, … of the `types`), prepared on this connection."""
    name = _name(key, sql)
    names = _prepared_on.setdefault(connection.connection, set())
    if name not in names:
        if not names:
            # Only prepared statements follow this: ours, as Django's queries are not prepared.
            # (SET is undone with its transaction; the statements are not, and stay correct.)
            cursor.execute("SET plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE {name} ({types}) AS {sql}")
        names.add(name)
    return name


def execute_text(key: str, sql: str, types: str, count: int) -> str:
    """`EXECUTE name (%s, …)` of `sql` (placeholders $1 … $count), which is prepared on this
    connection first if it is not (only then is a cursor opened: this runs on every request)."""
    name = _name(key, sql)
    raw = connection.connection
    if raw is None or name not in _prepared_on.get(raw, ()):
        with connection.cursor() as cursor:
            prepared(cursor, key, sql, types)
    return _execute(name, count)


@functools.lru_cache(maxsize=64)
def _execute(name: str, count: int) -> str:
    return f"EXECUTE {name} ({', '.join(['%s'] * count)})"


def execute_prepared(cursor, key: str, sql: str, types: str, params: list) -> None:
    """EXECUTE `sql` with `params`, preparing it first on a connection that has not."""
    name = prepared(cursor, key, sql, types)
    cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)

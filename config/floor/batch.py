"""Several statements of one transaction sent in one round trip (PostgreSQL), in order.

Where a write is many small statements that do not read each other's results, the round trips
cost more than the statements: on PostgreSQL the batch goes as one `execute` (psycopg's
client-side binding sends it as one query string; the server runs the statements one after the
other, each with a fresh snapshot, as if sent apart, and stops at the first error). Elsewhere
(SQLite) they run one by one. Statements are plain SQL with `%s` placeholders; a statement with
RETURNING hands its rows to its `on_rows`.

Statements may also be *carried* (`carry`, inside `carrying()`, PostgreSQL only): kept on the
connection and sent at the front of the next round trip that takes them along (`Batch.run`,
`execute`), or on their own just before any other statement, so they always reach the database
before anything sent after them, in order.
"""

import functools
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connection, connections

# The statements carried on the connection (a list while carrying() is open, else absent).
CARRIED = "floor_carried_statements"


@dataclass
class Batch:
    statements: list[tuple[str, list, Callable | None]] = field(default_factory=list)

    def add(self, sql: str, params=(), on_rows: Callable[[list], None] | None = None) -> None:
        self.statements.append((sql, list(params), on_rows))

    def run(self, *, carry: bool = False) -> None:
        """Send the statements (one round trip on PostgreSQL, the carried ones first), then call
        each `on_rows`. With `carry`, inside `carrying()`, statements that hand back no rows
        are carried instead, to go with the next round trip."""
        carried = getattr(connection, CARRIED, None)
        if carry and carried is not None and all(on is None for _s, _p, on in self.statements):
            carried.extend(self.statements)
            return
        statements = [*take(), *self.statements]
        if not statements:
            return
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql" or len(statements) == 1:
                for sql, params, on_rows in statements:
                    cursor.execute(sql, params)
                    if on_rows is not None:
                        on_rows(cursor.fetchall())
                return
            _send(cursor, statements)

    def insert(self, objs: list, *, conflict=(), update=(), returning=True, shared=()) -> None:
        """INSERT model instances (one statement; their pks set once the batch ran, unless they
        all have one already or `returning` is False). With `conflict` (the columns of a unique
        constraint) an existing row gets the `update` columns instead: INSERT … ON CONFLICT … DO
        UPDATE. `shared`: names of fields whose value is the same on every instance (prepared
        once, from the first)."""
        model = type(objs[0])
        # The real connection once (each use of the `connection` proxy is a context lookup).
        db = connections[DEFAULT_DB_ALIAS]
        meta, quote = model._meta, db.ops.quote_name
        with_pks = all(obj.pk is not None for obj in objs)
        fields, head, row = _insert_shape(model, with_pks, db.vendor)
        first = [f.get_db_prep_save(f.pre_save(objs[0], True), db) for f in fields]
        params = list(first)
        if len(objs) > 1:
            own = [(i, f) for i, f in enumerate(fields) if f.name not in shared]
            for obj in objs[1:]:
                values = list(first)
                for i, f in own:
                    values[i] = f.get_db_prep_save(f.pre_save(obj, True), db)
                params.extend(values)
        sql = f"{head} VALUES {', '.join([row] * len(objs))}"
        if conflict:
            changes = ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in update)
            sql += f" ON CONFLICT ({', '.join(quote(c) for c in conflict)}) DO UPDATE SET {changes}"
        if with_pks or not returning:
            self.add(sql, params)
            return
        sql += f" RETURNING {quote(meta.pk.column)}"

        def saved(ids):
            for obj, (pk,) in zip(objs, ids, strict=True):
                obj.pk = pk
                obj._state.adding = False

        self.add(sql, params, saved)

    def update(self, model, where: str, where_params, **values) -> None:
        """UPDATE `model` SET the field values WHERE `where` (SQL with %s placeholders)."""
        db = connections[DEFAULT_DB_ALIAS]
        meta, quote = model._meta, db.ops.quote_name
        fields = [meta.get_field(name) for name in values]
        sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        params = [f.get_db_prep_save(values[f.name], db) for f in fields]
        self.add(
            f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {where}", [*params, *where_params]
        )


@functools.cache
def _insert_shape(model, with_pks: bool, vendor: str):
    """A model's INSERT: its fields, `INSERT INTO table (columns)` and one row's placeholders
    (worked out once: it is the same on every save)."""
    meta, quote = model._meta, connections[DEFAULT_DB_ALIAS].ops.quote_name
    fields = [f for f in meta.concrete_fields if f is not meta.auto_field or with_pks]
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
    return fields, head, f"({placeholders(fields)})"


def placeholders(values) -> str:
    """`%s, %s, …` for an IN list (never empty)."""
    return ", ".join(["%s"] * len(values))


def _send(cursor, statements) -> None:
    """All `statements` in one query string; each `on_rows` called with its rows, in order. The
    cursor is left at the last statement's result."""
    cursor.execute(
        ";\n".join(sql for sql, _params, _on in statements),
        [param for _sql, params, _on in statements for param in params],
    )
    for position, (_sql, _params, on_rows) in enumerate(statements):
        if position:
            cursor.nextset()
        if on_rows is not None:
            on_rows(cursor.fetchall())


@contextmanager
def carrying():
    """Let `carry` keep statements on the connection while the block runs (PostgreSQL; elsewhere
    it runs them at once). Yields whether it carries. Whatever is still carried when the block
    ends normally is sent then; when it raises, it is dropped (its transaction is rolled back)."""
    if connection.vendor != "postgresql" or hasattr(connection, CARRIED):
        yield False
        return
    setattr(connection, CARRIED, [])
    try:
        with connection.execute_wrapper(_carried_first):
            yield True
            Batch().run()
    finally:
        delattr(connection, CARRIED)


def carry(sql: str, params=(), on_rows: Callable[[list], None] | None = None) -> None:
    """Send the statement with the next round trip (inside `carrying()`), else now."""
    carried = getattr(connection, CARRIED, None)
    if carried is None:
        Batch([(sql, list(params), on_rows)]).run()
    else:
        carried.append((sql, list(params), on_rows))


def take() -> list:
    """The statements carried so far, no longer carried (the caller sends them)."""
    carried = getattr(connection, CARRIED, None)
    if not carried:
        return []
    taken = list(carried)
    carried.clear()
    return taken


def execute(cursor, sql: str, params=()) -> None:
    """`cursor.execute(sql, params)` with the carried statements in front, in one round trip
    (PostgreSQL); the cursor is left at the first result of `sql`."""
    carried = take()
    if not carried:
        cursor.execute(sql, params)
        return
    _send(cursor, [*carried, (sql, list(params), None)])


def _carried_first(execute, sql, params, many, context):
    """Any other statement waits for the carried ones to be sent (a round trip of their own)."""
    if getattr(context["connection"], CARRIED, None):
        Batch().run()
    return execute(sql, params, many, context)

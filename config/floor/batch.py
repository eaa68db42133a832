"""Several statements of one transaction sent in one round trip (PostgreSQL), in order.

Where a write is many small statements that do not read each other's results, the round trips
cost more than the statements: on PostgreSQL the batch goes as one `execute` (psycopg's
client-side binding sends it as one query string; the server runs the statements one after the
other, each with a fresh snapshot, as if sent apart, and stops at the first error). Elsewhere
(SQLite) they run one by one. Statements are plain SQL with `%s` placeholders; a statement with
RETURNING hands its rows to its `on_rows`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection


@dataclass
class Batch:
    statements: list[tuple[str, list, Callable | None]] = field(default_factory=list)

    def add(self, sql: str, params=(), on_rows: Callable[[list], None] | None = None) -> None:
        self.statements.append((sql, list(params), on_rows))

    def run(self) -> None:
        """Send the statements (one round trip on PostgreSQL), then call each `on_rows`."""
        if not self.statements:
            return
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql" or len(self.statements) == 1:
                for sql, params, on_rows in self.statements:
                    cursor.execute(sql, params)
                    if on_rows is not None:
                        on_rows(cursor.fetchall())
                return
            cursor.execute(
                ";\n".join(sql for sql, _params, _on in self.statements),
                [param for _sql, params, _on in self.statements for param in params],
            )
            for position, (_sql, _params, on_rows) in enumerate(self.statements):
                if position:
                    cursor.nextset()
                if on_rows is not None:
                    on_rows(cursor.fetchall())

    def insert(self, objs: list, *, conflict=(), update=()) -> None:
        """INSERT model instances (one statement; their pks set once the batch ran). With
        `conflict` (the columns of a unique constraint) an existing row gets the `update` columns
        instead: INSERT … ON CONFLICT … DO UPDATE."""
        model = type(objs[0])
        meta, quote = model._meta, connection.ops.quote_name
        fields = [f for f in meta.concrete_fields if f is not meta.auto_field]
        rows, params = [], []
        for obj in objs:
            rows.append(f"({placeholders(fields)})")
            params.extend(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES {', '.join(rows)}"
        )
        if conflict:
            changes = ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in update)
            sql += f" ON CONFLICT ({', '.join(quote(c) for c in conflict)}) DO UPDATE SET {changes}"
        sql += f" RETURNING {quote(meta.pk.column)}"

        def saved(ids):
            for obj, (pk,) in zip(objs, ids, strict=True):
                obj.pk = pk
                obj._state.adding = False

        self.add(sql, params, saved)

    def update(self, model, where: str, where_params, **values) -> None:
        """UPDATE `model` SET the field values WHERE `where` (SQL with %s placeholders)."""
        meta, quote = model._meta, connection.ops.quote_name
        fields = [meta.get_field(name) for name in values]
        sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        params = [f.get_db_prep_save(values[f.name], connection) for f in fields]
        self.add(
            f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {where}", [*params, *where_params]
        )


def placeholders(values) -> str:
    """`%s, %s, …` for an IN list (never empty)."""
    return ", ".join(["%s"] * len(values))

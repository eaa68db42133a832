"""What saving a result writes, once every check has passed (issue 10).

The history of every campaign of the product, the targets' result and the product's state (when
the table says «set»), the appeal's theme, the product's open callback made and a new one opened.
On PostgreSQL, when the read drew the ids of the rows to insert (campaigns.services.result_context),
all of it is **one prepared statement of a fixed shape** (config.floor.prepared): the history's rows
as arrays (`unnest`), each other write switched on or off by a parameter, so one plan serves every
save and the client binds ~25 parameters, not ~70 spread over six statements the server parsed and
planned on every save. Elsewhere (the embedded database, or ids not drawn) they are the same writes
as statements of a batch (config.floor.batch). Either way they are carried: they go with the next
round trip (an idempotency key's answer and the COMMIT).

One statement runs its parts on one snapshot, not each on its own as a batch does: they touch
different rows that the account's lock keeps from other saves, and the one order that matters
— the product's open callback made before the new one is opened (one open callback per product,
a unique index) — is written in: the new callback's INSERT reads the UPDATE's rows first.
"""

import functools

from django.db import DEFAULT_DB_ALIAS, connection, connections

from campaigns.models import Appeal, Callback, CampaignTarget, ContactHistoryEntry, OfferResult
from campaigns.services import results
from campaigns.services.callbacks import callbacks_write
from config.floor import batch as batches
from config.floor.batch import Batch, placeholders
from config.floor.prepared import execute_text


class ResultWrites:
    """The writes of one save, gathered by the service, then sent together (`send`)."""

    def __init__(self, *, entries, shared, now, result, agent, account_id, offer_id):
        self.entries = entries  # unsaved ContactHistoryEntry rows, their pks drawn or not
        self.shared = shared  # the names of the entries' fields with one value for all
        self.now, self.result, self.agent = now, result, agent
        self.account_id, self.offer_id = account_id, offer_id
        self.target_ids: list[int] | None = None  # «set»: the targets' result, and the state
        self.appeal_id: int | None = None  # the state's appeal
        self.appeal: Appeal | None = None  # its theme, detail, result and updated_at to write
        self.closes = False  # the product's open callback is made
        self.callback = None  # the callback opened, its pk drawn (PostgreSQL) or not

    def set_state(self, target_ids: list[int], appeal_id: int | None) -> None:
        self.target_ids, self.appeal_id = target_ids, appeal_id

    def send(self) -> None:
        """Carry the writes to the next round trip (config.floor.batch)."""
        drawn = all(e.pk is not None for e in self.entries) and (
            self.callback is None or self.callback.pk is not None
        )
        if connection.vendor == "postgresql" and drawn:
            self._send_prepared()
        else:
            self._send_batch()

    def _send_batch(self) -> None:
        batch = Batch()
        batch.insert(self.entries, shared=self.shared)
        if self.target_ids is not None:
            ids = self.target_ids
            batch.update(
                CampaignTarget,
                f"id IN ({placeholders(ids)})",
                ids,
                result=self.result,
                result_at=self.now,
            )
            results.offer_result_write(
                account_id=self.account_id,
                offer_id=self.offer_id,
                result=self.result,
                appeal_id=self.appeal_id,
                now=self.now,
                batch=batch,
            )
        if self.appeal is not None:
            appeal = self.appeal
            batch.update(
                Appeal,
                "id = %s",
                [appeal.pk],
                theme=appeal.theme,
                detail=appeal.detail,
                result=appeal.result,
                updated_at=appeal.updated_at,
            )
        if self.closes:
            callbacks_write(batch, account_id=self.account_id, offer_id=self.offer_id,
                            result=self.result, agent=self.agent, now=self.now,
                            callback=self.callback)  # fmt: skip
        batch.run(carry=True)

    def _send_prepared(self) -> None:
        own, shared, types = _history_fields(frozenset(self.shared))
        db, first = connections[DEFAULT_DB_ALIAS], self.entries[0]
        params = [[f.get_db_prep_save(f.pre_save(e, True), db) for e in self.entries] for f in own]
        params += [f.get_db_prep_save(f.pre_save(first, True), db) for f in shared]
        is_set = self.target_ids is not None
        appeal, callback = self.appeal, self.callback
        params += [
            self.result,
            self.now,
            self.account_id,
            self.offer_id,
            is_set,
            self.target_ids or [],
            self.appeal_id,
            appeal is not None,
            appeal.pk if appeal else None,
            appeal.theme if appeal else None,
            appeal.detail if appeal else None,
            appeal.result if appeal else None,
            appeal.updated_at if appeal else None,
            self.closes,
            self.agent.pk,
            callback.pk if callback else None,
            callback.target_id if callback else None,
            callback.due_at if callback else None,
        ]
        sql = _sql(own, shared)
        batches.carry(execute_text("result_writes", sql, _types(types), len(params)), params)


# After the history's parameters ($1 … $k): the save's own, numbered from $k+1 ({0} … {17}).
WRITES_SQL = """
targets AS (
  UPDATE {target} SET result = {0}, result_at = {1} WHERE {4} AND id = ANY({5})
),
state AS (
  INSERT INTO {state} (account_id, offer_id, result, result_at, appeal_id)
  SELECT {2}, {3}, {0}, {1}, {6} WHERE {4}
  ON CONFLICT (account_id, offer_id) DO UPDATE SET result = EXCLUDED.result,
    result_at = EXCLUDED.result_at, appeal_id = EXCLUDED.appeal_id
),
appeal AS (
  UPDATE {appeal} SET theme = {9}, detail = {10}, result = {11}, updated_at = {12}
  WHERE {7} AND id = {8}
),
made AS (
  UPDATE {callback} SET closed_at = {1}, closed_by_id = {14}, outcome = {0}
  WHERE {13} AND closed_at IS NULL AND account_id = {2} AND offer_id = {3}
  RETURNING 1
)
INSERT INTO {callback} (id, account_id, offer_id, target_id, agent_id, due_at, created_at,
                        closed_at, closed_by_id, outcome)
SELECT {15}, {2}, {3}, {16}, {14}, {17}, {1}, NULL, NULL, ''
WHERE {15} IS NOT NULL AND (SELECT count(*) FROM made) >= 0
"""
WRITES_TYPES = (
    "text, timestamptz, bigint, bigint, boolean, bigint[], bigint, boolean, bigint, text, text, "
    "text, timestamptz, boolean, bigint, bigint, bigint, timestamptz"
)


@functools.cache
def _types(history_types: str) -> str:
    return f"{history_types}, {WRITES_TYPES}"


@functools.cache
def _history_fields(shared: frozenset):
    """The history's columns: those of each entry (arrays, unnest) and those shared (one value),
    and the types of their parameters, from the model."""
    fields = ContactHistoryEntry._meta.concrete_fields
    own = tuple(f for f in fields if f.name not in shared)
    common = tuple(f for f in fields if f.name in shared)
    types = [f"{f.db_type(connection)}[]" for f in own] + [f.db_type(connection) for f in common]
    return own, common, ", ".join(types)


@functools.cache
def _sql(own: tuple, shared: tuple) -> str:
    quote = connection.ops.quote_name
    n = len(own) + len(shared)
    columns = ", ".join(quote(f.column) for f in own + shared)
    rows = ", ".join(f"h.{quote(f.column)}" for f in own)
    values = ", ".join(f"${len(own) + i + 1}" for i in range(len(shared)))
    arrays = ", ".join(f"${i + 1}" for i in range(len(own)))
    history = (
        f"WITH history AS (\n  INSERT INTO {quote(ContactHistoryEntry._meta.db_table)} "
        f"({columns})\n  SELECT {rows}, {values}\n  FROM unnest({arrays}) "
        f"AS h({', '.join(quote(f.column) for f in own)})\n),"
    )
    tables = {
        "target": CampaignTarget,
        "state": OfferResult,
        "appeal": Appeal,
        "callback": Callback,
    }
    names = {k: quote(m._meta.db_table) for k, m in tables.items()}
    return history + WRITES_SQL.format(*(f"${n + i + 1}" for i in range(18)), **names)

"""`Idempotency-Key` for POSTs that create something: a retry gets the first answer, nothing more.

The key row is inserted in the same transaction as the write it guards, so either both land or
neither does; a concurrent retry with the same key waits on the unique index and then replays the
stored answer.
"""

import functools

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.response import Response

from config.floor import batch, prepared
from config.floor.api import renderers
from config.floor.errors import Conflict, DomainError
from config.floor.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255

ERR_KEY_TOO_LONG = _("The Idempotency-Key header is longer than 255 characters.")
ERR_KEY_REUSED = _("This Idempotency-Key was already used for another request.")


def idempotent(request, handler) -> Response:
    """Run `handler()` (which returns a Response) once per user and Idempotency-Key."""
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return handler()
    if len(key) > MAX_KEY_LENGTH:
        raise DomainError(ERR_KEY_TOO_LONG, code="invalid_idempotency_key")
    scope = f"{request.method} {request.path}"[:255]
    try:
        with transaction.atomic():
            return _first(handler, _Claim(user_id=request.user.pk, key=key, scope=scope))
    except KeyTaken:
        pass
    # The key's transaction ended before our claim returned: its row and answer are committed.
    record = IdempotencyKey.objects.get(user=request.user, key=key)
    if record.scope != scope:
        raise Conflict(ERR_KEY_REUSED, code="idempotency_key_reused")
    replay = Response(record.response, status=record.status_code)
    replay["Idempotent-Replayed"] = "true"
    return replay


class KeyTaken(Exception):
    """The key's row exists: the request is a retry (the transaction is rolled back)."""


# The depth of idempotent()'s own transaction while its handler runs: any error the handler
# raises rolls that transaction back whole, the key's claim with it.
WHOLE = "floor_idempotent_depth"


def _first(handler, claim) -> Response:
    """Claim the key, run the handler, store its answer (inside the key's transaction).

    On PostgreSQL the claim rides with the handler's first round trip (config.floor.batch: it
    is sent before anything else the handler sends) and, when this transaction is the outermost,
    the answer rides with the COMMIT: two round trips fewer than sending each on its own."""
    # Django commits on leaving this block (not a savepoint in an outer transaction).
    outermost = len(connection.atomic_blocks) == 1 and connection.commit_on_exit
    with batch.carrying():
        batch.carry(*claim.statement())
        depth = getattr(connection, WHOLE, None)
        setattr(connection, WHOLE, len(connection.savepoint_ids))
        try:
            response = handler()
        except KeyTaken:
            raise
        except Exception:
            # A retry gets the first answer even where the handler failed before sending
            # anything (a check of its input): the claim decides, sent now if still carried.
            claim.send_alone()
            raise
        finally:
            setattr(connection, WHOLE, depth)
        if claim.record_id is None:
            batch.Batch().run()  # the handler sent nothing: the claim (and what follows it) now
        _answer(claim.record_id, response, commit=outermost)
        return response


def service_atomic():
    """`transaction.atomic()` for a service an idempotent handler calls: right inside
    idempotent()'s transaction it takes no savepoint (two round trips saved: an error rolls the
    whole transaction back anyway); anywhere else it is the plain atomic block, savepoint and all."""
    whole = connection.in_atomic_block and getattr(connection, WHOLE, None) == len(
        connection.savepoint_ids
    )
    return transaction.atomic(savepoint=not whole)


class _Claim:
    """The key's row, inserted with one statement (no savepoint): `record_id` once sent, or
    KeyTaken when the row exists. A concurrent request with the same key waits on the unique
    index until this transaction ends, then finds the row (committed) or inserts its own (rolled
    back)."""

    def __init__(self, *, user_id, key: str, scope: str):
        self.params = [
            user_id,
            key,
            scope,
            connection.ops.adapt_datetimefield_value(timezone.now()),
        ]
        self.record_id = None

    def statement(self):
        """The claim (on PostgreSQL a statement prepared once per connection: it runs on every
        idempotent write)."""
        sql = _claim_sql()
        if connection.vendor == "postgresql":
            sql = _prepared("idempotency_claim", sql, "bigint, text, text, timestamptz")
        return sql, self.params, self.claimed

    def claimed(self, rows) -> None:
        if not rows:
            raise KeyTaken
        self.record_id = rows[0][0]

    def send_alone(self) -> None:
        """Send the claim now if it is still carried (the handler failed before sending
        anything), and drop whatever else is carried (the transaction is rolled back)."""
        carried = batch.take()
        if self.record_id is None and carried and carried[0][2] == self.claimed:
            batch.Batch(carried[:1]).run()


def _answer(record_id: int, response, *, commit: bool) -> None:
    """Store the first answer on the claimed key (one UPDATE, written out: it runs on every
    idempotent write, and compiling the ORM's UPDATE of a JSON field cost more than running it).
    The answer is encoded once: the text stored is the body sent (config.floor.api.renderers).
    With `commit` the COMMIT goes in the same round trip; Django's commit then finds nothing to
    commit (psycopg sends no COMMIT outside a transaction)."""
    sql = _answer_sql()
    stored = _json_param(renderers.encode_once(response).decode())
    params = [response.status_code, stored, record_id]
    if connection.vendor == "postgresql":
        sql = _prepared("idempotency_answer", sql, "integer, jsonb, bigint")
        if commit:
            sql = f"{sql}; COMMIT"
    with connection.cursor() as cursor:
        batch.execute(cursor, sql, params)


@functools.cache
def _claim_sql() -> str:
    quote = connection.ops.quote_name
    table, user, key_, scope_ = (
        quote(n) for n in (IdempotencyKey._meta.db_table, "user_id", "key", "scope")
    )
    return (
        f"INSERT INTO {table} ({user}, {key_}, {scope_}, created_at) "
        f"VALUES (%s, %s, %s, %s) ON CONFLICT ({user}, {key_}) DO NOTHING RETURNING id"
    )


@functools.cache
def _answer_sql() -> str:
    field = IdempotencyKey._meta.get_field("response")
    quote = connection.ops.quote_name
    return (
        f"UPDATE {quote(IdempotencyKey._meta.db_table)} SET status_code = %s, "
        f"{quote(field.column)} = %s WHERE id = %s"
    )


@functools.cache
def _numbered(sql: str) -> tuple[str, int]:
    """`sql` with its `%s` placeholders numbered $1, $2, …, and their count."""
    count = sql.count("%s")
    return sql.replace("%s", "{}").format(*(f"${i + 1}" for i in range(count))), count


def _prepared(key: str, sql: str, types: str) -> str:
    """`EXECUTE` of `sql` (its `%s` placeholders, of the `types`), prepared on this connection."""
    numbered, count = _numbered(sql)
    return prepared.execute_text(key, numbered, types, count)


def _json_param(text: str):
    """JSON text already encoded, as the parameter of a JSON column (a JSONField's own
    preparation would encode the data again)."""
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        return Jsonb(None, dumps=lambda _obj: text)
    return text


def first_submission(*, user, key: str, scope: str) -> bool:
    """For page forms: record the form's one-time key; False when it was submitted before (a double
    click, a browser retry). Called inside the transaction of the write it guards."""
    if not key:
        return True
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(user=user, key=key[:MAX_KEY_LENGTH], scope=scope[:255])
    except IntegrityError:
        return False
    return True


def once_per_form(*, user, key: str, scope: str, handler):
    """For page forms whose retry must land where the first submission did: run `handler()` (it
    returns something JSON-able, e.g. the id of what it made) once per user and one-time key, in
    one transaction with the key's row. Returns (result, first): a resubmission (a double click, a
    browser retry) gets the first result back and runs nothing."""
    if not key:
        return handler(), True
    key = key[:MAX_KEY_LENGTH]
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(user=user, key=key, scope=scope[:255])
            result = handler()
            record.response = result
            record.save(update_fields=["response"])
            return result, True
    except IntegrityError:
        previous = IdempotencyKey.objects.filter(user=user, key=key).first()
        if previous is None or previous.response is None:
            raise
        return previous.response, False

"""`Idempotency-Key` for POSTs that create something: a retry gets the first answer, nothing more.

The key row is inserted in the same transaction as the write it guards, so either both land or
neither does; a concurrent retry with the same key waits on the unique index and then replays the
stored answer.
"""

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.response import Response

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
    with transaction.atomic():
        record_id = _claim(user_id=request.user.pk, key=key, scope=scope)
        if record_id is None:
            record = IdempotencyKey.objects.get(user=request.user, key=key)
            if record.scope != scope:
                raise Conflict(ERR_KEY_REUSED, code="idempotency_key_reused")
            replay = Response(record.response, status=record.status_code)
            replay["Idempotent-Replayed"] = "true"
            return replay
        depth = getattr(connection, WHOLE, None)
        setattr(connection, WHOLE, len(connection.savepoint_ids))
        try:
            response = handler()
        finally:
            setattr(connection, WHOLE, depth)
        _answer(record_id, response)
        return response


# The depth of idempotent()'s own transaction while its handler runs: any error the handler
# raises rolls that transaction back whole, the key's claim with it.
WHOLE = "floor_idempotent_depth"


def service_atomic():
    """`transaction.atomic()` for a service an idempotent handler calls: right inside
    idempotent()'s transaction it takes no savepoint (two round trips saved: an error rolls the
    whole transaction back anyway); anywhere else it is the plain atomic block, savepoint and all."""
    whole = connection.in_atomic_block and getattr(connection, WHOLE, None) == len(
        connection.savepoint_ids
    )
    return transaction.atomic(savepoint=not whole)


def _answer(record_id: int, response) -> None:
    """Store the first answer on the claimed key (one UPDATE, written out: it runs on every
    idempotent write, and compiling the ORM's UPDATE of a JSON field cost more than running it)."""
    field = IdempotencyKey._meta.get_field("response")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(IdempotencyKey._meta.db_table)} SET status_code = %s, "
            f"{quote(field.column)} = %s WHERE id = %s",
            [
                response.status_code,
                field.get_db_prep_save(response.data, connection),
                record_id,
            ],
        )


def _claim(*, user_id, key: str, scope: str) -> int | None:
    """Insert the key's row (one statement, no savepoint): its id, or None when the row exists.
    A concurrent request with the same key waits on the unique index until this transaction
    ends, then finds the row (committed) or inserts its own (rolled back)."""
    quote = connection.ops.quote_name
    table, user, key_, scope_ = (
        quote(n) for n in (IdempotencyKey._meta.db_table, "user_id", "key", "scope")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({user}, {key_}, {scope_}, created_at) VALUES (%s, %s, %s, %s) "
            f"ON CONFLICT ({user}, {key_}) DO NOTHING RETURNING id",
            [user_id, key, scope, connection.ops.adapt_datetimefield_value(timezone.now())],
        )
        row = cursor.fetchone()
    return row[0] if row else None


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

"""The hand-off of orders to the fulfilment system: the outbox (see `outbox`), delivered at least once.

A message is written in the transaction that made the change it reports (`outbox.outbox_write`)
and enqueued after commit. Whoever delivers it first takes a lease on the row (a conditional UPDATE,
so it works on SQLite as on PostgreSQL), sends it with its idempotency key, and records the
outcome. A failure sets the next attempt with exponential backoff; the periodic `resend` picks up
whatever is due, so a lost enqueue (Redis down) or a worker that died loses nothing. The
fulfilment system de-duplicates by the idempotency key, so a retry after a lost answer makes no
second work order.
"""

import datetime
import enum
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from campaigns.orders.fulfilment import client as fulfilment
from campaigns.orders.models import (
    ConnectionOrder,
    OrderKind,
    OrderOutboxMessage,
    OrderStatus,
    OutboxKind,
    OutboxState,
    StatusSource,
)
from campaigns.orders.services.transitions import order_transition

logger = logging.getLogger("campaigns.outbox")

BASE_BACKOFF_SECONDS = 10
# A cancellation waits this long between looks while its order's creation is still on its way.
WAIT_FOR_CREATE_SECONDS = 30


class Outcome(enum.StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Delivery:
    outcome: Outcome
    retry_in: float = 0


def backoff(attempts: int) -> float:
    """10 s, 20 s, 40 s, … up to FULFILMENT_MAX_BACKOFF_SECONDS."""
    return float(
        min(settings.FULFILMENT_MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2 ** (attempts - 1))
    )


def _claim(message_id: int, now) -> bool:
    lease = datetime.timedelta(seconds=settings.FULFILMENT_TIMEOUT * 2 + 30)
    claimed = (
        OrderOutboxMessage.objects.filter(pk=message_id).due(now).update(leased_until=now + lease)
    )
    return claimed == 1


def outbox_deliver(*, message_id: int, now=None) -> Delivery:
    """Try to deliver one message once; return what happened and when to try again."""
    now = now or timezone.now()
    if not _claim(message_id, now):
        return Delivery(Outcome.SKIPPED)
    message = OrderOutboxMessage.objects.select_related("order").get(pk=message_id)
    waiting = _precondition(message, now)
    if waiting is not None:
        return waiting
    try:
        reply = _send(message)
    except fulfilment.FulfilmentError as exc:
        return _failed(message, exc, timezone.now())
    _delivered(message, reply, timezone.now())
    _pull_forward(timezone.now())
    return Delivery(Outcome.DELIVERED)


def _pull_forward(now) -> int:
    """The fulfilment system answers again: messages waiting out a backoff after a failed
    attempt are due now, not up to FULFILMENT_MAX_BACKOFF_SECONDS later."""
    return (
        OrderOutboxMessage.objects.filter(
            state=OutboxState.PENDING, attempts__gt=0, next_attempt_at__gt=now
        )
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .update(next_attempt_at=now)
    )


def _precondition(message, now) -> Delivery | None:
    """A creation for an order cancelled meanwhile is withdrawn; a cancellation waits its creation."""
    order = message.order
    create = message if message.kind == OutboxKind.CREATE else _create_message(order)
    if message.kind == OutboxKind.CREATE and order.status == OrderStatus.CANCELLED:
        _set(message, state=OutboxState.WITHDRAWN)
        OrderOutboxMessage.objects.filter(order=order, kind=OutboxKind.CANCEL).update(
            state=OutboxState.WITHDRAWN, leased_until=None
        )
        return Delivery(Outcome.WITHDRAWN)
    if message.kind == OutboxKind.CANCEL:
        if create is None or create.state in (OutboxState.WITHDRAWN, OutboxState.REJECTED):
            _set(message, state=OutboxState.WITHDRAWN)
            return Delivery(Outcome.WITHDRAWN)
        if create.state == OutboxState.PENDING:
            _set(message, next_attempt_at=now + datetime.timedelta(seconds=WAIT_FOR_CREATE_SECONDS))
            return Delivery(Outcome.RETRY, WAIT_FOR_CREATE_SECONDS)
    return None


def _create_message(order):
    return order.outbox.filter(kind=OutboxKind.CREATE).first()


def _set(message, **values) -> None:
    values.setdefault("leased_until", None)
    for name, value in values.items():
        setattr(message, name, value)
    OrderOutboxMessage.objects.filter(pk=message.pk).update(**values)


def _send(message) -> fulfilment.Reply:
    order = message.order
    if message.kind == OutboxKind.CANCEL:
        return fulfilment.post(
            f"orders/{order.reference}/cancel/",
            {"reference": str(order.reference), "reason": order.cancel_reason},
            idempotency_key=message.idempotency_key,
        )
    return fulfilment.post("orders/", order_payload(order), idempotency_key=message.idempotency_key)


def _failed(message, error: fulfilment.FulfilmentError, now) -> Delivery:
    attempts = message.attempts + 1
    if not error.retryable:
        _set(message, state=OutboxState.REJECTED, attempts=attempts, last_error=error.reason)
        logger.error("outbox message %s rejected by fulfilment: %s", message.pk, error.reason)
        return Delivery(Outcome.REJECTED)
    delay = backoff(attempts)
    _set(
        message,
        attempts=attempts,
        last_error=error.reason[:255],
        next_attempt_at=now + datetime.timedelta(seconds=delay),
    )
    logger.warning(
        "outbox message %s not delivered (attempt %d, %s); next in %ds",
        message.pk,
        attempts,
        error.reason,
        delay,
    )
    return Delivery(Outcome.RETRY, delay)


@transaction.atomic
def _delivered(message, reply: fulfilment.Reply, now) -> None:
    _set(
        message,
        state=OutboxState.DELIVERED,
        attempts=message.attempts + 1,
        delivered_at=now,
        last_error="",
    )
    order = ConnectionOrder.objects.select_for_update().get(pk=message.order_id)
    external_id = str(reply.body.get("id") or "")[:100]
    if message.kind == OutboxKind.CREATE and order.status == OrderStatus.REGISTERED:
        order_transition(
            order=order,
            status=OrderStatus.SENT,
            source=StatusSource.SYSTEM,
            external_id=external_id,
            now=now,
        )
    elif external_id and not order.external_id:
        order.external_id = external_id
        order.save(update_fields=["external_id", "updated_at"])
    logger.info("outbox message %s delivered (order %s, %s)", message.pk, order.pk, message.kind)


def order_payload(order: ConnectionOrder) -> dict:
    """What the fulfilment system needs to make the task, personal data included.

    `kind` says which task it is (R8): `connection` (the ДК work order: technology, tariff,
    equipment, installer visit), `activation` (a remote activation: the contact phone), or
    `delivery` (an equipment delivery: address and window); blocks a kind has no use for are null.
    """
    passport = order.passport
    connection = order.kind == OrderKind.CONNECTION
    return {
        "reference": str(order.reference),
        "portal_id": order.pk,
        "kind": order.kind,
        "account": order.account.number,
        "customer": {
            "full_name": order.full_name,
            "contact_phone": order.contact_phone,
            "connection_address": order.connection_address,
            "registration_address": order.registration_address,
            "passport": None
            if passport is None
            else {
                "series": passport.series,
                "number": passport.number,
                "issued_on": passport.issued_on.isoformat(),
                "issued_by": passport.issued_by,
            },
        },
        "product": _code_kind(order.sold),
        "technology": order.technology.code if order.technology_id else None,
        "service": order.service.code,
        "sales_channel": {"code": order.sales_channel.code, "name": order.sales_channel.name},
        "tariff": order.tariff.code if order.tariff_id else None,
        "equipment": sorted(o.code for o in order.equipment.all()),
        "extras": sorted(o.code for o in order.extras.all()),
        "installer_visit": {
            "from": order.slot.starts_at.isoformat(),
            "to": order.slot.ends_at.isoformat(),
        }
        if connection and order.slot_id
        else None,
        "delivery": {
            "address": order.connection_address,
            "from": order.delivery_starts_at.isoformat(),
            "to": order.delivery_ends_at.isoformat(),
        }
        if order.kind == OrderKind.DELIVERY and order.delivery_starts_at
        else None,
        "comment": order.comment,
        "registered_at": order.created_at.isoformat(),
        "status_callback": f"/api/v1/orders/{order.pk}/status/",
    }


def _code_kind(offer) -> dict | None:
    return None if offer is None else {"code": offer.code, "kind": offer.kind}


def outbox_resend_due(*, now=None, limit: int = 100) -> dict[str, int]:
    """The periodic safety net: deliver every message that is due (oldest first). A delivery
    makes the retries that were waiting due (`_pull_forward`): they go out in the same run."""
    counts: dict[str, int] = {}
    seen: set[int] = set()
    while len(seen) < limit:
        moment = now or timezone.now()
        ids = list(
            OrderOutboxMessage.objects.due(moment)
            .exclude(pk__in=seen)
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[: limit - len(seen)]
        )
        if not ids:
            break
        for message_id in ids:
            seen.add(message_id)
            outcome = outbox_deliver(message_id=message_id, now=moment).outcome
            counts[outcome] = counts.get(outcome, 0) + 1
        if Outcome.DELIVERED not in counts:
            break
    return counts

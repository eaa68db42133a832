"""The lifecycle of a connection order as a state machine: registered → sent → connected, or
cancelled from any of them (TRANSITIONS), each step with its history row.

It writes nothing else: the side effects of a step (telling the fulfilment system of a
cancellation) are `lifecycle`'s, so that the outbox's delivery can record «sent» here without
depending on the module that writes the outbox.
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.orders.models import (
    TRANSITIONS,
    ConnectionOrder,
    OrderKind,
    OrderStatus,
    OrderStatusChange,
)

logger = logging.getLogger("campaigns.orders")

ERR_TRANSITION = _("An order in status «%(current)s» cannot become «%(new)s».")
ERR_CANCEL_REASON = _("Say why the order is cancelled.")


def order_step(order, new_status, *, source, by, reason, now) -> bool:
    """One step of the lifecycle with its history row. Returns False when already there."""
    if order.status == new_status:
        return False
    if new_status not in TRANSITIONS[OrderStatus(order.status)]:
        raise ValidationError(
            {
                "status": ValidationError(
                    ERR_TRANSITION,
                    code="invalid_transition",
                    params={
                        "current": OrderStatus(order.status).label,
                        "new": OrderStatus(new_status).label,
                    },
                )
            }
        )
    if new_status == OrderStatus.CANCELLED:
        order.cancelled_at = now
        order.cancel_reason = reason
        window = datetime.timedelta(days=settings.ORDER_CLAWBACK_DAYS)
        order.clawback = bool(
            order.status == OrderStatus.CONNECTED and now - order.connected_at <= window
        )
    elif new_status == OrderStatus.SENT:
        order.sent_at = now
    elif new_status == OrderStatus.CONNECTED:
        order.connected_at = now
    if new_status == OrderStatus.CONNECTED:
        account_follows_order(order, connected=True)
    elif order.status == OrderStatus.CONNECTED:
        account_follows_order(order, connected=False)
    order.status = new_status
    order.save()
    OrderStatusChange.objects.create(
        order=order, status=new_status, source=source, changed_by=by, reason=reason, changed_at=now
    )
    return True


def account_follows_order(order, *, connected: bool) -> None:
    """What was sold is what the account holds: once connected, the order's product and extras are
    the account's offers (so they are `already_has`, never offered again), a new service its
    service, and a tariff move replaces the previous plan; a connection cancelled undoes it. The
    CRM's next report of the account stays the authority (PUT /api/v1/accounts/{number}/)."""
    account = order.account
    sold = [o for o in (order.product, *order.extras.all()) if o is not None]
    if connected:
        account.offers.add(*sold)
        if order.kind == OrderKind.CONNECTION and order.product is not None:
            account.services.add(order.product.service_id)
            if order.previous_tariff_id:
                account.offers.remove(order.previous_tariff_id)
    else:
        account.offers.remove(*sold)
        if order.kind == OrderKind.CONNECTION and order.previous_tariff_id:
            account.offers.add(order.previous_tariff_id)


@transaction.atomic
def order_transition(
    *,
    order: ConnectionOrder,
    status: str,
    source: str,
    by=None,
    reason: str = "",
    external_id: str = "",
    now=None,
) -> tuple[ConnectionOrder, bool]:
    """Move an order along its lifecycle; a repeated report of the current status changes nothing.
    Returns the locked, updated order and whether it moved.

    A «connected» that arrives before the «sent» (the fulfilment system was quicker than our own
    acknowledgement) records both steps.
    """
    now = now or timezone.now()
    order = ConnectionOrder.objects.select_for_update().get(pk=order.pk)
    reason = (reason or "").strip()[:500]
    if status == OrderStatus.CANCELLED and not reason:
        raise ValidationError(
            {"reason": ValidationError(ERR_CANCEL_REASON, code="reason_required")}
        )
    if status == OrderStatus.CONNECTED and order.status == OrderStatus.REGISTERED:
        order_step(order, OrderStatus.SENT, source=source, by=by, reason="", now=now)
    moved = order_step(order, status, source=source, by=by, reason=reason, now=now)
    if external_id and order.external_id != external_id:
        order.external_id = external_id[:100]
        order.save(update_fields=["external_id", "updated_at"])
    if moved:
        logger.info("order %s is now %s (%s)", order.pk, status, source)
    return order, moved

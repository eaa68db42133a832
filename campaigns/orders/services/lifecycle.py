"""The services that move an order along its lifecycle, with their side effects: a cancellation
the fulfilment system did not report itself is reported to it through the outbox."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.orders.models import ConnectionOrder, OrderStatus, OutboxKind, StatusSource
from campaigns.orders.services.outbox import outbox_write
from campaigns.orders.services.transitions import order_transition
from config.floor.errors import Forbidden

ERR_NOT_YOUR_ORDER = _("Only the agent who registered the order can change it.")


@transaction.atomic
def order_set_status(
    *,
    order: ConnectionOrder,
    status: str,
    source: str,
    by=None,
    reason: str = "",
    external_id: str = "",
    now=None,
) -> ConnectionOrder:
    """Move an order along its lifecycle (see `transitions`); a cancellation from the portal's side
    goes to the fulfilment system."""
    now = now or timezone.now()
    order, moved = order_transition(
        order=order,
        status=status,
        source=source,
        by=by,
        reason=reason,
        external_id=external_id,
        now=now,
    )
    if moved and status == OrderStatus.CANCELLED and source != StatusSource.FULFILMENT:
        outbox_write(order, OutboxKind.CANCEL, now)
    return order


def order_cancel(*, order: ConnectionOrder, agent, reason: str, now=None) -> ConnectionOrder:
    """The agent who registered the order cancels it, with a reason (the customer changed mind)."""
    if order.agent_id != agent.pk:
        raise Forbidden(ERR_NOT_YOUR_ORDER, code="not_your_order")
    return order_set_status(
        order=order,
        status=OrderStatus.CANCELLED,
        source=StatusSource.AGENT,
        by=agent,
        reason=reason,
        now=now,
    )

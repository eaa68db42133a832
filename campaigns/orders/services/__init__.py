"""Writes on connection orders, one module per concern, the public ones re-exported here.

registration  order_register: the order, its appeal (R8) and its outbox message, all or nothing
rules         the form's validation rules, each a named, translated field error
transitions   the lifecycle's state machine (TRANSITIONS), one step and its history row
lifecycle     order_set_status, order_cancel: a step with its side effects (cancel → outbox)
outbox        the transactional outbox: a message written with the change, enqueued on commit
delivery      the hand-off to the fulfilment system: lease, send, backoff, resend
privacy       who may see personal data, the audited reveal, erasure after retention
slots         installer visit slots opened ahead
"""

from campaigns.orders.services.delivery import outbox_deliver, outbox_resend_due
from campaigns.orders.services.lifecycle import order_cancel, order_set_status
from campaigns.orders.services.outbox import outbox_retry_now
from campaigns.orders.services.privacy import (
    REVEALABLE_FIELDS,
    can_reveal,
    order_reveal,
    orders_erase_expired_passports,
)
from campaigns.orders.services.registration import (
    APPEAL_RESULT,
    OrderInput,
    appeal_detail,
    order_register,
    previous_fields,
    previous_plan,
)
from campaigns.orders.services.rules import PLAN_KINDS
from campaigns.orders.services.slots import delivery_windows, installer_slots_open

__all__ = [
    "APPEAL_RESULT",
    "PLAN_KINDS",
    "REVEALABLE_FIELDS",
    "OrderInput",
    "appeal_detail",
    "can_reveal",
    "delivery_windows",
    "installer_slots_open",
    "order_cancel",
    "order_register",
    "order_reveal",
    "order_set_status",
    "orders_erase_expired_passports",
    "outbox_deliver",
    "outbox_resend_due",
    "outbox_retry_now",
    "previous_fields",
    "previous_plan",
]

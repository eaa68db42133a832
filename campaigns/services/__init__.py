"""Writes on campaigns and the sales floor (one module per concept, re-exported here)."""

from campaigns.services.campaigns import campaigns_archive_expired, campaigns_set_status
from campaigns.services.orders import (
    APPEAL_RESULT,
    REVEALABLE_FIELDS,
    OrderInput,
    appeal_detail,
    can_reveal,
    installer_slots_open,
    order_cancel,
    order_register,
    order_reveal,
    order_set_status,
    orders_erase_expired_passports,
)
from campaigns.services.outbox import outbox_deliver, outbox_resend_due, outbox_retry_now
from campaigns.services.workspace import (
    APPEAL_FLAGS,
    ERR_INVALID_APPEAL,
    ERR_NOT_ON_ACCOUNT,
    MAX_OBJECTIONS,
    RecommendationError,
    account_upsert,
    appeal_close,
    appeal_open,
    appeal_update,
    recommendation_record_result,
)

__all__ = [
    "APPEAL_FLAGS",
    "APPEAL_RESULT",
    "ERR_INVALID_APPEAL",
    "ERR_NOT_ON_ACCOUNT",
    "MAX_OBJECTIONS",
    "REVEALABLE_FIELDS",
    "OrderInput",
    "RecommendationError",
    "account_upsert",
    "appeal_close",
    "appeal_detail",
    "appeal_open",
    "appeal_update",
    "campaigns_archive_expired",
    "campaigns_set_status",
    "can_reveal",
    "installer_slots_open",
    "order_cancel",
    "order_register",
    "order_reveal",
    "order_set_status",
    "orders_erase_expired_passports",
    "outbox_deliver",
    "outbox_resend_due",
    "outbox_retry_now",
    "recommendation_record_result",
]

"""Writes on campaigns and the sales floor (one module per concept, re-exported here)."""

from campaigns.services.callbacks import (
    callback_default_due,
    callback_reschedule,
)
from campaigns.services.campaigns import (
    campaign_clone,
    campaigns_archive_expired,
    campaigns_bulk_update,
    campaigns_follow_schedule,
    campaigns_launch,
    campaigns_set_status,
)
from campaigns.services.org import MoveError, agent_team_move, membership_create, team_on
from campaigns.services.workspace import (
    APPEAL_FLAGS,
    ERR_INVALID_APPEAL,
    ERR_NOT_ON_ACCOUNT,
    MAX_OBJECTIONS,
    account_upsert,
    agreement_for_order,
    appeal_close,
    appeal_open,
    appeal_update,
    need_heard_mark,
    recommendation_record_result,
)

__all__ = [
    "APPEAL_FLAGS",
    "ERR_INVALID_APPEAL",
    "ERR_NOT_ON_ACCOUNT",
    "MAX_OBJECTIONS",
    "MoveError",
    "account_upsert",
    "agent_team_move",
    "agreement_for_order",
    "appeal_close",
    "appeal_open",
    "appeal_update",
    "callback_default_due",
    "callback_reschedule",
    "campaign_clone",
    "campaigns_archive_expired",
    "campaigns_bulk_update",
    "campaigns_follow_schedule",
    "campaigns_launch",
    "campaigns_set_status",
    "membership_create",
    "need_heard_mark",
    "recommendation_record_result",
    "team_on",
]

from rewards.models.catalogue import (
    ERR_ARPU_NEEDS_SHARE,
    ERR_FIXED_NEEDS_AMOUNT,
    ERR_RULE_DATES,
    RewardBand,
    RewardKind,
    RewardRule,
    RewardRuleQuerySet,
)
from rewards.models.conversions import (
    DEFAULT_TARGET,
    ERR_MONTH_NOT_FIRST,
    AgentMonth,
    CampaignMonth,
    ConversionRun,
    LineState,
    MonthLock,
    MonthlyTarget,
    RewardLine,
)
from rewards.models.disputes import (
    DisputeKind,
    DisputeStatus,
    StatementDispute,
    StatementDisputeQuerySet,
)

__all__ = [
    "DEFAULT_TARGET",
    "ERR_ARPU_NEEDS_SHARE",
    "ERR_FIXED_NEEDS_AMOUNT",
    "ERR_MONTH_NOT_FIRST",
    "ERR_RULE_DATES",
    "AgentMonth",
    "CampaignMonth",
    "ConversionRun",
    "DisputeKind",
    "DisputeStatus",
    "LineState",
    "MonthLock",
    "MonthlyTarget",
    "RewardBand",
    "RewardKind",
    "RewardLine",
    "RewardRule",
    "RewardRuleQuerySet",
    "StatementDispute",
    "StatementDisputeQuerySet",
]

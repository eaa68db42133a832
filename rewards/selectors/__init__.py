"""Reads for the rewards: the month's figures, the leaderboard, the agent's month and statement."""

from rewards.selectors.callbacks import (
    callback_funnel,
    callback_funnel_by_campaign,
    with_rates,
)
from rewards.selectors.figures import (
    FIGURES,
    FUNNEL_STEPS,
    agent_month_rows,
    agent_month_values,
    bare_order_aggregates,
    campaign_month_rows,
    campaign_order_aggregates,
    funnel_aggregates,
    month_orders,
    order_aggregates,
    reward_rule_list,
)
from rewards.selectors.leaderboard import (
    daily_orders,
    leaderboard,
    leaderboard_totals,
    locked_team_ids,
    overdue_callbacks_total,
    teams_visible_to,
    with_overdue_callbacks,
)
from rewards.selectors.statements import (
    Line,
    Progress,
    Statement,
    agent_progress,
    frozen_statement,
    statements,
)

__all__ = [
    "FIGURES",
    "FUNNEL_STEPS",
    "Line",
    "Progress",
    "Statement",
    "agent_month_rows",
    "agent_month_values",
    "agent_progress",
    "bare_order_aggregates",
    "callback_funnel",
    "callback_funnel_by_campaign",
    "campaign_month_rows",
    "campaign_order_aggregates",
    "daily_orders",
    "frozen_statement",
    "funnel_aggregates",
    "leaderboard",
    "leaderboard_totals",
    "locked_team_ids",
    "month_orders",
    "order_aggregates",
    "overdue_callbacks_total",
    "reward_rule_list",
    "statements",
    "teams_visible_to",
    "with_overdue_callbacks",
    "with_rates",
]

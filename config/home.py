"""The agent's day on the home page: progress towards the month's target, callbacks due, what
changed this week, the accounts worked lately. Reads only, from each app's selectors."""

import datetime

from django.db.models import Max
from django.utils import timezone

from campaigns import selectors as campaign_selectors
from knowledge_base import selectors as kb_selectors
from rewards import services as reward_services
from rewards.models import AgentMonth

RECENT = 5


def agent_day(user, *, now=None) -> dict:
    now = now or timezone.now()
    today = timezone.localdate(now)
    month = today.replace(day=1)
    week_start = today - datetime.timedelta(days=today.weekday())
    reward_services.agent_month_ensure(agent_id=user.pk, month=month)
    figures = AgentMonth.objects.filter(agent=user, month=month).aggregate(
        orders=Max("month_orders"), target=Max("target"), computed_at=Max("computed_at")
    )
    orders, target = figures["orders"] or 0, figures["target"] or 0
    return {
        "orders": orders,
        "target": target,
        "percent": min(100, round(100 * orders / target)) if target else None,
        "left": max(0, target - orders),
        "computed_at": figures["computed_at"],
        "callbacks": campaign_selectors.callback_counts(agent=user, now=now),
        "new_campaigns": list(
            campaign_selectors.campaigns_started_between(first_day=week_start, last_day=today)
        ),
        "changed_articles": list(
            kb_selectors.articles_changed_since(
                since=timezone.make_aware(datetime.datetime.combine(week_start, datetime.time()))
            )
        ),
        "recent_accounts": campaign_selectors.recent_accounts(agent=user, limit=RECENT),
        "week_start": week_start,
    }

"""The month's callbacks in the funnel (issue 12 §1): how many «thinking» customers agreed, and how
many callbacks were made on time.

A callback is opened by each «Клиент думает» on a product; the month's are those opened in it
(Moscow month). Of them: `made` were called back (or the customer called in: any later result on
the product but «not offered» makes it, another «thinking» included); `made_on_time` within
`CALLBACK_GRACE` after their time; `agreed` made with the customer's agreement; `overdue` still
open and past their time now. One GROUP BY, per campaign for the managers' funnel.
"""

from django.db.models import Count, ExpressionWrapper, F, Q
from django.db.models.fields import DateTimeField
from django.utils import timezone

from campaigns.models import CALLBACK_GRACE, Callback, ResultCode
from rewards import calendar

CALLBACK_STEPS = ("opened", "made", "made_on_time", "agreed", "overdue")


def _rate(part, whole):
    return round(100 * part / whole, 1) if whole else None


def _counts(now):
    grace_end = ExpressionWrapper(F("due_at") + CALLBACK_GRACE, output_field=DateTimeField())
    made = Q(closed_at__isnull=False)
    return {
        "opened": Count("pk"),
        "made": Count("pk", filter=made),
        "made_on_time": Count("pk", filter=made & Q(closed_at__lte=grace_end)),
        "agreed": Count("pk", filter=Q(outcome=ResultCode.AGREED)),
        "overdue": Count("pk", filter=Q(closed_at__isnull=True, due_at__lt=now - CALLBACK_GRACE)),
    }


def with_rates(figures: dict) -> dict:
    """The counts with «thinking» → agreed and the share made on time, in per cent (None of 0)."""
    figures = {name: figures.get(name) or 0 for name in CALLBACK_STEPS}
    return {
        **figures,
        "agreed_rate": _rate(figures["agreed"], figures["opened"]),
        "on_time_rate": _rate(figures["made_on_time"], figures["made"]),
    }


def month_callbacks(month, *, agent_id=None, campaign_id=None):
    start, end = calendar.month_bounds(month)
    callbacks = Callback.objects.filter(created_at__gte=start, created_at__lt=end)
    if agent_id is not None:
        callbacks = callbacks.filter(agent_id=agent_id)
    if campaign_id is not None:
        callbacks = callbacks.filter(target__campaign_id=campaign_id)
    return callbacks


def callback_funnel(month, *, agent_id=None, campaign_id=None, now=None) -> dict:
    """The month's callbacks (of an agent, of a campaign, or all), with their rates."""
    now = now or timezone.now()
    callbacks = month_callbacks(month, agent_id=agent_id, campaign_id=campaign_id)
    return with_rates(callbacks.order_by().aggregate(**_counts(now)))


def callback_funnel_by_campaign(month, *, now=None) -> dict[int, dict]:
    """Per campaign (of the recommendation the «thinking» was saved on), the same figures."""
    now = now or timezone.now()
    rows = month_callbacks(month).order_by().values("target__campaign_id").annotate(**_counts(now))
    return {row.pop("target__campaign_id"): with_rates(row) for row in rows}

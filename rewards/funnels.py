"""The campaign funnel managers read in the admin: per campaign and month, with conversions.

It reads the figures the conversions job wrote (`CampaignMonth`), so it agrees with the
leaderboard and the agents' pages of the same run; the callbacks opened by «thinking» (how many
agreed, how many were made on time) are counted live (`selectors.callbacks`).
"""

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from config.floor.ids import parse_id
from rewards import calendar, charts, selectors
from rewards.models import CampaignMonth, ConversionRun

STEPS = (
    ("shown", _("Shown")),
    ("offered", _("Offered")),
    ("thinking", _("Thinking")),
    ("agreed", _("Agreed")),
    ("ordered", _("Ordered")),
    ("connected", _("Connected")),
)


def conversions(figures: dict) -> list[dict]:
    """Each step with its count and its conversion from the step before, in per cent."""
    steps, before = [], None
    for name, label in STEPS:
        value = figures.get(name) or 0
        rate = None if before is None else (round(100 * value / before, 1) if before else None)
        steps.append({"name": name, "label": label, "value": value, "rate": rate})
        if name != "thinking":  # «thinking» is a side branch: agreed is measured against offered
            before = value
    return steps


def months_for_picker(count=12):
    month, months = timezone.localdate().replace(day=1), []
    for _i in range(count):
        months.append((calendar.month_key(month), month))
        month = calendar.previous_month(month)
    return months


def campaign_funnel(month, *, campaign=None) -> dict:
    rows = CampaignMonth.objects.filter(month=month).select_related("campaign__offer")
    chosen = None
    campaign_id = parse_id(campaign)
    if campaign_id is not None:
        chosen = Campaign.objects.filter(pk=campaign_id).first()
    scope = rows.filter(campaign=chosen) if chosen else rows
    totals = scope.aggregate(**{name: Sum(name) for name, _label in STEPS})
    total_steps = conversions(totals)
    callbacks = selectors.callback_funnel_by_campaign(month)
    return {
        "rows": [
            {
                "campaign": row.campaign,
                "steps": conversions(vars(row)),
                "callbacks": callbacks.get(row.campaign_id) or selectors.with_rates({}),
            }
            for row in rows.order_by("-shown", "campaign__code")
        ],
        "callbacks": selectors.callback_funnel(month, campaign_id=chosen.pk if chosen else None),
        "totals": total_steps,
        "chart": charts.funnel_chart([(s["label"], s["value"]) for s in total_steps]),
        "campaigns": Campaign.objects.filter(funnel_months__month=month).order_by("code"),
        "chosen": chosen,
        "run": ConversionRun.objects.filter(month=month).first(),
        "steps": STEPS,
    }

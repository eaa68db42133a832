"""Reads for campaigns, accounts, appeals and recommendations."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from campaigns import eligibility
from campaigns.models import (
    Appeal,
    Campaign,
    CampaignTarget,
    ContactHistoryEntry,
    Outage,
    PeakHours,
    SubscriberAccount,
)
from campaigns.scripts import ScriptContext, render_script
from offers import pricing

HISTORY_PER_RECOMMENDATION = 20


def campaign_list():
    return Campaign.objects.with_relations().order_by("-priority", "code")


def account_get(*, number: str) -> SubscriberAccount | None:
    return SubscriberAccount.objects.with_relations().filter(number=number).first()


def appeal_open_for(*, account: SubscriberAccount, agent) -> Appeal | None:
    """The agent's open appeal on this account, the latest first."""
    return (
        Appeal.objects.open().filter(account=account, agent=agent).order_by("-started_at").first()
    )


def history_queryset():
    return ContactHistoryEntry.objects.select_related("agent", "department").prefetch_related(
        "objections"
    )


def account_history(*, account: SubscriberAccount, limit: int = 50):
    return (
        history_queryset()
        .filter(target__account=account)
        .select_related("target__campaign__offer")
        .order_by("-created_at", "-id")[:limit]
    )


def targets_for_account(account: SubscriberAccount):
    return (
        CampaignTarget.objects.filter(account=account)
        .select_related("campaign__offer__service")
        .prefetch_related(
            "campaign__segments__services",
            Prefetch(
                "history",
                queryset=history_queryset().order_by("-created_at", "-id")[
                    :HISTORY_PER_RECOMMENDATION
                ],
                to_attr="recent_history",
            ),
        )
    )


@dataclass
class Recommendation:
    target: CampaignTarget
    eligible: bool
    reasons: list[str]
    script: str
    connection_script: str
    price_per_day: Decimal
    first_charge: Decimal
    days_in_month: int

    @property
    def id(self):
        return self.target.pk

    @property
    def campaign(self):
        return self.target.campaign

    @property
    def offer(self):
        return self.target.campaign.offer

    @property
    def history(self):
        return self.target.recent_history

    @property
    def reason_labels(self):
        return [(code, eligibility.Reason(code).label) for code in self.reasons]


def situation_for(
    *, account: SubscriberAccount, appeal: Appeal | None, now: datetime.datetime
) -> eligibility.Situation:
    local_now = timezone.localtime(now)
    return eligibility.Situation(
        now=now,
        account=account,
        service_ids=frozenset(s.id for s in account.services.all()),
        offer_ids=frozenset(o.id for o in account.offers.all()),
        appeal=appeal,
        peak_hours=eligibility.in_peak_hours(PeakHours.objects.filter(is_active=True), local_now),
        outage=Outage.objects.in_force(now, account.region).exists(),
    )


def recommendations_for(
    *, account: SubscriberAccount, appeal: Appeal | None = None, now=None
) -> list[Recommendation]:
    """The account's campaigns, best first, each with its verdict and its script for this customer."""
    now = now or timezone.now()
    situation = situation_for(account=account, appeal=appeal, now=now)
    verdicts = eligibility.rank(
        [eligibility.judge(t, situation) for t in targets_for_account(account)]
    )
    today = timezone.localdate(now)
    return [_recommendation(v, account, today) for v in verdicts]


def _recommendation(verdict, account, today) -> Recommendation:
    campaign = verdict.target.campaign
    offer = campaign.offer
    ctx = ScriptContext(
        customer=account.initials_name,
        offer=offer.name,
        monthly_price=offer.monthly_price,
        promo_days=offer.promo_days,
        speed=offer.speed_mbps,
        on=today,
    )
    return Recommendation(
        target=verdict.target,
        eligible=verdict.eligible,
        reasons=verdict.reasons,
        script=render_script(campaign.script_template, ctx),
        connection_script=render_script(campaign.connection_script_template, ctx),
        price_per_day=pricing.price_per_day(offer.monthly_price, on=today),
        first_charge=pricing.first_charge(
            offer.monthly_price, on=today, promo_days=offer.promo_days
        ),
        days_in_month=pricing.days_in_month(today),
    )


def history_entries(*, ids: list[int]) -> list[ContactHistoryEntry]:
    """The given entries in the given order, ready to serialize."""
    by_id = {e.pk: e for e in history_queryset().select_related("target").filter(pk__in=ids)}
    return [by_id[i] for i in ids]


def appeals_visible_to(user):
    return (
        Appeal.objects.visible_to(user)
        .select_related("account", "agent", "department")
        .prefetch_related(Prefetch("history", queryset=history_queryset()))
    )


def appeal_visible(*, user, appeal_id: int) -> Appeal | None:
    return appeals_visible_to(user).filter(pk=appeal_id).first()

"""The recommendations of an account, read lean: they are asked for on every call.

The catalogue (campaigns, offers, segments, peak hours) comes from the per-process copy of
campaigns.catalogue; per request there is one query for the account (with its services, offers,
the outage in force and the caller's open appeal folded in), one for its campaign targets and one
for their recent history (plus one for the objections and one per held relation on SQLite, which
has no arrays).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from campaigns import catalogue, eligibility
from campaigns.models import (
    Appeal,
    Campaign,
    CampaignTarget,
    ContactHistoryEntry,
    HistoryAction,
    Outage,
    ResultCode,
    SubscriberAccount,
)
from campaigns.scripts import ScriptContext, render_script
from offers import pricing

HISTORY_PER_RECOMMENDATION = 20
ACTION_LABELS = dict(HistoryAction.choices)


@dataclass
class Target:
    """A campaign on the account's target list, with its latest result."""

    id: int
    campaign: Campaign
    result: str
    result_at: datetime.datetime | None
    history: list[dict] = field(default_factory=list)

    @property
    def pk(self):
        return self.id

    @property
    def result_label(self):
        return ResultCode(self.result).label


@dataclass
class Recommendation:
    target: Target
    eligible: bool
    reasons: list[str]
    script: str
    connection_script: str
    price_per_day: Decimal
    first_charge: Decimal
    days_in_month: int

    @property
    def id(self):
        return self.target.id

    @property
    def campaign(self):
        return self.target.campaign

    @property
    def offer(self):
        return self.target.campaign.offer

    @property
    def history(self):
        return self.target.history

    @property
    def reason_labels(self):
        return [(code, eligibility.Reason(code).label) for code in self.reasons]


def _postgres() -> bool:
    return settings.IS_POSTGRES


def account_for_workspace(*, number: str, agent=None, now=None) -> SubscriberAccount | None:
    """The account with `service_ids`, `offer_ids`, `outage` and `open_appeal_id` attached."""
    now = now or timezone.now()
    outage = Outage.objects.filter(is_active=True, starts_at__lte=now).filter(
        (Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        & (Q(region="") | Q(region__iexact=OuterRef("region")))
    )
    queryset = SubscriberAccount.objects.filter(number=number).annotate(outage=Exists(outage))
    if agent is not None and agent.is_authenticated:
        open_appeals = Appeal.objects.open().filter(account=OuterRef("pk"), agent=agent)
        queryset = queryset.annotate(
            open_appeal_id=Subquery(open_appeals.order_by("-started_at").values("pk")[:1])
        )
    if _postgres():
        from django.contrib.postgres.expressions import ArraySubquery

        held = SubscriberAccount.services.through.objects.filter(
            subscriberaccount_id=OuterRef("pk")
        )
        offers = SubscriberAccount.offers.through.objects.filter(
            subscriberaccount_id=OuterRef("pk")
        )
        queryset = queryset.annotate(
            service_ids=ArraySubquery(held.values("service_id")),
            offer_ids=ArraySubquery(offers.values("offer_id")),
        )
    account = queryset.first()
    if account is not None and not _postgres():
        account.service_ids = list(account.services.values_list("id", flat=True))
        account.offer_ids = list(account.offers.values_list("id", flat=True))
    if account is not None and not hasattr(account, "open_appeal_id"):
        account.open_appeal_id = None
    return account


def situation_for(
    *, account: SubscriberAccount, appeal: Appeal | None, now: datetime.datetime
) -> eligibility.Situation:
    """What holds for the account now; `account` comes from account_for_workspace."""
    local_now = timezone.localtime(now)
    return eligibility.Situation(
        now=now,
        account=account,
        service_ids=frozenset(account.service_ids),
        offer_ids=frozenset(account.offer_ids),
        appeal=appeal,
        peak_hours=eligibility.in_peak_hours(catalogue.current().peak_hours, local_now),
        outage=account.outage,
    )


def targets_of(account_id: int, *, with_history: bool = True) -> list[Target]:
    campaigns = catalogue.current().campaigns
    rows = CampaignTarget.objects.filter(account_id=account_id).values_list(
        "id", "campaign_id", "result", "result_at"
    )
    targets = [
        Target(id=pk, campaign=campaigns[campaign_id], result=result, result_at=result_at)
        for pk, campaign_id, result, result_at in rows
        if campaign_id in campaigns
    ]
    if with_history and targets:
        by_id = {t.id: t for t in targets}
        for entry in _history(account_id, len(targets)):
            target = by_id.get(entry.pop("target_id"))
            if target is not None and len(target.history) < HISTORY_PER_RECOMMENDATION:
                target.history.append(entry)
    return targets


def _history(account_id: int, n_targets: int) -> list[dict]:
    """The recent history of the account's recommendations, newest first, as plain rows."""
    queryset = ContactHistoryEntry.objects.filter(target__account_id=account_id).order_by(
        "-created_at", "-id"
    )
    fields = [
        "id",
        "target_id",
        "action",
        "result",
        "created_at",
        "comment",
        "agent_comment",
        "agent__username",
        "agent__first_name",
        "agent__last_name",
        "department__name",
        "appeal_id",
    ]
    if _postgres():
        from django.contrib.postgres.expressions import ArraySubquery

        through = ContactHistoryEntry.objections.through.objects.filter(
            contacthistoryentry_id=OuterRef("pk")
        ).order_by("objectiontype__order", "objectiontype__code")
        queryset = queryset.annotate(
            objection_codes=ArraySubquery(through.values("objectiontype__code"))
        )
        fields.append("objection_codes")
    rows = list(queryset.values(*fields)[: HISTORY_PER_RECOMMENDATION * n_targets])
    if not _postgres() and rows:
        codes = defaultdict(list)
        through = ContactHistoryEntry.objections.through.objects.filter(
            contacthistoryentry_id__in=[r["id"] for r in rows]
        ).order_by("objectiontype__order", "objectiontype__code")
        for entry_id, code in through.values_list("contacthistoryentry_id", "objectiontype__code"):
            codes[entry_id].append(code)
        for row in rows:
            row["objection_codes"] = codes[row["id"]]
    return [_history_row(row) for row in rows]


def _history_row(row: dict) -> dict:
    name = " ".join(p for p in (row["agent__first_name"], row["agent__last_name"]) if p)
    return {
        "id": row["id"],
        "target_id": row["target_id"],
        "action": row["action"],
        "action_label": str(ACTION_LABELS.get(row["action"], row["action"])),
        "result": row["result"],
        "created_at": row["created_at"],
        "comment": row["comment"],
        "agent_comment": row["agent_comment"],
        "agent": name or row["agent__username"],
        "department": row["department__name"] or "",
        "objections": list(row["objection_codes"] or []),
        "appeal": row["appeal_id"],
    }


def recommendations_for(
    *, account: SubscriberAccount, appeal: Appeal | None = None, now=None
) -> list[Recommendation]:
    """The account's campaigns, best first, each with its verdict and its script for this customer.

    `account` is best loaded by account_for_workspace; any other account is reloaded that way."""
    now = now or timezone.now()
    if not hasattr(account, "service_ids"):
        account = account_for_workspace(number=account.number, now=now)
    situation = situation_for(account=account, appeal=appeal, now=now)
    verdicts = eligibility.rank([eligibility.judge(t, situation) for t in targets_of(account.pk)])
    today = timezone.localdate(now)
    scripts = {}
    return [_recommendation(v, account, today, scripts) for v in verdicts]


def _recommendation(verdict, account, today, scripts) -> Recommendation:
    campaign = verdict.target.campaign
    if campaign.pk not in scripts:
        offer = campaign.offer
        ctx = ScriptContext(
            customer=account.initials_name,
            offer=offer.name,
            monthly_price=offer.monthly_price,
            promo_days=offer.promo_days,
            speed=offer.speed_mbps,
            on=today,
        )
        scripts[campaign.pk] = (
            render_script(campaign.script_template, ctx),
            render_script(campaign.connection_script_template, ctx),
            pricing.price_per_day(offer.monthly_price, on=today),
            pricing.first_charge(offer.monthly_price, on=today, promo_days=offer.promo_days),
        )
    script, connection_script, per_day, first = scripts[campaign.pk]
    return Recommendation(
        target=verdict.target,
        eligible=verdict.eligible,
        reasons=verdict.reasons,
        script=script,
        connection_script=connection_script,
        price_per_day=per_day,
        first_charge=first,
        days_in_month=pricing.days_in_month(today),
    )

"""Which recommendations may be made now, and why not (R1, R2, R9, cooldown, segments).

Pure functions over already-loaded objects: the selector loads everything in a constant number of
queries, this module decides. Every reason that applies is reported, not only the first.
"""

import datetime
import functools
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import (
    Appeal,
    Campaign,
    CampaignStatus,
    CampaignTarget,
    PaymentModel,
    ResultCode,
    SubscriberAccount,
    window_covers,
)
from offers import pricing


class Reason(models.TextChoices):
    """Why an offer is not to be made now (CONTRACT.md)."""

    PEAK_HOURS = "peak_hours", _("Peak hours: no offers are made")
    OUTAGE = "outage", _("An outage is in force: work to the outage script")
    FINANCIAL_BLOCK = "financial_block", _("The account has a financial block")
    NEGATIVE_BALANCE = "negative_balance", _("The balance is negative")
    INSUFFICIENT_FUNDS = "insufficient_funds", _("Not enough funds for the first charge")
    QUESTION_UNRESOLVED = "question_unresolved", _("The customer's question is not resolved yet")
    NEGATIVE_CUSTOMER = "negative_customer", _("Demanding or negative customer")
    COMPLAINT = "complaint", _("Complaint or threat to end the contract")
    NOT_SERVICE_USER = "not_service_user", _("The caller is not the service user or is a child")
    COOLDOWN = "cooldown", _("The customer refused recently: wait for the cooldown to end")
    ALREADY_HAS = "already_has", _("The customer already has this offer")
    NOT_IN_SEGMENT = "not_in_segment", _("The account is not in the campaign's segments")
    CAMPAIGN_INACTIVE = "campaign_inactive", _("The campaign is not running today")
    # R1 on saving: an offer is recorded within an open appeal whose flags the agent has set.
    NO_APPEAL = "no_appeal", _("No open appeal: open the appeal and set its flags first")


@dataclass
class Situation:
    """What holds at the moment of the call, whatever the campaign."""

    now: datetime.datetime
    account: SubscriberAccount
    service_ids: frozenset
    offer_ids: frozenset
    appeal: Appeal | None = None
    peak_hours: bool = False
    outage: bool = False

    @functools.cached_property
    def today(self) -> datetime.date:
        return timezone.localdate(self.now)

    @functools.cached_property
    def call_reasons(self) -> tuple[str, ...]:
        """What keeps every offer off this call, whatever the campaign (peak hours, an outage, the
        appeal's flags: R1, R9), in the order `judge` reports them."""
        reasons = []
        if self.peak_hours:
            reasons.append(Reason.PEAK_HOURS)
        if self.outage:
            reasons.append(Reason.OUTAGE)
        reasons.extend(appeal_reasons(self.appeal))
        return tuple(str(r) for r in reasons)


@dataclass
class Verdict:
    target: CampaignTarget
    reasons: list[str] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return not self.reasons


def in_peak_hours(windows, local_now: datetime.datetime) -> bool:
    return any(window_covers(w, local_now) for w in windows)


def financial_reasons(account: SubscriberAccount, campaign: Campaign, today) -> list[str]:
    return offer_financial_reasons(account, campaign.offer, today)


def offer_financial_reasons(account: SubscriberAccount, offer, today) -> list[str]:
    """R2: credit model needs no block; advance model needs a non-negative balance and the funds
    for the first charge (a free promo period needs none)."""
    if account.financial_block:
        return [Reason.FINANCIAL_BLOCK]
    if account.payment_model != PaymentModel.ADVANCE:
        return []
    if account.balance < 0:
        return [Reason.NEGATIVE_BALANCE]
    charge = pricing.first_charge(offer.monthly_price, on=today, promo_days=offer.promo_days)
    if Decimal(account.balance) < charge:
        return [Reason.INSUFFICIENT_FUNDS]
    return []


def appeal_reasons(appeal: Appeal | None) -> list[str]:
    """R1 and R9: what the agent knows about this call."""
    if appeal is None:
        return []
    reasons = []
    if not appeal.question_resolved:
        reasons.append(Reason.QUESTION_UNRESOLVED)
    if appeal.negative_customer:
        reasons.append(Reason.NEGATIVE_CUSTOMER)
    if appeal.complaint:
        reasons.append(Reason.COMPLAINT)
    if appeal.not_service_user:
        reasons.append(Reason.NOT_SERVICE_USER)
    return reasons


def campaign_running(campaign: Campaign, today) -> bool:
    return (
        campaign.status == CampaignStatus.ACTIVE
        and campaign.starts_on <= today
        and (campaign.ends_on is None or campaign.ends_on >= today)
    )


def in_segments(campaign: Campaign, service_ids: frozenset) -> bool:
    """A campaign without segments is for everyone; otherwise the account's services must be
    exactly those of one of its segments (`segment_sets`, attached by campaigns.catalogue)."""
    segment_sets = campaign.segment_sets
    return not segment_sets or service_ids in segment_sets


def in_cooldown(
    target: CampaignTarget, now: datetime.datetime, appeal: Appeal | None = None
) -> bool:
    """The product was refused within the campaign's cooldown (the refusal is the product's, given
    on whatever campaign). A refusal in the call itself is no cooldown: the agent may still work
    the objection and the customer change their mind (R4)."""
    if target.result != ResultCode.NOT_INTERESTED or target.result_at is None:
        return False
    appeal_id = getattr(target, "result_appeal_id", None)
    if appeal is not None and appeal_id is not None and appeal_id == appeal.pk:
        return False
    return now < target.result_at + datetime.timedelta(days=target.campaign.cooldown_days)


def judge(target: CampaignTarget, situation: Situation, memo: dict | None = None) -> Verdict:
    """Every reason that keeps the target's offer off this call (none: eligible).

    `memo`: where the campaign's own parts (running today, its first charge) are remembered
    across calls, keyed by campaign id and day: the catalogue copy's memo, and only for a campaign
    of that very copy (campaigns.recommendations); None works them out afresh."""
    campaign = target.campaign
    today = situation.today
    if memo is None:
        running, charge = campaign_running(campaign, today), None
    else:
        key = ("verdict", campaign.id, today)
        parts = memo.get(key)
        if parts is None:
            parts = memo[key] = (campaign_running(campaign, today), _first_charge(campaign, today))
        running, charge = parts
    reasons = []
    if not running:
        reasons.append(CAMPAIGN_INACTIVE)
    if not in_segments(campaign, situation.service_ids):
        reasons.append(NOT_IN_SEGMENT)
    if campaign.offer_id in situation.offer_ids:
        reasons.append(ALREADY_HAS)
    reasons.extend(situation.call_reasons)
    account = situation.account
    if account.financial_block:
        reasons.append(FINANCIAL_BLOCK)
    elif account.payment_model == PaymentModel.ADVANCE:
        # offer_financial_reasons with the campaign's first charge worked out once.
        if account.balance < 0:
            reasons.append(NEGATIVE_BALANCE)
        else:
            if charge is None:
                charge = _first_charge(campaign, today)
            if Decimal(account.balance) < charge:
                reasons.append(INSUFFICIENT_FUNDS)
    if in_cooldown(target, situation.now, situation.appeal):
        reasons.append(COOLDOWN)
    return Verdict(target=target, reasons=reasons)


def _first_charge(campaign: Campaign, today) -> Decimal:
    offer = campaign.offer
    return pricing.first_charge(offer.monthly_price, on=today, promo_days=offer.promo_days)


# The reasons as the verdicts carry them (plain strings, the codes).
CAMPAIGN_INACTIVE = Reason.CAMPAIGN_INACTIVE.value
NOT_IN_SEGMENT = Reason.NOT_IN_SEGMENT.value
ALREADY_HAS = Reason.ALREADY_HAS.value
FINANCIAL_BLOCK = Reason.FINANCIAL_BLOCK.value
NEGATIVE_BALANCE = Reason.NEGATIVE_BALANCE.value
INSUFFICIENT_FUNDS = Reason.INSUFFICIENT_FUNDS.value
COOLDOWN = Reason.COOLDOWN.value


def judge_order(offer, situation: Situation) -> list[str]:
    """R2, R7, R9 for an order of `offer` (with or without a campaign): every reason that holds
    for the account and the call at this moment, whatever the campaign."""
    reasons = []
    if offer.pk in situation.offer_ids:
        reasons.append(Reason.ALREADY_HAS)
    if situation.peak_hours:
        reasons.append(Reason.PEAK_HOURS)
    if situation.outage:
        reasons.append(Reason.OUTAGE)
    reasons.extend(appeal_reasons(situation.appeal))
    reasons.extend(offer_financial_reasons(situation.account, offer, situation.today))
    return [str(r) for r in reasons]


def rank(verdicts: list[Verdict]) -> list[Verdict]:
    """Eligible first, then campaign priority, a boost for offers the customer is thinking about,
    then value; campaigns of the same product stay together (R6), placed by their best member."""

    def key(v: Verdict):
        campaign = v.target.campaign
        return (
            not v.eligible,
            -campaign.priority,
            v.target.result != ResultCode.THINKING,
            -campaign.offer.monthly_price,
            campaign.code,
        )

    groups: dict[int, list[Verdict]] = {}
    for verdict in sorted(verdicts, key=key):
        groups.setdefault(verdict.target.campaign.offer_id, []).append(verdict)
    return [v for group in groups.values() for v in group]

"""The reach of a campaign before it runs (issue 12 §3): of its target accounts, how many could be
offered it now, why the rest could not, and how many orders to expect.

One set-based aggregate over the target list (a million rows are fine): every reason that
`campaigns.eligibility.judge` would give an account whatever the call is worked out as a
condition on the target's row, its account and two correlated lookups (the account's services as
a bit mask, for the segments; whether it holds the offer), and counted with `COUNT(*) FILTER`.

"Now" is the account's state at this moment: the financial check (R2, the first charge of today),
an outage in force in the account's region, the segments, an offer already held and a refusal in
the cooldown. What only a call knows (the appeal's flags, peak hours) is not counted, and the
campaign's own status is ignored: the preview answers "if it were launched now". The test
`tests/campaigns/test_reach.py` checks the counts against `judge` account by account.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from campaigns.eligibility import Reason
from campaigns.models import (
    Campaign,
    CampaignTarget,
    Outage,
    PaymentModel,
    ResultCode,
    SubscriberAccount,
)
from campaigns.selectors import segment_service_sets
from offers import pricing
from offers.models import Service

# The deck: a sale to an existing customer succeeds 60–70 % of the time, to a new one 5–20 %.
# A target list is customers to be offered something new: the low and high expectation.
DECK_ACCEPTANCE = (Decimal("0.05"), Decimal("0.20"))
# The portal's own acceptance of the offer (agreed / offered over every campaign of it) is used
# once it rests on this many offers.
LEARNED_MIN_OFFERS = 30
REASONS = (
    Reason.NOT_IN_SEGMENT,
    Reason.ALREADY_HAS,
    Reason.OUTAGE,
    Reason.FINANCIAL_BLOCK,
    Reason.NEGATIVE_BALANCE,
    Reason.INSUFFICIENT_FUNDS,
    Reason.COOLDOWN,
)


@dataclass
class Reach:
    """A campaign's reach now: targets, eligible, the accounts each reason stops, expected orders."""

    targets: int
    eligible: int
    reasons: list[tuple[str, str, int]] = field(default_factory=list)  # code, label, accounts
    expected_low: int = 0
    expected_high: int = 0
    learned_rate: Decimal | None = None
    learned_offers: int = 0

    @property
    def blocked(self) -> int:
        return self.targets - self.eligible


def _service_bits() -> dict[int, int]:
    """A bit for each service (by id): an account's or a segment's services are one number."""
    ids = Service.objects.order_by("pk").values_list("pk", flat=True)
    return {pk: 1 << i for i, pk in enumerate(ids)}


def _service_mask(bits: dict[int, int]):
    """The target account's services as a bit mask (a correlated sum over its services)."""
    through = SubscriberAccount.services.through
    if not bits:
        return Value(0, output_field=IntegerField())
    bit = Case(
        *[When(service_id=pk, then=Value(value)) for pk, value in bits.items()],
        default=Value(0),
        output_field=IntegerField(),
    )
    mask = (
        through.objects.filter(subscriberaccount_id=OuterRef("account_id"))
        .values("subscriberaccount_id")
        .annotate(mask=Sum(bit))
        .values("mask")
    )
    return Coalesce(Subquery(mask, output_field=IntegerField()), Value(0))


def _outage_condition(now) -> Q | None:
    """Q over the target's account: an outage in force now in its region (or everywhere)."""
    outages = Outage.objects.filter(is_active=True, starts_at__lte=now).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    )
    regions = set(outages.values_list("region", flat=True))
    if "" in regions:
        return Q(pk__isnull=False)
    condition = None
    for region in sorted(regions):
        part = Q(account__region__iexact=region)
        condition = part if condition is None else condition | part
    return condition


def _conditions(campaign: Campaign, now) -> dict[str, Q]:
    today = timezone.localdate(now)
    offer = campaign.offer
    charge = pricing.first_charge(offer.monthly_price, on=today, promo_days=offer.promo_days)
    block = Q(account__financial_block=True)
    advance = ~block & Q(account__payment_model=PaymentModel.ADVANCE)
    conditions = {
        Reason.ALREADY_HAS: Q(r_held=True),
        Reason.FINANCIAL_BLOCK: block,
        Reason.NEGATIVE_BALANCE: advance & Q(account__balance__lt=0),
        Reason.INSUFFICIENT_FUNDS: advance
        & Q(account__balance__gte=0, account__balance__lt=charge),
        Reason.COOLDOWN: Q(
            result=ResultCode.NOT_INTERESTED,
            result_at__gt=now - datetime.timedelta(days=campaign.cooldown_days),
        ),
    }
    outage = _outage_condition(now)
    if outage is not None:
        conditions[Reason.OUTAGE] = outage
    return conditions


def _targets(campaign: Campaign, bits):
    held = SubscriberAccount.offers.through.objects.filter(
        subscriberaccount_id=OuterRef("account_id"), offer_id=campaign.offer_id
    )
    targets = CampaignTarget.objects.filter(campaign=campaign).annotate(r_held=Exists(held))
    if bits is not None:
        targets = targets.annotate(r_mask=_service_mask(bits))
    return targets


def reach_preview(*, campaign: Campaign, now=None) -> Reach:
    """The campaign's reach now, in one aggregate over its target list (plus the catalogue's few
    rows and the learned acceptance)."""
    now = now or timezone.now()
    bits = _service_bits()
    masks = _segment_masks(campaign, bits)
    conditions = _conditions(campaign, now)
    if masks is not None:
        conditions[Reason.NOT_IN_SEGMENT] = ~Q(r_mask__in=masks) if masks else Q(pk__isnull=False)
    any_reason = None
    for condition in conditions.values():
        any_reason = condition if any_reason is None else any_reason | condition
    counts = _targets(campaign, bits if masks is not None else None).aggregate(
        total=Count("pk"),
        eligible=Count("pk", filter=~any_reason) if any_reason is not None else Count("pk"),
        **{f"r_{code}": Count("pk", filter=q) for code, q in conditions.items()},
    )
    reach = Reach(targets=counts["total"], eligible=counts["eligible"])
    reach.reasons = sorted(
        (
            (str(code), str(Reason(code).label), counts[f"r_{code}"])
            for code in REASONS
            if code in conditions and counts[f"r_{code}"]
        ),
        key=lambda item: -item[2],
    )
    _expect(reach, campaign)
    return reach


def _segment_masks(campaign: Campaign, bits) -> list[int] | None:
    """The masks of the campaign's segments (None: no segments, everyone is in)."""
    sets = segment_service_sets(campaign_ids=[campaign.pk]).get(campaign.pk)
    if not sets:
        return None
    return sorted({sum(bits.get(pk, 0) for pk in services) for services in sets})


def learned_acceptance(offer_id: int) -> tuple[Decimal | None, int]:
    """Agreed / offered over the targets of every campaign of the offer, and how many offers it
    rests on; None below LEARNED_MIN_OFFERS."""
    counts = CampaignTarget.objects.filter(campaign__offer_id=offer_id).aggregate(
        offered=Count("pk", filter=~Q(result=ResultCode.NOT_OFFERED)),
        agreed=Count("pk", filter=Q(result=ResultCode.AGREED)),
    )
    if counts["offered"] < LEARNED_MIN_OFFERS:
        return None, counts["offered"]
    return Decimal(counts["agreed"]) / Decimal(counts["offered"]), counts["offered"]


def _expect(reach: Reach, campaign: Campaign) -> None:
    rate, offers = learned_acceptance(campaign.offer_id)
    reach.learned_offers = offers
    if rate is not None:
        reach.learned_rate = rate
        reach.expected_low = reach.expected_high = _round(reach.eligible * rate)
        return
    low, high = DECK_ACCEPTANCE
    reach.expected_low, reach.expected_high = (
        _round(reach.eligible * low),
        _round(reach.eligible * high),
    )


def _round(value: Decimal) -> int:
    return int(Decimal(value).to_integral_value(rounding="ROUND_HALF_UP"))

"""The reach of a campaign before it runs (issue 12 §3): of its target accounts, how many could be
offered it now, why the rest could not, and how many orders to expect.

One statement over the target list (a million rows are fine): every reason that
`campaigns.eligibility.judge` would give an account whatever the call is worked out from the
target's row, its account (its services are its stored `service_mask`, compared with the
segments' masks) and whether it holds the offer. The rows are grouped by those inputs first (a
few hundred groups), the reasons worked out once per group, and the groups added up by reason.

"Now" is the account's state at this moment: the financial check (R2, the first charge of today),
an outage in force in the account's region, the segments, an offer already held and a refusal in
the cooldown. What only a call knows (the appeal's flags, peak hours) is not counted, and the
campaign's own status is ignored: the preview answers "if it were launched now". The test
`tests/campaigns/test_reach.py` checks the counts against `judge` account by account.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Q
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
from campaigns.models.accounts import SERVICE_BITS
from campaigns.selectors import segment_service_sets
from config.floor.db import casefold_function
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
    """The bit (SERVICE_BITS) of each service that defines segments, by id: a service no segment
    names (mobile) is left out of the comparison, as in eligibility (R12)."""
    rows = Service.objects.filter(segments__isnull=False).distinct().values_list("pk", "code")
    return {pk: SERVICE_BITS.get(code, 0) for pk, code in rows}


def _outage_regions(now) -> set[str] | None:
    """The regions with an outage in force now; None when one is in force everywhere."""
    outages = Outage.objects.filter(is_active=True, starts_at__lte=now).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    )
    regions = set(outages.values_list("region", flat=True))
    return None if "" in regions else regions


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "target": quote(CampaignTarget._meta.db_table),
        "account": quote(SubscriberAccount._meta.db_table),
        "offers": quote(SubscriberAccount.offers.through._meta.db_table),
    }


# Two levels. The inner one reads each target with its account once and groups the rows by
# what the reasons are made of: the account's region, payment model, block and service mask as
# they are, whether it holds the offer (one LEFT JOIN on the (account, offer) unique index), the
# balance below zero and below the first charge, a refusal within the cooldown. Only those
# comparisons are made per row (no function call: the region is case-folded per group, not per
# row), and the groups are few (regions × masks × a handful of flags). The outer level works out
# the seven reasons once per group and adds the groups up by them (at most 2^7 rows back).
REACH_SQL = """
SELECT {segment} AS not_in_segment,
    already_has,
    {outage} AS outage,
    financial_block,
    (NOT financial_block AND payment_model = %(advance)s AND below_zero) AS negative_balance,
    (NOT financial_block AND payment_model = %(advance)s AND NOT below_zero AND below_charge)
        AS insufficient_funds,
    cooldown,
    SUM(n)
FROM (
    SELECT a.region AS region, a.payment_model AS payment_model,
        a.financial_block AS financial_block, a.service_mask AS service_mask,
        h.subscriberaccount_id IS NOT NULL AS already_has,
        a.balance < 0 AS below_zero, a.balance < %(charge)s AS below_charge,
        (t.result = %(refused)s AND t.result_at > %(cutoff)s) AS cooldown,
        COUNT(*) AS n
    FROM {target} t
    JOIN {account} a ON a.id = t.account_id
    LEFT JOIN {offers} h ON h.subscriberaccount_id = t.account_id AND h.offer_id = %(offer)s
    WHERE t.campaign_id = %(campaign)s
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
) g
GROUP BY 1, 2, 3, 4, 5, 6, 7
"""


def _in(column: str, values, params: dict, prefix: str) -> str:
    """`column IN (…)` with named parameters (FALSE for no values)."""
    if not values:
        return "FALSE"
    names = []
    for i, value in enumerate(sorted(values)):
        params[f"{prefix}{i}"] = value
        names.append(f"%({prefix}{i})s")
    return f"{column} IN ({', '.join(names)})"


def _sql(campaign: Campaign, now, bits, masks, params: dict) -> str:
    today = timezone.localdate(now)
    offer = campaign.offer
    params.update(
        campaign=campaign.pk,
        offer=campaign.offer_id,
        advance=PaymentModel.ADVANCE,
        refused=ResultCode.NOT_INTERESTED,
        cutoff=now - datetime.timedelta(days=campaign.cooldown_days),
        charge=pricing.first_charge(offer.monthly_price, on=today, promo_days=offer.promo_days),
    )
    segment = "FALSE"
    if masks is not None:
        defining = int(sum(set(bits.values())))
        segment = f"NOT {_in(f'(service_mask & {defining})', masks, params, 'mask')}"
    regions = _outage_regions(now)
    outage = "TRUE" if regions is None else "FALSE"
    if regions:
        # Case-folded on both databases (config.floor.db): «МОСКВА» is «Москва».
        fold = casefold_function(connection)
        folded = [f"{fold}(%(region{i})s)" for i in range(len(regions))]
        params.update({f"region{i}": r for i, r in enumerate(sorted(regions))})
        outage = f"{fold}(region) IN ({', '.join(folded)})"
    return REACH_SQL.format(segment=segment, outage=outage, **_tables())


def reach_preview(*, campaign: Campaign, now=None) -> Reach:
    """The campaign's reach now: one statement over its target list (plus the catalogue's few
    rows and the learned acceptance)."""
    now = now or timezone.now()
    bits = _service_bits()
    masks = _segment_masks(campaign, bits)
    params: dict = {}
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The JIT would spend more compiling the expressions than it saves on them (this
            # statement only). work_mem stays the server's: a join hashed in batches that fit
            # the CPU's cache was no slower here than one 90 MB table (measured, see README).
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(_sql(campaign, now, bits, masks, params), params)
        groups = cursor.fetchall()
    # Each row: the seven reasons (in the order of REASONS) and how many targets have exactly
    # those; an account is eligible when none of them holds.
    reach = Reach(targets=0, eligible=0)
    by_reason = dict.fromkeys(REASONS, 0)
    for *holds, n in groups:
        n = int(n)
        reach.targets += n
        if not any(holds):
            reach.eligible += n
        for code, held in zip(REASONS, holds, strict=True):
            if held:
                by_reason[code] += n
    reach.reasons = sorted(
        ((str(code), str(Reason(code).label), n) for code, n in by_reason.items() if n),
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
    offered = CampaignTarget.objects.filter(campaign__offer_id=offer_id).exclude(
        result=ResultCode.NOT_OFFERED
    )  # the partial index target_offered_idx (campaign, result): the offered few, index only
    counts = offered.aggregate(
        offered=Count("*"), agreed=Count("result", filter=Q(result=ResultCode.AGREED))
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

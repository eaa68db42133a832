"""The reach of a campaign before it runs (issue 12 §3): of its target accounts, how many could be
offered it now, why the rest could not, and how many orders to expect.

One statement over the target list (a million rows are fine): every reason that
`campaigns.eligibility.judge` would give an account whatever the call is worked out as a boolean
of the target's row, its account (its services are its stored `service_mask`, compared with the
segments' masks) and whether it holds the offer, then counted with `COUNT(*) FILTER` in one pass.

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


# Each reason a boolean column of the target's row; then one pass of COUNT(*) FILTER. The
# account's services are its stored mask (no aggregate over the links); the offer held is one
# LEFT JOIN on the (account, offer) unique index.
REACH_SQL = """
WITH x AS (
    SELECT {segment} AS not_in_segment,
        h.subscriberaccount_id IS NOT NULL AS already_has,
        {outage} AS outage,
        a.financial_block AS financial_block,
        (NOT a.financial_block AND a.payment_model = %(advance)s AND a.balance < 0)
            AS negative_balance,
        (NOT a.financial_block AND a.payment_model = %(advance)s AND a.balance >= 0
            AND a.balance < %(charge)s) AS insufficient_funds,
        (t.result = %(refused)s AND t.result_at > %(cutoff)s) AS cooldown
    FROM {target} t
    JOIN {account} a ON a.id = t.account_id
    LEFT JOIN {offers} h ON h.subscriberaccount_id = t.account_id AND h.offer_id = %(offer)s
    WHERE t.campaign_id = %(campaign)s
)
SELECT COUNT(*),
    COUNT(*) FILTER (WHERE NOT (not_in_segment OR already_has OR outage OR financial_block
                                OR negative_balance OR insufficient_funds OR cooldown)),
    {reason_counts}
FROM x
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
        segment = f"NOT {_in(f'(a.service_mask & {defining})', masks, params, 'mask')}"
    regions = _outage_regions(now)
    outage = "TRUE" if regions is None else "FALSE"
    if regions:
        # Case-folded on both databases (config.floor.db): «МОСКВА» is «Москва».
        fold = casefold_function(connection)
        folded = [f"{fold}(%(region{i})s)" for i in range(len(regions))]
        params.update({f"region{i}": r for i, r in enumerate(sorted(regions))})
        outage = f"{fold}(a.region) IN ({', '.join(folded)})"
    counts = ", ".join(f"COUNT(*) FILTER (WHERE {code})" for code in REASONS)
    return REACH_SQL.format(segment=segment, outage=outage, reason_counts=counts, **_tables())


def reach_preview(*, campaign: Campaign, now=None) -> Reach:
    """The campaign's reach now: one statement over its target list (plus the catalogue's few
    rows and the learned acceptance)."""
    now = now or timezone.now()
    bits = _service_bits()
    masks = _segment_masks(campaign, bits)
    params: dict = {}
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One big aggregate: the JIT would spend seconds compiling the FILTERs, and the
            # join is hashed in memory rather than spilled (this statement only).
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(_sql(campaign, now, bits, masks, params), params)
        total, eligible, *by_reason = cursor.fetchone()
    counts = {"total": total, "eligible": eligible}
    counts.update({f"r_{code}": n for code, n in zip(REASONS, by_reason, strict=True)})
    conditions = set(REASONS)
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
    offered = CampaignTarget.objects.filter(campaign__offer_id=offer_id).exclude(
        result=ResultCode.NOT_OFFERED
    )  # the partial index target_offered_idx: the offered few, not the whole lists
    counts = offered.aggregate(
        offered=Count("pk"), agreed=Count("pk", filter=Q(result=ResultCode.AGREED))
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

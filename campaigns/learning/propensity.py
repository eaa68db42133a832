"""Propensity: how likely a customer is to agree to an offer, learned from the recorded results.

Unit of evidence: a recommendation offered (a result other than «not offered») counts once per
context; it is a success when «agreed» was recorded on it in that context («thinking» alone is not
yet a success; a later «agreed» makes it one). Contexts: the need heard / a bridge used, or a cold
offer. Levels, each starting from its parent's evidence (a Beta prior of the parent's mean worth
PRIOR_STRENGTH results) and adding its own counts:

    the deck (cold 5–20 %, need heard 60–70 %) → offer kind → offer → campaign → campaign × segment

At the offer level one customer counts once per offer even when two campaigns of the product (R6)
both recorded the result; the kind adds up its offers. The refresh reads the results in three
aggregate statements whatever their number, replaces the table in one transaction and moves the
catalogue version so that every process reads the new figures.
"""

from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from campaigns import catalogue
from campaigns.learning import stats
from campaigns.learning.models import Propensity, PropensityLevel
from campaigns.models import ContactHistoryEntry, ResultCode

# The deck: «a sale to an existing customer succeeds 60–70 % of the time, to a new one 5–20 %» —
# read as: an offer made on a heard need, and a cold one. The middle of each range.
DECK_MEAN = {False: 0.125, True: 0.65}
PRIOR_STRENGTH = 20.0
OFFERED = (ResultCode.NOT_INTERESTED, ResultCode.THINKING, ResultCode.AGREED)

Key = tuple  # (level, kind, offer_id, campaign_id, segment_key, need_heard)


def deck_prior(need_heard: bool) -> tuple[float, float]:
    return stats.prior_with_strength(DECK_MEAN[bool(need_heard)], PRIOR_STRENGTH)


def _offered():
    return ContactHistoryEntry.objects.filter(result__in=OFFERED)


def _counts() -> dict[str, list[dict]]:
    """The three aggregates: per campaign × segment, per campaign, per offer (customers), with
    the offer's kind."""
    agreed_targets = Count("target_id", distinct=True, filter=Q(result=ResultCode.AGREED))
    agreed_accounts = Count("target__account_id", distinct=True, filter=Q(result=ResultCode.AGREED))
    # Results saved before the learning recorded no services: no segment to learn them in.
    segment = (
        _offered()
        .exclude(segment_key="")
        .values("need_heard", "segment_key", campaign=F("target__campaign_id"))
        .annotate(offered=Count("target_id", distinct=True), agreed=agreed_targets)
    )
    campaign = (
        _offered()
        .values("need_heard", campaign=F("target__campaign_id"))
        .annotate(offered=Count("target_id", distinct=True), agreed=agreed_targets)
    )
    offer = (
        _offered()
        .values(
            "need_heard",
            offer=F("target__campaign__offer_id"),
            kind=F("target__campaign__offer__kind"),
        )
        .annotate(offered=Count("target__account_id", distinct=True), agreed=agreed_accounts)
    )
    campaign_offer = {
        pk: (c.offer_id, c.offer.kind) for pk, c in catalogue.current().campaigns.items()
    }
    return {
        "segment": list(segment),
        "campaign": list(campaign),
        "offer": list(offer),
        "campaign_offer": campaign_offer,
    }


def _child(parent: tuple[float, float], agreed: int, offered: int) -> tuple[float, float]:
    mean = parent[0] / (parent[0] + parent[1])
    prior = stats.prior_with_strength(mean, PRIOR_STRENGTH)
    return prior[0] + agreed, prior[1] + offered - agreed


def compute(counts: dict) -> dict[Key, tuple[int, int, float, float]]:
    """Pure: every level's (offered, agreed, alpha, beta) from the aggregates."""
    table: dict[Key, tuple[int, int, float, float]] = {}
    kinds = defaultdict(lambda: [0, 0])
    for row in counts["offer"]:
        kinds[(row["kind"], row["need_heard"])][0] += row["offered"]
        kinds[(row["kind"], row["need_heard"])][1] += row["agreed"]
    offer_kind = {row["offer"]: row["kind"] for row in counts["offer"]}
    offer_kind.update(dict(counts["campaign_offer"].values()))
    for (kind, heard), (offered, agreed) in kinds.items():
        table[(PropensityLevel.KIND, kind, 0, 0, "", heard)] = (
            offered,
            agreed,
            *_child(deck_prior(heard), agreed, offered),
        )
    for row in counts["offer"]:
        heard = row["need_heard"]
        parent = table[(PropensityLevel.KIND, row["kind"], 0, 0, "", heard)][2:]
        table[(PropensityLevel.OFFER, "", row["offer"], 0, "", heard)] = (
            row["offered"],
            row["agreed"],
            *_child(parent, row["agreed"], row["offered"]),
        )
    for row in counts["campaign"]:
        heard, campaign_id = row["need_heard"], row["campaign"]
        offer_id, kind = counts["campaign_offer"].get(campaign_id, (0, ""))
        parent = lookup(table, campaign_id=0, offer_id=offer_id, kind=kind, need_heard=heard)
        table[(PropensityLevel.CAMPAIGN, "", 0, campaign_id, "", heard)] = (
            row["offered"],
            row["agreed"],
            *_child(parent, row["agreed"], row["offered"]),
        )
    for row in counts["segment"]:
        heard, campaign_id = row["need_heard"], row["campaign"]
        parent = table[(PropensityLevel.CAMPAIGN, "", 0, campaign_id, "", heard)][2:]
        table[(PropensityLevel.SEGMENT, "", 0, campaign_id, row["segment_key"], heard)] = (
            row["offered"],
            row["agreed"],
            *_child(parent, row["agreed"], row["offered"]),
        )
    return table


def lookup(
    table, *, campaign_id: int, offer_id: int, kind: str, need_heard: bool, segment_key=None
) -> tuple[float, float]:
    """The most specific (alpha, beta) known: segment, campaign, offer, kind, the deck. A level
    taken in place of a missing narrower one keeps its mean at the strength of a prior (a new
    campaign is as uncertain as a prior, not as sure as its offer's whole history)."""
    keys = [
        (PropensityLevel.SEGMENT, "", 0, campaign_id, segment_key, need_heard),
        (PropensityLevel.CAMPAIGN, "", 0, campaign_id, "", need_heard),
        (PropensityLevel.OFFER, "", offer_id, 0, "", need_heard),
        (PropensityLevel.KIND, kind, 0, 0, "", need_heard),
    ]
    if segment_key is None:
        keys = keys[1:]
    for depth, key in enumerate(keys):
        found = table.get(key)
        if found is None:
            continue
        alpha, beta = found[-2:]
        if depth == 0:
            return alpha, beta
        return stats.prior_with_strength(alpha / (alpha + beta), PRIOR_STRENGTH)
    return deck_prior(need_heard)


def _lock_table() -> None:
    """Two refreshes at once (the nightly one and «Recompute now») take turns: the second waits,
    then replaces what the first wrote. Readers are never blocked. SQLite serialises writers."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(Propensity._meta.db_table)
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")


def propensities_refresh(*, now=None) -> int:
    """Recompute the whole table from the results (idempotent); returns the number of rows."""
    now = now or timezone.now()
    table = compute(_counts())
    rows = [
        Propensity(
            level=level,
            kind=kind,
            offer_id=offer_id,
            campaign_id=campaign_id,
            segment_key=segment_key,
            need_heard=heard,
            offered=offered,
            agreed=agreed,
            alpha=alpha,
            beta=beta,
            refreshed_at=now,
        )
        for (level, kind, offer_id, campaign_id, segment_key, heard), (
            offered,
            agreed,
            alpha,
            beta,
        ) in table.items()
    ]
    with transaction.atomic():
        _lock_table()
        Propensity.objects.all().delete()
        Propensity.objects.bulk_create(rows, batch_size=500)
        transaction.on_commit(catalogue.bump)
    return len(rows)

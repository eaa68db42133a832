"""Reads of the learning for the manager: the A/B table of a campaign, its propensities per
segment and context, their trend by week. Aggregates are set-based; the arithmetic is `stats`."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek

from campaigns.learning import propensity, stats
from campaigns.learning.models import PropensityLevel, ScriptVersion
from campaigns.models import Campaign, ContactHistoryEntry, Propensity, ResultCode
from campaigns.orders.selectors import campaign_order_counts_of_accounts

OFFERED = Q(result__in=propensity.OFFERED)
AGREED = Q(result=ResultCode.AGREED)


@dataclass
class VersionRow:
    version: ScriptVersion
    shown: int
    offered: int
    agreed: int
    orders: int
    connected: int
    interval: tuple[float, float] | None
    prob_best: float

    @property
    def conversion(self) -> float | None:
        return self.agreed / self.offered if self.offered else None


def version_table(*, campaign: Campaign) -> tuple[list[VersionRow], int | None]:
    """Every version of the campaign (running first) with its funnel, its conversion's 95 %
    interval, the probability that it is the best (Beta(1, 1) prior; exact for two versions,
    seeded Monte Carlo for more), and how many more offers would settle the running ones."""
    versions = list(campaign.script_versions.order_by("status", "label"))
    counts = {
        row["script_version"]: row
        for row in ContactHistoryEntry.objects.filter(script_version__campaign=campaign)
        .values("script_version")
        .annotate(
            shown=Count("target_id", distinct=True),
            offered=Count("target_id", distinct=True, filter=OFFERED),
            agreed=Count("target_id", distinct=True, filter=AGREED),
        )
    }
    rows = []
    for version in versions:
        found = counts.get(version.pk, {"shown": 0, "offered": 0, "agreed": 0})
        accounts = ContactHistoryEntry.objects.filter(script_version=version).values(
            "target__account_id"
        )
        orders = campaign_order_counts_of_accounts(campaign_id=campaign.pk, account_ids=accounts)
        rows.append(
            VersionRow(
                version,
                found["shown"],
                found["offered"],
                found["agreed"],
                orders["orders"],
                orders["connected"],
                stats.wilson(found["agreed"], found["offered"]),
                0.0,
            )
        )
    running = [r for r in rows if r.version.status == "running"]
    best = stats.prob_best(
        [stats.posterior(r.agreed, r.offered) for r in running], seed=campaign.pk
    )
    for row, p in zip(running, best, strict=True):
        row.prob_best = p
    needed = stats.results_needed([(r.agreed, r.offered) for r in running])
    return rows, needed


@dataclass
class PropensityRow:
    segment_key: str
    need_heard: bool
    offered: int
    agreed: int
    mean: float
    interval: tuple[float, float]


def propensity_table(*, campaign: Campaign) -> list[PropensityRow]:
    """The campaign's learned propensities per segment and context, with 95 % credible intervals;
    the campaign-wide rows first (segment «»)."""
    rows = Propensity.objects.filter(
        campaign_id=campaign.pk, level__in=[PropensityLevel.CAMPAIGN, PropensityLevel.SEGMENT]
    ).order_by("level", "segment_key", "need_heard")
    result = []
    for row in rows:
        posterior = stats.Posterior(row.alpha, row.beta)
        result.append(
            PropensityRow(
                row.segment_key,
                row.need_heard,
                row.offered,
                row.agreed,
                posterior.mean,
                posterior.interval(),
            )
        )
    return result


def weekly_trend(*, campaign: Campaign, weeks: int = 12, today=None) -> list[dict]:
    """Offers and agreements by week (Monday) and context, the last `weeks` weeks: one query."""
    today = today or datetime.date.today()
    since = today - datetime.timedelta(weeks=weeks)
    rows = (
        ContactHistoryEntry.objects.filter(target__campaign=campaign, created_at__date__gte=since)
        .annotate(week=TruncWeek("created_at"))
        .values("week", "need_heard")
        .annotate(
            offered=Count("target_id", distinct=True, filter=OFFERED),
            agreed=Count("target_id", distinct=True, filter=AGREED),
        )
        .order_by("week", "need_heard")
    )
    return [
        {
            "week": row["week"].date() if hasattr(row["week"], "date") else row["week"],
            "need_heard": row["need_heard"],
            "offered": row["offered"],
            "agreed": row["agreed"],
        }
        for row in rows
    ]

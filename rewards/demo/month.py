"""The conversions job for the previous and the running month, over the demo orders.

Runs last (after the results and connection-order steps), so that the leaderboard, the agents'
`/me/` pages and the managers' campaign funnel all show the same figures. The job is idempotent:
a second `seed_demo` recomputes the same figures and adds no rows.
"""

from config.floor.seeding import SeedContext
from rewards import calendar, services
from rewards.models import AgentMonth, CampaignMonth


def run(ctx: SeedContext) -> dict[str, int]:
    counts = {}
    for month in (calendar.previous_month(ctx.month_start), ctx.month_start):
        services.conversions_compute(month=month, progress=ctx.write)
        counts[calendar.month_key(month)] = AgentMonth.objects.filter(month=month).count()
    counts["campaign funnels"] = CampaignMonth.objects.count()
    return counts

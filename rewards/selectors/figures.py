"""Reads: the catalogue, the month's aggregates the job is built on, leaderboards and statements.

Every figure is a set-based aggregate (GROUP BY agent, campaign or day); Python only loops over the
aggregated rows (agents, campaigns, days), never over orders. The same functions serve the job
(all agents), the agent's own page (one agent, live) and the statement, so they agree to the
kopeck.

Definitions, for month M:
- orders: orders registered in M that are not cancelled (what counts toward the target, R10);
- connected: orders connected in M; cancelled: orders cancelled in M;
- earned: the rewards of the orders connected in M (rules valid on the day of connection);
- clawed back: the rewards of orders connected earlier (or in M) and cancelled in M within the
  clawback window: they come off the month of the cancellation, the closed month stays as it was;
- reward total = earned − clawed back; pending: what the orders of M not yet connected would earn;
- funnel: shown / offered / thinking / agreed count the recommendations on which a result was saved
  in M (any result / other than «not offered» / «thinking» / «agreed»); ordered = orders;
  ordered_connected = those of them connected by now.
"""

from django.db.models import Count, Q, Sum
from django.utils import timezone

from campaigns.models import (
    AgentProfile,
    ConnectionOrder,
    ContactHistoryEntry,
    OrderStatus,
    ResultCode,
)
from rewards import calendar
from rewards.engine import Engine, roubles
from rewards.models import (
    DEFAULT_TARGET,
    AgentMonth,
    CampaignMonth,
    MonthlyTarget,
    RewardRule,
)

PENDING_STATUSES = (OrderStatus.REGISTERED, OrderStatus.SENT)
FUNNEL_STEPS = ("shown", "offered", "thinking", "agreed", "ordered", "connected")


def reward_rule_list():
    return RewardRule.objects.with_relations().order_by("order", "name", "valid_from")


def _in(field_name, month):
    start, end = calendar.month_bounds(month)
    return Q(**{f"{field_name}__gte": start, f"{field_name}__lt": end})


def month_orders(month, *, agent_ids=None):
    """The orders month M is about: registered, connected or cancelled in it."""
    orders = ConnectionOrder.objects.filter(
        _in("created_at", month) | _in("connected_at", month) | _in("cancelled_at", month)
    )
    if agent_ids is not None:
        orders = orders.filter(agent_id__in=agent_ids)
    return orders


def order_aggregates(month, *, engine: Engine, agent_ids=None):
    """Per agent: orders, connected, cancelled, clawbacks and rewards in kopecks (one GROUP BY)."""
    registered = _in("created_at", month) & ~Q(status=OrderStatus.CANCELLED)
    connected = _in("connected_at", month)
    clawed = _in("cancelled_at", month) & Q(clawback=True)
    amount = engine.amount()
    return (
        engine.annotate(month_orders(month, agent_ids=agent_ids))
        .values("agent_id")
        .annotate(
            orders=Count("id", filter=registered),
            connected=Count("id", filter=connected),
            cancelled=Count("id", filter=_in("cancelled_at", month)),
            clawbacks=Count("id", filter=clawed),
            ordered_connected=Count("id", filter=registered & Q(connected_at__isnull=False)),
            earned=Sum(amount, filter=connected),
            clawed=Sum(amount, filter=clawed),
            pending=Sum(amount, filter=_in("created_at", month) & Q(status__in=PENDING_STATUSES)),
        )
        .order_by()
    )


def bare_order_aggregates(month):
    """The aggregate the job is built on, without the engine: the benchmark's yardstick."""
    return (
        month_orders(month)
        .values("agent_id")
        .annotate(
            orders=Count("id", filter=_in("created_at", month) & ~Q(status="cancelled")),
            connected=Count("id", filter=_in("connected_at", month)),
            cancelled=Count("id", filter=_in("cancelled_at", month)),
        )
        .order_by()
    )


def _funnel_counts(prefix=""):
    target = f"{prefix}target_id"
    return {
        "shown": Count(target, distinct=True),
        "offered": Count(target, distinct=True, filter=~Q(result=ResultCode.NOT_OFFERED)),
        "thinking": Count(target, distinct=True, filter=Q(result=ResultCode.THINKING)),
        "agreed": Count(target, distinct=True, filter=Q(result=ResultCode.AGREED)),
    }


def funnel_aggregates(month, *, by="agent_id", agent_ids=None):
    """Per agent (or campaign): recommendations shown, offered, thinking, agreed in the month."""
    entries = ContactHistoryEntry.objects.filter(_in("created_at", month))
    if agent_ids is not None:
        entries = entries.filter(agent_id__in=agent_ids)
    return entries.values(by).annotate(**_funnel_counts()).order_by()


def campaign_order_aggregates(month):
    registered = _in("created_at", month) & ~Q(status=OrderStatus.CANCELLED)
    return (
        ConnectionOrder.objects.filter(registered, campaign__isnull=False)
        .values("campaign_id")
        .annotate(ordered=Count("id"), connected=Count("id", filter=Q(connected_at__isnull=False)))
        .order_by()
    )


def team_targets(month) -> dict[int, int]:
    return dict(MonthlyTarget.objects.filter(month=month).values_list("team_id", "target"))


def month_agents(month, *, agent_ids=None):
    """The agents who had started by the end of the month: user, team, start date."""
    agents = AgentProfile.objects.filter(started_on__lt=calendar.next_month(month))
    if agent_ids is not None:
        agents = agents.filter(user_id__in=agent_ids)
    return agents.values_list("user_id", "team_id", "started_on").order_by("user_id")


FIGURES = (
    "orders",
    "connected",
    "cancelled",
    "clawbacks",
    "ordered_connected",
    "shown",
    "offered",
    "thinking",
    "agreed",
)


def agent_month_rows(month, *, agent_ids=None, now=None, engine=None) -> list[AgentMonth]:
    """The month of each agent as the job writes it (unsaved rows): three aggregates, merged."""
    now = now or timezone.now()
    engine = engine or Engine.load()
    orders = {
        row["agent_id"]: row for row in order_aggregates(month, engine=engine, agent_ids=agent_ids)
    }
    funnel = {row["agent_id"]: row for row in funnel_aggregates(month, agent_ids=agent_ids)}
    targets = team_targets(month)
    rows = []
    for agent_id, team_id, started_on in month_agents(month, agent_ids=agent_ids):
        base = targets.get(team_id, DEFAULT_TARGET)
        target = calendar.prorated_target(base, month=month, started_on=started_on)
        figures = {**orders.get(agent_id, {}), **funnel.get(agent_id, {})}
        earned, clawed = roubles(figures.get("earned")), roubles(figures.get("clawed"))
        rows.append(
            AgentMonth(
                agent_id=agent_id,
                month=month,
                team_id=team_id,
                base_target=base,
                target=target,
                prorated=target != base,
                reward_earned=earned,
                reward_clawed_back=clawed,
                reward_total=earned - clawed,
                reward_pending=roubles(figures.get("pending")),
                ordered=figures.get("orders", 0),
                computed_at=now,
                **{name: figures.get(name, 0) for name in FIGURES},
            )
        )
    return rows


def campaign_month_rows(month, *, now=None) -> list[CampaignMonth]:
    now = now or timezone.now()
    funnel = {
        r["target__campaign_id"]: r for r in funnel_aggregates(month, by="target__campaign_id")
    }
    orders = {r["campaign_id"]: r for r in campaign_order_aggregates(month)}
    rows = []
    for campaign_id in sorted(funnel.keys() | orders.keys()):
        figures = {**funnel.get(campaign_id, {}), **orders.get(campaign_id, {})}
        rows.append(
            CampaignMonth(
                campaign_id=campaign_id,
                month=month,
                computed_at=now,
                **{step: figures.get(step, 0) for step in FUNNEL_STEPS},
            )
        )
    return rows

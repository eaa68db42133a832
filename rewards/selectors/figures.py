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

import datetime
from collections import defaultdict
from types import SimpleNamespace

from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractDay
from django.utils import timezone

from campaigns.models import (
    AgentProfile,
    CampaignTarget,
    ConnectionOrder,
    ContactHistoryEntry,
    OrderStatus,
    ResultCode,
    TeamMembership,
)
from rewards import calendar
from rewards.engine import Engine, SimpleCase, kopecks, roubles
from rewards.models import (
    DEFAULT_TARGET,
    AgentMonth,
    CampaignMonth,
    DisputeStatus,
    MonthlyTarget,
    RewardRule,
    StatementDispute,
)

PENDING_STATUSES = (OrderStatus.REGISTERED, OrderStatus.SENT)
FUNNEL_STEPS = ("shown", "offered", "thinking", "agreed", "ordered", "connected")


def reward_rule_list():
    return RewardRule.objects.with_relations().order_by("order", "name", "valid_from")


def _in(field_name, month):
    start, end = calendar.month_bounds(month)
    return Q(**{f"{field_name}__gte": start, f"{field_name}__lt": end})


def _month_q(month, *, agent_ids=None, prefix="") -> Q:
    """The orders month M is about (their fields behind `prefix`): registered, connected or
    cancelled in it."""
    condition = (
        _in(f"{prefix}created_at", month)
        | _in(f"{prefix}connected_at", month)
        | _in(f"{prefix}cancelled_at", month)
    )
    if agent_ids is not None:
        condition &= Q(**{f"{prefix}agent_id__in": agent_ids})
    return condition


def month_orders(month, *, agent_ids=None):
    """The orders month M is about: registered, connected or cancelled in it."""
    return ConnectionOrder.objects.filter(_month_q(month, agent_ids=agent_ids))


def month_extras(month, *, agent_ids=None):
    """The extras of `month_orders` (`engine.extra_items`), the month read on the order they
    join anyway rather than by a second pass over the orders (`order IN (month's orders)`)."""
    through = ConnectionOrder.extras.through
    return through.objects.filter(
        _month_q(month, agent_ids=agent_ids, prefix="connectionorder__")
    ).exclude(offer_id=Coalesce(F("connectionorder__product_id"), F("connectionorder__tariff_id")))


def _during(field_name, month) -> ExpressionWrapper:
    return ExpressionWrapper(_in(field_name, month), output_field=BooleanField())


def _day_of_month(field_name, month):
    """The local day of the month of a moment in the month (1st: 1). On PostgreSQL, which of the
    month's local midnights it follows (`width_bucket`, a binary search over constants), rather
    than a time-zone conversion per row."""
    if connection.vendor != "postgresql":
        return ExtractDay(field_name)
    days = (calendar.next_month(month) - month).days
    midnights = [
        calendar.local_midnight(month + datetime.timedelta(days=day)) for day in range(days + 1)
    ]
    return Func(
        F(field_name), Value(midnights), function="width_bucket", output_field=IntegerField()
    )


def _item_columns(month, *, engine: Engine, team, order_prefix=""):
    """What the month's aggregate reads from each item (an order's main offer or an extra): the
    agent and team, whether the order was registered, connected, cancelled in the month, its
    status, and the kopecks the item earns (worked out once, in this subquery)."""
    p = order_prefix
    return {
        "i_agent": F(f"{p}agent_id"),
        "i_team": team,
        "i_campaign": F(f"{p}campaign_id"),
        "i_day": _day_of_month(f"{p}created_at", month),
        "c_in": _during(f"{p}created_at", month),
        "k_in": _during(f"{p}connected_at", month),
        "x_in": _during(f"{p}cancelled_at", month),
        "i_status": F(f"{p}status"),
        "i_claw": F(f"{p}clawback"),
        "i_conn": F(f"{p}connected_at"),
        "i_amount": engine.amount(),
    }


ITEM_COLUMNS = (
    "i_agent",
    "i_team",
    "i_campaign",
    "i_day",
    "i_main",
    "c_in",
    "k_in",
    "x_in",
    "i_status",
    "i_claw",
    "i_conn",
    "i_amount",
)


def _items_sql(month, *, engine: Engine, agent_ids=None) -> tuple[str, list]:
    """The month's items as one SQL relation: every order of the month (main item, i_main = 1)
    and every extra of those orders (i_main = 0), with the columns of `_item_columns`.

    UNION ALL keeps the items a subquery of their own (PostgreSQL does not fold it into the
    aggregate), so each item's amount is worked out once, however many sums read it."""
    orders = month_orders(month, agent_ids=agent_ids)
    main = (
        engine.annotate(orders)
        .annotate(
            **_item_columns(month, engine=engine, team=team_case(month, agent_ids=agent_ids)),
            i_main=Value(1, IntegerField()),
        )
        .values(*ITEM_COLUMNS)
        .order_by()
    )
    extra_team = team_case(
        month,
        agent_field="connectionorder__agent_id",
        moment_field="connectionorder__created_at",
        agent_ids=agent_ids,
    )
    extras = (
        engine.annotate_extras(month_extras(month, agent_ids=agent_ids))
        .annotate(
            **_item_columns(
                month, engine=engine, team=extra_team, order_prefix="connectionorder__"
            ),
            i_main=Value(0, IntegerField()),
        )
        .values(*ITEM_COLUMNS)
        .order_by()
    )
    main_sql, main_params = main.query.sql_with_params()
    extras_sql, extras_params = extras.query.sql_with_params()
    return f"{main_sql} UNION ALL {extras_sql}", [*main_params, *extras_params]


def team_case(month, *, agent_field="agent_id", moment_field="created_at", agent_ids=None):
    """The team a row counts for: the agent's membership at the moment (of registration, of a
    saved result), as one expression; NULL where no membership covers it (an agent who never
    moved: then the agent's current team, filled in by the caller).

    Every membership that began before the month's end takes part, not only those touching the
    month: an order registered months before (in a team the agent has since left) and connected
    or clawed back in this month counts for the team of its registration. They are few (only
    agents who moved have any), so they are written into a `CASE agent WHEN … THEN CASE WHEN
    moment < … THEN team … END END`: no join per row.
    """
    periods = defaultdict(list)
    memberships = TeamMembership.objects.filter(starts_at__lt=calendar.month_bounds(month)[1])
    if agent_ids is not None:
        memberships = memberships.filter(agent_id__in=agent_ids)
    for agent_id, starts, ends, team_id in memberships.order_by(
        "agent_id", "starts_at"
    ).values_list("agent_id", "starts_at", "ends_at", "team_id"):
        condition = Q(**{f"{moment_field}__gte": starts})
        if ends is not None:
            condition &= Q(**{f"{moment_field}__lt": ends})
        periods[agent_id].append(When(condition, then=Value(team_id)))
    if not periods:
        return Value(None, output_field=IntegerField())
    by_agent = SimpleCase(
        F(agent_field),
        [
            (agent_id, Case(*whens, default=None, output_field=BigIntegerField()))
            for agent_id, whens in sorted(periods.items())
        ],
    )
    # The CASE tries its agents one by one; `agent IN (…)` ahead of it is one hash probe on
    # PostgreSQL (a list of 9 or more constants is hashed), so most rows skip the CASE.
    return Case(
        When(Q(**{f"{agent_field}__in": sorted(periods)}), then=by_agent),
        default=None,
        output_field=BigIntegerField(),
    )


# The statuses are bound as parameters, ahead of the items' own.
REGISTERED = "i.c_in AND i.i_status <> %s"
ORDER_FIGURES = f"""
       COUNT(*) FILTER (WHERE i.i_main = 1 AND {REGISTERED}) AS orders,
       COUNT(*) FILTER (WHERE i.i_main = 1 AND i.k_in) AS connected,
       COUNT(*) FILTER (WHERE i.i_main = 1 AND i.x_in) AS cancelled,
       COUNT(*) FILTER (WHERE i.i_main = 1 AND i.x_in AND i.i_claw) AS clawbacks,
       COUNT(*) FILTER (WHERE i.i_main = 1 AND {REGISTERED} AND i.i_conn IS NOT NULL)
           AS ordered_connected,
       SUM(i.i_amount) FILTER (WHERE i.k_in) AS earned,
       SUM(i.i_amount) FILTER (WHERE i.x_in AND i.i_claw) AS clawed,
       SUM(i.i_amount) FILTER (WHERE i.c_in AND i.i_status IN (%s, %s)) AS pending
"""
# The items grouped by agent, team, campaign and day of registration (in parallel), then rolled
# up: per agent and team the figures and the orders of each day ("day:count,…", for the
# leaderboard's daily chart); per campaign (on PostgreSQL, the job only) its ordered and connected.
ITEM_GROUPS = f"""
SELECT i.i_agent, i.i_team, i.i_campaign, i.i_day, {ORDER_FIGURES}
FROM ({{items}}) i GROUP BY i.i_agent, i.i_team, i.i_campaign, i.i_day
"""
SUMS = (
    "SUM(g.orders), SUM(g.connected), SUM(g.cancelled), SUM(g.clawbacks), "
    "SUM(g.ordered_connected), SUM(g.earned), SUM(g.clawed), SUM(g.pending)"
)
DAILY = """
SELECT x.i_agent, x.i_team, {concat} AS daily
FROM (SELECT g.i_agent, g.i_team, g.i_day, SUM(g.orders) AS n FROM g
      GROUP BY g.i_agent, g.i_team, g.i_day HAVING SUM(g.orders) > 0) x
GROUP BY x.i_agent, x.i_team
"""
ORDER_FIGURES_SQL = f"""
WITH g AS ({ITEM_GROUPS}), d AS ({DAILY})
SELECT s.*, d.daily FROM (
    SELECT g.i_agent, g.i_team, NULL AS i_campaign, 1 AS by_agent, {SUMS}
    FROM g GROUP BY g.i_agent, g.i_team
) s LEFT JOIN d ON d.i_agent = s.i_agent AND d.i_team IS NOT DISTINCT FROM s.i_team
"""
# PostgreSQL's job groups the same items by campaign too (the campaign funnel's ordered and
# connected), without the day (a day grain would triple the groups a parallel aggregate hands
# over); the orders of each day are counted in the same pass as the digits of one number,
# day d's count times DAY_BASE ** (31 - d): day 1 leftmost, so that the month's rows read their
# days from the number's text in order (`_unpack_days`, `month_writes`).
DAY_BASE = 10**6
LAST_DAY = 31
PACKED_DAYS = "CASE i.i_day {whens} END".format(
    whens=" ".join(
        f"WHEN {day} THEN {DAY_BASE ** (LAST_DAY - day)}::numeric" for day in range(1, LAST_DAY + 1)
    )
)
ORDER_AND_CAMPAIGN_SQL = f"""
SELECT g.i_agent, g.i_team, g.i_campaign, GROUPING(g.i_campaign), {SUMS}, SUM(g.days)
FROM (SELECT i.i_agent, i.i_team, i.i_campaign, {ORDER_FIGURES},
             SUM({PACKED_DAYS}) FILTER (WHERE i.i_main = 1 AND {REGISTERED}) AS days
      FROM ({{items}}) i GROUP BY i.i_agent, i.i_team, i.i_campaign) g
GROUP BY GROUPING SETS ((g.i_agent, g.i_team), (g.i_campaign))
"""


def _unpack_days(packed, orders) -> dict[int, int]:
    """The orders of each day from `ORDER_AND_CAMPAIGN_SQL`'s packed sum. Exact while the row's
    orders (the sum of its days) stay under DAY_BASE: no day's count can carry into the next."""
    if orders >= DAY_BASE:
        raise OverflowError(f"{orders} orders in a month: the days cannot be packed")
    days, packed, day = {}, int(packed or 0), LAST_DAY
    while packed:
        packed, count = divmod(packed, DAY_BASE)
        if count:
            days[day] = count
        day -= 1
    return days


CONCAT = {
    "postgresql": "string_agg(x.i_day::text || ':' || x.n::text, ',')",
    "sqlite": "group_concat(x.i_day || ':' || x.n, ',')",
}
ORDER_FIGURE_NAMES = (
    "orders",
    "connected",
    "cancelled",
    "clawbacks",
    "ordered_connected",
    "earned",
    "clawed",
    "pending",
)


def _days(text) -> dict[int, int]:
    """ "3:2,4:1" → {3: 2, 4: 1}."""
    pairs = (part.split(":") for part in (text or "").split(",") if part)
    return {int(day): int(count) for day, count in pairs}


def order_and_campaign_sql(month, *, engine: Engine, agent_ids=None) -> tuple[str, list]:
    """PostgreSQL's pass over the month's items (`ORDER_AND_CAMPAIGN_SQL`) with its parameters:
    rows per agent and team (GROUPING 1) and per campaign (GROUPING 0)."""
    items, params = _items_sql(month, engine=engine, agent_ids=agent_ids)
    statuses = [OrderStatus.CANCELLED, OrderStatus.CANCELLED, *PENDING_STATUSES]
    statuses.append(OrderStatus.CANCELLED)  # the days' REGISTERED
    return ORDER_AND_CAMPAIGN_SQL.format(items=items), [*statuses, *params]


def order_aggregates(month, *, engine: Engine, agent_ids=None, by_campaign=None):
    """Per agent and team: orders, connected, cancelled, clawbacks and rewards in kopecks.

    One GROUP BY over the month's items (each order's main offer and its extras, the engine's
    amount worked out once per item). With `by_campaign` (a dict), the campaigns' ordered and
    connected go into it from the same pass on PostgreSQL.
    """
    fused = by_campaign is not None and connection.vendor == "postgresql"
    if fused:
        sql, params = order_and_campaign_sql(month, engine=engine, agent_ids=agent_ids)
    else:
        items, params = _items_sql(month, engine=engine, agent_ids=agent_ids)
        sql = ORDER_FIGURES_SQL.format(items=items, concat=CONCAT[connection.vendor])
        params = [OrderStatus.CANCELLED, OrderStatus.CANCELLED, *PENDING_STATUSES, *params]
    rows = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for agent_id, team_id, campaign_id, by_agent, *figures, daily in cursor.fetchall():
            figures = dict(zip(ORDER_FIGURE_NAMES, figures, strict=True))
            if by_agent:
                days = _unpack_days(daily, figures["orders"]) if fused else _days(daily)
                rows.append({"agent_id": agent_id, "team_id": team_id, "daily": days, **figures})
            elif campaign_id is not None:
                by_campaign.setdefault(campaign_id, {}).update(
                    ordered=figures["orders"], connected=figures["ordered_connected"]
                )
    if by_campaign is not None and not fused:
        for r in campaign_order_aggregates(month):
            by_campaign.setdefault(r["campaign_id"], {}).update(
                ordered=r["ordered"], connected=r["connected"]
            )
    return rows


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


def month_entries(month, *, agent_ids=None):
    entries = ContactHistoryEntry.objects.filter(_in("created_at", month))
    if agent_ids is not None:
        entries = entries.filter(agent_id__in=agent_ids)
    return entries


def funnel_aggregates(month, *, by="agent_id", agent_ids=None):
    """Per campaign (or agent): recommendations shown, offered, thinking, agreed in the month."""
    return (
        month_entries(month, agent_ids=agent_ids).values(by).annotate(**_funnel_counts()).order_by()
    )


FUNNEL_SQL = """
SELECT i.i_agent, i.i_team,
       COUNT(DISTINCT i.i_target),
       COUNT(DISTINCT i.i_target) FILTER (WHERE i.i_result <> %s),
       COUNT(DISTINCT i.i_target) FILTER (WHERE i.i_result = %s),
       COUNT(DISTINCT i.i_target) FILTER (WHERE i.i_result = %s)
FROM ({entries}) i
GROUP BY i.i_agent, i.i_team
"""


# PostgreSQL's job reads the month's results once: they are first reduced to one row per agent,
# team and recommendation (which steps it reached, in a parallel hash aggregate), then counted per
# agent and team and, after merging the agents of a recommendation, per campaign; no sort and no
# COUNT(DISTINCT) over the results themselves.
FUNNEL_AND_CAMPAIGN_SQL = """
WITH d AS MATERIALIZED (
    SELECT i.i_agent, i.i_team, i.i_target,
           bool_or(i.i_result <> %s) AS offered,
           bool_or(i.i_result = %s) AS thinking,
           bool_or(i.i_result = %s) AS agreed
    FROM ({entries}) i
    GROUP BY i.i_agent, i.i_team, i.i_target
)
SELECT d.i_agent, d.i_team, NULL, 1, COUNT(d.i_target),
       COUNT(d.i_target) FILTER (WHERE d.offered),
       COUNT(d.i_target) FILTER (WHERE d.thinking),
       COUNT(d.i_target) FILTER (WHERE d.agreed)
FROM d GROUP BY d.i_agent, d.i_team
UNION ALL
SELECT NULL, NULL, c.campaign_id, 0, COUNT(*),
       COUNT(*) FILTER (WHERE c.offered),
       COUNT(*) FILTER (WHERE c.thinking),
       COUNT(*) FILTER (WHERE c.agreed)
FROM (SELECT t.campaign_id, d.i_target, bool_or(d.offered) AS offered,
             bool_or(d.thinking) AS thinking, bool_or(d.agreed) AS agreed
      FROM d JOIN {targets} t ON t.id = d.i_target
      GROUP BY t.campaign_id, d.i_target) c
GROUP BY c.campaign_id
"""


FUNNEL_CODES = (ResultCode.NOT_OFFERED, ResultCode.THINKING, ResultCode.AGREED)


def _funnel_entries_sql(month, *, agent_ids=None) -> tuple[str, list]:
    """The month's saved results as a relation: agent, team of the day, recommendation, result."""
    columns = {
        "i_agent": F("agent_id"),
        "i_team": team_case(month, agent_ids=agent_ids),
        "i_target": F("target_id"),
        "i_result": F("result"),
    }
    entries = (
        month_entries(month, agent_ids=agent_ids).annotate(**columns).values(*columns).order_by()
    )
    return entries.query.sql_with_params()


def funnel_and_campaign_sql(month, *, agent_ids=None) -> tuple[str, list]:
    """PostgreSQL's read of the month's results (`FUNNEL_AND_CAMPAIGN_SQL`) with its parameters:
    rows per agent and team (by_agent 1) and per campaign (by_agent 0)."""
    sql, params = _funnel_entries_sql(month, agent_ids=agent_ids)
    targets = connection.ops.quote_name(CampaignTarget._meta.db_table)
    return FUNNEL_AND_CAMPAIGN_SQL.format(entries=sql, targets=targets), [*FUNNEL_CODES, *params]


def agent_funnel_aggregates(month, *, agent_ids=None, by_campaign=None) -> list[dict]:
    """Per agent and team (the team of the day the result was saved): the funnel's first steps.

    With `by_campaign` (a dict), each campaign's funnel goes into it too (on PostgreSQL from the
    same read of the results)."""
    fused = by_campaign is not None and connection.vendor == "postgresql"
    rows = []
    with connection.cursor() as cursor:
        if not fused:
            sql, params = _funnel_entries_sql(month, agent_ids=agent_ids)
            cursor.execute(FUNNEL_SQL.format(entries=sql), [*FUNNEL_CODES, *params])
            rows = [
                {"agent_id": r[0], "team_id": r[1], **dict(zip(FUNNEL_NAMES, r[2:], strict=True))}
                for r in cursor.fetchall()
            ]
            if by_campaign is not None:
                for r in funnel_aggregates(month, by="target__campaign_id"):
                    counts = {name: r[name] for name in FUNNEL_NAMES}
                    by_campaign.setdefault(r["target__campaign_id"], {}).update(counts)
            return rows
        cursor.execute(*funnel_and_campaign_sql(month, agent_ids=agent_ids))
        for agent_id, team_id, campaign_id, by_agent, *counts in cursor.fetchall():
            counts = dict(zip(FUNNEL_NAMES, counts, strict=True))
            if by_agent:
                rows.append({"agent_id": agent_id, "team_id": team_id, **counts})
            elif campaign_id is not None:
                by_campaign.setdefault(campaign_id, {}).update(counts)
    return rows


FUNNEL_NAMES = ("shown", "offered", "thinking", "agreed")


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
    """The agents who had started by the end of the month: user, current team, start date."""
    agents = AgentProfile.objects.filter(started_on__lt=calendar.next_month(month))
    if agent_ids is not None:
        agents = agents.filter(user_id__in=agent_ids)
    return agents.values_list("user_id", "team_id", "started_on").order_by("user_id")


def month_memberships(month, *, agent_ids=None) -> dict[int, list[tuple]]:
    """Per agent, the memberships that touch the month: (from, to or None, team), by start."""
    memberships = TeamMembership.objects.filter(valid_from__lt=calendar.next_month(month)).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=month)
    )
    if agent_ids is not None:
        memberships = memberships.filter(agent_id__in=agent_ids)
    result = defaultdict(list)
    for agent_id, valid_from, valid_to, team_id in memberships.order_by(
        "agent_id", "valid_from"
    ).values_list("agent_id", "valid_from", "valid_to", "team_id"):
        result[agent_id].append((valid_from, valid_to, team_id))
    return result


def team_on(memberships: list[tuple], day, current_team_id) -> int:
    """The team of a day from an agent's memberships, the current team where none covers it."""
    for valid_from, valid_to, team_id in memberships:
        if valid_from <= day and (valid_to is None or day <= valid_to):
            return team_id
    return current_team_id


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


def _by_agent_and_team(rows, current_teams) -> dict[tuple[int, int], dict]:
    """Aggregate rows keyed by (agent, team), the current team standing in for "no history"."""
    merged = defaultdict(dict)
    for row in rows:
        agent_id = row["agent_id"]
        if agent_id not in current_teams:
            continue  # not (yet) an agent of this month
        key = (agent_id, row["team_id"] or current_teams[agent_id])
        figures = merged[key]
        for name, value in row.items():
            if name == "daily":
                days = figures.setdefault("daily", {})
                for day, count in value.items():
                    days[day] = days.get(day, 0) + count
            elif name not in ("agent_id", "team_id") and value is not None:
                figures[name] = figures.get(name, 0) + value
    return merged


def agent_month_rows(month, *, agent_ids=None, now=None, engine=None) -> list[AgentMonth]:
    """`agent_month_values` as (unsaved) model rows."""
    return [
        AgentMonth(**vars(values))
        for values in agent_month_values(month, agent_ids=agent_ids, now=now, engine=engine)
    ]


def agent_month_values(
    month, *, agent_ids=None, now=None, engine=None, by_campaign=None
) -> list[SimpleNamespace]:
    """Each agent's month in each team as the job writes it (unsaved rows), from two aggregates.

    An agent has a row in every team the month's orders or results count for, and at least one
    (the team of the agent's first day in the month) when there are none. The target, from that
    first team's target for the month (10 by default), prorated for a starter, is the agent's for
    the whole month: every row carries it with the agent's orders of the month in all teams.
    """
    now = now or timezone.now()
    engine = engine or Engine.load()
    agents = list(month_agents(month, agent_ids=agent_ids))
    current = {agent_id: team_id for agent_id, team_id, _started in agents}
    memberships = month_memberships(month, agent_ids=agent_ids)
    figures = _by_agent_and_team(
        order_aggregates(month, engine=engine, agent_ids=agent_ids, by_campaign=by_campaign),
        current,
    )
    for key, funnel in _by_agent_and_team(
        agent_funnel_aggregates(month, agent_ids=agent_ids, by_campaign=by_campaign), current
    ).items():
        figures[key].update(funnel)
    for key, adjusted in _by_agent_and_team(
        dispute_aggregates(month, agent_ids=agent_ids), current
    ).items():
        figures[key].update(adjusted)
    teams_of = defaultdict(list)
    for agent_id, team in sorted(figures):
        teams_of[agent_id].append(team)
    targets = team_targets(month)
    rows = []
    for agent_id, team_id, started_on in agents:
        first_team = team_on(memberships.get(agent_id, []), max(month, started_on), team_id)
        base = targets.get(first_team, DEFAULT_TARGET)
        target = calendar.prorated_target(base, month=month, started_on=started_on)
        teams = teams_of.get(agent_id) or [first_team]
        month_total = sum(figures.get((agent_id, team), {}).get("orders", 0) for team in teams)
        for team in teams:
            rows.append(
                _row(
                    month,
                    agent_id,
                    team,
                    figures.get((agent_id, team), {}),
                    now=now,
                    base=base,
                    target=target,
                    month_total=month_total,
                )
            )
    return rows


def dispute_aggregates(month, *, agent_ids=None) -> list[dict]:
    """Per agent and team, the adjustments (kopecks) of the statement disputes accepted into the
    month: a raw event of their own, so the job, a refresh and `audit_month` all count them."""
    disputes = StatementDispute.objects.filter(
        status=DisputeStatus.ACCEPTED, adjustment_month=month
    )
    if agent_ids is not None:
        disputes = disputes.filter(agent_id__in=agent_ids)
    rows = defaultdict(int)
    for agent_id, team_id, amount in disputes.values_list(
        "agent_id", "adjustment_team_id", "amount"
    ):
        rows[(agent_id, team_id)] += kopecks(amount)
    return [
        {"agent_id": agent_id, "team_id": team_id, "disputes": total}
        for (agent_id, team_id), total in sorted(rows.items())
    ]


def _daily_list(month, days: dict[int, int]) -> list[int]:
    """The orders of each day of the month, day 1 first."""
    length = (calendar.next_month(month) - month).days
    return [days.get(day, 0) for day in range(1, length + 1)]


def _row(month, agent_id, team_id, figures, *, now, base, target, month_total) -> SimpleNamespace:
    """A row's values by attribute name (a model instance costs more than the whole aggregate's
    Python side; the job builds instances only for the rows it writes)."""
    earned, clawed = roubles(figures.get("earned")), roubles(figures.get("clawed"))
    disputes = roubles(figures.get("disputes"))
    return SimpleNamespace(
        agent_id=agent_id,
        month=month,
        team_id=team_id,
        base_target=base,
        target=target,
        prorated=target != base,
        month_orders=month_total,
        reward_earned=earned,
        reward_clawed_back=clawed,
        reward_disputes=disputes,
        reward_total=earned - clawed + disputes,
        reward_pending=roubles(figures.get("pending")),
        ordered=figures.get("orders", 0),
        daily=_daily_list(month, figures.get("daily", {})),
        locked=False,
        computed_at=now,
        **{name: figures.get(name, 0) for name in FIGURES},
    )


def campaign_month_rows(month, *, now=None, figures=None) -> list[CampaignMonth]:
    """Each campaign's funnel of the month (`figures`: by campaign, its funnel, ordered and
    connected, when the job has them already from `agent_month_values(by_campaign=…)`)."""
    now = now or timezone.now()
    if figures is None:
        figures = defaultdict(dict)
        for r in funnel_aggregates(month, by="target__campaign_id"):
            figures[r["target__campaign_id"]].update(r)
        for r in campaign_order_aggregates(month):
            figures[r["campaign_id"]].update(r)
    rows = []
    for campaign_id in sorted(figures):
        counts = figures[campaign_id]
        rows.append(
            CampaignMonth(
                campaign_id=campaign_id,
                month=month,
                computed_at=now,
                **{step: counts.get(step, 0) for step in FUNNEL_STEPS},
            )
        )
    return rows

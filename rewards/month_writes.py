"""The monthly job on PostgreSQL: the month's rows merged and written by the database.

The two passes of the month (the items, `selectors.order_and_campaign_sql`, and the results,
`selectors.funnel_and_campaign_sql`) go into temporary tables, in parallel like any SELECT; one
statement then merges their rows per agent and team (the current team standing in for "no
history"), adds each agent's first team, target and month total, and writes the rows with
`INSERT … SELECT … ON CONFLICT DO UPDATE … WHERE … IS DISTINCT FROM`, the locked rows'
adjustments and the removal of rows no longer produced; a second does the same for the
campaigns. No row goes to Python and back: the figures are those of
`selectors.agent_month_values` and `services._write_agent_months` (which still serve one agent's
refresh, SQLite and `audit_month`, and the tests hold the two to the same rows).
"""

import datetime

from django.db import connection

from rewards import calendar
from rewards.engine import Engine
from rewards.models import DEFAULT_TARGET, AgentMonth, CampaignMonth, DisputeStatus
from rewards.selectors import figures

ORDERS = "rw_month_orders"
RESULTS = "rw_month_results"
FIGURE_COLUMNS = figures.ORDER_FIGURE_NAMES
FUNNEL_COLUMNS = ("shown", "offered", "thinking", "agreed")
WIDTH = len(str(figures.DAY_BASE)) - 1  # the digits of one day's count in the packed sum
# What the job writes of an agent's month (an upsert updates these and computed_at).
UPDATED = (
    "target",
    "base_target",
    "prorated",
    "month_orders",
    *figures.FIGURES,
    "ordered",
    "daily",
    "reward_earned",
    "reward_clawed_back",
    "reward_total",
    "reward_pending",
    "reward_disputes",
    "locked",
)


def _sums(columns, *, source="r") -> str:
    return ", ".join(f"SUM({source}.{c}) AS {c}" for c in columns)


def _nulls(columns) -> str:
    return ", ".join(f"NULL::numeric AS {c}" for c in columns)


# Every figure row of the month's agents, keyed by agent and team (NULL: the current team; with
# no team history in the month, a column of NULLs only, which PostgreSQL types as text).
RAW = f"""
SELECT agent, team::bigint, {", ".join(FIGURE_COLUMNS)}, days, {_nulls(FUNNEL_COLUMNS)},
       NULL::numeric AS disputes
FROM {ORDERS} WHERE by_agent = 1
UNION ALL
SELECT agent, team::bigint, {_nulls(FIGURE_COLUMNS)}, NULL::numeric, {", ".join(FUNNEL_COLUMNS)},
       NULL
FROM {RESULTS} WHERE by_agent = 1
UNION ALL
SELECT agent_id, adjustment_team_id, {_nulls(FIGURE_COLUMNS)}, NULL, {_nulls(FUNNEL_COLUMNS)},
       SUM(round(amount * 100))
FROM rewards_statementdispute WHERE status = %(accepted)s AND adjustment_month = %(month)s
GROUP BY agent_id, adjustment_team_id
"""


def _roubles(kopecks: str) -> str:
    return f"(COALESCE({kopecks}, 0) / 100)::numeric(12, 2)"


def _count(column: str) -> str:
    return f"COALESCE(f.{column}, 0)::integer AS {column}"


def _daily(days: int) -> str:
    """The packed orders of each day (`figures.PACKED_DAYS`) as the row's JSON list, day 1 first:
    day d is the d-th group of six digits of the packed sum written out to 31 groups (`p.digits`),
    a substring each (a regular expression splitting the text cost more)."""
    groups = ", ".join(
        f"substr(p.digits, {WIDTH * day + 1}, {WIDTH})::integer" for day in range(days)
    )
    return f"to_jsonb(ARRAY[{groups}])"


def _rows_sql(days: int) -> str:
    """The month's rows as `agent_month_values` builds them: a row per agent and team its figures
    count for, or one in the first team of the agent's month; the target from that first team's
    (prorated for a starter: integer half-up of target × working days left / working days)."""
    figure_sums = _sums([*FIGURE_COLUMNS, "days", *FUNNEL_COLUMNS, "disputes"])
    return f"""
a AS (
    SELECT p.user_id AS agent, p.team_id AS current_team, p.started_on,
           GREATEST(p.started_on, %(month)s) AS first_day
    FROM campaigns_agentprofile p WHERE p.started_on < %(next)s
),
f AS (
    SELECT r.agent, COALESCE(r.team, a.current_team) AS team, {figure_sums}
    FROM ({RAW}) r JOIN a ON a.agent = r.agent
    GROUP BY r.agent, COALESCE(r.team, a.current_team)
),
t AS (
    SELECT a.agent, a.started_on, COALESCE(m.team_id, a.current_team) AS first_team
    FROM a LEFT JOIN LATERAL (
        SELECT m.team_id FROM campaigns_teammembership m
        WHERE m.agent_id = a.agent AND m.valid_from < %(next)s
          AND (m.valid_to IS NULL OR m.valid_to >= %(month)s)
          AND m.valid_from <= a.first_day AND (m.valid_to IS NULL OR a.first_day <= m.valid_to)
        ORDER BY m.valid_from LIMIT 1
    ) m ON true
),
b AS (
    SELECT t.*, COALESCE(mt.target, %(default_target)s) AS base
    FROM t LEFT JOIN rewards_monthlytarget mt
        ON mt.team_id = t.first_team AND mt.month = %(month)s
),
rows AS MATERIALIZED (
    SELECT b.agent, COALESCE(f.team, b.first_team) AS team, b.base,
           CASE WHEN b.started_on <= %(month)s THEN b.base
                WHEN %(working_days)s = 0 OR l.left_days = 0 THEN 0
                ELSE GREATEST(1, (2 * b.base * l.left_days + %(working_days)s)
                                 / (2 * %(working_days)s))
           END AS target,
           {", ".join(_count(c) for c in figures.FIGURES if c not in FUNNEL_COLUMNS)},
           {", ".join(_count(c) for c in FUNNEL_COLUMNS)},
           (SUM(COALESCE(f.orders, 0)) OVER (PARTITION BY b.agent))::integer AS month_orders,
           {_daily(days)} AS daily,
           {_roubles("f.earned")} AS reward_earned,
           {_roubles("f.clawed")} AS reward_clawed_back,
           {_roubles("f.disputes")} AS reward_disputes,
           ((COALESCE(f.earned, 0) - COALESCE(f.clawed, 0) + COALESCE(f.disputes, 0)) / 100)
               ::numeric(12, 2) AS reward_total,
           {_roubles("f.pending")} AS reward_pending
    FROM b LEFT JOIN f ON f.agent = b.agent
    CROSS JOIN LATERAL (  -- OFFSET 0: the text is made once per row, not once per day
        SELECT lpad(COALESCE(f.days, 0)::text, {WIDTH * figures.LAST_DAY}, '0') AS digits OFFSET 0
    ) p
    LEFT JOIN (
        SELECT %(month)s::date + (i - 1)::integer AS day, n AS left_days
        FROM unnest(%(left_days)s::integer[]) WITH ORDINALITY AS w(n, i)
    ) l ON l.day = b.started_on
)"""


def _agent_write_sql(days: int) -> str:
    """The rows written: open rows upserted (rewritten only where they differ), locked rows'
    differences into their adjustments, open rows no longer produced deleted."""
    columns = [f.column for f in AgentMonth._meta.concrete_fields if not f.primary_key]
    values = {
        "agent_id": "r.agent",
        "month": "%(month)s",
        "team_id": "r.team",
        "prorated": "r.target <> r.base",
        "base_target": "r.base",
        "ordered": "r.orders",
        "locked": "false",
        "adjustment_orders": "0",
        "adjustment_connected": "0",
        "adjustment_reward": "0",
        "computed_at": "%(now)s",
    }
    selected = ", ".join(values.get(c, f"r.{c}") for c in columns)
    return f"""
WITH {_rows_sql(days)},
locked AS (
    SELECT l.id, l.orders, l.connected, l.reward_total, l.agent_id, l.team_id
    FROM rewards_agentmonth l WHERE l.month = %(month)s AND l.locked
),
written AS (
    INSERT INTO rewards_agentmonth ({", ".join(columns)})
    SELECT {selected} FROM rows r
    WHERE NOT EXISTS (
        SELECT 1 FROM locked l WHERE l.agent_id = r.agent AND l.team_id = r.team
    )
    ORDER BY r.agent, r.team
    {_on_conflict(AgentMonth, ["agent_id", "month", "team_id"], UPDATED)}
    RETURNING 1
),
adjusted AS (
    UPDATE rewards_agentmonth SET
        adjustment_orders = COALESCE(x.orders, 0) - x.stored_orders,
        adjustment_connected = COALESCE(x.connected, 0) - x.stored_connected,
        adjustment_reward = COALESCE(x.reward_total, 0) - x.stored_total
    FROM (
        SELECT l.id, l.orders AS stored_orders, l.connected AS stored_connected,
               l.reward_total AS stored_total, r.orders, r.connected, r.reward_total
        FROM locked l LEFT JOIN rows r ON r.agent = l.agent_id AND r.team = l.team_id
    ) x
    WHERE rewards_agentmonth.id = x.id
    RETURNING 1
),
gone AS (
    DELETE FROM rewards_agentmonth s
    WHERE s.month = %(month)s AND NOT s.locked
      AND (s.agent_id, s.team_id) NOT IN (SELECT r.agent, r.team FROM rows r)
    RETURNING 1
)
SELECT (SELECT count(*) FROM written), (SELECT count(DISTINCT agent) FROM rows),
       (SELECT COALESCE(SUM(orders), 0) FROM rows),
       (SELECT count(*) FROM adjusted), (SELECT count(*) FROM gone)
"""


def _on_conflict(model, keys, updated) -> str:
    """`ON CONFLICT (keys) DO UPDATE` of the rows whose `updated` columns differ."""
    table = model._meta.db_table
    columns = [model._meta.get_field(f).column for f in updated]
    return (
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET "
        + ", ".join(f"{c} = EXCLUDED.{c}" for c in [*columns, "computed_at"])
        + f" WHERE ({', '.join(f'{table}.{c}' for c in columns)})"
        + f" IS DISTINCT FROM ({', '.join(f'EXCLUDED.{c}' for c in columns)})"
    )


CAMPAIGN_WRITE_SQL = f"""
WITH c AS MATERIALIZED (
    SELECT campaign, {", ".join(f"COALESCE(SUM({s}), 0)::integer AS {s}" for s in figures.FUNNEL_STEPS)}
    FROM (
        SELECT campaign, {_nulls(FUNNEL_COLUMNS)}, orders AS ordered,
               ordered_connected AS connected
        FROM {ORDERS} WHERE by_agent = 0 AND campaign IS NOT NULL
        UNION ALL
        SELECT campaign, {", ".join(FUNNEL_COLUMNS)}, NULL, NULL
        FROM {RESULTS} WHERE by_agent = 0 AND campaign IS NOT NULL
    ) x
    GROUP BY campaign
),
written AS (
    INSERT INTO rewards_campaignmonth (campaign_id, month, {", ".join(figures.FUNNEL_STEPS)},
                                       computed_at)
    SELECT campaign, %(month)s, {", ".join(figures.FUNNEL_STEPS)}, %(now)s FROM c
    ORDER BY campaign
    {_on_conflict(CampaignMonth, ["campaign_id", "month"], figures.FUNNEL_STEPS)}
    RETURNING 1
),
gone AS (
    DELETE FROM rewards_campaignmonth s
    WHERE s.month = %(month)s AND NOT EXISTS (SELECT 1 FROM c WHERE c.campaign = s.campaign_id)
    RETURNING 1
)
SELECT (SELECT count(*) FROM c), (SELECT count(*) FROM written), (SELECT count(*) FROM gone)
"""


def _passes(cursor, month, engine: Engine) -> None:
    """The month's two passes, each into a temporary table of this transaction."""
    sql, params = figures.order_and_campaign_sql(month, engine=engine)
    cursor.execute(
        f"CREATE TEMPORARY TABLE {ORDERS} (agent, team, campaign, by_agent, "
        f"{', '.join(FIGURE_COLUMNS)}, days) ON COMMIT DROP AS {sql}",
        params,
    )
    cursor.execute(
        f"SELECT max(n) FROM (SELECT SUM(orders) AS n FROM {ORDERS} WHERE by_agent = 1 "
        "GROUP BY agent) s"
    )
    most = cursor.fetchone()[0] or 0
    if most >= figures.DAY_BASE:
        raise OverflowError(f"{most} orders in a month: the days cannot be packed")
    sql, params = figures.funnel_and_campaign_sql(month)
    cursor.execute(
        f"CREATE TEMPORARY TABLE {RESULTS} (agent, team, campaign, by_agent, "
        f"{', '.join(FUNNEL_COLUMNS)}) ON COMMIT DROP AS {sql}",
        params,
    )


def month_write(month: datetime.date, *, engine: Engine, now) -> dict:
    """Compute and write every agent's month and every campaign's funnel (PostgreSQL, inside the
    job's transaction); returns what was done: agents, orders, rows written, campaigns."""
    end = calendar.next_month(month)
    days = (end - month).days
    params = {
        "month": month,
        "next": end,
        "now": now,
        "accepted": DisputeStatus.ACCEPTED.value,
        "default_target": DEFAULT_TARGET,
        "working_days": calendar.working_days(month, end),
        "left_days": [
            calendar.working_days(month + datetime.timedelta(days=i), end) for i in range(days)
        ],
    }
    with connection.cursor() as cursor:
        _passes(cursor, month, engine)
        cursor.execute(_agent_write_sql(days), params)
        written, agents, orders, _adjusted, _gone = cursor.fetchone()
        cursor.execute(CAMPAIGN_WRITE_SQL, params)
        campaigns, _written, _gone = cursor.fetchone()
        cursor.execute(f"DROP TABLE {ORDERS}, {RESULTS}")
    return {"agents": agents, "orders": int(orders), "written": written, "campaigns": campaigns}

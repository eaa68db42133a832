"""The leaderboard: the month's rows of the teams a user may see, ranked, with totals and the
daily orders chart."""

import datetime

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
    Window,
)
from django.db.models.functions import Rank
from django.utils import timezone

from campaigns.models import Team
from campaigns.selectors import overdue_callbacks_by_agent
from config.floor import roles
from rewards import calendar
from rewards.models import AgentMonth, MonthLock


def teams_visible_to(user):
    """The teams a user may see on the leaderboard: managers all, supervisors those they lead."""
    teams = Team.objects.select_related("department").order_by("department__name", "name")
    if roles.has_role(user, roles.MANAGERS):
        return teams
    if roles.has_role(user, roles.SUPERVISORS):
        return teams.filter(supervisors=user)
    return teams.none()


def leaderboard(month, *, team_ids):
    """The month's rows for the teams, ranked.

    Ranking: standard competition ranking ("1224") by orders, then connected, both descending:
    agents equal on both share a rank and the next agent's rank counts everyone ahead. Equal
    agents are listed by name. A row is an agent's month in one team (an agent who moved has
    one in each); `orders` are those that count for that team, `month_orders` all of the agent's
    in the month (what the target is measured against). `previous_orders` is the agent's orders
    of last month, for the trend.
    """
    previous = AgentMonth.objects.filter(
        agent_id=OuterRef("agent_id"), month=calendar.previous_month(month)
    ).values("month_orders")[:1]
    return (
        AgentMonth.objects.filter(month=month, team_id__in=team_ids)
        .select_related("agent", "team", "agent__agent_profile")
        .annotate(
            rank=Window(Rank(), order_by=[F("orders").desc(), F("connected").desc()]),
            previous_orders=Subquery(previous),
        )
        .order_by("rank", "agent__last_name", "agent__first_name", "agent_id")
    )


def with_overdue_callbacks(rows, *, now=None) -> list:
    """The rows (a page, or all of them for the export), each with `overdue_callbacks`: the
    agent's callbacks overdue now, whatever the month shown (issue 12 §1); one query."""
    rows = list(rows)
    counts = overdue_callbacks_by_agent(agent_ids={row.agent_id for row in rows}, now=now)
    for row in rows:
        row.overdue_callbacks = counts.get(row.agent_id, 0)
    return rows


def overdue_callbacks_total(month, *, team_ids, now=None) -> int:
    """The callbacks overdue now of the agents the month's rows list for the teams."""
    agent_ids = AgentMonth.objects.filter(month=month, team_id__in=team_ids).values_list(
        "agent_id", flat=True
    )
    return sum(
        overdue_callbacks_by_agent(agent_ids=agent_ids.order_by().distinct(), now=now).values()
    )


def leaderboard_totals(month, *, team_ids) -> dict:
    """The scope's totals; an agent counts once (agents, met, target) whatever their teams."""
    rows = AgentMonth.objects.filter(month=month, team_id__in=team_ids)
    totals = rows.aggregate(
        orders=Sum("orders"),
        connected=Sum("connected"),
        reward_total=Sum("reward_total"),
        oldest=Min("computed_at"),
        newest=Max("computed_at"),
    )
    per_agent = rows.values("agent_id").annotate(
        agent_target=Max("target"),
        agent_met=Max(
            Case(
                When(Q(target__gt=0, month_orders__gte=F("target")), then=1),
                default=0,
                output_field=IntegerField(),
            )
        ),
    )
    agents = per_agent.aggregate(
        agents=Count("agent_id"), met=Sum("agent_met"), target=Sum("agent_target")
    )
    return {
        **{key: value or 0 for key, value in {**totals, **agents}.items()},
        "overdue_callbacks": overdue_callbacks_total(month, team_ids=team_ids),
        "oldest": totals["oldest"],
        "newest": totals["newest"],
    }


def daily_orders(month, *, team_ids, today=None) -> list[tuple[datetime.date, int]]:
    """Orders (not cancelled) registered each day of the month that count for the teams, from
    the stored rows (the same truth as the leaderboard's figures)."""
    today = today or timezone.localdate()
    totals = [0] * 31
    rows = AgentMonth.objects.filter(month=month, team_id__in=team_ids).order_by()
    for daily in rows.values_list("daily", flat=True):
        for index, count in enumerate(daily or ()):
            totals[index] += count
    counts = {month + datetime.timedelta(days=i): n for i, n in enumerate(totals) if n}
    last = min(calendar.next_month(month), today + datetime.timedelta(days=1))
    days = []
    day = month
    while day < last:
        days.append((day, counts.get(day, 0)))
        day += datetime.timedelta(days=1)
    return days


def locked_team_ids(month, *, team_ids) -> set[int]:
    return set(
        MonthLock.objects.filter(month=month, team_id__in=team_ids).values_list(
            "team_id", flat=True
        )
    )

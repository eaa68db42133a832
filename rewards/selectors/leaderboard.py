"""The leaderboard: the month's rows of the teams a user may see, ranked, with totals and the
daily orders chart."""

import datetime

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum, Window
from django.db.models.functions import Rank, TruncDate
from django.utils import timezone

from campaigns.models import ConnectionOrder, Team
from config.floor import roles
from rewards import calendar
from rewards.models import AgentMonth, MonthLock
from rewards.selectors.figures import _in


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
    agents are listed by name. `previous_orders` is last month's orders, for the trend.
    """
    previous = AgentMonth.objects.filter(
        agent_id=OuterRef("agent_id"), month=calendar.previous_month(month)
    ).values("orders")[:1]
    return (
        AgentMonth.objects.filter(month=month, team_id__in=team_ids)
        .select_related("agent", "team", "agent__agent_profile")
        .annotate(
            rank=Window(Rank(), order_by=[F("orders").desc(), F("connected").desc()]),
            previous_orders=Subquery(previous),
        )
        .order_by("rank", "agent__last_name", "agent__first_name", "agent_id")
    )


def leaderboard_totals(month, *, team_ids) -> dict:
    rows = AgentMonth.objects.filter(month=month, team_id__in=team_ids)
    totals = rows.aggregate(
        agents=Count("id"),
        met=Count("id", filter=Q(orders__gte=F("target"))),
        orders=Sum("orders"),
        target=Sum("target"),
        connected=Sum("connected"),
        reward_total=Sum("reward_total"),
    )
    return {key: value or 0 for key, value in totals.items()}


def daily_orders(month, *, team_ids, today=None) -> list[tuple[datetime.date, int]]:
    """Orders (not cancelled) registered each day of the month by the teams' agents."""
    today = today or timezone.localdate()
    counts = dict(
        ConnectionOrder.objects.counted()
        .filter(_in("created_at", month), agent__agent_profile__team_id__in=team_ids)
        .annotate(day=TruncDate("created_at"))
        .values_list("day")
        .annotate(n=Count("id"))
        .order_by()
    )
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

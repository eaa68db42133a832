"""Reads on statement disputes: who sees which, open counts, where an adjustment is booked."""

import datetime

from django.db.models import Q

from campaigns.models import ConnectionOrder
from config.floor import roles
from rewards import calendar
from rewards.models import MonthLock, StatementDispute
from rewards.selectors.figures import _in


def disputes_visible_to(user):
    """Agents their own, supervisors their teams' agents', managers all."""
    return StatementDispute.objects.visible_to(user).select_related(
        "agent",
        "order",
        "offer",
        "resolved_by",
        "adjustment_team",
    )


def open_count(user) -> int:
    """Open disputes the user sees (a supervisor: of the teams led; a manager: all)."""
    return StatementDispute.objects.visible_to(user).open().count()


def may_decide(user, dispute) -> bool:
    """A manager, or a supervisor of the agent's (current) team."""
    if roles.has_role(user, roles.MANAGERS):
        return True
    return roles.has_role(user, roles.SUPERVISORS) and (
        StatementDispute.objects.filter(pk=dispute.pk)
        .filter(agent__agent_profile__team__supervisors=user)
        .exists()
    )


def statement_orders(*, agent_id: int, month: datetime.date):
    """The agent's orders with a line in the month's statement: registered, connected, or
    cancelled with a clawback in it (what `rewards.selectors.statements` lists)."""
    return ConnectionOrder.objects.filter(agent_id=agent_id).filter(
        _in("created_at", month)
        | _in("connected_at", month)
        | (_in("cancelled_at", month) & Q(clawback=True))
    )


def next_open_month(*, team_id: int, disputed: datetime.date, today: datetime.date):
    """The month an accepted dispute's adjustment is booked in: the first month after the
    disputed one that the team has not locked, never after the running month (which cannot be
    locked); a dispute of the running month is adjusted in it."""
    running = today.replace(day=1)
    if disputed >= running:
        return running
    month = calendar.next_month(disputed)
    locked = set(
        MonthLock.objects.filter(team_id=team_id, month__gte=month, month__lt=running).values_list(
            "month", flat=True
        )
    )
    while month < running and month in locked:
        month = calendar.next_month(month)
    return month


def disputes_of_month(*, agent_id: int, month: datetime.date):
    """The agent's disputes about the month's statement or adjusted in it (for `/me/`)."""
    return (
        StatementDispute.objects.filter(agent_id=agent_id)
        .filter(Q(month=month) | Q(adjustment_month=month))
        .select_related("order", "offer")
    )

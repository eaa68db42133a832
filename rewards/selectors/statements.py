"""The agent's own month: live figures for an open month, frozen ones for a locked month, and the
earnings statement line by line."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from campaigns.models import AgentProfile, ConnectionOrder, OrderStatus
from rewards import calendar
from rewards.engine import Engine, roubles, without_jit
from rewards.models import AgentMonth, LineState, MonthLock, RewardLine, RewardRule
from rewards.selectors.figures import _in, agent_month_rows


@dataclass
class Line:
    """One line of a statement: an order, a rule it met (or none), the amount and its state."""

    order: ConnectionOrder
    rule: RewardRule | None
    state: str
    amount: Decimal
    counted: bool
    note: str = ""

    @property
    def state_label(self):
        return LineState(self.state).label


@dataclass
class Statement:
    lines: list[Line] = field(default_factory=list)

    def _sum(self, state, counted=True):
        return sum(
            (line.amount for line in self.lines if line.state == state and line.counted == counted),
            Decimal("0.00"),
        )

    @property
    def earned(self):
        return self._sum(LineState.EARNED)

    @property
    def clawed_back(self):
        return -self._sum(LineState.CLAWED_BACK)

    @property
    def pending(self):
        return self._sum(LineState.PENDING)

    @property
    def total(self):
        return self.earned - self.clawed_back


def _statement_orders(month, *, agent_ids, engine):
    columns = engine.term_columns()
    orders = (
        engine.annotate(ConnectionOrder.objects.filter(agent_id__in=agent_ids))
        .filter(
            _in("created_at", month)
            | _in("connected_at", month)
            | (_in("cancelled_at", month) & Q(clawback=True))
        )
        .annotate(**columns)
        .select_related("product", "tariff", "campaign")
        .order_by("created_at", "id")
    )
    return orders, list(columns)


def _order_lines(order, month, terms, aliases) -> list[Line]:
    start, end = calendar.month_bounds(month)
    met = [(term.rule, getattr(order, alias)) for term, alias in zip(terms, aliases, strict=True)]
    met = [(rule, kop) for rule, kop in met if kop is not None] or [(None, 0)]
    lines = []
    if order.connected_at is not None:
        counted = start <= order.connected_at < end
        clawed_here = order.clawback and start <= order.cancelled_at < end
        if counted or not clawed_here:
            # Earned here, or registered here and earned in the month of its connection.
            lines += [
                Line(order, rule, LineState.EARNED, roubles(kop), counted) for rule, kop in met
            ]
        if clawed_here:
            lines += [
                Line(order, rule, LineState.CLAWED_BACK, -roubles(kop), True) for rule, kop in met
            ]
    elif order.status == OrderStatus.CANCELLED:
        lines += [Line(order, rule, LineState.CANCELLED, roubles(0), False) for rule, _kop in met]
    else:
        lines += [Line(order, rule, LineState.PENDING, roubles(kop), True) for rule, kop in met]
    return lines


def statements(month, *, agent_ids, engine=None) -> dict[int, Statement]:
    """Each agent's statement for the month, worked out now from the orders (one query)."""
    engine = engine or Engine.load()
    orders, aliases = _statement_orders(month, agent_ids=agent_ids, engine=engine)
    terms = [term for term, _condition in engine.guarded()]
    result = defaultdict(Statement)
    for order in orders:
        result[order.agent_id].lines += _order_lines(order, month, terms, aliases)
    return {agent_id: result[agent_id] for agent_id in agent_ids}


def frozen_statement(agent_id, month) -> Statement:
    """The statement as it stood when the month was locked."""
    lines = (
        RewardLine.objects.filter(agent_id=agent_id, month=month)
        .select_related("order__product", "order__tariff", "order__campaign", "rule")
        .order_by("position")
    )
    return Statement(
        [Line(line.order, line.rule, line.state, line.amount, line.counted) for line in lines]
    )


@dataclass
class Progress:
    """An agent's month for their own page and `/me/progress/`."""

    month: datetime.date
    row: AgentMonth
    statement: Statement
    pace: calendar.Pace
    locked: bool


@transaction.atomic
def agent_progress(agent, month, *, today=None) -> Progress | None:
    """Live for an open month (the job's own code, for one agent); as locked for a locked one.

    One transaction, so that the figures and the statement read the same orders.
    """
    without_jit()
    today = today or timezone.localdate()
    profile = AgentProfile.objects.filter(user=agent).only("started_on", "team_id").first()
    if profile is None:
        return None
    locked = MonthLock.objects.filter(month=month, team_id=profile.team_id).exists()
    row = AgentMonth.objects.filter(agent=agent, month=month).first() if locked else None
    if row is None:
        locked = False
        engine = Engine.load()
        rows = agent_month_rows(month, agent_ids=[agent.pk], engine=engine)
        if not rows:
            return None
        row = rows[0]
        statement = statements(month, agent_ids=[agent.pk], engine=engine)[agent.pk]
    else:
        statement = frozen_statement(agent.pk, month)
    pace = calendar.pace(
        orders=row.orders,
        target=row.target,
        month=month,
        started_on=profile.started_on,
        today=today,
    )
    return Progress(month, row, statement, pace, locked)

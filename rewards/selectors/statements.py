"""The agent's own month: live figures for an open month, frozen ones for a locked month, and the
earnings statement line by line."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from campaigns.models import AgentProfile, ConnectionOrder, OrderStatus, TeamMembership
from offers.models import Offer
from rewards import calendar
from rewards.engine import Engine, extra_items, roubles, without_jit
from rewards.models import AgentMonth, LineState, RewardLine, RewardRule
from rewards.selectors.callbacks import callback_funnel
from rewards.selectors.figures import _in, team_on


@dataclass
class Line:
    """One line of a statement: an item of an order (its main offer or an extra), a rule it met
    (or none), the amount, its state and the team the order counts for."""

    order: ConnectionOrder
    rule: RewardRule | None
    state: str
    amount: Decimal
    counted: bool
    note: str = ""
    offer: Offer | None = None
    team_id: int | None = None

    @property
    def state_label(self):
        return LineState(self.state).label

    @property
    def item(self) -> Offer | None:
        return self.offer or self.order.product or self.order.tariff


@dataclass
class Statement:
    lines: list[Line] = field(default_factory=list)

    def _sum(self, state, counted=True):
        return sum(
            (line.amount for line in self.lines if line.state == state and line.counted == counted),
            Decimal("0.00"),
        )

    def for_team(self, team_id) -> "Statement":
        return Statement([line for line in self.lines if line.team_id == team_id])

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


def _statement_items(month, *, agent_ids, engine):
    """The agents' orders the month's statement is about, and their extras, each with a column
    per term of the catalogue (its kopecks, NULL where it does not apply)."""
    columns = engine.term_columns()
    orders = ConnectionOrder.objects.filter(agent_id__in=agent_ids).filter(
        _in("created_at", month)
        | _in("connected_at", month)
        | (_in("cancelled_at", month) & Q(clawback=True))
    )
    main = (
        engine.annotate(orders)
        .annotate(**columns)
        .select_related("product", "tariff", "campaign")
        .order_by("created_at", "id")
    )
    extras = defaultdict(list)
    for extra in (
        engine.annotate_extras(extra_items(orders))
        .annotate(**columns)
        .select_related("offer")
        .order_by("connectionorder_id", "offer__name", "offer_id")
    ):
        extras[extra.connectionorder_id].append(extra)
    return main, extras, list(columns)


def _lines(order, month, met, *, offer, team_id) -> list[Line]:
    start, end = calendar.month_bounds(month)
    met = [(rule, kop) for rule, kop in met if kop is not None] or [(None, 0)]

    def lines(state, sign, counted):
        return [
            Line(order, rule, state, sign * roubles(kop), counted, offer=offer, team_id=team_id)
            for rule, kop in met
        ]

    if order.connected_at is not None:
        counted = start <= order.connected_at < end
        clawed_here = order.clawback and start <= order.cancelled_at < end
        # Earned here, or registered here and earned in the month of its connection.
        result = lines(LineState.EARNED, 1, counted) if counted or not clawed_here else []
        if clawed_here:
            result += lines(LineState.CLAWED_BACK, -1, True)
        return result
    if order.status == OrderStatus.CANCELLED:
        return [
            Line(order, rule, LineState.CANCELLED, roubles(0), False, offer=offer, team_id=team_id)
            for rule, _kop in met
        ]
    return lines(LineState.PENDING, 1, True)


def statements(month, *, agent_ids, engine=None) -> dict[int, Statement]:
    """Each agent's statement for the month, worked out now from the orders: a line per item of
    each order (its main offer, then its extras) and rule it meets, with the order's team."""
    engine = engine or Engine.load()
    main, extras, aliases = _statement_items(month, agent_ids=agent_ids, engine=engine)
    terms = [term for term, _condition in engine.guarded()]
    memberships = month_memberships_all(agent_ids)
    current = dict(
        AgentProfile.objects.filter(user_id__in=agent_ids).values_list("user_id", "team_id")
    )
    result = defaultdict(Statement)
    for order in main:
        team_id = team_on(
            memberships.get(order.agent_id, []),
            timezone.localdate(order.created_at),
            current.get(order.agent_id),
        )
        for item, offer in [(order, order.product or order.tariff)] + [
            (extra, extra.offer) for extra in extras.get(order.pk, [])
        ]:
            met = [(t.rule, getattr(item, a)) for t, a in zip(terms, aliases, strict=True)]
            result[order.agent_id].lines += _lines(order, month, met, offer=offer, team_id=team_id)
    return {agent_id: result[agent_id] for agent_id in agent_ids}


def month_memberships_all(agent_ids) -> dict[int, list[tuple]]:
    """Every membership of the agents: (from, to or None, team), by start."""
    result = defaultdict(list)
    for agent_id, valid_from, valid_to, team_id in (
        TeamMembership.objects.filter(agent_id__in=agent_ids)
        .order_by("agent_id", "valid_from")
        .values_list("agent_id", "valid_from", "valid_to", "team_id")
    ):
        result[agent_id].append((valid_from, valid_to, team_id))
    return result


def frozen_statement(agent_id, month, *, team_id=None) -> Statement:
    """The statement as it stood when the month was locked (for one team's lock, its lines)."""
    lines = RewardLine.objects.filter(agent_id=agent_id, month=month)
    if team_id is not None:  # lines frozen before teams had a history name none
        lines = lines.filter(Q(team_id=team_id) | Q(team_id__isnull=True))
    lines = lines.select_related(
        "order__product", "order__tariff", "order__campaign", "rule", "offer"
    ).order_by("position")
    return Statement(
        [
            Line(
                line.order,
                line.rule,
                line.state,
                line.amount,
                line.counted,
                offer=line.offer,
                team_id=line.team_id,
            )
            for line in lines
        ]
    )


@dataclass
class Progress:
    """An agent's month for their own page and `/me/progress/`: the stored rows (the figures the
    leaderboard shows), summed over the teams the month counts for, and the statement."""

    month: datetime.date
    row: AgentMonth
    statement: Statement
    pace: calendar.Pace
    locked: bool
    teams: list[AgentMonth] = field(default_factory=list)
    computed_at: datetime.datetime | None = None
    # The statement (worked out now) differs from the stored figures: a refresh is on its way.
    stale: bool = False
    # The month's callbacks: «thinking» → agreed and made on time (selectors.callbacks).
    callbacks: dict = field(default_factory=dict)


SUMMED = (
    "orders",
    "connected",
    "cancelled",
    "clawbacks",
    "reward_earned",
    "reward_clawed_back",
    "reward_total",
    "reward_pending",
    "reward_disputes",
    "shown",
    "offered",
    "thinking",
    "agreed",
    "ordered",
    "ordered_connected",
    "adjustment_orders",
    "adjustment_connected",
    "adjustment_reward",
)


def _combined(rows: list[AgentMonth]) -> AgentMonth:
    """The agent's month over all its teams (an unsaved row: the team is the last one)."""
    last = rows[-1]
    combined = AgentMonth(
        agent_id=last.agent_id,
        month=last.month,
        team_id=last.team_id,
        target=last.target,
        base_target=last.base_target,
        prorated=last.prorated,
        month_orders=last.month_orders,
        locked=all(row.locked for row in rows),
        computed_at=min(row.computed_at for row in rows),
    )
    combined.agent = last.agent
    for name in SUMMED:
        setattr(
            combined, name, sum((getattr(row, name) for row in rows), type(getattr(last, name))(0))
        )
    return combined


def stored_rows(agent_id, month) -> list[AgentMonth]:
    """The agent's stored rows of the month, the team of the first day first."""
    return list(
        AgentMonth.objects.filter(agent_id=agent_id, month=month)
        .select_related("agent", "team")
        .order_by("pk")
    )


def _stale(rows, statement) -> bool:
    for row in rows:
        if row.locked:
            continue
        lines = statement.for_team(row.team_id)
        if (lines.earned, lines.clawed_back, lines.pending) != (
            row.reward_earned,
            row.reward_clawed_back,
            row.reward_pending,
        ):
            return True
    return False


@transaction.atomic
def agent_progress(agent, month, *, today=None) -> Progress | None:
    """The agent's month as stored (the same rows as the leaderboard), with the statement: frozen
    lines for a team's locked month, lines worked out now for an open one. None when the month
    has no row for the agent (`services.agent_month_ensure` computes it first).

    One transaction, so that the rows and the statement read the same orders.
    """
    without_jit()
    today = today or timezone.localdate()
    profile = AgentProfile.objects.filter(user=agent).only("started_on", "team_id").first()
    rows = stored_rows(agent.pk, month)
    if profile is None or not rows:
        return None
    live = None
    if not all(row.locked for row in rows):
        live = statements(month, agent_ids=[agent.pk])[agent.pk]
    lines = []
    for row in rows:
        part = frozen_statement(agent.pk, month, team_id=row.team_id) if row.locked else None
        lines += (part or live.for_team(row.team_id)).lines
    statement = Statement(sorted(lines, key=lambda line: (line.order.created_at, line.order.pk)))
    row = _combined(rows)
    pace = calendar.pace(
        orders=row.month_orders,
        target=row.target,
        month=month,
        started_on=profile.started_on,
        today=today,
    )
    return Progress(
        month,
        row,
        statement,
        pace,
        row.locked,
        teams=rows,
        computed_at=row.computed_at,
        stale=live is not None and _stale(rows, live),
        callbacks=callback_funnel(month, agent_id=agent.pk),
    )

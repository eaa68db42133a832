"""Month replay: a seeded generator plays random months through the real services, then checks
that the numbers people act on still hold (issue 10, tests).

Each seed plays the previous and the running month: orders registered (with extras) at random
moments — Moscow midnights and the last second of a month among them — sent, connected,
cancelled before and after connection (within the clawback window and after it), agents moved
between teams, rules revised, and the previous month locked for a team part-way through, so that
later events reach a locked month. Every event runs its transaction's commit callbacks, as in
production (the stored months follow the events). Then every invariant must hold.

Extending it: an event kind is a function `(world, rng) -> None` registered in `EVENTS` with a
weight, an invariant a function `(world) -> None` in `INVARIANTS`; both read and write the
`World` (add fields with defaults). Result transitions and agreement-before-order events plug in
the same way.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns.models import ConnectionOrder, OrderStatus, StatusSource
from campaigns.orders import services as order_services
from campaigns.services import MoveError, agent_team_move
from offers.models import OfferKind, ServiceCode
from rewards import audit, calendar, selectors, services
from rewards.calendar import local_midnight
from rewards.models import AgentMonth, MonthLock, RewardKind, RewardRule
from tests.campaigns.factories import TeamFactory
from tests.rewards.factories import RewardBandFactory
from tests.rewards.support import agent, arpu_rule, fixed_rule, offer, order, supervisor_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

SEEDS = [11, 2024]
EVENTS_PER_SEED = 40
SECOND = datetime.timedelta(seconds=1)


@dataclass
class World:
    """What the generator has made so far."""

    now: datetime.datetime
    current: datetime.date
    previous: datetime.date
    teams: list = field(default_factory=list)
    supervisors: dict = field(default_factory=dict)
    agents: list = field(default_factory=list)
    mains: list = field(default_factory=list)
    extras: list = field(default_factory=list)
    orders: list = field(default_factory=list)
    moves: list = field(default_factory=list)  # (agent, day)
    locked: bool = False
    log: list = field(default_factory=list)


def build_world(rng) -> World:
    now = timezone.now()
    current = timezone.localdate(now).replace(day=1)
    world = World(now=now, current=current, previous=calendar.previous_month(current))
    iptv_new = offer("320", kind=OfferKind.SERVICE, service_code=ServiceCode.IPTV)
    kino = offer("299", kind=OfferKind.PACKAGE, service_code=ServiceCode.IPTV)
    vip = offer("399", kind=OfferKind.PACKAGE, service_code=ServiceCode.IPTV)
    dearer = offer("650", kind=OfferKind.TARIFF)
    fixed_rule("40", [kino], code="iptv-kino")
    fixed_rule("75", [vip], code="iptv-vip")
    arpu_rule("0.75", service_code=ServiceCode.IPTV)
    tiered = RewardRule.objects.create(
        code="bb-upgrade", name="Смена ТП", service=dearer.service, kind=RewardKind.TIERED,
        valid_from=datetime.date(2019, 1, 1),
    )  # fmt: skip
    tiered.offers.set([dearer])
    for low, high, amount in ((0, 100, 15), (100, 300, 50), (300, None, 100)):
        RewardBandFactory(rule=tiered, min_increase=low, max_increase=high, amount=amount)
    world.mains, world.extras = [iptv_new, kino, vip, dearer], [kino, vip]
    world.teams = [TeamFactory(name=f"Команда {i}") for i in (1, 2)]
    for i, team in enumerate(world.teams):
        world.supervisors[team.pk] = supervisor_of(team, username=f"sup{i}")
    for i in range(4):
        world.agents.append(agent(world.teams[i % 2], username=f"agent{i}"))
    starter_day = min(current + datetime.timedelta(days=rng.randrange(28)), timezone.localdate(now))
    world.agents.append(agent(world.teams[0], started_on=starter_day, username="starter"))
    return world


def _moment(world, rng) -> datetime.datetime:
    """A moment of registration: mostly random, often on an edge (a month's first or last second,
    a move's midnight)."""
    month = rng.choice([world.previous, world.current])
    start, end = calendar.month_bounds(month)
    end = min(end, world.now)
    edges = [start, end - SECOND]
    for _agent, day in world.moves:
        edges += [local_midnight(day) - SECOND, local_midnight(day)]
    if rng.random() < 0.3:
        return rng.choice([m for m in edges if start <= m < end] or [start])
    return start + (end - start) * rng.random()


def _later(world, rng, after) -> datetime.datetime:
    """A moment after `after`, now at the latest: soon (hours) or much later (weeks)."""
    span = world.now - after
    if span <= datetime.timedelta(0):
        return world.now
    return after + span * rng.choice([rng.random() * 0.05, rng.random()])


def register(world, rng):
    user = rng.choice(world.agents)
    when = _moment(world, rng)
    if timezone.localdate(when) < user.agent_profile.started_on:
        return
    main = rng.choice(world.mains)
    placed = order(user, main, created=timezone.localdate(when))
    placed.created_at, placed.sent_at = when, None
    if main.kind == OfferKind.TARIFF and rng.random() < 0.7:  # a move to a dearer plan
        placed.previous_tariff = world.mains[0]
        placed.previous_monthly_fee = Decimal(rng.choice(["450", "600", "700"]))
    placed.save()
    placed.status_changes.update(changed_at=when)
    placed.extras.set(rng.sample(world.extras, rng.randrange(len(world.extras) + 1)))
    world.orders.append(placed.pk)
    world.log.append(f"register {placed.pk} {user} {when}")


def _pick(world, rng, *statuses):
    candidates = list(ConnectionOrder.objects.filter(pk__in=world.orders, status__in=statuses))
    return rng.choice(candidates) if candidates else None


def progress(world, rng):
    placed = _pick(world, rng, OrderStatus.REGISTERED, OrderStatus.SENT)
    if placed is None:
        return
    when = _later(world, rng, placed.sent_at or placed.created_at)
    new = OrderStatus.SENT if placed.status == OrderStatus.REGISTERED else OrderStatus.CONNECTED
    order_services.order_set_status(
        order=placed, status=new, source=StatusSource.FULFILMENT, now=when
    )
    world.log.append(f"{new} {placed.pk} {when}")


def cancel(world, rng):
    placed = _pick(world, rng, OrderStatus.REGISTERED, OrderStatus.SENT, OrderStatus.CONNECTED)
    if placed is None:
        return
    when = _later(world, rng, placed.connected_at or placed.sent_at or placed.created_at)
    order_services.order_set_status(
        order=placed, status=OrderStatus.CANCELLED, source=StatusSource.FULFILMENT,
        reason="Клиент отказался", now=when,
    )  # fmt: skip
    world.log.append(f"cancel {placed.pk} {when}")


def move(world, rng):
    user = rng.choice(world.agents)
    day = world.current + datetime.timedelta(days=rng.randrange(31))
    team = rng.choice(world.teams)
    try:
        agent_team_move(agent=user, team=team, on=day, today=timezone.localdate(world.now))
    except MoveError:
        return  # refused by the history's rules: nothing happened
    world.moves.append((user, day))
    world.log.append(f"move {user} {team} {day}")


def revise(world, rng):
    rule = RewardRule.objects.filter(code__in=["iptv-kino", "iptv-vip"], valid_to__isnull=True)
    rule = rng.choice(list(rule))
    day = world.current + datetime.timedelta(days=rng.randrange(31))
    try:
        services.reward_rule_revise(
            rule=rule, valid_from=day, amount=Decimal(rng.randrange(10, 120))
        )
    except ValidationError:
        return
    world.log.append(f"revise {rule.code} {day}")


def lock(world, rng):
    if world.locked:
        return
    team = rng.choice(world.teams)
    services.month_lock(team=team, month=world.previous, user=world.supervisors[team.pk])
    world.locked = True
    world.log.append(f"lock {team} {world.previous}")


EVENTS = {register: 10, progress: 8, cancel: 3, move: 2, revise: 1, lock: 1}


def leaderboard_and_statements_agree(world):
    """What the leaderboard shows for an agent is what their page and statement say."""
    for month in (world.previous, world.current):
        for user in world.agents:
            rows = list(AgentMonth.objects.filter(agent=user, month=month))
            progress_ = selectors.agent_progress(user, month)
            if not rows:
                assert progress_ is None
                continue
            assert progress_.row.month_orders == sum(r.orders for r in rows) == rows[0].month_orders
            assert progress_.row.reward_total == sum(r.reward_total for r in rows)
            assert progress_.statement.total == progress_.row.reward_total, world.log
            assert progress_.statement.pending == progress_.row.reward_pending, world.log


def audit_finds_nothing(world):
    for month in (world.previous, world.current):
        assert audit.audit_month(month) == [], world.log


def locks_hold(world):
    for lock_ in MonthLock.objects.all():
        rows = AgentMonth.objects.filter(month=lock_.month, team=lock_.team)
        assert all(row.locked for row in rows)


INVARIANTS = [leaderboard_and_statements_agree, audit_finds_nothing, locks_hold]


@pytest.mark.parametrize("seed", SEEDS)
def test_a_replayed_month_keeps_every_invariant(seed, django_capture_on_commit_callbacks):
    rng = random.Random(seed)
    with django_capture_on_commit_callbacks(execute=True):
        world = build_world(rng)
    kinds, weights = list(EVENTS), list(EVENTS.values())
    for _step in range(EVENTS_PER_SEED):
        event = rng.choices(kinds, weights)[0]
        with django_capture_on_commit_callbacks(execute=True):
            event(world, rng)
    for invariant in INVARIANTS:
        invariant(world)

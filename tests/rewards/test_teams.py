"""Teams change; history holds (R10, issue 10 §4): the move service's table of cases, orders and
results counting for the team at registration (Moscow midnight), the personal target for the
whole month, locks that never recompute with today's team, and a target of 0 that is no target."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from campaigns.models import AgentProfile, TeamMembership
from campaigns.services import MoveError, agent_team_move, membership_create
from offers.models import OfferKind
from rewards import selectors, services
from rewards.models import AgentMonth, RewardLine
from tests.campaigns.factories import TeamFactory
from tests.config.factories import ManagerFactory
from tests.rewards.support import MSK, NOV, OCT, agent, fixed_rule, offer, order, supervisor_of

pytestmark = pytest.mark.django_db

NOV_20 = datetime.date(2025, 11, 20)


@pytest.fixture
def teams():
    return TeamFactory(name="Команда 1"), TeamFactory(name="Команда 2")


@pytest.fixture
def vip():
    vip = offer("399", kind=OfferKind.PACKAGE)
    fixed_rule("75", [vip])
    return vip


# (move day, error code or None) for an agent who started on 2024-01-15, in Команда 1, today
# 2025-11-20.
MOVE_CASES = [
    (datetime.date(2025, 11, 10), None),
    (NOV_20, None),  # today
    (datetime.date(2025, 11, 1), None),  # the first day of the running month
    (datetime.date(2025, 11, 21), "move_in_future"),
    (datetime.date(2025, 10, 31), "move_in_closed_month"),
]


@pytest.mark.parametrize(("day", "code"), MOVE_CASES)
def test_a_move_takes_effect_within_the_running_month_up_to_today(teams, day, code):
    one, two = teams
    user = agent(one)
    if code:
        with pytest.raises(MoveError) as error:
            agent_team_move(agent=user, team=two, on=day, today=NOV_20)
        assert error.value.code == code
        assert not TeamMembership.objects.exists()
        return
    move = agent_team_move(agent=user, team=two, on=day, today=NOV_20)
    # The history now covers every day since the start: the old team until the day before.
    assert (move.closed.team, move.closed.valid_from, move.closed.valid_to) == (
        one,
        datetime.date(2024, 1, 15),
        day - datetime.timedelta(days=1),
    )
    assert (move.opened.team, move.opened.valid_from, move.opened.valid_to) == (two, day, None)
    assert AgentProfile.objects.get(user=user).team == two  # the current team, in step


def test_moving_to_the_same_team_or_before_the_last_move_is_refused(teams):
    one, two = teams
    user = agent(one)
    with pytest.raises(MoveError) as error:
        agent_team_move(agent=user, team=one, on=NOV_20, today=NOV_20)
    assert error.value.code == "same_team"
    agent_team_move(agent=user, team=two, on=datetime.date(2025, 11, 10), today=NOV_20)
    with pytest.raises(MoveError) as error:
        agent_team_move(agent=user, team=one, on=datetime.date(2025, 11, 10), today=NOV_20)
    assert error.value.code == "move_before_last"
    back = agent_team_move(agent=user, team=one, on=datetime.date(2025, 11, 15), today=NOV_20)
    periods = TeamMembership.objects.filter(agent=user).order_by("valid_from")
    assert [(p.team, p.valid_from.day if p.valid_from.year == 2025 else None) for p in periods] == [
        (one, None),
        (two, 10),
        (one, 15),
    ]
    assert back.closed.valid_to == datetime.date(2025, 11, 14)


def test_a_move_before_the_start_date_is_refused(teams):
    one, two = teams
    user = agent(one, started_on=datetime.date(2025, 11, 12))
    with pytest.raises(MoveError) as error:
        agent_team_move(agent=user, team=two, on=datetime.date(2025, 11, 11), today=NOV_20)
    assert error.value.code == "move_before_start"
    move = agent_team_move(agent=user, team=two, on=datetime.date(2025, 11, 12), today=NOV_20)
    assert move.closed is None  # no day was spent in the old team


def _at(day, hour, minute=0, second=0):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=MSK)


def test_an_order_counts_for_the_team_of_its_registration_moscow_midnight_deciding(teams, vip):
    one, two = teams
    user = agent(one)
    agent_team_move(agent=user, team=two, on=datetime.date(2025, 11, 10), today=NOV_20)
    before = order(user, vip, created=datetime.date(2025, 11, 9))
    before.created_at = _at(datetime.date(2025, 11, 9), 23, 59, 59)  # 20:59:59 UTC
    before.save()
    after = order(user, vip, created=datetime.date(2025, 11, 10))
    after.created_at = _at(datetime.date(2025, 11, 10), 0, 0, 0)  # 21:00:00 UTC the day before
    after.save()
    order(user, vip, created=datetime.date(2025, 11, 12), connected=datetime.date(2025, 11, 14))
    rows = {row.team_id: row for row in selectors.agent_month_rows(NOV, agent_ids=[user.pk])}
    assert set(rows) == {one.pk, two.pk}
    assert (rows[one.pk].orders, rows[two.pk].orders) == (1, 2)
    assert rows[two.pk].reward_total == Decimal("75.00")
    # The personal target is the agent's for the whole month: every row carries it and the total.
    assert {(r.target, r.month_orders) for r in rows.values()} == {(10, 3)}
    statement = selectors.statements(NOV, agent_ids=[user.pk])[user.pk]
    assert {line.team_id for line in statement.lines if line.order == before} == {one.pk}
    assert {line.team_id for line in statement.lines if line.order == after} == {two.pk}


def test_the_target_is_met_by_the_agents_month_not_by_one_teams_part(teams, vip):
    one, two = teams
    user = agent(one)
    for day in range(3, 8):
        order(user, vip, created=datetime.date(2025, 11, day))
    agent_team_move(agent=user, team=two, on=datetime.date(2025, 11, 10), today=NOV_20)
    for day in range(10, 15):
        order(user, vip, created=datetime.date(2025, 11, day))
    rows = selectors.agent_month_rows(NOV, agent_ids=[user.pk])
    assert [(r.orders, r.month_orders, r.target_met) for r in rows] == [(5, 10, True)] * 2


def test_a_month_shows_an_agent_under_two_teams_on_the_leaderboard(api_client, teams, vip):
    one, two = teams
    user = agent(one, username="mover")
    order(user, vip, created=datetime.date(2025, 11, 3))
    agent_team_move(agent=user, team=two, on=datetime.date(2025, 11, 10), today=NOV_20)
    order(user, vip, created=datetime.date(2025, 11, 12))
    services.conversions_compute(month=NOV)
    api_client.force_authenticate(ManagerFactory())
    rows = api_client.get("/api/v1/leaderboard/", {"month": "2025-11"}).json()["results"]
    assert sorted((r["team"], r["orders"], r["month_orders"]) for r in rows) == [
        ("Команда 1", 1, 2),
        ("Команда 2", 1, 2),
    ]


def test_locking_a_month_never_recomputes_with_todays_team(teams, vip):
    one, two = teams
    user = agent(one)
    order(user, vip, created=datetime.date(2025, 10, 3), connected=datetime.date(2025, 10, 6))
    services.conversions_compute(month=OCT)
    # In November the agent moves; October is locked afterwards by Команда 1's supervisor.
    agent_team_move(agent=user, team=two, on=datetime.date(2025, 11, 3), today=NOV_20)
    services.month_lock(team=one, month=OCT, user=supervisor_of(one))
    (row,) = AgentMonth.objects.filter(agent=user, month=OCT)
    assert (row.team, row.locked, row.orders, row.reward_total) == (one, True, 1, Decimal(75))
    assert set(RewardLine.objects.filter(agent=user, month=OCT).values_list("team", flat=True)) == {
        one.pk
    }
    # A later run (the nightly one, with today's team being Команда 2) changes no locked row.
    frozen = list(AgentMonth.objects.filter(month=OCT).values())
    services.conversions_compute(month=OCT)
    assert list(AgentMonth.objects.filter(month=OCT).values()) == frozen


def test_an_agents_second_team_locks_its_part_without_touching_the_first(teams, vip):
    one, two = teams
    user = agent(one)
    order(user, vip, created=datetime.date(2025, 10, 3), connected=datetime.date(2025, 10, 6))
    # A move on 10 October, recorded then (the service allows only the running month).
    history = [
        (one, datetime.date(2024, 1, 15), datetime.date(2025, 10, 9)),
        (two, datetime.date(2025, 10, 10), None),
    ]
    for team, start, end in history:
        membership_create(agent=user, team=team, valid_from=start, valid_to=end)
    order(user, vip, created=datetime.date(2025, 10, 12), connected=datetime.date(2025, 10, 14))
    services.conversions_compute(month=OCT)
    services.month_lock(team=two, month=OCT, user=supervisor_of(two, username="sup2"))
    rows = {r.team_id: r for r in AgentMonth.objects.filter(agent=user, month=OCT)}
    assert (rows[one.pk].locked, rows[two.pk].locked) == (False, True)
    lines = RewardLine.objects.filter(agent=user, month=OCT)
    assert list(lines.values_list("team", flat=True)) == [two.pk]
    services.month_lock(team=one, month=OCT, user=supervisor_of(one))
    assert sorted(
        RewardLine.objects.filter(agent=user, month=OCT).values_list("position", flat=True)
    ) == [0, 1]


# A prorated target of 0 is no target, never «met» ----------------------------------------------

# November 2025 ends on a weekend: a start on Saturday the 29th leaves no working day.
TARGET_CASES = [
    (datetime.date(2025, 11, 29), 0, False),
    (datetime.date(2025, 11, 28), 1, False),  # one working day left: at least 1
    (datetime.date(2025, 11, 17), 5, False),  # 10 working days of 20
    (datetime.date(2025, 11, 1), 10, False),
]


@pytest.mark.parametrize(("started", "target", "met"), TARGET_CASES)
def test_a_starters_target_is_prorated_and_zero_means_no_target(teams, started, target, met):
    user = agent(teams[0], started_on=started)
    (row,) = selectors.agent_month_rows(NOV, agent_ids=[user.pk])
    assert (row.target, row.has_target, row.target_met) == (target, target > 0, met)


def test_no_target_is_never_counted_as_met_on_the_leaderboard_and_pages(client, teams):
    one, _two = teams
    user = agent(one, started_on=datetime.date(2025, 11, 29), username="late")
    services.conversions_compute(month=NOV)
    totals = selectors.leaderboard_totals(NOV, team_ids=[one.pk])
    assert (totals["agents"], totals["met"], totals["target"]) == (1, 0, 0)
    client.force_login(supervisor_of(one))
    body = client.get(reverse("leaderboard"), {"month": "2025-11"}).content.decode()
    assert "rw-no-target" in body
    client.force_login(user)
    body = client.get(reverse("me"), {"month": "2025-11"}).content.decode()
    assert "rw-no-target" in body and 'role="progressbar"' not in body


# An order registered before a move and connected or clawed back after it, in a later month ------
#
# The event goes to the team the order counted for at registration (rewards/README: «Connections
# and clawbacks of an order go to the team it counted for at registration»), however long before
# the month that membership ended. (team history as (team, from, to); the order's registration
# moment, connection day, cancellation day; the team its November event counts for.)
SEP_30, OCT_1, OCT_31 = datetime.date(2025, 9, 30), OCT, datetime.date(2025, 10, 31)
LATE_EVENT_CASES = [
    (
        "moved on the 1st, registered the month before, connected after",
        [("one", None, OCT_31), ("two", NOV, None)],
        (datetime.date(2025, 10, 20), 10),
        datetime.date(2025, 11, 3),
        None,
        "one",
    ),
    (
        "registered at 23:59:59 on the last evening before the move",
        [("one", None, OCT_31), ("two", NOV, None)],
        (OCT_31, (23, 59, 59)),
        datetime.date(2025, 11, 3),
        None,
        "one",
    ),
    (
        "the membership of registration ended a month before the one computed",
        [("one", None, SEP_30), ("two", OCT_1, OCT_31), ("three", NOV, None)],
        (datetime.date(2025, 10, 20), 10),
        datetime.date(2025, 11, 3),
        None,
        "two",
    ),
    (
        "connected before the move, clawed back after it",
        [("one", None, OCT_31), ("two", NOV, None)],
        (datetime.date(2025, 10, 20), 10),
        datetime.date(2025, 10, 25),
        datetime.date(2025, 11, 5),
        "one",
    ),
    (
        "registered after the move (the control)",
        [("one", None, OCT_31), ("two", NOV, None)],
        (datetime.date(2025, 11, 2), 10),
        datetime.date(2025, 11, 3),
        None,
        "two",
    ),
]


@pytest.mark.parametrize(
    ("case", "periods", "registered", "connected", "cancelled", "team"),
    LATE_EVENT_CASES,
    ids=[case[0] for case in LATE_EVENT_CASES],
)
def test_a_later_months_event_of_an_order_goes_to_its_registrations_team(
    vip, case, periods, registered, connected, cancelled, team
):
    from rewards.audit import audit_month

    named = {name: TeamFactory(name=f"Команда {name}") for name in ("one", "two", "three")}
    user = agent(named[periods[-1][0]])
    for name, start, end in periods:
        membership_create(
            agent=user,
            team=named[name],
            valid_from=start or user.agent_profile.started_on,
            valid_to=end,
        )
    placed = order(
        user,
        vip,
        created=registered[0],
        connected=connected,
        cancelled=cancelled,
        clawback=bool(cancelled),
    )
    clock = registered[1] if isinstance(registered[1], tuple) else (registered[1], 0, 0)
    placed.created_at = _at(registered[0], *clock)
    placed.save()
    placed.status_changes.filter(status="registered").update(changed_at=placed.created_at)
    expected = named[team].pk
    # The job's aggregate: the November event is counted in the registration team's row.
    rows = {row.team_id: row for row in selectors.agent_month_rows(NOV, agent_ids=[user.pk])}
    event = "cancelled" if cancelled else "connected"
    assert {t for t, row in rows.items() if getattr(row, event)} == {expected}
    # The statement's lines go to the same team, and the stored month agrees with them.
    statement = selectors.statements(NOV, agent_ids=[user.pk])[user.pk]
    assert {line.team_id for line in statement.lines if line.order == placed} == {expected}
    services.conversions_compute(month=NOV)
    stored = AgentMonth.objects.get(agent=user, month=NOV, team_id=expected)
    assert getattr(stored, event) == 1
    assert audit_month(NOV) == []

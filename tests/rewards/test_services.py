"""The monthly job: idempotent, keyed by agent and month, targets, locks and adjustments."""

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from campaigns.models import OrderStatus, ResultCode
from offers.models import OfferKind
from rewards import calendar, selectors, services
from rewards.models import (
    AgentMonth,
    CampaignMonth,
    ConversionRun,
    MonthLock,
    RewardLine,
    RewardRule,
)
from tests.campaigns.factories import CampaignFactory, CampaignTargetFactory, TeamFactory
from tests.config.factories import SupervisorFactory
from tests.conftest import requires_postgres
from tests.rewards.support import (
    NOV,
    OCT,
    agent,
    at,
    fixed_rule,
    history,
    offer,
    order,
    supervisor_of,
)

pytestmark = pytest.mark.django_db

FIGURES = [
    "agent_id",
    "team_id",
    "orders",
    "connected",
    "cancelled",
    "target",
    "reward_total",
    "reward_pending",
    "shown",
    "offered",
    "thinking",
    "agreed",
    "ordered",
    "ordered_connected",
]


@pytest.fixture
def floor():
    vip = offer("399", kind=OfferKind.PACKAGE)
    fixed_rule("75", [vip])
    team = TeamFactory(name="Команда 1")
    users = [agent(team, username=f"a{i}") for i in range(3)]
    campaign = CampaignFactory(offer=vip)
    for i, user in enumerate(users):
        for day in range(i + 1):
            order(
                user,
                vip,
                campaign=campaign,
                created=datetime.date(2025, 10, 3 + day),
                connected=datetime.date(2025, 10, 10 + day),
            )
    target = CampaignTargetFactory(campaign=campaign)
    history(users[0], target, ResultCode.THINKING, datetime.date(2025, 10, 2))
    history(users[0], target, ResultCode.AGREED, datetime.date(2025, 10, 3))
    return {"team": team, "users": users, "offer": vip, "campaign": campaign}


def snapshot(month):
    return list(AgentMonth.objects.filter(month=month).order_by("agent_id").values(*FIGURES))


def test_the_job_writes_one_row_per_agent_and_month_with_the_figures(floor):
    run = services.conversions_compute(month=OCT)
    rows = {r.agent.username: r for r in AgentMonth.objects.filter(month=OCT)}
    assert set(rows) == {"a0", "a1", "a2"}
    assert [rows[f"a{i}"].orders for i in range(3)] == [1, 2, 3]
    assert rows["a2"].reward_total == Decimal("225.00")
    assert (rows["a0"].shown, rows["a0"].offered, rows["a0"].thinking, rows["a0"].agreed) == (
        1,
        1,
        1,
        1,
    )
    assert (run.runs, run.agents, run.orders) == (1, 3, 6)
    funnel = CampaignMonth.objects.get(campaign=floor["campaign"], month=OCT)
    assert (funnel.shown, funnel.agreed, funnel.ordered, funnel.connected) == (1, 1, 6, 6)


def test_a_recommendation_two_agents_saved_results_on_counts_once_for_its_campaign(floor):
    a0, a1, _a2 = floor["users"]
    target = CampaignTargetFactory(campaign=floor["campaign"])
    history(a1, target, ResultCode.NOT_OFFERED, datetime.date(2025, 10, 4))
    history(a0, target, ResultCode.THINKING, datetime.date(2025, 10, 5))
    history(a1, target, ResultCode.AGREED, datetime.date(2025, 10, 6))
    services.conversions_compute(month=OCT)
    rows = {r.agent.username: r for r in AgentMonth.objects.filter(month=OCT)}
    assert (rows["a0"].shown, rows["a0"].offered, rows["a0"].thinking, rows["a0"].agreed) == (
        2,
        2,
        2,
        1,
    )
    assert (rows["a1"].shown, rows["a1"].offered, rows["a1"].thinking, rows["a1"].agreed) == (
        1,
        1,
        0,
        1,
    )
    funnel = CampaignMonth.objects.get(campaign=floor["campaign"], month=OCT)
    assert (funnel.shown, funnel.offered, funnel.thinking, funnel.agreed) == (2, 2, 2, 2)


def test_rerunning_the_job_changes_nothing_and_adds_no_rows(floor):
    services.conversions_compute(month=OCT)
    first = snapshot(OCT)
    services.conversions_compute(month=OCT)
    services.conversions_compute(month=OCT)
    assert snapshot(OCT) == first
    assert AgentMonth.objects.count() == 3
    assert CampaignMonth.objects.count() == 1
    assert ConversionRun.objects.get(month=OCT).runs == 3


def test_a_rerun_follows_the_orders_that_changed(floor):
    services.conversions_compute(month=OCT)
    user = floor["users"][0]
    order(user, floor["offer"], created=datetime.date(2025, 10, 20))
    services.conversions_compute(month=OCT)
    row = AgentMonth.objects.get(agent=user, month=OCT)
    assert (row.orders, row.reward_pending) == (2, Decimal("75.00"))


def test_an_agent_gone_from_the_floor_loses_the_rows_of_open_months(floor):
    services.conversions_compute(month=OCT)
    gone = floor["users"][2]
    gone.agent_profile.started_on = datetime.date(2025, 11, 5)
    gone.agent_profile.save()
    services.conversions_compute(month=OCT)
    assert not AgentMonth.objects.filter(agent=gone, month=OCT).exists()


def test_the_default_target_is_ten_and_managers_set_a_teams_month(floor):
    services.conversions_compute(month=OCT)
    assert set(AgentMonth.objects.values_list("target", flat=True)) == {10}
    services.monthly_target_set(team=floor["team"], month=OCT, target=12)
    services.conversions_compute(month=OCT)
    assert set(AgentMonth.objects.values_list("target", flat=True)) == {12}
    services.conversions_compute(month=NOV)
    assert set(AgentMonth.objects.filter(month=NOV).values_list("target", flat=True)) == {10}


def test_a_mid_month_starter_gets_a_prorated_target_shown_as_such():
    team = TeamFactory()
    # October 2025 has 23 working days; from Wednesday the 15th there are 13 left.
    newcomer = agent(team, started_on=datetime.date(2025, 10, 15))
    veteran = agent(team)
    late = agent(team, started_on=datetime.date(2025, 11, 3))
    services.conversions_compute(month=OCT)
    rows = {r.agent_id: r for r in AgentMonth.objects.filter(month=OCT)}
    assert calendar.working_days(OCT, NOV) == 23
    assert (rows[newcomer.pk].target, rows[newcomer.pk].prorated) == (6, True)  # 10 × 13/23
    assert rows[newcomer.pk].base_target == 10
    assert (rows[veteran.pk].target, rows[veteran.pk].prorated) == (10, False)
    assert late.pk not in rows


def test_prorated_target_rounds_half_up_and_keeps_at_least_one():
    assert calendar.prorated_target(10, month=OCT, started_on=datetime.date(2025, 10, 31)) == 1
    assert calendar.prorated_target(10, month=OCT, started_on=datetime.date(2025, 10, 1)) == 10
    # November 2025: 20 working days; from the 17th, 10 left: exactly half.
    assert calendar.prorated_target(15, month=NOV, started_on=datetime.date(2025, 11, 17)) == 8


def test_a_locked_month_keeps_its_figures_and_shows_later_changes_as_adjustments(floor):
    team, user = floor["team"], floor["users"][1]
    supervisor = supervisor_of(team)
    services.month_lock(team=team, month=OCT, user=supervisor)
    locked_row = AgentMonth.objects.get(agent=user, month=OCT)
    assert locked_row.locked and locked_row.reward_total == Decimal("150.00")
    assert RewardLine.objects.filter(agent=user, month=OCT).count() == 2
    # A manager raises the reward in place, and an October order is cancelled afterwards.
    RewardRule.objects.filter(kind="fixed").update(amount=Decimal("100"))
    cancelled = user.connection_orders.order_by("pk").first()
    cancelled.status, cancelled.cancelled_at = OrderStatus.CANCELLED, at(OCT, 9)
    cancelled.cancel_reason = "Клиент передумал"
    cancelled.save()
    services.conversions_compute(month=OCT)
    row = AgentMonth.objects.get(agent=user, month=OCT)
    assert (row.orders, row.reward_total) == (2, Decimal("150.00"))
    assert (row.adjustment_orders, row.adjustment_reward) == (-1, Decimal("50.00"))
    frozen = selectors.frozen_statement(user.pk, OCT)
    assert frozen.total == Decimal("150.00")


def test_only_a_teams_supervisor_locks_only_a_closed_month(floor):
    stranger = SupervisorFactory(username="other")
    with pytest.raises(PermissionDenied):
        services.month_lock(team=floor["team"], month=OCT, user=stranger)
    supervisor = supervisor_of(floor["team"])
    running = datetime.date.today().replace(day=1)
    with pytest.raises(ValidationError) as error:
        services.month_lock(team=floor["team"], month=running, user=supervisor)
    assert error.value.code == "month_open"
    services.month_lock(team=floor["team"], month=OCT, user=supervisor)
    with pytest.raises(ValidationError):
        services.month_lock(team=floor["team"], month=OCT, user=supervisor)
    assert MonthLock.objects.count() == 1


def test_unlocking_lets_the_job_write_the_figures_again(floor):
    supervisor = supervisor_of(floor["team"])
    services.month_lock(team=floor["team"], month=OCT, user=supervisor)
    RewardRule.objects.filter(kind="fixed").update(amount=Decimal("100"))
    services.month_unlock(team=floor["team"], month=OCT, user=supervisor)
    row = AgentMonth.objects.get(agent=floor["users"][0], month=OCT)
    assert (row.locked, row.reward_total, row.adjustment_reward) == (False, Decimal("100.00"), 0)
    assert not RewardLine.objects.exists()


def test_a_new_rule_period_never_rewrites_a_closed_month(floor, monkeypatch):
    services.conversions_compute(month=OCT)
    rule = RewardRule.objects.get(kind="fixed")
    with pytest.raises(ValidationError):
        services.reward_rule_revise(rule=rule, valid_from=datetime.date(2025, 10, 15), amount=1)
    today = datetime.date.today()
    new = services.reward_rule_revise(rule=rule, valid_from=today.replace(day=1), amount=90)
    assert (new.code, new.amount, list(new.offers.all())) == (rule.code, 90, [floor["offer"]])
    before = snapshot(OCT)
    services.conversions_compute(month=OCT)
    assert snapshot(OCT) == before


def test_the_command_runs_the_same_job_and_shows_progress(floor):
    out = StringIO()
    call_command("compute_conversions", "--month", "2025-10", stdout=out)
    assert "2025-10: aggregating" in out.getvalue()
    assert "3 agents, 6 orders" in out.getvalue()
    assert AgentMonth.objects.filter(month=OCT).count() == 3


@pytest.mark.parametrize(("month", "code"), [("2025-13", "invalid_month"), ("2999-01", "future_month"), ("10.2025", "invalid_month")])  # fmt: skip
def test_the_command_refuses_a_bad_month(month, code):
    with pytest.raises(CommandError, match=code):
        call_command("compute_conversions", "--month", month)


def test_the_celery_task_computes_the_month(floor):
    from rewards.tasks import compute_conversions

    result = compute_conversions.apply(args=["2025-10"]).get()
    assert result == {"month": "2025-10", "agents": 3, "orders": 6, "runs": 1}


def test_the_beat_schedule_runs_nightly_and_after_the_month_closes(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    nightly = schedule["compute-running-month"]
    final = schedule["compute-closed-month"]
    assert nightly["task"] == "rewards.tasks.compute_running_month"
    assert final["task"] == "rewards.tasks.compute_closed_month"
    assert final["schedule"].day_of_month == {1}


@requires_postgres
def test_the_upserts_array_texts_carry_every_value_back_unchanged():
    """The job hands its rows to PostgreSQL as array texts: quotes, backslashes, NULLs, signs,
    decimals, booleans, dates and JSON all come back as they went in."""
    from django.db import connection

    values = {
        "text": ['a "b"', "c\\d", "", "NULL", "e,f {g}", None, "007"],
        "bigint": [0, -5, 12345678901, None],
        "numeric": [Decimal("0.00"), Decimal("-1.50"), Decimal("1E+3"), None],
        "boolean": [True, False, None],
        "date": [OCT, None],
        "jsonb": ['[0, 1, "x\\"y"]', '{"a": [1]}', None],
    }
    with connection.cursor() as cursor:
        for db_type, column in values.items():
            cursor.execute(f"SELECT %s::{db_type}[]", [services._array_literal(column)])
            back = cursor.fetchone()[0]
            if db_type == "jsonb":  # psycopg reads a jsonb array's elements as text
                column = [None if v is None else json.loads(v) for v in column]
                back = [None if v is None else json.loads(v) for v in back]
            assert back == column, db_type

"""The demo month: after `seed_demo` the leaderboard, `/me/` and the funnel agree to the kopeck, and
running the conversions step again changes nothing."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Q, Sum
from django.utils import timezone

from campaigns.models import AgentProfile, ConnectionOrder, OrderStatus, TeamMembership
from campaigns.orders.services import previous_fields
from config.demo import STEPS
from config.floor.seeding import SeedContext
from rewards import audit, calendar, selectors
from rewards.demo import disputes as disputes_demo
from rewards.demo import history
from rewards.demo import month as rewards_month
from rewards.models import AgentMonth, CampaignMonth, DisputeStatus, RewardRule, StatementDispute

pytestmark = pytest.mark.django_db

FIELDS = ["agent_id", "orders", "connected", "cancelled", "reward_total", "reward_pending", "shown"]


def test_the_conversions_step_runs_last():
    assert STEPS[-1].run is rewards_month.run


def test_the_demo_agent_has_a_dispute_in_each_state_and_a_rerun_adds_none():
    call_command("seed_demo", stdout=StringIO())
    mine = StatementDispute.objects.filter(agent__username="agent")
    assert sorted(mine.values_list("status", flat=True)) == sorted(DisputeStatus.values)
    accepted = mine.get(status=DisputeStatus.ACCEPTED)
    row = AgentMonth.objects.get(agent=accepted.agent, month=accepted.adjustment_month)
    assert row.reward_disputes == accepted.amount == Decimal("25.00")
    disputes_demo.run(SeedContext())
    assert mine.count() == len(DisputeStatus.values)


def test_demo_figures_agree_everywhere_and_a_rerun_changes_nothing():
    call_command("seed_demo", stdout=StringIO())
    running = timezone.localdate().replace(day=1)
    months = (calendar.previous_month(running), running)
    before = list(AgentMonth.objects.order_by("month", "agent_id", "team_id").values(*FIELDS))
    agents = AgentMonth.objects.filter(month=running).values("agent").distinct().count()
    assert (
        agents == AgentProfile.objects.filter(started_on__lt=calendar.next_month(running)).count()
    )
    rewards_month.run(SeedContext())
    assert (
        list(AgentMonth.objects.order_by("month", "agent_id", "team_id").values(*FIELDS)) == before
    )
    for month in months:
        assert audit.audit_month(month) == []
        for user in {
            row.agent for row in AgentMonth.objects.filter(month=month).select_related("agent")
        }:
            rows = AgentMonth.objects.filter(agent=user, month=month)
            progress = selectors.agent_progress(user, month)
            assert (progress.row.orders, progress.row.reward_total) == (
                sum(r.orders for r in rows),
                sum(r.reward_total for r in rows),
            )
            # The reward is the statement's lines plus the accepted disputes booked in the month.
            assert (
                progress.statement.total + progress.row.reward_disputes == progress.row.reward_total
            )
            assert progress.statement.pending == progress.row.reward_pending
        start, end = calendar.month_bounds(month)
        with_campaign = ConnectionOrder.objects.filter(
            ~Q(status=OrderStatus.CANCELLED),
            created_at__gte=start,
            created_at__lt=end,
            campaign__isnull=False,
        ).count()
        funnel = CampaignMonth.objects.filter(month=month).aggregate(n=Sum("ordered"))["n"] or 0
        assert funnel == with_campaign


def test_the_demo_month_has_a_team_move_and_a_revised_rule_and_a_rerun_keeps_them():
    call_command("seed_demo", stdout=StringIO())
    running = timezone.localdate().replace(day=1)
    mover = AgentProfile.objects.get(user__username=history.MOVER)
    assert mover.team.name == history.TO_TEAM
    teams = set(
        AgentMonth.objects.filter(agent=mover.user, month=running).values_list(
            "team__name", flat=True
        )
    )
    assert history.TO_TEAM in teams
    periods = RewardRule.objects.filter(code=history.REVISED).order_by("valid_from")
    assert [p.amount for p in periods] == [Decimal("40.00"), history.REVISED_AMOUNT]
    call_command("seed_demo", stdout=StringIO())
    assert RewardRule.objects.filter(code=history.REVISED).count() == 2
    assert TeamMembership.objects.filter(agent=mover.user).count() == 2
    assert AgentProfile.objects.get(pk=mover.pk).team.name == history.TO_TEAM


def test_demo_orders_record_the_plan_they_replace_and_a_rerun_keeps_it():
    call_command("seed_demo", stdout=StringIO())
    orders = list(
        ConnectionOrder.objects.select_related("account", "product", "tariff").order_by("pk")
    )
    recorded = [(o.pk, o.previous_tariff_id, o.previous_monthly_fee) for o in orders]
    # A connected order changes what its account holds (what was sold is held, a move replaces
    # the plan), so the plan an order replaced can be read again from the account only where no
    # order of the account was connected since the CRM's report.
    changed = set(
        ConnectionOrder.objects.filter(status="connected").values_list("account_id", flat=True)
    )
    unchanged = [o for o in orders if o.account_id not in changed]
    expected = []
    for o in unchanged:
        fields = previous_fields(account=o.account, sale=o.product or o.tariff)
        previous = fields["previous_tariff"]
        expected.append((o.pk, previous.pk if previous else None, fields["previous_monthly_fee"]))
    assert [r for r in recorded if r[0] in {o.pk for o in unchanged}] == expected
    assert any(previous for _pk, previous, _fee in expected)
    assert any(previous for _pk, previous, _fee in recorded)
    call_command("seed_demo", stdout=StringIO())
    assert (
        list(
            ConnectionOrder.objects.order_by("pk").values_list(
                "pk", "previous_tariff_id", "previous_monthly_fee"
            )
        )
        == recorded
    )

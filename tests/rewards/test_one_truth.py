"""One truth at every moment (issue 10 §5): every order, result, team and catalogue event refreshes
the stored month once its transaction commits, so the leaderboard and `/me/` show the same
figures with the same freshness; closed months stay locked; `audit_month` finds every difference.
"""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from campaigns.models import OrderStatus, ResultCode
from campaigns.orders import services as order_services
from campaigns.services import agent_team_move
from offers.models import OfferKind
from rewards import audit, calendar, services
from rewards.models import AgentMonth, MonthLock, RewardRule
from tests.campaigns.factories import CampaignFactory, CampaignTargetFactory, TeamFactory
from tests.rewards.support import agent, at, fixed_rule, history, offer, order, supervisor_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

LEADERBOARD, PROGRESS = "/api/v1/leaderboard/", "/api/v1/me/progress/"


def this_month():
    return timezone.localdate().replace(day=1)


def day(n):
    """The n-th day of the running month, never after today."""
    return min(this_month() + datetime.timedelta(days=n - 1), timezone.localdate())


@pytest.fixture
def floor():
    vip = offer("399", kind=OfferKind.PACKAGE)
    fixed_rule("75", [vip], code="iptv-vip")
    team = TeamFactory(name="Команда 1")
    return {"vip": vip, "team": team, "user": agent(team, username="a1")}


def figures(api_client, user, team):
    """What the supervisor's leaderboard and the agent's page say about the agent's month."""
    month = calendar.month_key(this_month())
    api_client.force_authenticate(supervisor_of(team))
    rows = [
        r
        for r in api_client.get(LEADERBOARD, {"month": month}).json()["results"]
        if r["agent"] == user.username
    ]
    api_client.force_authenticate(user)
    me = api_client.get(PROGRESS, {"month": month}).json()
    board = (
        sum(r["orders"] for r in rows),
        sum(Decimal(r["reward_total"]) for r in rows),
        rows[0]["target"] if rows else None,
    )
    mine = (me["orders"], Decimal(me["reward_total"]), me["target"])
    lines = sum(
        Decimal(x["amount"]) for x in me["lines"] if x["counted"] and x["state"] != "pending"
    )
    return board, mine, lines


def test_cancellations_show_the_same_figures_on_the_leaderboard_and_my_page(
    api_client, floor, django_capture_on_commit_callbacks
):
    user, vip = floor["user"], floor["vip"]
    with django_capture_on_commit_callbacks(execute=True):
        placed = [order(user, vip, created=day(1)) for _ in range(8)]
    services.conversions_compute(month=this_month())  # last night's run
    board, mine, _lines = figures(api_client, user, floor["team"])
    assert board[0] == mine[0] == 8
    for each in placed[1:]:
        with django_capture_on_commit_callbacks(execute=True):
            order_services.order_cancel(order=each, agent=user, reason="Клиент передумал")
    board, mine, _lines = figures(api_client, user, floor["team"])
    assert board == mine
    assert mine[0] == 1  # the 8/10 on one page and 1/10 on the other


def test_a_connection_and_a_clawback_reach_both_pages_with_the_statement(
    api_client, floor, django_capture_on_commit_callbacks
):
    user, vip = floor["user"], floor["vip"]
    with django_capture_on_commit_callbacks(execute=True):
        placed = order(user, vip, created=day(1))
    for status in (OrderStatus.SENT, OrderStatus.CONNECTED):
        with django_capture_on_commit_callbacks(execute=True):
            order_services.order_set_status(order=placed, status=status, source="fulfilment")
    board, mine, lines = figures(api_client, user, floor["team"])
    assert board == mine and mine[1] == lines == Decimal("75.00")
    with django_capture_on_commit_callbacks(execute=True):
        order_services.order_cancel(order=placed, agent=user, reason="Не подошло")
    board, mine, lines = figures(api_client, user, floor["team"])
    # Connected and clawed back within the month: earned and clawed back, 0 in total.
    assert board == mine and mine[1] == lines == Decimal("0.00")


def test_a_saved_result_and_a_team_move_refresh_the_month(
    api_client, floor, django_capture_on_commit_callbacks
):
    user, vip = floor["user"], floor["vip"]
    target = CampaignTargetFactory(campaign=CampaignFactory(offer=vip))
    with django_capture_on_commit_callbacks(execute=True):
        history(user, target, ResultCode.AGREED, day(1))
    (row,) = AgentMonth.objects.filter(agent=user, month=this_month())
    assert (row.shown, row.agreed) == (1, 1)
    other = TeamFactory(name="Команда 2")
    with django_capture_on_commit_callbacks(execute=True):
        order(user, vip, created=day(1))
        agent_team_move(agent=user, team=other, on=timezone.localdate())
    rows = AgentMonth.objects.filter(agent=user, month=this_month())
    assert {r.team_id for r in rows} <= {floor["team"].pk, other.pk}
    assert sum(r.orders for r in rows) == 1


def test_a_rule_revision_refreshes_the_running_month(floor, django_capture_on_commit_callbacks):
    user, vip = floor["user"], floor["vip"]
    with django_capture_on_commit_callbacks(execute=True):
        order(user, vip, created=this_month(), connected=this_month())
    with django_capture_on_commit_callbacks(execute=True):
        services.reward_rule_revise(
            rule=RewardRule.objects.get(code="iptv-vip"),
            valid_from=this_month() + datetime.timedelta(days=1),
            amount=90,
        )
    (row,) = AgentMonth.objects.filter(agent=user, month=this_month())
    assert row.reward_total == Decimal("75.00")  # connected on the 1st: the old period
    assert audit.audit_month(this_month()) == []


def test_both_pages_show_the_freshness_of_the_figures(
    client, floor, django_capture_on_commit_callbacks
):
    user, vip = floor["user"], floor["vip"]
    with django_capture_on_commit_callbacks(execute=True):
        order(user, vip, created=day(1))
    client.force_login(supervisor_of(floor["team"]))
    assert "rw-freshness" in client.get(reverse("leaderboard")).content.decode()
    client.force_login(user)
    assert "rw-freshness" in client.get(reverse("me")).content.decode()


def test_an_event_on_a_locked_month_changes_no_locked_row(
    floor, django_capture_on_commit_callbacks
):
    user, vip = floor["user"], floor["vip"]
    previous = calendar.previous_month(this_month())
    placed = order(user, vip, created=previous, connected=previous + datetime.timedelta(days=2))
    services.month_lock(team=floor["team"], month=previous, user=supervisor_of(floor["team"]))
    frozen = AgentMonth.objects.get(agent=user, month=previous)
    with django_capture_on_commit_callbacks(execute=True):
        order_services.order_cancel(
            order=placed, agent=user, reason="Отказ", now=at(this_month(), 9)
        )
    row = AgentMonth.objects.get(agent=user, month=previous)
    assert (row.orders, row.reward_total, row.locked) == (frozen.orders, frozen.reward_total, True)
    assert row.adjustment_orders == -1
    assert MonthLock.objects.filter(month=previous).exists()
    assert audit.audit_month(previous) == []


# audit_month finds every kind of difference -------------------------------------------------


@pytest.fixture
def audited(floor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        placed = order(floor["user"], floor["vip"], created=day(1))
    return {**floor, "order": placed}


def test_audit_finds_nothing_when_the_stored_month_follows_the_events(audited):
    assert audit.audit_month(this_month()) == []
    out = StringIO()
    call_command("audit_month", calendar.month_key(this_month()), stdout=out)
    assert "agree" in out.getvalue()


@pytest.mark.parametrize(
    ("tamper", "what"),
    [
        (lambda row, o: AgentMonth.objects.filter(pk=row.pk).update(orders=5), "orders"),
        (lambda row, o: AgentMonth.objects.filter(pk=row.pk).update(reward_pending=1), "statement"),
        (lambda row, o: AgentMonth.objects.filter(pk=row.pk).delete(), "row"),
        (lambda row, o: o.status_changes.all().delete(), "status history"),
        (lambda row, o: o.status_changes.update(status=OrderStatus.SENT), "status"),
    ],
    ids=["a figure", "a statement sum", "a missing row", "no history", "history disagrees"],
)
def test_audit_reports_each_difference_and_exits_1(audited, tamper, what):
    (row,) = AgentMonth.objects.filter(agent=audited["user"], month=this_month())
    tamper(row, audited["order"])
    differences = audit.audit_month(this_month())
    assert any(what in f"{d.what} {d.stored}" for d in differences), differences
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "audit_month", calendar.month_key(this_month()), stdout=StringIO(), stderr=StringIO()
        )
    assert exit_.value.code == 1


def test_audit_of_a_month_never_computed_says_so_once_not_once_per_agent(audited):
    """Every agent of the month is expected a row; when none is stored the month was never
    computed: one difference naming the command, and computing it makes the audit clean."""
    agent(audited["team"], username="second")
    AgentMonth.objects.filter(month=this_month()).delete()
    differences = audit.audit_month(this_month())
    rows = [d for d in differences if d.what == "rows"]
    assert [(d.where, d.stored, d.fresh) for d in rows] == [
        ("month", "none (not computed)", "2 expected")
    ]
    assert not [d for d in differences if d.what == "row"]
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("audit_month", calendar.month_key(this_month()), stdout=StringIO(), stderr=err)
    assert f"compute_conversions --month {calendar.month_key(this_month())}" in err.getvalue()
    services.conversions_compute(month=this_month())
    assert audit.audit_month(this_month()) == []


def test_audit_refuses_a_bad_month():
    with pytest.raises(CommandError, match="invalid_month"):
        call_command("audit_month", "2025-13")


def test_a_batch_of_events_refreshes_each_month_once_for_all_its_agents(
    floor, django_assert_max_num_queries
):
    """The refresh task groups the pairs by month: the aggregates run once per month whatever
    the number of agents (the demo's 68 pairs took 19 s one by one), and every agent's row is
    right; a malformed pair is skipped."""
    from rewards import tasks

    vip, team = floor["vip"], floor["team"]
    users = [floor["user"]] + [agent(team, username=f"a{n}") for n in range(2, 7)]
    for n, user in enumerate(users, start=1):
        for _ in range(n):
            order(user, vip, created=day(1))
    services.conversions_compute(month=this_month())  # last night's run: refreshes are per agent
    AgentMonth.objects.all().delete()
    month = calendar.month_key(this_month())
    one = [[users[0].pk, month]]
    with django_assert_max_num_queries(60) as one_agent:
        assert tasks.refresh_agent_months(one) == 1
    AgentMonth.objects.all().delete()
    pairs = [[user.pk, month] for user in users] + [[users[0].pk, "2026-13"], ["x", month]]
    with django_assert_max_num_queries(len(one_agent.captured_queries)) as batch:
        assert tasks.refresh_agent_months(pairs) == len(users)
    assert len(batch.captured_queries) == len(one_agent.captured_queries)
    stored = dict(
        AgentMonth.objects.filter(month=this_month()).values_list("agent__username", "orders")
    )
    assert stored == {user.username: n for n, user in enumerate(users, start=1)}


def test_results_in_one_window_send_one_refresh_that_counts_them_all(
    floor, django_capture_on_commit_callbacks, monkeypatch, settings
):
    """With a broker, an agent's results refresh the month once per window: the first result's
    commit queues the refresh to start when the window ends, the next ones in the window queue
    nothing; the refresh, run after the window, counts every result (rewards.events)."""
    from django.core.cache import cache

    from rewards import events, tasks

    settings.REWARDS_RESULT_REFRESH_SECONDS = 5
    user, vip = floor["user"], floor["vip"]
    services.conversions_compute(month=this_month())  # last night's run: refreshes are per agent
    targets = [CampaignTargetFactory(campaign=CampaignFactory(offer=vip)) for _ in range(2)]
    events._flush()  # what the fixtures noted (their transaction is the test's: never committed)
    queued = []
    monkeypatch.setattr(
        tasks.refresh_agent_months,
        "apply_async",
        lambda args, kwargs=None, **options: queued.append((args, options)),
    )
    cache.clear()
    month = calendar.month_key(this_month())
    conf = tasks.refresh_agent_months.app.conf
    conf.task_always_eager = False
    try:
        with django_capture_on_commit_callbacks(execute=True):
            history(user, targets[0], ResultCode.AGREED, day(1))
        assert queued == [(([[user.pk, month]],), {"countdown": 5})]
        with django_capture_on_commit_callbacks(execute=True):
            history(user, targets[1], ResultCode.THINKING, day(1))
        assert len(queued) == 1  # the window is claimed: nothing more queued
        (row,) = AgentMonth.objects.filter(agent=user, month=this_month())
        assert (row.shown, row.agreed) == (0, 0)  # not refreshed before the window ends
        tasks.refresh_agent_months(*queued[0][0])
        (row,) = AgentMonth.objects.filter(agent=user, month=this_month())
        assert (row.shown, row.thinking, row.agreed) == (2, 1, 1)
        # Once the window has passed (its key expired), the next result opens a window of its own.
        cache.clear()
        with django_capture_on_commit_callbacks(execute=True):
            history(user, targets[0], ResultCode.NOT_INTERESTED, day(1))
        assert len(queued) == 2
    finally:
        conf.task_always_eager = True


@pytest.fixture
def broker_queue(monkeypatch, settings):
    """Tasks as with a broker (not in-process): what `refresh_agent_months` is handed, by how."""
    from django.core.cache import cache

    from rewards import tasks

    settings.REWARDS_RESULT_REFRESH_SECONDS = 5
    conf = tasks.refresh_agent_months.app.conf
    previous, conf.task_always_eager = conf.task_always_eager, False
    queued = []
    monkeypatch.setattr(
        tasks.refresh_agent_months,
        "apply_async",
        lambda args, kwargs=None, **options: queued.append(("later", args[0], options)),
    )
    monkeypatch.setattr(
        tasks.refresh_agent_months, "delay", lambda pairs: queued.append(("now", pairs, {}))
    )
    cache.clear()
    yield queued
    cache.clear()
    conf.task_always_eager = previous


def _committed(*notes):
    """One transaction's notes, flushed as its commit would: (pairs, results?) each."""
    from rewards import events

    for pairs, results in notes:
        events._note(*pairs, results=results)
    events._flush()


MOSCOW_MIDNIGHT = datetime.datetime(2026, 10, 31, 21, 0, tzinfo=datetime.UTC)  # 1 Nov 00:00 MSK


def test_a_window_is_per_month_so_results_either_side_of_moscow_midnight_refresh_both(
    broker_queue,
):
    """The last second of October and the first of November (Moscow time) are two months: the
    second result must not hide in the first one's window, or November would wait for the night."""
    from rewards import events

    before = events._agent_months(7, MOSCOW_MIDNIGHT - datetime.timedelta(seconds=1))
    after = events._agent_months(7, MOSCOW_MIDNIGHT)
    assert (before, after) == ([(7, "2026-10")], [(7, "2026-11")])
    _committed((before, True))
    _committed((after, True))
    _committed((after, True))  # same window as the one before: nothing more
    assert broker_queue == [
        ("later", [[7, "2026-10"]], {"countdown": 5}),
        ("later", [[7, "2026-11"]], {"countdown": 5}),
    ]


def test_a_result_committed_with_an_order_refreshes_at_once_and_claims_no_window(broker_queue):
    """An order in the same transaction refreshes its months at once; the result's pair rides along
    and leaves the window free, so the agent's next result opens one of its own."""
    _committed(([(7, "2026-11")], True), ([(7, "2026-11")], False))
    _committed(([(7, "2026-11")], True))
    assert broker_queue == [
        ("now", [[7, "2026-11"]], {}),
        ("later", [[7, "2026-11"]], {"countdown": 5}),
    ]


def test_with_the_cache_unreachable_every_result_sends_its_own_refresh(broker_queue, monkeypatch):
    """No window can be claimed: nothing is coalesced, nothing is lost (each refresh starts after
    its own result has committed)."""
    from rewards import events

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(events.cache, "add", down)
    _committed(([(7, "2026-11")], True))
    _committed(([(7, "2026-11")], True))
    assert [kind for kind, _pairs, _options in broker_queue] == ["later", "later"]


def test_a_refresh_the_broker_refused_frees_its_window(broker_queue, monkeypatch):
    """The publish failed: the window is given back, so the agent's next result queues the refresh
    instead of trusting one that was never sent."""
    from django.core.cache import cache

    from rewards import events, tasks

    def refused(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.refresh_agent_months, "apply_async", refused)
    with pytest.raises(ConnectionError):
        _committed(([(7, "2026-11")], True))
    assert cache.get(events.WINDOW_KEY.format(7, "2026-11")) is None

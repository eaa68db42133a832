"""Statement disputes (issue 12 §4): flagging, the transitions table, where an adjustment is booked
and that the month's figures (and `audit_month`) take it in.

Table of cases: every (state, step, actor) of the transitions table; a line of the agent's
statement, an extra's line, another agent's order, an order outside the month, an item not in
the order; blank comment / reference / reason; no, zero, malformed and huge amounts; the same line
flagged twice (and again after a rejection); a future month; a supervisor of another team, a
manager; the next open month when the disputed month is the running one, the month before, with
locked months between, across a year end, and at 23:30 / 00:30 Moscow time on a month end.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from campaigns.models import AgentProfile
from config.floor.errors import Conflict, DomainError, Forbidden
from offers.models import OfferKind
from rewards import audit, calendar, services
from rewards.disputes import selectors
from rewards.disputes import services as disputes
from rewards.models import AgentMonth, DisputeKind, DisputeStatus, MonthLock, StatementDispute
from tests.campaigns.factories import TeamFactory
from tests.config.factories import ManagerFactory
from tests.rewards.support import agent, fixed_rule, offer, order, supervisor_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]
MSK = ZoneInfo("Europe/Moscow")


def this_month():
    return timezone.localdate().replace(day=1)


@pytest.fixture
def floor():
    vip = offer("399", kind=OfferKind.PACKAGE)
    kino = offer("99", kind=OfferKind.PACKAGE)
    fixed_rule("75", [vip], code="iptv-vip")
    team = TeamFactory(name="Команда 1")
    user = agent(team, username="a1")
    placed = order(user, vip, created=this_month())
    placed.extras.add(kino)
    return {
        "vip": vip,
        "kino": kino,
        "team": team,
        "user": user,
        "order": placed,
        "supervisor": supervisor_of(team),
    }


def flag(floor, **kw):
    values = {
        "agent": floor["user"],
        "month": this_month(),
        "kind": DisputeKind.LINE,
        "comment": "Линия посчитана не по тому правилу",
        "order_id": floor["order"].pk,
    }
    values.update(kw)
    return disputes.dispute_flag(**values)


def test_an_agent_flags_a_line_of_the_main_item_by_default(floor):
    dispute = flag(floor)
    assert (dispute.status, dispute.offer_id) == (DisputeStatus.OPEN, floor["vip"].pk)
    assert dispute.history.count() == 1


def test_the_history_names_who_flagged_and_who_decided_and_why(floor):
    dispute = flag(floor)
    disputes.dispute_withdraw(dispute_id=dispute.pk, user=floor["user"])
    again = flag(floor)
    disputes.dispute_reject(dispute_id=again.pk, user=floor["supervisor"], reason="Линия верна")
    entries = list(again.history.order_by("history_date"))
    assert [e.history_user for e in entries] == [floor["user"], floor["supervisor"]]
    assert entries[-1].history_change_reason == "Линия верна"
    assert dispute.history.order_by("history_date").last().history_user == floor["user"]


def test_an_agent_flags_the_line_of_an_extra(floor):
    assert flag(floor, offer_id=floor["kino"].pk).offer_id == floor["kino"].pk


@pytest.mark.parametrize(
    "change,code",
    [
        ({"comment": "  "}, "comment_required"),
        ({"order_id": None}, "not_in_statement"),
        ({"order_id": 10**9}, "not_in_statement"),
        ({"offer_id": 10**9}, "not_in_statement"),
        ({"kind": "other"}, "invalid_kind"),
        ({"kind": DisputeKind.MISSING_ORDER, "order_id": None}, "reference_required"),
    ],
)
def test_a_flag_that_names_nothing_true_is_refused_with_a_code(floor, change, code):
    with pytest.raises(DomainError) as caught:
        flag(floor, **change)
    assert caught.value.code == code


def test_another_agents_order_and_an_order_of_another_month_are_not_in_the_statement(floor):
    other = agent(floor["team"], username="a2")
    with pytest.raises(DomainError) as caught:
        flag(floor, agent=other)
    assert caught.value.code == "not_in_statement"
    with pytest.raises(DomainError) as caught:
        flag(floor, month=calendar.previous_month(this_month()))
    assert caught.value.code == "not_in_statement"


def test_a_future_month_and_a_supervisor_cannot_flag(floor):
    with pytest.raises(DomainError) as caught:
        flag(floor, month=calendar.next_month(this_month()))
    assert caught.value.code == "month_in_future"
    with pytest.raises(Forbidden):
        flag(floor, agent=floor["supervisor"])


def test_the_same_line_is_disputed_once_while_open_and_again_after_a_decision(floor):
    first = flag(floor)
    with pytest.raises(Conflict) as caught:
        flag(floor)
    assert caught.value.code == "dispute_exists"
    disputes.dispute_reject(dispute_id=first.pk, user=floor["supervisor"], reason="Верно")
    assert flag(floor).status == DisputeStatus.OPEN


def test_a_missing_order_is_flagged_with_what_the_agent_knows(floor):
    dispute = flag(
        floor, kind=DisputeKind.MISSING_ORDER, order_id=None, reference="л/с 352011070411, ТВ"
    )
    assert (dispute.kind, dispute.order, dispute.reference) == (
        DisputeKind.MISSING_ORDER,
        None,
        "л/с 352011070411, ТВ",
    )


# The transitions table, exhaustively: every state, every step, every kind of actor.
STEPS = {
    DisputeStatus.ACCEPTED: lambda d, u: disputes.dispute_accept(
        dispute_id=d.pk, user=u, amount="40", reason="Правило сменилось"
    ),
    DisputeStatus.REJECTED: lambda d, u: disputes.dispute_reject(
        dispute_id=d.pk, user=u, reason="Линия верна"
    ),
    DisputeStatus.WITHDRAWN: lambda d, u: disputes.dispute_withdraw(dispute_id=d.pk, user=u),
}
ACTORS = ("own agent", "other agent", "supervisor", "other supervisor", "manager")
ALLOWED = {
    DisputeStatus.ACCEPTED: {"supervisor", "manager"},
    DisputeStatus.REJECTED: {"supervisor", "manager"},
    DisputeStatus.WITHDRAWN: {"own agent"},
}


def _actor(floor, name):
    return {
        "own agent": lambda: floor["user"],
        "other agent": lambda: agent(TeamFactory(), username="x-agent"),
        "supervisor": lambda: floor["supervisor"],
        "other supervisor": lambda: supervisor_of(TeamFactory(), username="x-super"),
        "manager": lambda: ManagerFactory(username="x-manager"),
    }[name]()


@pytest.mark.parametrize("start", list(DisputeStatus))
@pytest.mark.parametrize("to", list(STEPS))
@pytest.mark.parametrize("actor", ACTORS)
def test_transitions_table(floor, start, to, actor):
    dispute = flag(floor)
    if start != DisputeStatus.OPEN:
        who = floor["user"] if start == DisputeStatus.WITHDRAWN else floor["supervisor"]
        STEPS[start](dispute, who)
    user = _actor(floor, actor)
    if start != DisputeStatus.OPEN:
        with pytest.raises(Conflict) as caught:
            STEPS[to](dispute, user)
        assert caught.value.code == "dispute_decided"
    elif actor in ALLOWED[to]:
        assert STEPS[to](dispute, user).status == to
    else:
        with pytest.raises(Forbidden):
            STEPS[to](dispute, user)
    assert set(disputes.TRANSITIONS[DisputeStatus.OPEN]) == set(STEPS)
    assert all(not disputes.TRANSITIONS[s] for s in DisputeStatus if s != DisputeStatus.OPEN)


@pytest.mark.parametrize(
    "amount,reason,code",
    [
        (None, "Верно", "amount_required"),
        ("", "Верно", "amount_required"),
        ("0", "Верно", "amount_required"),
        ("0,001", "Верно", "amount_required"),
        ("сорок", "Верно", "amount_invalid"),
        ("NaN", "Верно", "amount_invalid"),
        ("100000.01", "Верно", "amount_invalid"),
        ("40", " ", "reason_required"),
    ],
)
def test_an_acceptance_needs_an_amount_and_a_reason(floor, amount, reason, code):
    dispute = flag(floor)
    with pytest.raises(DomainError) as caught:
        disputes.dispute_accept(
            dispute_id=dispute.pk, user=floor["supervisor"], amount=amount, reason=reason
        )
    assert caught.value.code == code
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN


def test_a_rejection_needs_a_reason(floor):
    dispute = flag(floor)
    with pytest.raises(DomainError) as caught:
        disputes.dispute_reject(dispute_id=dispute.pk, user=floor["supervisor"], reason="")
    assert caught.value.code == "reason_required"


# Where the adjustment goes -------------------------------------------------------------------
D = datetime.date


@pytest.mark.parametrize(
    "disputed,locked,today,expected",
    [
        (D(2025, 11, 1), [], D(2025, 11, 20), D(2025, 11, 1)),  # the running month: itself
        (D(2025, 10, 1), [], D(2025, 11, 20), D(2025, 11, 1)),  # the month before: the running
        (D(2025, 9, 1), [], D(2025, 11, 20), D(2025, 10, 1)),  # October closed, not locked
        (D(2025, 9, 1), [D(2025, 10, 1)], D(2025, 11, 20), D(2025, 11, 1)),
        (D(2025, 8, 1), [D(2025, 9, 1), D(2025, 10, 1)], D(2025, 11, 20), D(2025, 11, 1)),
        (D(2025, 8, 1), [D(2025, 10, 1)], D(2025, 11, 20), D(2025, 9, 1)),
        (D(2025, 12, 1), [], D(2026, 1, 5), D(2026, 1, 1)),  # across the year end
        (D(2025, 11, 1), [D(2025, 12, 1)], D(2026, 1, 31), D(2026, 1, 1)),
    ],
)
def test_the_adjustment_goes_to_the_next_open_month(disputed, locked, today, expected):
    team = TeamFactory()
    boss = supervisor_of(team, username="boss")
    for month in locked:
        MonthLock.objects.create(team=team, month=month, locked_by=boss, locked_at=timezone.now())
    assert selectors.next_open_month(team_id=team.pk, disputed=disputed, today=today) == expected


@pytest.mark.parametrize(
    "moment,expected",
    [
        (datetime.datetime(2025, 10, 31, 23, 30, tzinfo=MSK), D(2025, 10, 1)),
        (datetime.datetime(2025, 11, 1, 0, 30, tzinfo=MSK), D(2025, 11, 1)),  # 21:30 UTC on 31st
    ],
)
def test_the_running_month_of_an_acceptance_is_moscows(floor, moment, expected):
    dispute = StatementDispute.objects.create(
        agent=floor["user"],
        month=D(2025, 10, 1),
        kind=DisputeKind.MISSING_ORDER,
        reference="наряд 1",
        comment="Нет заказа",
        created_at=moment - datetime.timedelta(hours=1),
    )
    accepted = disputes.dispute_accept(
        dispute_id=dispute.pk, user=floor["supervisor"], amount="15", reason="Нашли", now=moment
    )
    assert accepted.adjustment_month == expected


# The month takes it in ------------------------------------------------------------------------


def test_an_accepted_dispute_adds_to_the_months_reward_and_the_audit_agrees(
    floor, django_capture_on_commit_callbacks
):
    services.conversions_compute(month=this_month())
    before = AgentMonth.objects.get(agent=floor["user"], month=this_month())
    dispute = flag(floor)
    with django_capture_on_commit_callbacks(execute=True):
        disputes.dispute_accept(
            dispute_id=dispute.pk, user=floor["supervisor"], amount="40.50", reason="Доплата"
        )
    row = AgentMonth.objects.get(agent=floor["user"], month=this_month())
    assert row.reward_disputes == Decimal("40.50")
    assert row.reward_total == before.reward_total + Decimal("40.50")
    assert audit.audit_month(this_month()) == []
    services.conversions_compute(month=this_month())  # the nightly run writes the same
    assert AgentMonth.objects.get(pk=row.pk).reward_total == row.reward_total


def test_a_dispute_of_a_locked_month_is_paid_in_the_next_open_one_and_both_audit_clean(
    floor, django_capture_on_commit_callbacks
):
    previous = calendar.previous_month(this_month())
    placed = order(floor["user"], floor["vip"], created=previous, connected=previous)
    services.month_lock(team=floor["team"], month=previous, user=floor["supervisor"])
    dispute = flag(floor, month=previous, order_id=placed.pk)
    with django_capture_on_commit_callbacks(execute=True):
        accepted = disputes.dispute_accept(
            dispute_id=dispute.pk, user=floor["supervisor"], amount="-10", reason="Переплата"
        )
    assert accepted.adjustment_month == this_month()
    locked = AgentMonth.objects.get(agent=floor["user"], month=previous)
    assert (locked.locked, locked.reward_disputes, locked.adjustment_reward) == (
        True,
        Decimal("0"),
        Decimal("0"),
    )
    services.conversions_compute(month=this_month())
    running = AgentMonth.objects.get(agent=floor["user"], month=this_month())
    assert running.reward_disputes == Decimal("-10.00")
    assert audit.audit_month(previous) == []
    assert audit.audit_month(this_month()) == []


def test_the_adjustment_counts_for_the_agents_team_of_the_acceptance(floor):
    dispute = flag(floor)
    accepted = disputes.dispute_accept(
        dispute_id=dispute.pk, user=floor["supervisor"], amount="5", reason="Да"
    )
    team_id = AgentProfile.objects.get(user=floor["user"]).team_id
    assert accepted.adjustment_team_id == team_id == floor["team"].pk


def test_open_disputes_are_counted_for_the_supervisor_and_the_manager(floor):
    flag(floor)
    flag(floor, kind=DisputeKind.MISSING_ORDER, order_id=None, reference="наряд 7")
    other_team = TeamFactory()
    outsider = agent(other_team, username="a9")
    order_of_outsider = order(outsider, floor["vip"], created=this_month())
    disputes.dispute_flag(
        agent=outsider,
        month=this_month(),
        kind=DisputeKind.LINE,
        comment="Не то",
        order_id=order_of_outsider.pk,
    )
    assert selectors.open_count(floor["supervisor"]) == 2
    assert selectors.open_count(ManagerFactory(username="m1")) == 3
    assert selectors.open_count(floor["user"]) == 2
    assert selectors.open_count(outsider) == 1

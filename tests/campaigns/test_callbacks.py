"""Callbacks after «Клиент думает» (issue 12 §1): the table of what each result does to them, the
agent's board and counts, and moving one (campaigns.services.callbacks)."""

import datetime

import pytest

from campaigns import selectors, services
from campaigns.models import CALLBACK_GRACE, Callback, ContactHistoryEntry, ResultCode
from config.floor.errors import Conflict, DomainError, NotFound
from tests.campaigns.conftest import NOW
from tests.campaigns.factories import (
    AgentProfileFactory,
    AppealFactory,
    CallbackFactory,
    CampaignFactory,
    CampaignTargetFactory,
    PeakHoursFactory,
)
from tests.offers.factories import OfferFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("call")]

# NOW is Wednesday 2026-11-25 15:00 in Moscow: the default is Friday 27th 15:00 Moscow.
FRIDAY_1500 = datetime.datetime(2026, 11, 27, 12, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


def record(account, target, agent, result=ResultCode.THINKING, now=NOW, **kwargs):
    return services.recommendation_record_result(
        account=account, target_id=target.pk, result=result, agent=agent, now=now, **kwargs
    )


def test_thinking_opens_a_callback_two_working_days_later_by_default(account, targets, agent):
    entries = record(account, targets[0], agent)
    callback = Callback.objects.get()
    assert entries[0].callback == callback
    assert (callback.agent, callback.account, callback.offer) == (
        agent,
        account,
        targets[0].campaign.offer,
    )
    assert (callback.target_id, callback.due_at, callback.created_at) == (
        targets[0].pk,
        FRIDAY_1500,
        NOW,
    )
    assert callback.closed_at is None


def test_the_default_avoids_peak_hours(account, targets, agent):
    PeakHoursFactory(weekday=4, starts_at=datetime.time(14), ends_at=datetime.time(16, 30))
    record(account, targets[0], agent)
    assert Callback.objects.get().due_at == datetime.datetime(
        2026, 11, 27, 13, 30, tzinfo=datetime.UTC
    )


def test_the_time_asked_for_is_kept(account, targets, agent):
    asked = NOW + 3 * HOUR
    record(account, targets[0], agent, callback_at=asked)
    assert Callback.objects.get().due_at == asked


def test_a_naive_time_is_local(account, targets, agent):
    record(account, targets[0], agent, callback_at=datetime.datetime(2026, 11, 26, 10, 15))
    assert Callback.objects.get().due_at == datetime.datetime(
        2026, 11, 26, 7, 15, tzinfo=datetime.UTC
    )


@pytest.mark.parametrize(
    ("asked", "code"),
    [
        (NOW - datetime.timedelta(minutes=1), "callback_in_past"),
        (NOW + datetime.timedelta(days=31), "callback_too_far"),
        (datetime.datetime(2026, 11, 26, 15, 0, tzinfo=datetime.UTC), "callback_in_peak_hours"),
    ],
)
def test_a_refused_time_saves_nothing(account, targets, agent, asked, code):
    PeakHoursFactory(weekday=3, starts_at=datetime.time(17), ends_at=datetime.time(20))
    with pytest.raises(DomainError) as error:
        record(account, targets[0], agent, callback_at=asked)
    assert error.value.code == code
    assert not Callback.objects.exists()
    assert not ContactHistoryEntry.objects.exists()
    targets[0].refresh_from_db()
    assert targets[0].result == ResultCode.NOT_OFFERED


def test_thinking_again_makes_the_old_callback_and_opens_a_new_one(account, targets, agent):
    record(account, targets[0], agent)
    later = NOW + 2 * HOUR
    record(account, targets[1], agent, now=later, callback_at=later + 5 * HOUR)
    first, second = Callback.objects.order_by("id")
    assert (first.closed_at, first.outcome, first.closed_by) == (later, "thinking", agent)
    assert (second.closed_at, second.target_id, second.due_at) == (
        None,
        targets[1].pk,
        later + 5 * HOUR,
    )


@pytest.mark.parametrize("result", [ResultCode.AGREED, ResultCode.NOT_INTERESTED])
def test_a_decision_makes_the_callback_whoever_records_it(account, targets, agent, result):
    record(account, targets[0], agent)
    other = AgentProfileFactory(team=agent.agent_profile.team).user
    AppealFactory(account=account, agent=other, question_resolved=True)  # the other's call
    made_at = FRIDAY_1500 + datetime.timedelta(minutes=10)
    record(account, targets[1], other, result=result, now=made_at)
    callback = Callback.objects.get()
    assert (callback.agent, callback.closed_by, callback.closed_at, callback.outcome) == (
        agent,
        other,
        made_at,
        result,
    )
    assert callback.made_on_time is True


def test_not_offered_leaves_the_callback_open(account, targets, agent, call):
    record(account, targets[0], agent)
    # A later call in which the product is not offered (within the call it would be refused).
    services.appeal_close(appeal=call, now=NOW + HOUR / 2)
    AppealFactory(account=account, agent=agent, question_resolved=True)
    record(account, targets[0], agent, result=ResultCode.NOT_OFFERED, now=NOW + HOUR)
    assert Callback.objects.get().closed_at is None


def test_a_result_on_another_product_leaves_the_callback_open(account, targets, agent, broadband):
    other = CampaignTargetFactory(
        account=account, campaign=CampaignFactory(offer=OfferFactory(service=broadband))
    )
    record(account, targets[0], agent)
    record(account, other, agent, result=ResultCode.NOT_INTERESTED, now=NOW + HOUR)
    assert Callback.objects.get().closed_at is None


def test_one_product_has_one_open_callback_whatever_its_campaigns(account, targets, agent):
    record(account, targets[0], agent)
    record(account, targets[1], agent, now=NOW + HOUR)
    assert Callback.objects.open().count() == 1


@pytest.mark.parametrize(
    ("made_after_due", "on_time"),
    [
        (-datetime.timedelta(days=1), True),
        (datetime.timedelta(0), True),
        (CALLBACK_GRACE, True),
        (CALLBACK_GRACE + datetime.timedelta(seconds=1), False),
    ],
)
def test_made_on_time_within_the_grace(account, targets, agent, made_after_due, on_time):
    record(account, targets[0], agent)
    record(account, targets[0], agent, ResultCode.AGREED, now=FRIDAY_1500 + made_after_due)
    assert Callback.objects.get().made_on_time is on_time


@pytest.mark.parametrize(
    ("now", "overdue"),
    [
        (FRIDAY_1500, False),
        (FRIDAY_1500 + CALLBACK_GRACE, False),
        (FRIDAY_1500 + CALLBACK_GRACE + datetime.timedelta(seconds=1), True),
    ],
)
def test_overdue_after_the_grace(agent, now, overdue):
    callback = CallbackFactory(agent=agent, due_at=FRIDAY_1500)
    assert callback.is_overdue(now) is overdue
    assert Callback.objects.overdue(now).exists() is overdue
    assert selectors.callback_counts(agent=agent, now=now)["overdue"] == int(overdue)


def test_the_board_splits_overdue_today_and_later_by_local_day(agent):
    # 2026-11-25 21:30 UTC is already the 26th in Moscow (00:30).
    now = datetime.datetime(2026, 11, 25, 21, 30, tzinfo=datetime.UTC)
    overdue = CallbackFactory(agent=agent, due_at=now - HOUR)
    today = CallbackFactory(agent=agent, due_at=now + 20 * HOUR)  # 26th 20:30 Moscow
    later = CallbackFactory(agent=agent, due_at=now + 24 * HOUR)  # 27th 00:30 Moscow
    CallbackFactory(agent=agent, due_at=now + HOUR, closed_at=now)  # made: on no list
    CallbackFactory(due_at=now - HOUR)  # another agent's
    board = selectors.callback_board(agent=agent, now=now)
    assert board == {"overdue": [overdue], "today": [today], "later": [later]}
    assert selectors.callback_counts(agent=agent, now=now) == {"overdue": 1, "today": 1}


def test_overdue_by_agent_counts_each_agents_open_overdue_callbacks(agent):
    other = AgentProfileFactory().user
    now = FRIDAY_1500 + 2 * HOUR
    CallbackFactory(agent=agent, due_at=FRIDAY_1500)
    CallbackFactory(agent=agent, due_at=FRIDAY_1500 - HOUR)
    CallbackFactory(agent=agent, due_at=FRIDAY_1500, closed_at=now)
    CallbackFactory(agent=other, due_at=now)
    assert selectors.overdue_callbacks_by_agent(agent_ids=[agent.pk, other.pk], now=now) == {
        agent.pk: 2
    }


def test_the_agent_moves_an_open_callback(agent):
    callback = CallbackFactory(agent=agent)
    moved = services.callback_reschedule(
        callback_id=callback.pk, agent=agent, due_at=NOW + 5 * HOUR, now=NOW
    )
    assert moved.due_at == NOW + 5 * HOUR
    callback.refresh_from_db()
    assert callback.due_at == NOW + 5 * HOUR


@pytest.mark.parametrize(
    ("whose", "closed", "due", "error", "code"),
    [
        ("other", False, NOW + HOUR, NotFound, "callback_not_found"),
        ("own", True, NOW + HOUR, Conflict, "callback_closed"),
        ("own", False, NOW - HOUR, DomainError, "callback_in_past"),
        ("own", False, NOW + datetime.timedelta(days=40), DomainError, "callback_too_far"),
    ],
)
def test_moving_a_callback_is_refused(agent, whose, closed, due, error, code):
    owner = agent if whose == "own" else AgentProfileFactory().user
    callback = CallbackFactory(agent=owner, closed_at=NOW if closed else None)
    with pytest.raises(error) as raised:
        services.callback_reschedule(callback_id=callback.pk, agent=agent, due_at=due, now=NOW)
    assert raised.value.code == code
    callback.refresh_from_db()
    assert callback.due_at == CallbackFactory._meta.declarations["due_at"]

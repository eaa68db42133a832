"""A campaign's life by status and dates (campaigns.services.campaigns): launch, the scheduled
task that starts and ends campaigns, clone, dates and priority for many at once; the launch
warnings (campaigns.selectors, with rewards' check)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import translation

from campaigns.models import CampaignStatus
from campaigns.selectors import campaign_launch_warnings
from campaigns.services import (
    campaign_clone,
    campaigns_bulk_update,
    campaigns_follow_schedule,
    campaigns_launch,
)
from config.floor.errors import DomainError
from tests.campaigns.factories import (
    CampaignFactory,
    CampaignTargetFactory,
    SubscriberAccountFactory,
)
from tests.config.factories import ManagerFactory
from tests.offers.factories import OfferFactory, SegmentFactory, ServiceFactory
from tests.rewards.factories import RewardRuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def russian():
    with translation.override("ru"):
        yield


D = datetime.date(2026, 3, 31)  # a month end, in the portal's (Moscow) calendar
DAY = datetime.timedelta(days=1)

S = CampaignStatus
# (status, starts_on, ends_on) on day D → status after the scheduled task.
SCHEDULE_TABLE = [
    (S.SCHEDULED, D, None, S.ACTIVE),  # starts today
    (S.SCHEDULED, D - DAY, D, S.ACTIVE),  # started yesterday, ends today (still running)
    (S.SCHEDULED, D + DAY, None, S.SCHEDULED),  # starts tomorrow
    (S.SCHEDULED, D - 2 * DAY, D - DAY, S.ARCHIVED),  # its whole period passed unlaunched
    (S.ACTIVE, D - 9 * DAY, D, S.ACTIVE),  # the end date is its last day
    (S.ACTIVE, D - 9 * DAY, D - DAY, S.ARCHIVED),
    (S.PAUSED, D - 9 * DAY, D - DAY, S.ARCHIVED),
    (S.DRAFT, D - 9 * DAY, D - DAY, S.DRAFT),  # never launched: left alone
    (S.DRAFT, D, None, S.DRAFT),
    (S.ARCHIVED, D - 9 * DAY, None, S.ARCHIVED),
]


@pytest.mark.parametrize(("status", "starts", "ends", "expected"), SCHEDULE_TABLE)
def test_the_scheduled_task_follows_the_dates(status, starts, ends, expected):
    campaign = CampaignFactory(status=status, starts_on=starts, ends_on=ends)
    campaigns_follow_schedule(today=D)
    campaign.refresh_from_db()
    assert campaign.status == expected
    campaigns_follow_schedule(today=D)  # a second run (a retried task) changes nothing more
    campaign.refresh_from_db()
    assert campaign.status == expected


def test_a_move_by_the_schedule_is_recorded_with_its_reason():
    campaign = CampaignFactory(status=S.SCHEDULED, starts_on=D)
    campaigns_follow_schedule(today=D)
    assert campaign.history.first().history_change_reason == "Наступила дата начала"


# (status, starts_on, ends_on) launched on day D → status.
LAUNCH_TABLE = [
    (S.DRAFT, D + DAY, None, S.SCHEDULED),
    (S.DRAFT, D, None, S.ACTIVE),
    (S.DRAFT, D - 9 * DAY, D, S.ACTIVE),
    (S.DRAFT, D - 9 * DAY, D - DAY, S.DRAFT),  # ended: cannot be launched
    (S.PAUSED, D - 9 * DAY, None, S.ACTIVE),
    (S.PAUSED, D + 5 * DAY, None, S.SCHEDULED),
    (S.SCHEDULED, D + DAY, None, S.SCHEDULED),
    (S.ACTIVE, D, None, S.ACTIVE),
    (S.ARCHIVED, D, None, S.ARCHIVED),
]


@pytest.mark.parametrize(("status", "starts", "ends", "expected"), LAUNCH_TABLE)
def test_launch_schedules_or_activates_by_the_start_date(status, starts, ends, expected):
    campaign = CampaignFactory(status=status, starts_on=starts, ends_on=ends)
    moved = campaigns_launch(campaigns=[campaign], today=D)
    campaign.refresh_from_db()
    assert campaign.status == expected
    assert moved == (expected != status)


def test_a_scheduled_campaign_starts_by_itself_on_its_day():
    manager = ManagerFactory()
    campaign = CampaignFactory(status=S.DRAFT, starts_on=D + DAY)
    campaigns_launch(campaigns=[campaign], by=manager, today=D)
    campaigns_follow_schedule(today=D)
    campaign.refresh_from_db()
    assert campaign.status == S.SCHEDULED
    campaigns_follow_schedule(today=D + DAY)
    campaign.refresh_from_db()
    assert campaign.status == S.ACTIVE


def test_run_schedule_once_runs_the_campaign_task_in_process():
    today = datetime.date.today()
    campaign = CampaignFactory(status=S.ACTIVE, starts_on=today - 9 * DAY, ends_on=today - 2 * DAY)
    call_command("run_schedule", "--once", stdout=io.StringIO())
    campaign.refresh_from_db()
    assert campaign.status == S.ARCHIVED


def test_a_clone_is_a_draft_with_a_free_code_the_same_audience_and_no_targets():
    manager = ManagerFactory()
    segment = SegmentFactory()
    original = CampaignFactory(
        code="Кино_01",
        name="Кино",
        status=S.ARCHIVED,
        starts_on=D - 30 * DAY,
        ends_on=D - DAY,
        priority=150,
        segments=[segment],
    )
    CampaignTargetFactory(campaign=original)
    CampaignFactory(code="Кино_01_2")
    clone = campaign_clone(campaign=original, by=manager, today=D)
    assert (clone.code, clone.name, clone.status) == ("Кино_01_3", "Кино (копия)", S.DRAFT)
    assert (clone.starts_on, clone.ends_on, clone.priority) == (D, None, 150)
    assert list(clone.segments.all()) == [segment]
    assert clone.owner == manager
    assert not clone.targets.exists()
    assert clone.history.last().history_change_reason == "Копия кампании «Кино_01»"


def test_bulk_update_sets_dates_and_priority_on_all_or_none():
    first = CampaignFactory(starts_on=D, ends_on=None, priority=100)
    second = CampaignFactory(starts_on=D, ends_on=D + 30 * DAY, priority=100)
    assert campaigns_bulk_update(campaigns=[first, second], ends_on=D + 10 * DAY, priority=7) == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.ends_on, first.priority, second.ends_on) == (D + 10 * DAY, 7, D + 10 * DAY)
    with pytest.raises(DomainError) as error:
        campaigns_bulk_update(campaigns=[first, second], starts_on=D + 20 * DAY)
    assert error.value.code == "ends_before_start"
    first.refresh_from_db()
    assert first.starts_on == D  # nothing changed
    campaigns_bulk_update(campaigns=[first], starts_on=D + 20 * DAY, clear_end=True)
    first.refresh_from_db()
    assert (first.starts_on, first.ends_on) == (D + 20 * DAY, None)
    with pytest.raises(DomainError):
        campaigns_bulk_update(campaigns=[first])


def test_launch_warnings_name_what_is_missing():
    broadband = ServiceFactory(code="broadband")
    offer = OfferFactory(name="Кино", service=broadband)
    campaign = CampaignFactory(
        offer=offer, starts_on=D, segments=[SegmentFactory(services=[broadband])]
    )
    warnings = campaign_launch_warnings(campaign=campaign, today=D)
    assert any("нет целевого списка" in w for w in warnings), warnings
    assert any("Ни одно правило вознаграждения" in w and "«Кино»" in w for w in warnings)

    inside = SubscriberAccountFactory(services=[broadband])
    outside = SubscriberAccountFactory(services=[])
    for account in (inside, outside):
        CampaignTargetFactory(campaign=campaign, account=account)
    rule = RewardRuleFactory(service=broadband, valid_from=D - DAY, amount=Decimal("40"))
    rule.offers.set([offer])
    warnings = campaign_launch_warnings(campaign=campaign, today=D)
    assert warnings == [
        "1 целевой лицевой счёт вне сегментов кампании: операторы не увидят на нём кампанию."
    ]

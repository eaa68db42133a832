"""Segments for real households, peak windows across midnight, regions in any case (issue 10 §6,
R9, R12), on SQLite and PostgreSQL alike."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from campaigns import selectors, services
from campaigns.models import PeakHours
from campaigns.orders.selectors import open_slots
from campaigns.selectors import recommendations_for
from offers.models import ServiceCode
from tests.campaigns.conftest import NOW
from tests.campaigns.factories import (
    OutageFactory,
    PeakHoursFactory,
    SubscriberAccountFactory,
)
from tests.campaigns.orders_support import future_slot
from tests.config.factories import ManagerFactory
from tests.offers.factories import SegmentFactory, ServiceFactory

pytestmark = pytest.mark.django_db

MSK = datetime.timezone(datetime.timedelta(hours=3))
MONDAY = datetime.date(2026, 11, 23)


@pytest.fixture
def mobile(db):
    return ServiceFactory(code=ServiceCode.MOBILE, name="Мобильная связь")


@pytest.fixture
def bb_tv(broadband, iptv):
    return SegmentFactory(code="bb-tv", name="ШПД + ТВ", services=[broadband, iptv])


def reasons(account, now=NOW):
    return recommendations_for(account=account, now=now)[0].reasons


class TestHouseholds:
    @pytest.mark.parametrize(
        ("held", "in_segment"),
        [
            (["broadband"], True),
            (["broadband", "mobile"], True),  # mobile defines no segment
            (["broadband", "iptv"], False),  # another segment's household
            (["broadband", "iptv", "mobile"], False),
            (["mobile"], False),  # in no segment at all
            ([], False),
        ],
    )
    def test_services_no_segment_names_leave_the_household_in_its_segment(
        self, account, targets, mobile, bb_tv, broadband, iptv, held, in_segment
    ):
        by_code = {"broadband": broadband, "iptv": iptv, "mobile": mobile}
        account.services.set([by_code[code] for code in held])
        assert ("not_in_segment" not in reasons(account)) is in_segment

    def test_broadband_tv_and_mobile_is_broadband_tv(self, account, mobile, bb_tv, broadband, iptv):
        account.services.set([broadband, iptv, mobile])
        assert selectors.segment_of(account_id=account.pk) == bb_tv

    def test_an_account_in_no_segment_says_so_in_the_api_and_the_admin(
        self, api_client, client, account, agent, mobile, bb_tv, broadband_segment
    ):
        account.services.set([mobile])
        SubscriberAccountFactory(number="352000000001", services=[mobile])
        api_client.force_authenticate(agent)
        assert api_client.get(f"/api/v1/accounts/{account.number}/").json()["segment"] is None
        assert selectors.accounts_in_no_segment().count() == 2
        client.force_login(ManagerFactory())
        page = client.get("/admin/campaigns/subscriberaccount/").content.decode()
        assert "Вне сегментов (2)" in page
        filtered = client.get("/admin/campaigns/subscriberaccount/?segment=none")
        assert filtered.status_code == 200
        assert "352000000001" in filtered.content.decode()

    def test_the_api_names_the_segment(self, api_client, account, agent, bb_tv, broadband_segment):
        api_client.force_authenticate(agent)
        body = api_client.get(f"/api/v1/accounts/{account.number}/").json()
        assert body["segment"] == {"code": "broadband", "name": "Моно ШПД"}


class TestPeakHoursAcrossMidnight:
    @pytest.fixture
    def night(self, db):
        return PeakHoursFactory(
            weekday=MONDAY.weekday(), starts_at=datetime.time(22), ends_at=datetime.time(2)
        )

    @pytest.mark.parametrize(
        ("day", "clock", "in_peak"),
        [
            (MONDAY, datetime.time(21, 59, 59), False),
            (MONDAY, datetime.time(22, 0), True),
            (MONDAY, datetime.time(23, 59, 59), True),
            (MONDAY + datetime.timedelta(days=1), datetime.time(0, 0), True),
            (MONDAY + datetime.timedelta(days=1), datetime.time(1, 59, 59), True),
            (MONDAY + datetime.timedelta(days=1), datetime.time(2, 0), False),
            (MONDAY + datetime.timedelta(days=1), datetime.time(23, 0), False),
            (MONDAY, datetime.time(1, 0), False),  # Monday's own small hours: Sunday has none
        ],
    )
    def test_one_window_from_the_evening_into_the_next_night(
        self, account, targets, night, day, clock, in_peak
    ):
        now = datetime.datetime.combine(day, clock, tzinfo=MSK)
        assert ("peak_hours" in reasons(account, now=now)) is in_peak

    def test_sunday_night_runs_into_monday(self):
        window = PeakHours(weekday=6, starts_at=datetime.time(23), ends_at=datetime.time(1))
        assert window.covers(datetime.datetime.combine(MONDAY, datetime.time(0, 30)))
        assert not window.covers(datetime.datetime.combine(MONDAY, datetime.time(23, 30)))

    def test_a_window_that_ends_when_it_starts_is_refused_with_a_message(self, db):
        window = PeakHours(weekday=0, starts_at=datetime.time(22), ends_at=datetime.time(22))
        with pytest.raises(ValidationError) as error:
            window.full_clean()
        assert "через полночь" in str(error.value)


class TestRegionsInAnyCase:
    @pytest.mark.parametrize(
        ("account_region", "outage_region", "applies"),
        [
            ("МОСКВА", "москва", True),
            ("Санкт-Петербург", "САНКТ-ПЕТЕРБУРГ", True),
            ("москва", "Москва", True),
            ("Москва", "Московская область", False),
            ("Москва", "", True),  # an outage everywhere
        ],
    )
    def test_an_outage_applies_whatever_the_case(
        self, account, targets, account_region, outage_region, applies
    ):
        account.region = account_region
        account.save()
        OutageFactory(region=outage_region)
        assert ("outage" in reasons(account)) is applies

    def test_installer_slots_of_the_region_whatever_the_case(self, db):
        slot = future_slot()
        slot.region = "Москва"
        slot.save()
        assert list(open_slots(region="МОСКВА")) == [slot]
        assert list(open_slots(region="Тверь")) == []

    def test_the_crm_s_spacing_goes_on_save(self, broadband):
        account, _ = services.account_upsert(
            number="352000000002",
            data={
                "surname": "Иванов",
                "first_name": "Иван",
                "payment_model": "credit",
                "region": "  Санкт-Петербург \t",
            },
        )
        assert account.region == "Санкт-Петербург"

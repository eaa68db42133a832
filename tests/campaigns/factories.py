"""Factories of campaigns and the sales floor, connection orders included."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from campaigns import personal_data
from campaigns.models import (
    AgentProfile,
    Appeal,
    Callback,
    Campaign,
    CampaignStatus,
    CampaignTarget,
    ConnectionOrder,
    ContactHistoryEntry,
    Department,
    InstallerSlot,
    OrderStatus,
    OrderStatusChange,
    Outage,
    PaymentModel,
    PeakHours,
    SalesChannel,
    ScriptVersion,
    StatusSource,
    SubscriberAccount,
    Team,
)
from campaigns.orders.services import previous_plan
from config.floor import roles
from offers.models import OfferKind
from tests.config.factories import (
    UserFactory,
    many_to_many,
)
from tests.offers.factories import (
    OfferFactory,
    ServiceFactory,
    TechnologyFactory,
)

User = get_user_model()


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"D{n}")
    name = factory.Sequence(lambda n: f"Department {n}")


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    department = factory.SubFactory(DepartmentFactory)

    supervisors = many_to_many("supervisors")


class AgentProfileFactory(DjangoModelFactory):
    class Meta:
        model = AgentProfile

    user = factory.SubFactory(UserFactory, role=roles.AGENTS)
    team = factory.SubFactory(TeamFactory)
    employee_number = factory.Sequence(lambda n: f"E{n:05d}")
    started_on = datetime.date(2024, 1, 15)


class SubscriberAccountFactory(DjangoModelFactory):
    class Meta:
        model = SubscriberAccount

    number = factory.Sequence(lambda n: f"{352000000000 + n:012d}")
    surname = factory.Faker("last_name_male", locale="ru_RU")
    first_name = factory.Faker("first_name_male", locale="ru_RU")
    patronymic = factory.Faker("middle_name_male", locale="ru_RU")
    payment_model = PaymentModel.ADVANCE
    balance = Decimal("224.55")
    region = "Москва"

    services = many_to_many("services")

    offers = many_to_many("offers")


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = Campaign

    code = factory.Sequence(lambda n: f"CAMPAIGN_{n}")
    name = factory.Sequence(lambda n: f"Campaign {n}")
    offer = factory.SubFactory(OfferFactory)
    script_template = "{customer}, предлагаем {offer} всего за {price_per_day} ₽ в день."
    starts_on = datetime.date(2026, 1, 1)
    ends_on = None
    status = CampaignStatus.ACTIVE
    priority = 100

    segments = many_to_many("segments")


class ScriptVersionFactory(DjangoModelFactory):
    class Meta:
        model = ScriptVersion
        django_get_or_create = ("campaign", "label")

    campaign = factory.SubFactory(CampaignFactory)
    label = factory.Sequence(lambda n: chr(65 + n % 26))
    script_template = factory.LazyAttribute(lambda v: f"Версия {v.label}: {{customer}}, {{offer}}.")
    weight = 50


class CampaignTargetFactory(DjangoModelFactory):
    class Meta:
        model = CampaignTarget

    campaign = factory.SubFactory(CampaignFactory)
    account = factory.SubFactory(SubscriberAccountFactory)


class AppealFactory(DjangoModelFactory):
    class Meta:
        model = Appeal

    account = factory.SubFactory(SubscriberAccountFactory)
    agent = factory.SubFactory(UserFactory, role=roles.AGENTS)
    question_resolved = True


class ContactHistoryEntryFactory(DjangoModelFactory):
    class Meta:
        model = ContactHistoryEntry

    target = factory.SubFactory(CampaignTargetFactory)
    result = "thinking"
    comment = "Клиент думает"
    agent = factory.SubFactory(UserFactory, role=roles.AGENTS)
    created_at = factory.LazyFunction(
        lambda: datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)
    )


class PeakHoursFactory(DjangoModelFactory):
    class Meta:
        model = PeakHours

    weekday = 0
    starts_at = datetime.time(9, 0)
    ends_at = datetime.time(11, 0)


class OutageFactory(DjangoModelFactory):
    class Meta:
        model = Outage

    title = "Авария на узле"
    starts_at = factory.LazyFunction(lambda: datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))


class SalesChannelFactory(DjangoModelFactory):
    class Meta:
        model = SalesChannel
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"channel-{n}")
    name = factory.Sequence(lambda n: f"Канал {n}")


class InstallerSlotFactory(DjangoModelFactory):
    """Three-hour slots (Moscow time) from two days after the real today: 09, 12, 15, 18 h."""

    class Meta:
        model = InstallerSlot

    starts_at = factory.Sequence(
        lambda n: datetime.datetime.combine(
            datetime.date.today() + datetime.timedelta(days=2 + n // 4),
            datetime.time(9 + 3 * (n % 4)),
            tzinfo=datetime.timezone(datetime.timedelta(hours=3)),
        )
    )
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + datetime.timedelta(hours=3))
    capacity = 3


def passport_token(series="4512", number="123456", issued_on=datetime.date(2015, 6, 1)):
    return personal_data.encrypt_passport(
        personal_data.Passport(series, number, issued_on, "ОВД района Хамовники г. Москвы")
    )


class ConnectionOrderFactory(DjangoModelFactory):
    class Meta:
        model = ConnectionOrder

    account = factory.SubFactory(SubscriberAccountFactory)
    agent = factory.SubFactory(UserFactory, role=roles.AGENTS)
    full_name = "Журавлев Евгений Михайлович"
    contact_phone = "+79161234568"
    connection_address = "г. Москва, ул. Льва Толстого, д. 16, кв. 5"
    registration_address = "г. Москва, ул. Тимура Фрунзе, д. 11, кв. 2"
    passport_ciphertext = factory.LazyFunction(passport_token)
    technology = factory.SubFactory(TechnologyFactory)
    service = factory.SubFactory(ServiceFactory)
    sales_channel = factory.SubFactory(SalesChannelFactory)
    tariff = factory.SubFactory(OfferFactory, kind=OfferKind.TARIFF)
    product = None
    # As registration records them: the account's plan the sale replaces, and its fee then.
    previous_tariff = factory.LazyAttribute(
        lambda o: previous_plan(account=o.account, sale=o.product or o.tariff)
    )
    previous_monthly_fee = factory.LazyAttribute(
        lambda o: o.previous_tariff.monthly_price if o.previous_tariff else None
    )
    slot = factory.SubFactory(InstallerSlotFactory)
    status = OrderStatus.REGISTERED
    created_at = factory.LazyFunction(lambda: datetime.datetime.now(tz=datetime.UTC))


class OrderStatusChangeFactory(DjangoModelFactory):
    class Meta:
        model = OrderStatusChange

    order = factory.SubFactory(ConnectionOrderFactory)
    status = OrderStatus.REGISTERED
    source = StatusSource.AGENT
    changed_at = factory.LazyFunction(lambda: datetime.datetime.now(tz=datetime.UTC))


class CallbackFactory(DjangoModelFactory):
    class Meta:
        model = Callback

    target = factory.SubFactory(CampaignTargetFactory)
    account = factory.SelfAttribute("target.account")
    offer = factory.SelfAttribute("target.campaign.offer")
    agent = factory.SubFactory(UserFactory, role=roles.AGENTS)
    due_at = datetime.datetime(2026, 11, 27, 12, 0, tzinfo=datetime.UTC)
    created_at = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=datetime.UTC)

"""Factories for every model (factory-boy). Import from here in every test module."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from factory.django import DjangoModelFactory

from campaigns.models import (
    AgentProfile,
    Appeal,
    Campaign,
    CampaignStatus,
    CampaignTarget,
    ContactHistoryEntry,
    Department,
    Outage,
    PaymentModel,
    PeakHours,
    SubscriberAccount,
    Team,
)
from config.floor import roles
from knowledge_base.models import Article, ArticleStatus, Category, Tag
from offers.models import Offer, OfferKind, Segment, Service, ServiceCode
from rewards.models import RewardBand, RewardKind, RewardRule

User = get_user_model()


def many_to_many(name):
    """`Factory(services=[...])` sets that many-to-many relation after the object is saved."""

    def set_related(obj, create, extracted, **kwargs):
        if create and extracted:
            getattr(obj, name).set(extracted)

    return factory.PostGeneration(set_related)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="ru_RU")
    last_name = factory.Faker("last_name", locale="ru_RU")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pass-12345")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        _give_role(self, create, extracted)


def _give_role(user, create, role):
    if create and role:
        if not Group.objects.filter(name=role).exists():
            # A transactional test flushed the groups the data migration made.
            roles.sync_roles(Group, Permission)
        user.groups.add(Group.objects.get(name=role))
        if role in roles.STAFF_ROLES:
            user.is_staff = True
            user.save(update_fields=["is_staff"])


def _role_by_default(default):
    """A post-generation `role` that a subclass gives by default (`role=...` still overrides)."""
    return factory.PostGeneration(
        lambda user, create, extracted, **kwargs: _give_role(user, create, extracted or default)
    )


class ManagerFactory(UserFactory):
    role = _role_by_default(roles.MANAGERS)


class SupervisorFactory(UserFactory):
    role = _role_by_default(roles.SUPERVISORS)


class CrmUserFactory(UserFactory):
    role = _role_by_default(roles.CRM)


class ServiceFactory(DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ("code",)

    code = ServiceCode.BROADBAND
    name = factory.LazyAttribute(lambda s: ServiceCode(s.code).label)


class SegmentFactory(DjangoModelFactory):
    class Meta:
        model = Segment
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"segment-{n}")
    name = factory.LazyAttribute(lambda s: s.code)

    services = many_to_many("services")


class OfferFactory(DjangoModelFactory):
    class Meta:
        model = Offer

    code = factory.Sequence(lambda n: f"offer-{n}")
    name = factory.Sequence(lambda n: f"Offer {n}")
    kind = OfferKind.OPTION
    service = factory.SubFactory(ServiceFactory)
    monthly_price = Decimal("139.00")
    promo_days = 0

    segments = many_to_many("segments")


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


class CampaignTargetFactory(DjangoModelFactory):
    class Meta:
        model = CampaignTarget

    campaign = factory.SubFactory(CampaignFactory)
    account = factory.SubFactory(SubscriberAccountFactory)


class RewardRuleFactory(DjangoModelFactory):
    class Meta:
        model = RewardRule

    code = factory.Sequence(lambda n: f"rule-{n}")
    name = factory.Sequence(lambda n: f"Rule {n}")
    service = factory.SubFactory(ServiceFactory)
    kind = RewardKind.FIXED
    amount = Decimal("15.00")
    valid_from = datetime.date(2019, 1, 1)

    offers = many_to_many("offers")


class RewardBandFactory(DjangoModelFactory):
    class Meta:
        model = RewardBand

    rule = factory.SubFactory(RewardRuleFactory, kind=RewardKind.TIERED, amount=None)
    min_increase = Decimal("0")
    max_increase = Decimal("100")
    amount = Decimal("15")


class CategoryFactory(DjangoModelFactory):
    """Creates root categories; pass `parent` to add a child under it."""

    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        if parent is not None:
            return model_class.objects.add_child(parent, kwargs)
        return model_class.objects.add_root(kwargs)


class TagFactory(DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag-{n}")


class ArticleFactory(DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article {n}")
    body = "Текст статьи."
    category = factory.SubFactory(CategoryFactory)
    owner = factory.SubFactory(ManagerFactory)
    status = ArticleStatus.PUBLISHED
    published_at = factory.LazyFunction(
        lambda: datetime.datetime(2019, 6, 7, 14, 52, tzinfo=datetime.UTC)
    )

    tags = many_to_many("tags")


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


# Knowledge base: bridges, objections, closing phrases, feedback, recent views (issue 6).
from knowledge_base.models import (  # noqa: E402
    ArticleFeedback,
    Bridge,
    ClosingPhrase,
    ClosingStage,
    ObjectionStep,
    ObjectionType,
    RecentView,
    StockAnswer,
    VzorStep,
)


class BridgeFactory(DjangoModelFactory):
    class Meta:
        model = Bridge
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"bridge-{n}")
    trigger = factory.Sequence(lambda n: f"Ситуация {n}")
    phrase = "Для обеспечения безопасности предлагаю Вам подключить антивирус на два устройства..."
    keywords = "вирус, антивирус"
    offer = factory.SubFactory(OfferFactory)


class ObjectionTypeFactory(DjangoModelFactory):
    class Meta:
        model = ObjectionType
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"objection-{n}")
    name = factory.Sequence(lambda n: f"возражение {n}")


class ObjectionStepFactory(DjangoModelFactory):
    class Meta:
        model = ObjectionStep

    objection = factory.SubFactory(ObjectionTypeFactory)
    step = VzorStep.LISTEN
    phrase = "«Понимаю, что для вас важно не переплачивать.»"


class StockAnswerFactory(DjangoModelFactory):
    class Meta:
        model = StockAnswer

    objection = factory.SubFactory(ObjectionTypeFactory)
    customer_says = factory.Sequence(lambda n: f"Я подумаю {n}")
    answer = "Скажите, пожалуйста, о чем Вы будете думать?"


class ClosingPhraseFactory(DjangoModelFactory):
    class Meta:
        model = ClosingPhrase

    stage = ClosingStage.REACT_POSITIVELY
    text = factory.Sequence(lambda n: f"Отлично {n}!")


class ArticleFeedbackFactory(DjangoModelFactory):
    class Meta:
        model = ArticleFeedback

    article = factory.SubFactory(ArticleFactory)
    user = factory.SubFactory(UserFactory)
    helpful = True
    comment = ""


class RecentViewFactory(DjangoModelFactory):
    class Meta:
        model = RecentView

    user = factory.SubFactory(UserFactory)
    article = factory.SubFactory(ArticleFactory)
    viewed_at = factory.LazyFunction(lambda: datetime.datetime.now(tz=datetime.UTC))


# Connection orders (issue 4).
from campaigns import personal_data  # noqa: E402
from campaigns.models import (  # noqa: E402
    ConnectionOrder,
    InstallerSlot,
    OrderStatus,
    OrderStatusChange,
    SalesChannel,
    StatusSource,
)
from campaigns.orders.services import previous_plan  # noqa: E402
from offers.models import Technology  # noqa: E402


class TechnologyFactory(DjangoModelFactory):
    class Meta:
        model = Technology
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"tech-{n}")
    name = factory.LazyAttribute(lambda t: t.code.upper())

    services = many_to_many("services")

    offers = many_to_many("offers")


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

"""The antivirus world of the deck: account 352011070411 with two campaigns for one product."""

import datetime
from decimal import Decimal

import pytest

from campaigns.models import PaymentModel
from knowledge_base.models import ObjectionType
from offers.models import OfferKind, ServiceCode
from tests.campaigns.factories import (
    AgentProfileFactory,
    AppealFactory,
    CampaignFactory,
    CampaignTargetFactory,
    DepartmentFactory,
    SubscriberAccountFactory,
    TeamFactory,
)
from tests.offers.factories import OfferFactory, SegmentFactory, ServiceFactory

# A Wednesday afternoon, outside any peak hours the tests create unless they say so.
NOW = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def broadband(db):
    return ServiceFactory(code=ServiceCode.BROADBAND, name="Домашний интернет")


@pytest.fixture
def iptv(db):
    return ServiceFactory(code=ServiceCode.IPTV, name="Интерактивное ТВ")


@pytest.fixture
def broadband_segment(broadband):
    return SegmentFactory(code="broadband", name="Моно ШПД", services=[broadband])


@pytest.fixture
def antivirus(broadband, broadband_segment):
    return OfferFactory(
        code="kaspersky-2",
        name="Антивирус",
        kind=OfferKind.SUBSCRIPTION,
        service=broadband,
        monthly_price=Decimal("139.00"),
        promo_days=30,
        segments=[broadband_segment],
    )


@pytest.fixture
def account(broadband):
    return SubscriberAccountFactory(
        number="352011070411",
        surname="Журавлев",
        first_name="Евгений",
        patronymic="Михайлович",
        payment_model=PaymentModel.ADVANCE,
        balance=Decimal("224.55"),
        contact_phone="+79161234568",
        email="zhuravlev@example.com",
        services=[broadband],
    )


@pytest.fixture
def campaigns(antivirus, broadband_segment):
    first = CampaignFactory(
        code="Антивирус_vo12_CRM_MR03",
        offer=antivirus,
        priority=100,
        segments=[broadband_segment],
        script_template="{customer}, антивирус за {price_per_day} ₽ в день, {promo_days} дней бесплатно.",
        starts_on=datetime.date(2026, 11, 1),
    )
    second = CampaignFactory(
        code="TEST_CRM_MR03_W4",
        offer=antivirus,
        priority=90,
        segments=[broadband_segment],
        starts_on=datetime.date(2026, 11, 1),
    )
    return first, second


@pytest.fixture
def targets(account, campaigns):
    return [CampaignTargetFactory(campaign=c, account=account) for c in campaigns]


@pytest.fixture
def department(db):
    return DepartmentFactory(code="COO", name="ЦОО")


@pytest.fixture
def agent(department):
    team = TeamFactory(name="Команда 1", department=department)
    return AgentProfileFactory(user__username="agent", team=team).user


@pytest.fixture
def objections(db):
    return {
        code: ObjectionType.objects.create(code=code, name=name, order=i)
        for i, (code, name) in enumerate(
            [
                ("expensive", "дорого"),
                ("will_think", "я подумаю"),
                ("no_need", "нет необходимости"),
                ("other_operator", "есть у другого оператора"),
            ]
        )
    }


@pytest.fixture
def call(account, agent):
    """The agent's open appeal on the account, the customer's question resolved (R1)."""
    return AppealFactory(account=account, agent=agent, question_resolved=True)

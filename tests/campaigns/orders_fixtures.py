"""Fixtures of the connection-order tests (a pytest plugin: `pytest_plugins` in each module)."""

from decimal import Decimal

import pytest

from campaigns.models import SalesChannel
from config.celery_app import app as celery_app
from offers.models import OfferKind
from tests.campaigns.factories import CampaignFactory, CampaignTargetFactory
from tests.campaigns.orders_support import FulfilmentStandIn, future_slot
from tests.offers.factories import OfferFactory, TechnologyFactory


@pytest.fixture
def eager_celery():
    """Tasks enqueued on commit run in-process, whatever broker the environment names."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def funded_account(request):
    """The demo account's 224.55 ₽ do not pay a tariff's first charge early in a month (R2 is
    re-checked at registration): the order tests' account has the funds, whatever the date.
    Only for the modules that load these fixtures: `pytest_plugins` registers them for the whole
    session, and the eligibility tests need the account's own 224.55 ₽."""
    if __name__ not in getattr(request.module, "pytest_plugins", ()):
        return
    if "account" in request.fixturenames:
        account = request.getfixturevalue("account")
        account.balance = Decimal("5000.00")
        account.save(update_fields=["balance"])


@pytest.fixture
def catalogue(broadband, iptv):
    """FTTB carries broadband and IPTV with two tariffs and a router; ADSL only a slow tariff."""
    fast = OfferFactory(
        code="bb-100",
        name="Базовый 100",
        kind=OfferKind.TARIFF,
        service=broadband,
        monthly_price=Decimal("450"),
    )
    iptv_tariff = OfferFactory(
        code="iptv-basic",
        name="ТВ базовый",
        kind=OfferKind.TARIFF,
        service=iptv,
        monthly_price=Decimal("320"),
    )
    slow = OfferFactory(
        code="adsl-8",
        name="ADSL 8",
        kind=OfferKind.TARIFF,
        service=broadband,
        monthly_price=Decimal("300"),
    )
    router = OfferFactory(
        code="router-wifi6",
        name="Роутер Wi-Fi 6",
        kind=OfferKind.EQUIPMENT,
        service=broadband,
        monthly_price=Decimal("150"),
    )
    modem = OfferFactory(
        code="adsl-modem",
        name="ADSL-модем",
        kind=OfferKind.EQUIPMENT,
        service=broadband,
        monthly_price=Decimal("50"),
    )
    kino = OfferFactory(
        code="iptv-kino",
        name="Кино",
        kind=OfferKind.PACKAGE,
        service=iptv,
        monthly_price=Decimal("299"),
    )
    fttb = TechnologyFactory(
        code="fttb", name="FTTB", services=[broadband, iptv], offers=[fast, iptv_tariff, router]
    )
    adsl = TechnologyFactory(code="adsl", name="ADSL", services=[broadband], offers=[slow, modem])
    channel, _ = SalesChannel.objects.get_or_create(
        code="26-mc-ntt", defaults={"name": "26 Обслуживание МЦ НТТ", "is_default": True}
    )
    return {
        "fttb": fttb,
        "adsl": adsl,
        "fast": fast,
        "slow": slow,
        "router": router,
        "modem": modem,
        "kino": kino,
        "channel": channel,
        "iptv_tariff": iptv_tariff,
    }


@pytest.fixture
def slot(db):
    return future_slot()


@pytest.fixture
def standin(settings):
    server = FulfilmentStandIn()
    settings.FULFILMENT_URL = server.url
    settings.FULFILMENT_TIMEOUT = 1.0
    yield server
    if not server.stopped:
        server.stop()


@pytest.fixture
def api(api_client, agent):
    api_client.force_authenticate(agent)
    return api_client


@pytest.fixture
def tariff_target(account, catalogue):
    """A campaign moving the account to «Базовый 100» (a tariff move: a connection order)."""
    campaign = CampaignFactory(code="ТП_Базовый_100", offer=catalogue["fast"])
    return CampaignTargetFactory(campaign=campaign, account=account)

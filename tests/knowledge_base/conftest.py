import pytest

from knowledge_base.seed import seed_knowledge_base
from tests.offers.factories import OfferFactory, ServiceFactory


@pytest.fixture
def kb_offers(db):
    """The offers the seed's bridges point at."""
    broadband = ServiceFactory(code="broadband")
    iptv = ServiceFactory(code="iptv")
    return {
        code: OfferFactory(code=code, name=name, service=service, monthly_price=price)
        for code, name, service, price in [
            ("kaspersky-2", "Kaspersky Internet Security для 2-х устройств", broadband, 139),
            ("kaspersky-safe-kids", "Kaspersky Safe Kids", broadband, 99),
            ("kaspersky-2-safe-kids", "Kaspersky + Safe Kids", broadband, 238),
            ("speed-plus-100", "Опция «+100 Мбит/с»", broadband, 100),
            ("iptv-view-control", "Опция «Управление просмотром»", iptv, 60),
        ]
    }


@pytest.fixture
def seeded(db, manager, kb_offers):
    return seed_knowledge_base(owner=manager)

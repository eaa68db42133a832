"""The catalogue's invariants: unique codes and non-negative prices, in the database and in clean()."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from offers.models import Offer, OfferKind, Segment, Service, ServiceCode
from tests.offers.factories import OfferFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def test_service_codes_are_unique():
    Service.objects.create(code=ServiceCode.PHONE, name="Телефон")

    with pytest.raises(IntegrityError), transaction.atomic():
        Service.objects.create(code=ServiceCode.PHONE, name="Ещё телефон")


def test_segment_codes_are_unique():
    Segment.objects.create(code="bb-tv", name="ШПД + ТВ")

    with pytest.raises(IntegrityError), transaction.atomic():
        Segment.objects.create(code="bb-tv", name="Другой")


def test_offer_codes_are_unique():
    OfferFactory(code="antivirus")

    with pytest.raises(IntegrityError), transaction.atomic():
        OfferFactory(code="antivirus")


def test_offer_price_cannot_be_negative_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        OfferFactory(monthly_price=Decimal("-0.01"))


def test_offer_price_of_zero_is_allowed():
    offer = OfferFactory(monthly_price=Decimal("0"))

    offer.full_clean()


def test_offer_kind_is_one_of_the_choices_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        OfferFactory(kind="spaceship")


def test_offer_promo_days_cannot_be_negative():
    with pytest.raises(IntegrityError), transaction.atomic():
        OfferFactory(promo_days=-1)


def test_clean_refuses_a_negative_price_with_a_translated_message():
    offer = OfferFactory.build(service=ServiceFactory(), monthly_price=Decimal("-5"))

    with translation.override("ru"), pytest.raises(ValidationError) as error:
        offer.full_clean()

    assert list(error.value.message_dict) == ["monthly_price"]
    assert "Убедитесь" in error.value.message_dict["monthly_price"][0]


def test_clean_refuses_a_duplicate_code():
    OfferFactory(code="router")
    duplicate = OfferFactory.build(code="router", service=ServiceFactory())

    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()

    assert "code" in error.value.message_dict


def test_every_kind_of_offer_is_accepted():
    service = ServiceFactory()
    for kind in OfferKind.values:
        OfferFactory(kind=kind, service=service).full_clean()

    assert Offer.objects.count() == len(OfferKind.values) == 6


def test_services_are_the_four_of_the_deck():
    assert set(ServiceCode.values) == {"broadband", "iptv", "phone", "mobile"}


def test_active_and_with_relations_querysets():
    service = ServiceFactory()
    active = OfferFactory(service=service)
    OfferFactory(service=service, is_active=False)

    assert list(Offer.objects.active()) == [active]

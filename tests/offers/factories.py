"""Factories of the catalogue (offers)."""

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from offers.models import Offer, OfferKind, Segment, Service, ServiceCode, Technology
from tests.config.factories import (
    many_to_many,
)


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


class TechnologyFactory(DjangoModelFactory):
    class Meta:
        model = Technology
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"tech-{n}")
    name = factory.LazyAttribute(lambda t: t.code.upper())

    services = many_to_many("services")

    offers = many_to_many("offers")

"""Factories of the reward catalogue."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from rewards.models import RewardBand, RewardKind, RewardRule
from tests.config.factories import (
    many_to_many,
)
from tests.offers.factories import (
    ServiceFactory,
)


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
    max_increase = None  # one band covering every increase: a valid set on its own
    amount = Decimal("15")

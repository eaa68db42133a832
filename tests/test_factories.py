"""Every factory in tests/<app>/factories.py builds an object that passes its own model's validation."""

import inspect

import pytest
from factory.django import DjangoModelFactory

from tests.campaigns import factories as campaigns
from tests.config import factories as config
from tests.knowledge_base import factories as knowledge_base
from tests.offers import factories as offers
from tests.rewards import factories as rewards

FACTORIES = sorted(
    (
        cls
        for module in (config, offers, knowledge_base, campaigns, rewards)
        for _name, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, DjangoModelFactory)
        and cls.__module__ == module.__name__
        and cls._meta.model is not None
    ),
    key=lambda cls: cls.__name__,
)


def test_every_model_of_the_skeleton_has_a_factory():
    models = {cls._meta.model._meta.label for cls in FACTORIES}

    assert {
        "offers.Service",
        "offers.Segment",
        "offers.Offer",
        "campaigns.Department",
        "campaigns.Team",
        "campaigns.AgentProfile",
        "campaigns.SubscriberAccount",
        "campaigns.Campaign",
        "campaigns.CampaignTarget",
        "rewards.RewardRule",
        "rewards.RewardBand",
        "knowledge_base.Category",
        "knowledge_base.Tag",
        "knowledge_base.Article",
    } <= models


@pytest.mark.django_db
@pytest.mark.parametrize("factory_class", FACTORIES, ids=lambda cls: cls.__name__)
def test_factory_builds_a_valid_object(factory_class):
    first = factory_class()
    second = factory_class()

    first.refresh_from_db()
    first.full_clean()
    second.full_clean()
    assert first.pk is not None

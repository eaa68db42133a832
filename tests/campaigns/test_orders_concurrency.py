"""Agents booking the last visits of an installer slot at once: never more than its capacity."""

import pytest
from django.core.exceptions import ValidationError

from campaigns.models import ConnectionOrder, OrderStatus
from campaigns.orders import services
from config.floor.errors import DomainError
from tests.campaigns.factories import AgentProfileFactory, SubscriberAccountFactory, TeamFactory
from tests.campaigns.orders_support import future_slot
from tests.campaigns.test_concurrency import run_concurrently
from tests.campaigns.test_orders_services import valid_input
from tests.conftest import requires_postgres

pytest_plugins = ["tests.campaigns.orders_fixtures"]
pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def test_six_agents_racing_for_a_two_visit_slot_book_exactly_two(account, catalogue, department):
    team = TeamFactory(department=department)
    agents = [AgentProfileFactory(team=team).user for _ in range(6)]
    # Six households (one product twice on one account would be a duplicate sale).
    accounts = [account] + [
        SubscriberAccountFactory(
            number=f"35201107050{i}", region=account.region, payment_model="credit"
        )
        for i in range(5)
    ]
    slot = future_slot(days=3, capacity=2)
    refused = []

    def book(agent, customer):
        def call():
            try:
                services.order_register(agent=agent, account=customer, data=valid_input(slot))
            except ValidationError as exc:
                refused.append(exc.error_dict["slot"][0].code)

        return call

    errors = run_concurrently(*(book(a, c) for a, c in zip(agents, accounts, strict=True)))
    assert errors == []
    assert ConnectionOrder.objects.filter(slot=slot).count() == 2
    assert refused == ["slot_full"] * 4
    assert ConnectionOrder.objects.exclude(status=OrderStatus.REGISTERED).count() == 0


def test_resubmitted_forms_racing_for_one_product_register_one_order(account, catalogue, agent):
    """The same sale sent four times at once (Back, re-submit, a retry): one order, the rest
    refused as duplicates; the account lock serialises the registrations."""
    slot = future_slot(days=3, capacity=10)
    refused = []

    def submit():
        try:
            services.order_register(agent=agent, account=account, data=valid_input(slot))
        except DomainError as exc:
            refused.append(exc.code)

    errors = run_concurrently(*(submit for _ in range(4)))
    assert errors == []
    assert ConnectionOrder.objects.count() == 1
    assert refused == ["duplicate_order"] * 3

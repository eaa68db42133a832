"""Agents booking the last visits of an installer slot at once: never more than its capacity."""

import pytest
from django.core.exceptions import ValidationError

from campaigns.models import ConnectionOrder, OrderStatus
from campaigns.orders import services
from tests.campaigns.factories import AgentProfileFactory, TeamFactory
from tests.campaigns.orders_support import future_slot
from tests.campaigns.test_concurrency import run_concurrently
from tests.campaigns.test_orders_services import valid_input
from tests.conftest import requires_postgres

pytest_plugins = ["tests.campaigns.orders_fixtures"]
pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def test_six_agents_racing_for_a_two_visit_slot_book_exactly_two(account, catalogue, department):
    team = TeamFactory(department=department)
    agents = [AgentProfileFactory(team=team).user for _ in range(6)]
    slot = future_slot(days=3, capacity=2)
    refused = []

    def book(agent):
        def call():
            try:
                services.order_register(agent=agent, account=account, data=valid_input(slot))
            except ValidationError as exc:
                refused.append(exc.error_dict["slot"][0].code)

        return call

    errors = run_concurrently(*(book(agent) for agent in agents))
    assert errors == []
    assert ConnectionOrder.objects.filter(slot=slot).count() == 2
    assert refused == ["slot_full"] * 4
    assert ConnectionOrder.objects.exclude(status=OrderStatus.REGISTERED).count() == 0

"""The local fulfilment stand-in (`manage.py fulfilment_standin`) against a live portal.

An order registered through the service is handed to the stand-in over HTTP, becomes «sent» with
the stand-in's work-order number, and the stand-in's own status callback (token auth, the real
endpoint) moves it to «connected»; a cancellation calls the callback off.
"""

import datetime
import json
import time
import urllib.error
import urllib.request

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.authtoken.models import Token

from campaigns.management.commands.fulfilment_standin import fulfilment_token
from campaigns.models import ConnectionOrder, OrderStatus, OutboxKind, StatusSource
from campaigns.orders import services
from campaigns.orders.fulfilment import client as fulfilment
from campaigns.orders.fulfilment.standin import FulfilmentStandIn
from campaigns.orders.services.delivery import order_payload
from config.floor import roles
from tests.campaigns.orders_support import form_data, leaked
from tests.config.factories import UserFactory

pytest_plugins = ["tests.campaigns.orders_fixtures"]

CALLBACK_DEADLINE_SECONDS = 15


@pytest.fixture(scope="module", autouse=True)
def _roles_restored(django_db_setup, django_db_blocker):
    """The flush after a transactional test drops the roles the data migration made: put them
    back, for the tests after these (seed_demo in the browser journeys expects them)."""
    yield
    with django_db_blocker.unblock():
        roles.sync_roles(Group, Permission)


def _order_input(account, slot) -> services.OrderInput:
    data = form_data(account, slot)
    data.pop("account")
    data["passport_issued_on"] = datetime.date.fromisoformat(data["passport_issued_on"])
    return services.OrderInput(**data)


def _wait_for(predicate, seconds=CALLBACK_DEADLINE_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def fulfilment_login(transactional_db):
    user = UserFactory(username="fulfilment", role=roles.FULFILMENT)
    return Token.objects.create(user=user)


@pytest.fixture
def live_standin(live_server, fulfilment_login, settings, eager_celery):
    lines: list[str] = []
    server = FulfilmentStandIn(
        portal_url=live_server.url,
        token=fulfilment_login.key,
        connect_after=0.5,
        log=lines.append,
    ).start()
    server.lines = lines
    settings.FULFILMENT_URL = server.url
    settings.FULFILMENT_TIMEOUT = 5.0
    yield server
    server.stop()


def _register(agent, account, slot) -> ConnectionOrder:
    return services.order_register(agent=agent, account=account, data=_order_input(account, slot))


@pytest.mark.django_db(transaction=True)
def test_an_order_is_sent_then_reported_connected_by_the_standin(
    live_standin, agent, account, catalogue, slot
):
    order = _register(agent, account, slot)

    order.refresh_from_db()
    assert order.sent_at is not None  # the hand-off ran on commit, in-process
    assert order.external_id == "WO-1"
    assert live_standin.orders_received() == [str(order.reference)]
    assert _wait_for(lambda: live_standin.callbacks)
    assert live_standin.callbacks == [{"order": str(order.pk), "status": "connected", "code": 200}]
    order.refresh_from_db()
    assert order.status == OrderStatus.CONNECTED
    history = [
        (c.status, c.source, c.changed_by.username if c.changed_by else None)
        for c in order.status_changes.order_by("changed_at", "pk")
    ]
    assert history == [
        (OrderStatus.REGISTERED, StatusSource.AGENT, "agent"),
        (OrderStatus.SENT, StatusSource.SYSTEM, None),
        (OrderStatus.CONNECTED, StatusSource.FULFILMENT, "fulfilment"),
    ]
    assert leaked("\n".join(live_standin.lines)) == []
    assert any(f"order {order.pk}" in line for line in live_standin.lines)


@pytest.mark.django_db(transaction=True)
def test_a_repeated_send_with_the_same_key_is_answered_the_same_and_counted_once(
    live_standin, agent, account, catalogue, slot
):
    order = _register(agent, account, slot)
    key = order.outbox.get(kind=OutboxKind.CREATE).idempotency_key

    again = fulfilment.post("orders/", order_payload(order), idempotency_key=key)

    assert (again.status, again.body) == (
        201,
        {"id": "WO-1", "status": "accepted", "kind": "connection"},
    )
    assert [r["key"] for r in live_standin.requests] == [key, key]
    assert live_standin.orders_received() == [str(order.reference)]
    assert _wait_for(lambda: live_standin.callbacks)
    time.sleep(1)  # a second connection report, were there one, would be due by now
    assert len(live_standin.callbacks) == 1


@pytest.mark.django_db(transaction=True)
def test_a_cancellation_is_acknowledged_and_calls_the_connection_off(
    live_server, fulfilment_login, settings, eager_celery, agent, account, catalogue, slot
):
    standin = FulfilmentStandIn(
        portal_url=live_server.url, token=fulfilment_login.key, connect_after=1.5
    ).start()
    settings.FULFILMENT_URL = standin.url
    try:
        order = _register(agent, account, slot)
        services.order_cancel(order=order, agent=agent, reason="Передумал")
        cancel = [a for a in standin.accepted.values() if a["path"].endswith("/cancel/")]
        assert [a["answer"] for a in cancel] == [{"id": "WO-1", "status": "cancelled"}]
        time.sleep(2.5)
        assert standin.callbacks == []
    finally:
        standin.stop()
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED


def _post(url, body: bytes, key: str):
    request = urllib.request.Request(
        url + "orders/",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Idempotency-Key": key},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def test_a_repeated_key_gets_the_first_answer_and_counts_once():
    standin = FulfilmentStandIn().start()
    try:
        first = json.dumps({"reference": "a1", "portal_id": 7}).encode()
        second = json.dumps({"reference": "b2", "portal_id": 8}).encode()
        assert _post(standin.url, first, "key-1") == (
            201,
            {"id": "WO-1", "status": "accepted", "kind": "connection"},
        )
        assert _post(standin.url, first, "key-1") == (
            201,
            {"id": "WO-1", "status": "accepted", "kind": "connection"},
        )
        assert _post(standin.url, second, "key-2") == (
            201,
            {"id": "WO-2", "status": "accepted", "kind": "connection"},
        )
        assert len(standin.requests) == 3
        assert standin.orders_received() == ["a1", "b2"]
    finally:
        standin.stop()


def test_bad_requests_are_refused_with_4xx_and_nothing_is_accepted():
    standin = FulfilmentStandIn().start()
    try:
        order = json.dumps({"reference": "a1"}).encode()
        assert _post(standin.url, order, "")[0] == 400
        assert _post(standin.url, b"not json", "key-1")[0] == 400
        assert _post(standin.url, b"[]", "key-2")[0] == 400
        assert _post(standin.url + "nowhere/", order, "key-3")[0] == 404
        assert standin.accepted == {}
    finally:
        standin.stop()


def test_the_command_uses_the_token_of_the_fulfilment_login(db):
    with pytest.raises(CommandError, match="seed_demo"):
        fulfilment_token()
    user = UserFactory(username="fulfilment", role=roles.FULFILMENT)
    key = fulfilment_token()
    assert Token.objects.get(user=user).key == key
    assert fulfilment_token() == key


def test_the_command_is_refused_where_demo_logins_are(settings):
    settings.DEMO_LOGINS_ALLOWED = False
    with pytest.raises(CommandError, match="DEMO_LOGINS_ALLOWED"):
        call_command("fulfilment_standin", "--port", "0")

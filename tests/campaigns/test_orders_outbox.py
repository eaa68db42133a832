"""The hand-off to fulfilment against a real HTTP server on loopback: up, down, slow, errors.

Nothing is lost (every order reaches the stand-in in the end) and nothing is made twice (the
stand-in de-duplicates by the idempotency key; each order is accepted exactly once).
"""

import datetime
import logging

import pytest
from django.utils import timezone

from campaigns.models import ConnectionOrder, OrderOutboxMessage, OrderStatus, OutboxState
from campaigns.orders import services
from campaigns.orders.services import delivery as outbox
from campaigns.orders.tasks import resend_pending_orders
from tests.campaigns.orders_support import form_data, leaked

pytest_plugins = ["tests.campaigns.orders_fixtures"]
pytestmark = pytest.mark.django_db


def register(api, account, slot, capture, **overrides):
    with capture(execute=True):
        response = api.post("/api/v1/orders/", form_data(account, slot, **overrides), format="json")
    assert response.status_code == 201, response.content
    return ConnectionOrder.objects.get(pk=response.json()["id"])


def later(seconds=3600):
    return timezone.now() + datetime.timedelta(seconds=seconds)


@pytest.fixture
def capture(django_capture_on_commit_callbacks, eager_celery):
    return django_capture_on_commit_callbacks


def test_order_and_outbox_row_are_written_together_and_sent_after_commit(
    api, account, catalogue, slot, standin, django_capture_on_commit_callbacks, eager_celery
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api.post("/api/v1/orders/", form_data(account, slot), format="json")
    assert response.status_code == 201
    message = OrderOutboxMessage.objects.get()
    assert message.state == OutboxState.PENDING
    assert standin.requests == []  # nothing left before the commit
    for callback in callbacks:
        callback()
    message.refresh_from_db()
    assert message.state == OutboxState.DELIVERED
    assert standin.requests[0]["key"] == message.idempotency_key


def test_fulfilment_down_then_up_loses_nothing_and_sends_once(
    api, account, catalogue, slot, standin, capture
):
    standin.mode = "error"
    first = register(api, account, slot, capture)
    # Another product (a second order of the same one would be a duplicate sale, 409).
    second = register(
        api, account, slot, capture, product="iptv-basic", service="iptv", tariff="iptv-basic"
    )
    assert first.status == second.status == OrderStatus.REGISTERED
    messages = OrderOutboxMessage.objects.all()
    assert all(m.state == OutboxState.PENDING and m.attempts == 1 for m in messages)
    assert all(m.last_error == "HTTP 503" for m in messages)
    standin.mode = "up"
    assert outbox.outbox_resend_due(now=later()) == {"delivered": 2}
    assert sorted(standin.orders_received()) == sorted(
        [str(first.reference), str(second.reference)]
    )
    assert outbox.outbox_resend_due(now=later(7200)) == {}
    first.refresh_from_db()
    assert first.status == OrderStatus.SENT


def test_unreachable_server_then_back_with_the_periodic_task(
    api, account, catalogue, slot, standin, capture, settings
):
    standin.stop()
    order = register(api, account, slot, capture)
    message = OrderOutboxMessage.objects.get()
    assert message.state == OutboxState.PENDING
    assert message.last_error.startswith("unreachable")
    revived = type(standin)()
    settings.FULFILMENT_URL = revived.url
    try:
        # Not due yet: the backoff holds it back.
        assert resend_pending_orders.apply().get() == {}
        message.next_attempt_at = timezone.now()
        message.save()
        assert resend_pending_orders.apply().get() == {"delivered": 1}
        assert revived.orders_received() == [str(order.reference)]
    finally:
        revived.stop()


def test_a_slow_answer_times_out_and_the_retry_is_deduplicated(
    api, account, catalogue, slot, standin, capture, settings
):
    settings.FULFILMENT_TIMEOUT = 0.3
    standin.mode, standin.delay = "slow", 1.0
    order = register(api, account, slot, capture)
    message = OrderOutboxMessage.objects.get()
    assert message.last_error == "timeout"
    assert message.state == OutboxState.PENDING
    standin.mode = "up"
    assert outbox.outbox_resend_due(now=later())["delivered"] == 1
    # The slow server did accept the first try too: two requests, one work order.
    assert len([r for r in standin.requests if r["path"] == "/orders/"]) == 2
    assert standin.orders_received() == [str(order.reference)]
    order.refresh_from_db()
    assert order.external_id == "WO-1"


def test_a_refused_message_is_not_retried_and_shows_as_stuck(
    api, account, catalogue, slot, standin, capture
):
    standin.mode = "reject"
    register(api, account, slot, capture)
    message = OrderOutboxMessage.objects.get()
    assert message.state == OutboxState.REJECTED
    assert outbox.outbox_resend_due(now=later()) == {}
    stuck = OrderOutboxMessage.objects.stuck(timezone.now(), datetime.timedelta(minutes=15))
    assert list(stuck) == [message]
    standin.mode = "up"
    assert services.outbox_retry_now(message_ids=[message.pk]) == 1
    assert outbox.outbox_resend_due()["delivered"] == 1


def test_a_broker_failure_on_enqueue_leaves_the_order_for_the_resend(
    api, account, catalogue, slot, standin, django_capture_on_commit_callbacks, monkeypatch
):
    from kombu.exceptions import OperationalError

    from campaigns.orders import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.deliver_order_message, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/orders/", form_data(account, slot), format="json")
    assert response.status_code == 201
    assert standin.requests == []
    assert OrderOutboxMessage.objects.get().state == OutboxState.PENDING
    assert outbox.outbox_resend_due() == {"delivered": 1}
    assert len(standin.orders_received()) == 1


def test_a_message_being_sent_is_not_sent_again_by_the_resend(
    api, account, catalogue, slot, standin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        api.post("/api/v1/orders/", form_data(account, slot), format="json")
    message = OrderOutboxMessage.objects.get()
    assert outbox._claim(message.pk, timezone.now())  # a worker holds the lease
    assert outbox.outbox_resend_due() == {}
    assert outbox.outbox_deliver(message_id=message.pk).outcome == outbox.Outcome.SKIPPED
    assert standin.requests == []


def test_cancelling_before_the_hand_off_withdraws_it(
    api, account, catalogue, slot, standin, django_capture_on_commit_callbacks, eager_celery
):
    standin.mode = "error"
    with django_capture_on_commit_callbacks(execute=True):
        order_id = api.post("/api/v1/orders/", form_data(account, slot), format="json").json()["id"]
        response = api.post(f"/api/v1/orders/{order_id}/cancel/", {"reason": "Передумал"})
    assert response.status_code == 200
    standin.mode = "up"
    outbox.outbox_resend_due(now=later())
    assert standin.orders_received() == []
    states = set(OrderOutboxMessage.objects.values_list("state", flat=True))
    assert states == {OutboxState.WITHDRAWN}


def test_cancelling_after_the_hand_off_tells_fulfilment(
    api, account, catalogue, slot, standin, capture
):
    order = register(api, account, slot, capture)
    with capture(execute=True):
        response = api.post(f"/api/v1/orders/{order.pk}/cancel/", {"reason": "Передумал"})
    assert response.status_code == 200
    paths = [a["path"] for a in standin.accepted.values()]
    assert paths == ["/orders/", f"/orders/{order.reference}/cancel/"]


def test_status_callbacks_move_the_order_and_repeats_change_nothing(
    api_client, account, catalogue, slot, standin, capture, api
):
    from tests.config.factories import UserFactory

    order = register(api, account, slot, capture)
    fulfilment = UserFactory(role="Fulfilment system")
    api_client.force_authenticate(fulfilment)
    url = f"/api/v1/orders/{order.pk}/status/"
    for _ in range(2):
        response = api_client.post(url, {"status": "connected", "external_id": "WO-1"})
        assert response.status_code == 200, response.content
    order.refresh_from_db()
    assert order.status == OrderStatus.CONNECTED
    assert [c.status for c in order.status_changes.all()] == ["registered", "sent", "connected"]
    assert order.status_changes.last().changed_by == fulfilment
    bad = api_client.post(url, {"status": "registered"})
    assert bad.status_code == 400
    cancelled = api_client.post(url, {"status": "cancelled", "reason": "Клиент отказался"})
    assert cancelled.status_code == 200
    assert api_client.post(url, {"status": "connected"}).status_code == 409


def test_log_lines_carry_no_personal_data(api, account, catalogue, slot, standin, capture, caplog):
    caplog.set_level(logging.DEBUG)
    standin.mode = "error"
    order = register(api, account, slot, capture)
    standin.mode = "up"
    outbox.outbox_resend_due(now=later())
    api.post(f"/api/v1/orders/{order.pk}/reveal/", {"reason": "Проверка адреса"})
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "order" in text
    assert leaked(text) == []

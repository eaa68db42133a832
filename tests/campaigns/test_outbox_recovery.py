"""Nothing waits for a human (issue 11 §6): when the fulfilment system comes back, everything that
waited goes out by itself, once.

| situation                                              | what the next resend does               |
|--------------------------------------------------------|-----------------------------------------|
| system back; one message due, others in a long backoff | all delivered in that run, each once    |
| system still down                                      | attempts grow, backoff grows, none sent |
| a message rejected (4xx) meanwhile                     | stays rejected (a person looks at it)   |
| a message delivered by another worker meanwhile        | not sent again                          |
| `make run`: no broker, no beat                         | `run_schedule` runs the resend itself   |
"""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from campaigns.models import ConnectionOrder, OrderOutboxMessage, OrderStatus, OutboxState
from campaigns.orders.fulfilment.standin import FulfilmentStandIn
from campaigns.orders.services import delivery
from config.management.commands import run_schedule
from tests.campaigns.factories import SubscriberAccountFactory
from tests.campaigns.orders_support import form_data

pytest_plugins = ["tests.campaigns.orders_fixtures"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def down_then_up(settings):
    """A stand-in that is stopped (connection refused) and restarted on the same port."""
    first = FulfilmentStandIn().start()
    port = first.port
    first.stop()
    settings.FULFILMENT_URL = f"http://127.0.0.1:{port}/"
    settings.FULFILMENT_TIMEOUT = 2.0
    holder = {"port": port, "server": None}

    def up():
        holder["server"] = FulfilmentStandIn(port=port).start()
        return holder["server"]

    yield up
    if holder["server"]:
        holder["server"].stop()


def _register(api, account, slot, capture, n):
    """n orders, each on an account of its own (one sale per account and product)."""
    for i in range(n):
        customer = account if i == 0 else _like(account, i)
        with capture(execute=True):
            response = api.post("/api/v1/orders/", form_data(customer, slot), format="json")
        assert response.status_code == 201, response.content


def _like(account, i):
    return SubscriberAccountFactory(
        number=f"35201107{i:04d}",
        region=account.region,
        payment_model=account.payment_model,
        balance=account.balance,
        services=list(account.services.all()),
    )


def _long_backoff(*, keep_due: int) -> None:
    """As after hours down: every message far in its backoff but the first `keep_due`."""
    far = timezone.now() + datetime.timedelta(seconds=settings.FULFILMENT_MAX_BACKOFF_SECONDS)
    waiting = OrderOutboxMessage.objects.order_by("id").values_list("pk", flat=True)[keep_due:]
    OrderOutboxMessage.objects.filter(pk__in=list(waiting)).update(next_attempt_at=far, attempts=5)


def test_when_fulfilment_returns_one_run_drains_everything_once(
    api, account, catalogue, slot, down_then_up, django_capture_on_commit_callbacks, eager_celery
):
    _register(api, account, slot, django_capture_on_commit_callbacks, 3)
    assert set(OrderOutboxMessage.objects.values_list("state", "attempts")) == {
        (OutboxState.PENDING, 1)
    }
    _long_backoff(keep_due=0)
    OrderOutboxMessage.objects.filter(pk=OrderOutboxMessage.objects.earliest("id").pk).update(
        next_attempt_at=timezone.now()
    )
    standin = down_then_up()

    counts = delivery.outbox_resend_due()

    assert counts == {"delivered": 3}
    assert set(OrderOutboxMessage.objects.values_list("state", flat=True)) == {
        OutboxState.DELIVERED
    }
    assert set(ConnectionOrder.objects.values_list("status", flat=True)) == {OrderStatus.SENT}
    assert len(standin.orders_received()) == 3
    assert len(standin.requests) == 3  # nothing sent twice


def test_while_fulfilment_is_still_down_nothing_is_pulled_forward(
    api, account, catalogue, slot, down_then_up, django_capture_on_commit_callbacks, eager_celery
):
    _register(api, account, slot, django_capture_on_commit_callbacks, 2)
    first, second = OrderOutboxMessage.objects.order_by("id")
    OrderOutboxMessage.objects.filter(pk=first.pk).update(next_attempt_at=timezone.now())
    far = timezone.now() + datetime.timedelta(seconds=600)
    OrderOutboxMessage.objects.filter(pk=second.pk).update(next_attempt_at=far)

    counts = delivery.outbox_resend_due()

    assert counts == {"retry": 1}
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.attempts) == (OutboxState.PENDING, 2)
    assert first.next_attempt_at > timezone.now() + datetime.timedelta(seconds=15)
    assert second.next_attempt_at == far


def test_a_rejected_or_delivered_message_is_not_pulled_forward(
    api, account, catalogue, slot, down_then_up, django_capture_on_commit_callbacks, eager_celery
):
    _register(api, account, slot, django_capture_on_commit_callbacks, 3)
    due, rejected, delivered = OrderOutboxMessage.objects.order_by("id")
    OrderOutboxMessage.objects.filter(pk=due.pk).update(next_attempt_at=timezone.now())
    far = timezone.now() + datetime.timedelta(seconds=600)
    OrderOutboxMessage.objects.filter(pk=rejected.pk).update(
        state=OutboxState.REJECTED, next_attempt_at=far
    )
    OrderOutboxMessage.objects.filter(pk=delivered.pk).update(
        state=OutboxState.DELIVERED, next_attempt_at=far
    )
    standin = down_then_up()

    counts = delivery.outbox_resend_due()

    assert counts == {"delivered": 1}
    assert standin.orders_received() == [str(due.order.reference)]
    rejected.refresh_from_db()
    assert (rejected.state, rejected.next_attempt_at) == (OutboxState.REJECTED, far)


def test_make_run_resends_without_a_broker_through_run_schedule(
    api, account, catalogue, slot, down_then_up, django_capture_on_commit_callbacks, eager_celery
):
    entries = {e.name: e for e in run_schedule.schedule_entries()}
    resend = entries["resend-pending-orders"]
    assert resend.task == "campaigns.tasks.resend_pending_orders"
    assert resend.schedule.run_every <= datetime.timedelta(minutes=1)

    _register(api, account, slot, django_capture_on_commit_callbacks, 2)
    _long_backoff(keep_due=1)
    OrderOutboxMessage.objects.filter(pk=OrderOutboxMessage.objects.earliest("id").pk).update(
        next_attempt_at=timezone.now()
    )
    standin = down_then_up()

    run_schedule.run_due([resend], everything=True)

    assert len(standin.orders_received()) == 2
    assert not OrderOutboxMessage.objects.filter(state=OutboxState.PENDING).exists()


def test_run_schedule_writes_the_heartbeat_at_start_and_runs_nothing_else_early():
    from config.floor.models import WorkerHeartbeat

    entries = run_schedule.schedule_entries()

    booked = run_schedule.run_due(entries, now=run_schedule.AT_START)

    assert WorkerHeartbeat.objects.count() == 1
    ran = {e.name for e, b in zip(entries, booked, strict=True) if b is not e}
    assert ran == set(run_schedule.AT_START)

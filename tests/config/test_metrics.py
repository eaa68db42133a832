"""`/metrics`: request latency by view, the outbox backlog, reveals per hour, the worker heartbeat
and task outcomes, for the monitoring system only.

| who asks                                   | answer |
|--------------------------------------------|--------|
| this machine, no token configured          | 200    |
| another address, no token configured       | 403    |
| token configured, right bearer token       | 200    |
| token configured, wrong / no token         | 403    |
"""

import datetime

import pytest
from django.utils import timezone
from django_celery_results.models import TaskResult

from campaigns.models import OrderOutboxMessage, PersonalDataReveal
from config.floor.models import WorkerHeartbeat
from config.floor.tasks import HEARTBEAT
from tests.campaigns.factories import ConnectionOrderFactory

pytestmark = pytest.mark.django_db


def _value(body: str, name: str) -> float:
    line = next(line for line in body.splitlines() if line.startswith(name + " "))
    return float(line.split()[-1])


def _scrape(client, **extra) -> str:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def test_request_latency_is_reported_by_view(client):
    client.get("/healthz")

    body = _scrape(client)

    assert any(
        line.startswith("django_http_requests_latency_seconds_by_view_method_count{")
        and 'view="healthz"' in line
        for line in body.splitlines()
    )


def test_outbox_backlog_reveals_heartbeat_and_task_outcomes_are_reported(client, agent):
    order = ConnectionOrderFactory()
    written = timezone.now() - datetime.timedelta(minutes=10)
    for kind in ("create", "cancel"):
        OrderOutboxMessage.objects.create(
            order=order,
            kind=kind,
            idempotency_key=f"k-{kind}",
            next_attempt_at=written,
            created_at=written,
        )
    now = timezone.now()
    for minutes in (5, 50, 70):  # the last one is more than an hour ago
        PersonalDataReveal.objects.create(
            order=order,
            user=agent,
            revealed_at=now - datetime.timedelta(minutes=minutes),
            fields=["contact_phone"],
            reason="перезвон",
            channel="api",
        )
    WorkerHeartbeat.objects.create(name=HEARTBEAT, seen_at=now - datetime.timedelta(seconds=42))
    for n, state in enumerate(["SUCCESS", "SUCCESS", "FAILURE"]):
        TaskResult.objects.create(
            task_id=f"t{n}", task_name="campaigns.tasks.deliver_order_message", status=state
        )

    body = _scrape(client)

    assert _value(body, "portal_outbox_pending_messages") == 2
    assert _value(body, "portal_outbox_oldest_pending_age_seconds") >= 600
    assert _value(body, "portal_personal_data_reveals_last_hour") == 2
    assert 42 <= _value(body, "portal_worker_heartbeat_age_seconds") < 300
    task = 'task="campaigns.tasks.deliver_order_message"'
    assert f'portal_celery_task_results{{state="SUCCESS",{task}}} 2.0' in body
    assert f'portal_celery_task_results{{state="FAILURE",{task}}} 1.0' in body


def test_an_empty_portal_reports_zeros_and_no_heartbeat(client):
    body = _scrape(client)

    assert _value(body, "portal_outbox_pending_messages") == 0
    assert _value(body, "portal_outbox_oldest_pending_age_seconds") == 0
    assert "portal_worker_heartbeat_age_seconds " not in body


def test_a_scrape_costs_a_constant_number_of_queries(client, django_assert_num_queries):
    ConnectionOrderFactory.create_batch(3)

    with django_assert_num_queries(4):
        _scrape(client)


@pytest.mark.parametrize(
    ("token", "remote", "authorization", "status"),
    [
        ("", "127.0.0.1", None, 200),
        ("", "::1", None, 200),
        ("", "10.0.0.7", None, 403),
        ("s3cret-token", "10.0.0.7", "Bearer s3cret-token", 200),
        ("s3cret-token", "127.0.0.1", "Bearer wrong", 403),
        ("s3cret-token", "127.0.0.1", None, 403),
    ],
)
def test_only_the_monitoring_system_reads_the_metrics(
    client, settings, token, remote, authorization, status
):
    settings.METRICS_TOKEN = token
    extra = {"REMOTE_ADDR": remote}
    if authorization:
        extra["HTTP_AUTHORIZATION"] = authorization

    response = client.get("/metrics", **extra)

    assert response.status_code == status
    if status == 403:
        assert response.json()["code"] == "forbidden"

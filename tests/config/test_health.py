"""`/healthz` and `/readyz`: JSON, no login, cheap; which failure stops serving and which degrades.

| case                                            | status      | HTTP |
|-------------------------------------------------|-------------|------|
| everything fine, fresh heartbeat, no backlog    | ok          | 200  |
| no heartbeat ever / older than the limit        | degraded    | 200  |
| heartbeat exactly at the limit                  | ok          | 200  |
| a pending message older than the limit          | degraded    | 200  |
| delivered / withdrawn / rejected messages       | not backlog | —    |
| broker (Redis) unreachable                      | degraded    | 200  |
| Redis cache unreachable                         | unavailable | 503  |
| a migration not applied                         | unavailable | 503  |
| database unreachable                            | unavailable | 503  |
"""

import ast
import datetime
import re
import socket
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.db import OperationalError
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client, override_settings
from django.utils import timezone

from campaigns.orders.models import OrderOutboxMessage, OutboxState
from config import health
from config.floor.models import WorkerHeartbeat
from config.floor.tasks import HEARTBEAT, heartbeat
from tests.campaigns.factories import ConnectionOrderFactory

pytestmark = pytest.mark.django_db
LIMIT = 180
OUTBOX_LIMIT = 900


@pytest.fixture(autouse=True)
def limits(settings):
    settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS = LIMIT
    settings.HEALTH_OUTBOX_MAX_AGE_SECONDS = OUTBOX_LIMIT
    settings.CELERY_BROKER_URL = "memory://"
    health.forget_migrations()
    yield
    health.forget_migrations()


def _beat(age_seconds: float) -> None:
    WorkerHeartbeat.objects.update_or_create(
        name=HEARTBEAT,
        defaults={"seen_at": timezone.now() - datetime.timedelta(seconds=age_seconds)},
    )


def _message(*, state=OutboxState.PENDING, age_seconds=0.0) -> OrderOutboxMessage:
    order = ConnectionOrderFactory()
    written = timezone.now() - datetime.timedelta(seconds=age_seconds)
    return OrderOutboxMessage.objects.create(
        order=order,
        kind="create",
        idempotency_key=f"order-{order.reference}-create",
        state=state,
        next_attempt_at=written,
        created_at=written,
    )


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_answers_ok_without_login_or_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_all_fine_is_ok_without_login(client):
    _beat(5)

    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["migrations"] == {"ok": True}
    assert body["checks"]["worker"]["ok"] is True
    assert 0 <= body["checks"]["worker"]["heartbeat_age_seconds"] < LIMIT
    assert body["checks"]["outbox"] == {"ok": True, "pending": 0, "oldest_age_seconds": None}
    assert "broker" not in body["checks"]  # tasks in-process: there is no broker to look at


@pytest.mark.parametrize(
    ("age", "ok"),
    [(None, False), (0, True), (LIMIT - 1, True), (LIMIT + 5, False), (10 * LIMIT, False)],
)
def test_worker_heartbeat_age_against_the_limit(client, age, ok):
    if age is not None:
        _beat(age)

    body = client.get("/readyz").json()

    assert body["checks"]["worker"]["ok"] is ok
    assert body["status"] == ("ok" if ok else "degraded")
    if age is None:
        assert body["checks"]["worker"]["heartbeat_age_seconds"] is None


def test_heartbeat_exactly_at_the_limit_is_still_ok():
    now = timezone.now()
    WorkerHeartbeat.objects.create(name=HEARTBEAT, seen_at=now - datetime.timedelta(seconds=LIMIT))

    checks, critical = health.readiness(now=now)

    assert checks["worker"] == {"ok": True, "heartbeat_age_seconds": float(LIMIT)}
    assert critical is False


def test_the_heartbeat_task_writes_one_row_and_refreshes_it():
    heartbeat.apply()
    first = WorkerHeartbeat.objects.get(name=HEARTBEAT).seen_at
    heartbeat.apply()

    row = WorkerHeartbeat.objects.get(name=HEARTBEAT)
    assert WorkerHeartbeat.objects.count() == 1
    assert row.seen_at >= first
    assert row.hostname


@pytest.mark.parametrize(
    ("state", "age", "counted", "ok"),
    [
        (OutboxState.PENDING, 10, True, True),
        (OutboxState.PENDING, OUTBOX_LIMIT + 60, True, False),
        (OutboxState.DELIVERED, OUTBOX_LIMIT + 60, False, True),
        (OutboxState.WITHDRAWN, OUTBOX_LIMIT + 60, False, True),
        # A refused message waits for a person (the admin's «stuck» filter), not for the worker.
        (OutboxState.REJECTED, OUTBOX_LIMIT + 60, False, True),
    ],
)
def test_outbox_backlog_counts_pending_messages_by_age(client, state, age, counted, ok):
    _beat(1)
    _message(state=state, age_seconds=age)

    body = client.get("/readyz").json()

    outbox = body["checks"]["outbox"]
    assert outbox["pending"] == (1 if counted else 0)
    assert outbox["ok"] is ok
    assert body["status"] == ("ok" if ok else "degraded")
    if counted:
        assert outbox["oldest_age_seconds"] >= age
    else:
        assert outbox["oldest_age_seconds"] is None


def test_broker_unreachable_degrades_but_keeps_serving(client, settings):
    _beat(1)
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_closed_port()}/0"

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["broker"] == {"ok": False}


def test_redis_cache_unreachable_makes_the_process_unavailable(client, settings, monkeypatch):
    _beat(1)
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    }
    options = {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}
    monkeypatch.setattr(health, "cache", RedisCache(url, {"OPTIONS": options}))

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["cache"] == {"ok": False}


def test_a_migration_not_applied_makes_the_process_unavailable(client):
    _beat(1)
    MigrationRecorder.Migration.objects.filter(app="portal", name="0003_worker_heartbeat").delete()

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["migrations"] == {"ok": False}


def test_database_unreachable_makes_the_process_unavailable(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "migrations_applied", refuse)

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert "worker" not in body["checks"]


def test_a_warm_readiness_probe_costs_two_queries(client, django_assert_num_queries):
    _beat(1)
    _message(age_seconds=30)
    client.get("/readyz")  # the first probe also reads the migrations, once per process

    with django_assert_num_queries(2):
        response = client.get("/readyz")

    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_answer_only_get(client, path):
    assert client.post(path).status_code == 405


def test_production_exempts_the_probes_from_the_https_redirect():
    """Probes and the scraper speak plain HTTP behind the proxy; everything else is redirected."""
    source = (Path(settings.BASE_DIR) / "config" / "settings" / "production.py").read_text()
    exempt = ast.literal_eval(re.search(r"SECURE_REDIRECT_EXEMPT = (\[.*?\])", source).group(1))
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=exempt):
        client = Client()
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code in (200, 503)
        assert client.get("/login/").status_code == 301

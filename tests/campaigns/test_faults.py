"""Faults on PostgreSQL + Redis (issue 11 §8), against real server and worker processes.

| fault                                                  | answer | what the database holds afterwards  |
|--------------------------------------------------------|--------|-------------------------------------|
| the request's connection terminated mid-transaction    | 503    | nothing of the request (a retry     |
| (pg_terminate_backend while it waits on a row lock)    | JSON   | with the same key then succeeds)    |
| Redis stopped: a result saved, an order registered     | 2xx    | both written, the hand-off pending  |
| Redis back, a worker, the periodic resend              | —      | the order sent once, and only once  |

Each test starts and stops only its own processes: the server, a worker, a Redis on a spare port.
"""

import json
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from rest_framework.authtoken.models import Token

from campaigns.models import (
    Appeal,
    ConnectionOrder,
    ContactHistoryEntry,
    InstallerSlot,
    OrderOutboxMessage,
    OrderStatus,
    OutboxState,
)
from campaigns.orders.fulfilment.standin import FulfilmentStandIn
from config.floor import roles
from config.floor.models import IdempotencyKey
from tests import celery_support
from tests.campaigns.orders_support import form_data
from tests.conftest import requires_postgres
from tests.live_support import free_port, server_env, serving

pytest_plugins = ["tests.campaigns.orders_fixtures"]
pytestmark = [requires_postgres]

DEADLINE_SECONDS = 90
requires_redis_server = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="needs Redis: apt-get install redis-server"
)


@pytest.fixture(scope="module", autouse=True)
def _roles_restored(django_db_setup, django_db_blocker):
    yield
    with django_db_blocker.unblock():
        roles.sync_roles(Group, Permission)


def _call(url, path, body, *, token, key, timeout=DEADLINE_SECONDS) -> tuple[int, dict]:
    request = urllib.request.Request(
        url + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Token {token}",
            "Idempotency-Key": key,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read() or b"{}")


def _counts() -> dict:
    return {
        "orders": ConnectionOrder.objects.count(),
        "appeals": Appeal.objects.count(),
        "keys": IdempotencyKey.objects.count(),
        "outbox": OrderOutboxMessage.objects.count(),
    }


def _wait(condition, what, log_path=None):
    end = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    log = log_path.read_text()[-4000:] if log_path and log_path.exists() else ""
    pytest.fail(f"no {what} in {DEADLINE_SECONDS} s\n{log}")


def _order_body(account, slot) -> dict:
    body = form_data(account, slot)
    body.pop("extras", None)
    return body


@pytest.mark.django_db(transaction=True)
def test_a_connection_terminated_mid_transaction_is_a_json_503_and_writes_nothing(
    agent, account, catalogue, slot, tmp_path
):
    token = Token.objects.create(user=agent).key
    env = server_env()
    database = celery_support.test_database_url()
    before = _counts()
    log_path = tmp_path / "server.log"
    with serving("runserver", env, log_path) as url, psycopg.connect(database) as locker:
        # Hold the installer slot: registration writes the key and the appeal, then waits here.
        table = InstallerSlot._meta.db_table
        locker.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE", [slot.pk])
        answer = {}
        request = threading.Thread(
            target=lambda: answer.update(
                reply=_call(
                    url, "/api/v1/orders/", _order_body(account, slot), token=token, key="k1"
                )
            )
        )
        request.start()
        with psycopg.connect(database, autocommit=True) as admin:

            def waiting_backend():
                row = admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = %s "
                    "AND wait_event_type = 'Lock'",
                    [env["DJANGO_DB_APPLICATION_NAME"]],
                ).fetchone()
                return row and row[0]

            pid = _wait(waiting_backend, "request waiting on the slot", log_path)
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        request.join(DEADLINE_SECONDS)
        locker.rollback()

        status, body = answer["reply"]
        assert status == 503, body
        assert body["code"] == "unavailable"
        assert body["detail"]
        assert _counts() == before  # no key, no appeal, no order, no outbox row

        # The same request again: the server has dropped the dead connection and saves it once.
        again = _call(url, "/api/v1/orders/", _order_body(account, slot), token=token, key="k1")
    assert again[0] == 201, again
    assert _counts() == {k: v + 1 for k, v in before.items()}


class RedisServer:
    """A redis-server of the test's own, on a spare port, stopped and started again at will."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis.from_url(self.url, socket_timeout=1)
        _wait(lambda: _pings(client), "redis answering")
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def _pings(client) -> bool:
    try:
        return bool(client.ping())
    except Exception:
        return False


def _worker(env: dict, log_path: Path) -> subprocess.Popen:
    command = [
        *(sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-c", "1"),
        *("-l", "info", "--without-gossip", "--without-mingle", "--without-heartbeat"),
    ]
    return subprocess.Popen(
        command,
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
    )


def _as_beat(env: dict) -> None:
    """What beat does every minute: publish the resend task to the broker."""
    script = "from campaigns.tasks import order_tasks; order_tasks.resend_pending_orders.delay()"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=DEADLINE_SECONDS,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@requires_redis_server
@pytest.mark.django_db(transaction=True)
def test_redis_down_writes_commit_and_the_hand_off_drains_once_when_it_returns(
    agent, account, catalogue, slot, targets, call, tmp_path
):
    token = Token.objects.create(user=agent).key
    redis_server = RedisServer(tmp_path).start()
    standin = FulfilmentStandIn().start()
    env = server_env(
        CELERY_BROKER_URL=redis_server.url,
        CELERY_TASK_ALWAYS_EAGER="false",
        FULFILMENT_URL=standin.url,
        DJANGO_DB_POOL_MAX_SIZE="4",
    )
    worker = None
    try:
        with serving("runserver", env, tmp_path / "server.log") as url:
            redis_server.stop()

            result_path = (
                f"/api/v1/accounts/{account.number}/recommendations/{targets[0].pk}/result/"
            )
            saved = _call(url, result_path, {"result": "not_interested"}, token=token, key="r1")
            registered = _call(
                url, "/api/v1/orders/", _order_body(account, slot), token=token, key="o1"
            )
        assert saved[0] in (200, 201), saved
        assert registered[0] == 201, registered
        assert ContactHistoryEntry.objects.filter(agent=agent).exists()
        order = ConnectionOrder.objects.get()
        message = OrderOutboxMessage.objects.get()
        assert (order.status, message.state) == (OrderStatus.REGISTERED, OutboxState.PENDING)
        assert standin.requests == []

        redis_server.start()
        worker = _worker(env, tmp_path / "worker.log")
        _as_beat(env)
        _wait(
            lambda: OrderOutboxMessage.objects.filter(state=OutboxState.DELIVERED).exists(),
            "delivery after Redis returned",
            tmp_path / "worker.log",
        )
        _as_beat(env)  # a second resend finds nothing left to send
        time.sleep(2)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=15)
        redis_server.stop()
        standin.stop()

    order.refresh_from_db()
    assert order.status == OrderStatus.SENT
    assert standin.orders_received() == [str(order.reference)]
    assert len(standin.requests) == 1  # sent once, and only once

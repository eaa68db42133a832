"""The README's PostgreSQL + Redis mode end to end (issue 11 §6): the web process, a worker and the
stand-in as `make run` + `make worker` start them take an order registered → sent → connected.

Nobody gives the worker FULFILMENT_URL: it finds the stand-in through the address file the
stand-in writes while it serves (FULFILMENT_STANDIN_URL_FILE), as `make worker` does beside
`make run`. Every process is the test's own (server, worker, stand-in, a Redis on a spare port).
"""

import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from rest_framework.authtoken.models import Token

from campaigns.models import ConnectionOrder, OrderStatus
from config.floor import roles
from tests.campaigns.test_faults import (
    RedisServer,
    _call,
    _order_body,
    _wait,
    _worker,
    requires_redis_server,
)
from tests.config.factories import UserFactory
from tests.conftest import requires_postgres
from tests.live_support import free_port, server_env, serving

pytest_plugins = ["tests.campaigns.orders_fixtures"]
pytestmark = [requires_postgres, requires_redis_server]


@pytest.fixture(scope="module", autouse=True)
def _roles_restored(django_db_setup, django_db_blocker):
    yield
    with django_db_blocker.unblock():
        roles.sync_roles(Group, Permission)


@pytest.mark.django_db(transaction=True)
def test_run_and_worker_take_an_order_registered_sent_connected(
    agent, account, catalogue, slot, tmp_path
):
    token = Token.objects.create(user=agent).key
    fulfilment = Token.objects.create(
        user=UserFactory(username="fulfilment", role=roles.FULFILMENT)
    ).key
    redis_server = RedisServer(tmp_path).start()
    url_file = tmp_path / "fulfilment-standin.url"
    env = server_env(
        CELERY_BROKER_URL=redis_server.url,
        CELERY_TASK_ALWAYS_EAGER="false",
        FULFILMENT_STANDIN_URL_FILE=str(url_file),
    )
    processes = []
    try:
        with serving("runserver", env, tmp_path / "server.log") as portal:
            standin = subprocess.Popen(
                [
                    *(sys.executable, "manage.py", "fulfilment_standin"),
                    *("--port", str(free_port()), "--portal-url", portal),
                    *("--token", fulfilment, "--connect-after", "1"),
                    *("--state", str(tmp_path / "standin.json")),
                ],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=(tmp_path / "standin.log").open("wb"),
                stderr=subprocess.STDOUT,
            )
            processes.append(standin)
            _wait(url_file.exists, "the stand-in's address", tmp_path / "standin.log")
            processes.append(_worker(env, tmp_path / "worker.log"))

            status, body = _call(
                portal, "/api/v1/orders/", _order_body(account, slot), token=token, key="e2e-1"
            )
            assert status == 201, body
            order = ConnectionOrder.objects.get(pk=body["id"])

            def connected():
                order.refresh_from_db()
                return order.status == OrderStatus.CONNECTED

            _wait(connected, "order connected", tmp_path / "worker.log")
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=15)
        redis_server.stop()

    statuses = list(
        order.status_changes.order_by("changed_at", "pk").values_list("status", flat=True)
    )
    assert statuses == [OrderStatus.REGISTERED, OrderStatus.SENT, OrderStatus.CONNECTED]
    assert order.external_id.startswith("WO-")
    assert not url_file.exists()  # the stand-in took its address away when stopped

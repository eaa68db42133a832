"""The stand-in keeps what it accepted across a restart, and tells the portal and the worker where
it serves (issue 11 §6).

| before the restart                      | after the restart                                   |
|-----------------------------------------|-----------------------------------------------------|
| a key answered WO-1                     | the same key gets WO-1 again; a new key gets WO-2   |
| accepted, connection not yet reported   | reported «connected» once its delay has passed      |
| accepted and reported                   | not reported again                                  |
| accepted, then cancelled                | never reported                                      |
| state file unreadable                   | starts empty, says so                               |
| any                                     | the file holds ids and references, nothing personal |
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, Permission

from campaigns.models import ConnectionOrder, OrderStatus
from campaigns.orders import services
from campaigns.orders.fulfilment import client as fulfilment
from campaigns.orders.fulfilment.standin import FulfilmentStandIn
from config.floor import roles
from tests.campaigns.orders_support import leaked
from tests.campaigns.test_fulfilment_standin import _order_input, _post, _wait_for

pytest_plugins = ["tests.campaigns.orders_fixtures"]

ORDER = {
    "reference": "3f2c6a4e-0000-4000-8000-000000000001",
    "portal_id": 7,
    "kind": "connection",
    "customer": {
        "full_name": "Журавлев Евгений Михайлович",
        "contact_phone": "+79161234568",
        "connection_address": "г. Москва, ул. Льва Толстого, д. 16, кв. 5",
        "passport": {"series": "4512", "number": "123456", "issued_by": "ОВД района Хамовники"},
    },
    "status_callback": "/api/v1/orders/7/status/",
}


@pytest.fixture(scope="module", autouse=True)
def _roles_restored(django_db_setup, django_db_blocker):
    yield
    with django_db_blocker.unblock():
        roles.sync_roles(Group, Permission)


def _restarted(state_path, **options) -> FulfilmentStandIn:
    return FulfilmentStandIn(state_path=state_path, **options).start()


def test_a_restart_keeps_the_first_answers_and_counts_on(tmp_path):
    state = tmp_path / "standin.json"
    first = _restarted(state)
    try:
        assert _post(first.url, json.dumps(ORDER).encode(), "key-1")[1]["id"] == "WO-1"
    finally:
        first.stop()

    second = _restarted(state)
    try:
        again = _post(second.url, json.dumps(ORDER).encode(), "key-1")
        other = {**ORDER, "reference": "3f2c6a4e-0000-4000-8000-000000000002", "portal_id": 8}
        new = _post(second.url, json.dumps(other).encode(), "key-2")
    finally:
        second.stop()

    assert again == (201, {"id": "WO-1", "status": "accepted", "kind": "connection"})
    assert new[1]["id"] == "WO-2"
    assert second.orders_received() == [ORDER["reference"], other["reference"]]


def test_the_state_file_holds_no_personal_data(tmp_path):
    state = tmp_path / "standin.json"
    standin = _restarted(state)
    try:
        _post(standin.url, json.dumps(ORDER).encode(), "key-1")
    finally:
        standin.stop()

    text = state.read_text()
    assert ORDER["reference"] in text
    assert leaked(text) == []
    assert "Журавлев" not in text


def test_an_unreadable_state_file_starts_empty_and_says_so(tmp_path):
    state = tmp_path / "standin.json"
    state.write_text("{not json")
    lines = []

    standin = FulfilmentStandIn(state_path=state, log=lines.append)

    assert standin.accepted == {}
    assert any("unreadable" in line for line in lines)
    standin.server.server_close()


@pytest.fixture
def fulfilment_login(transactional_db):
    from rest_framework.authtoken.models import Token

    from tests.config.factories import UserFactory

    return Token.objects.create(user=UserFactory(username="fulfilment", role=roles.FULFILMENT))


@pytest.mark.django_db(transaction=True)
def test_an_order_accepted_before_a_restart_is_reported_connected_after_it(
    live_server, fulfilment_login, settings, eager_celery, agent, account, catalogue, slot, tmp_path
):
    state = tmp_path / "standin.json"
    options = {"portal_url": live_server.url, "token": fulfilment_login.key}
    # Stopped long before it would have reported the connection: today that order stayed «sent».
    before = _restarted(state, connect_after=3600, **options)
    settings.FULFILMENT_URL = before.url
    try:
        order = services.order_register(
            agent=agent, account=account, data=_order_input(account, slot)
        )
    finally:
        before.stop()
    order.refresh_from_db()
    assert order.status == OrderStatus.SENT

    after = _restarted(state, connect_after=0.2, **options)
    try:
        assert _wait_for(lambda: after.callbacks)
        order.refresh_from_db()
        assert order.status == OrderStatus.CONNECTED
        assert after.callbacks == [{"order": str(order.pk), "status": "connected", "code": 200}]
    finally:
        after.stop()

    # Reported once: a third run reports nothing more.
    third = _restarted(state, connect_after=0.0, **options)
    try:
        time.sleep(1.0)
        assert third.callbacks == []
    finally:
        third.stop()


@pytest.mark.django_db(transaction=True)
def test_an_order_cancelled_before_a_restart_is_never_reported(
    live_server, fulfilment_login, settings, eager_celery, agent, account, catalogue, slot, tmp_path
):
    state = tmp_path / "standin.json"
    options = {"portal_url": live_server.url, "token": fulfilment_login.key}
    before = _restarted(state, connect_after=3600, **options)
    settings.FULFILMENT_URL = before.url
    try:
        order = services.order_register(
            agent=agent, account=account, data=_order_input(account, slot)
        )
        services.order_cancel(order=order, agent=agent, reason="Передумал")
    finally:
        before.stop()

    after = _restarted(state, connect_after=0.0, **options)
    try:
        time.sleep(1.0)
        assert after.callbacks == []
    finally:
        after.stop()
    assert ConnectionOrder.objects.get(pk=order.pk).status == OrderStatus.CANCELLED


def test_without_fulfilment_url_orders_go_to_the_address_the_standin_wrote(tmp_path, settings):
    standin = FulfilmentStandIn().start()
    url_file = tmp_path / "fulfilment-standin.url"
    settings.FULFILMENT_URL = ""
    settings.FULFILMENT_STANDIN_URL_FILE = str(url_file)
    try:
        with pytest.raises(fulfilment.NotConfigured):
            fulfilment.post("orders/", ORDER, idempotency_key="key-0")
        url_file.write_text(standin.url + "\n")
        reply = fulfilment.post("orders/", ORDER, idempotency_key="key-1")
    finally:
        standin.stop()

    assert reply.status == 201
    assert standin.orders_received() == [ORDER["reference"]]


def test_the_command_writes_its_address_while_it_serves_and_takes_it_away_on_sigterm(tmp_path):
    url_file = tmp_path / "fulfilment-standin.url"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "FULFILMENT_STANDIN_URL_FILE": str(url_file),
    }
    command = [
        *(sys.executable, "manage.py", "fulfilment_standin", "--port", "0"),
        *("--token", "not-used", "--state", str(tmp_path / "state.json")),
    ]
    process = subprocess.Popen(
        command,
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert _wait_for(url_file.exists, seconds=60), process.stdout.read1().decode()
        url = url_file.read_text().strip()
        with urllib.request.urlopen(url, timeout=5) as response:
            assert json.loads(response.read())["service"] == "fulfilment stand-in"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)

    assert process.returncode == 0
    assert not url_file.exists()

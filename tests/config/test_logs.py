"""Logs: a request id on every line, in the response and in the tasks the request enqueues;
optional JSON lines; nothing of the request itself (no personal data) is added.

| X-Request-ID offered            | id used                 |
|---------------------------------|-------------------------|
| none                            | a new one (32 hex)      |
| a plain token ≤ 64 characters   | that one                |
| too long, spaces, line breaks   | a new one (never echoed)|
"""

import io
import json
import logging
import re
import uuid

import pytest
from django.conf import settings

from config.floor import logs
from tests.conftest import requires_postgres, requires_redis

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("offered", "kept"),
    [
        (None, False),
        ("req-1234.abc_DEF", True),
        ("x" * 64, True),
        ("x" * 65, False),
        ("two words", False),
        ("evil\r\nSet-Cookie: a=b", False),
    ],
)
def test_each_response_names_its_request_id(client, offered, kept):
    extra = {"HTTP_X_REQUEST_ID": offered} if offered is not None else {}

    response = client.get("/healthz", **extra)

    request_id = response["X-Request-ID"]
    if kept:
        assert request_id == offered
    else:
        assert re.fullmatch(r"[0-9a-f]{32}", request_id)


def _json_handler(stream):
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs.RequestIdFilter())
    formatter = settings.LOGGING["formatters"]["json"]
    factory = formatter["()"]
    module, name = factory.rsplit(".", 1)
    cls = getattr(__import__(module, fromlist=[name]), name)
    handler.setFormatter(cls(formatter["format"], rename_fields=formatter["rename_fields"]))
    return handler


def test_a_line_logged_during_a_request_is_json_with_its_request_id(client):
    stream = io.StringIO()
    handler = _json_handler(stream)
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client.get("/no-such-page/", HTTP_X_REQUEST_ID="trace-42")
    finally:
        logger.removeHandler(handler)

    line = json.loads(stream.getvalue().splitlines()[0])
    assert line["request_id"] == "trace-42"
    assert line["level"] == "WARNING"
    assert line["logger"] == "django.request"
    assert {"time", "message"} <= set(line)


def test_outside_a_request_the_id_is_a_dash():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)

    logs.RequestIdFilter().filter(record)

    assert record.request_id == "-"


def test_a_published_task_carries_the_id_and_the_worker_adopts_it_for_the_task_only():
    headers = {}
    token = logs.REQUEST_ID.set("req-7")
    try:
        logs._carry(headers=headers)
    finally:
        logs.REQUEST_ID.reset(token)
    assert headers == {logs.HEADER: "req-7"}

    class Task:
        class request:  # Celery's task.request, with the header as an attribute
            portal_request_id = "req-7"

    logs._adopt(task_id="t1", task=Task)
    assert logs.current() == "req-7"
    logs._drop(task_id="t1")
    assert logs.current() is None


def test_a_task_without_the_header_keeps_the_callers_id():
    """In-process (eager) tasks run inside the request: its id stays."""

    class Task:
        class request:
            pass

    token = logs.REQUEST_ID.set("req-8")
    try:
        logs._adopt(task_id="t2", task=Task)
        assert logs.current() == "req-8"
        logs._drop(task_id="t2")
        assert logs.current() == "req-8"
    finally:
        logs.REQUEST_ID.reset(token)


@requires_postgres
@requires_redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_logs_json_lines_with_the_id_of_the_request(tmp_path, monkeypatch):
    from config.floor.tasks import heartbeat
    from tests.celery_support import wait_for, worker_process

    monkeypatch.setenv("DJANGO_LOG_FORMAT", "json")
    request_id = f"req-{uuid.uuid4().hex[:12]}"
    log_path = tmp_path / "worker.log"
    with worker_process(log_path, pool="solo", name="logs") as process:
        token = logs.REQUEST_ID.set(request_id)
        try:
            heartbeat.delay()
        finally:
            logs.REQUEST_ID.reset(token)

        def done():
            return [
                json.loads(line)
                for line in log_path.read_text().splitlines()
                if line.startswith("{") and request_id in line
            ]

        lines = wait_for(done, process, log_path, what="JSON line with the request id")
    assert any("portal.heartbeat" in line["message"] for line in lines)
    assert all(line["request_id"] == request_id for line in lines)

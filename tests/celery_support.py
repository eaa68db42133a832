"""A real Celery worker in its own process, against the test database, for the worker tests."""

import contextlib
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from config.celery_app import app


def test_database_url() -> str:
    """The URL of the database pytest-django created for this session (test_<name>)."""
    db = settings.DATABASES["default"]
    credentials = quote(db.get("USER") or "")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"])
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


@contextlib.contextmanager
def worker_process(log_path: Path, *, pool: str = "solo", name: str = "test"):
    """Start `celery worker` on the test database and the broker; always stop it."""
    app.control.purge()
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DJANGO_CONN_MAX_AGE": "0",
    }
    command = [
        *(sys.executable, "-m", "celery", "-A", "config", "worker"),
        *(f"--pool={pool}", "-c", "1", "-Q", "celery", "-l", "info"),
        *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        *("-n", f"{name}-{uuid.uuid4().hex[:8]}@%h"),
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def wait_for(condition, process, log_path: Path, *, what: str, deadline: float = 60, every=0.2):
    """Poll `condition` until it is truthy; fail with the worker's log if it never is."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        if process.poll() is not None:
            pytest.fail(f"the worker exited with {process.returncode}:\n{log_path.read_text()}")
        time.sleep(every)
    pytest.fail(f"no {what} in {deadline} s; worker log:\n{log_path.read_text()}")

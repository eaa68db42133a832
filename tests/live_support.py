"""The portal served by a real server process (runserver or gunicorn) on the test database.

For the tests that need what only a separate process shows: connections held per process,
a connection killed under a request, Redis going away under a write.
"""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from tests.celery_support import test_database_url

BASE_DIR = Path(settings.BASE_DIR)
START_DEADLINE_SECONDS = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(**overrides) -> dict:
    """The environment of a server on the test database, tasks in-process unless overridden."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CELERY_", "DATABASE_URL", "PYTEST_", "FULFILMENT_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DJANGO_DEBUG": "false",
            "DATABASE_URL": test_database_url(),
            "DJANGO_DB_APPLICATION_NAME": f"portal-test-{uuid.uuid4().hex[:10]}",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(overrides)
    return env


def command(kind: str, port: int, *, workers: int = 2, threads: int = 8) -> list[str]:
    if kind == "runserver":
        # Django's development server: a thread per request, as under `make run`.
        return [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    return [
        *(sys.executable, "-m", "gunicorn", "config.wsgi:application"),
        *("--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads)),
        *("--timeout", "60", "--graceful-timeout", "5"),
    ]


@contextlib.contextmanager
def serving(kind: str, env: dict, log_path: Path, **options):
    """Start the server, wait until /healthz answers, yield its base URL; always stop it."""
    port = free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command(kind, port, **options),
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_serving(url, process, log_path)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def _wait_until_serving(url, process, log_path):
    deadline = time.monotonic() + START_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=2).close()
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    pytest.fail(f"the server did not answer in {START_DEADLINE_SECONDS} s:\n{log_path.read_text()}")


def get(url: str, *, timeout: float = 60) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code

"""A smoke test of the `make run` steps: migrate, seed_demo, serve, and one page answered.

Runs the real commands in subprocesses against a throw-away SQLite database, the way a new user's
first `make run` does (local settings, Celery in-process).
"""

import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands

BASE_DIR = Path(settings.BASE_DIR)
SERVER_DEADLINE_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def run_env(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("make-run")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CELERY_", "DATABASE_URL", "PYTEST_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _manage(env, *args, timeout=600):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result


@pytest.fixture(scope="module")
def server(run_env):
    _manage(run_env, "migrate", "--noinput")
    seeded = "seed_demo" in get_commands()
    if seeded:
        _manage(run_env, "seed_demo")
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=BASE_DIR,
        env=run_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(base_url, process)
        yield {"url": base_url, "seeded": seeded}
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _wait_until_serving(base_url, process):
    deadline = time.monotonic() + SERVER_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"runserver exited with {process.returncode}:\n{process.stdout.read()}")
        try:
            urllib.request.urlopen(f"{base_url}/login/", timeout=2).close()
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    pytest.fail(f"runserver did not answer within {SERVER_DEADLINE_SECONDS} s")


def test_migrate_seed_and_serve_the_login_page_in_russian(server):
    with urllib.request.urlopen(f"{server['url']}/login/", timeout=10) as response:
        body = response.read().decode()
        assert response.status == 200
        assert response.headers["Content-Language"] == "ru"
    assert '<html lang="ru">' in body
    assert 'name="csrfmiddlewaretoken"' in body


def test_static_files_are_served(server):
    with urllib.request.urlopen(f"{server['url']}/static/portal/portal.css", timeout=10) as r:
        assert r.status == 200
        assert b"--primary" in r.read()


def test_the_demo_manager_logs_in_and_opens_the_admin(server):
    if not server["seeded"]:
        pytest.skip("seed_demo is not part of the project yet")
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{server['url']}/login/", timeout=10).close()
    csrf = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    form = urllib.parse.urlencode(
        {
            "username": "manager",
            "password": "demo-manager-1",
            "csrfmiddlewaretoken": csrf,
            "next": "/admin/",
        }
    ).encode()
    request = urllib.request.Request(
        f"{server['url']}/login/", data=form, headers={"Referer": f"{server['url']}/login/"}
    )

    with opener.open(request, timeout=30) as response:
        assert response.status == 200
        assert response.url == f"{server['url']}/admin/"
        assert "/admin/offers/offer/" in response.read().decode()

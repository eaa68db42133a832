"""Beat started before the first `migrate` waits for it, then starts (issue 11 §6).

| at beat's start                     | beat                                                  |
|-------------------------------------|-------------------------------------------------------|
| database migrated                   | starts at once (one look)                             |
| database not answering              | waits, says so, looks again                           |
| migrations pending                  | waits, names how many, looks again                    |
| `migrate` run meanwhile             | starts: the schedule is written to its tables         |
"""

import logging
import os
import subprocess
import sys
import time
import uuid

import psycopg
import pytest
from django.conf import settings

from config.floor import schedulers
from tests import celery_support
from tests.conftest import requires_postgres

DEADLINE_SECONDS = 240


def test_a_migrated_database_is_taken_at_the_first_look(db):
    slept = []

    assert schedulers.wait_for_migrations(sleep=slept.append) == 1
    assert slept == []


def test_beat_waits_while_the_database_is_down_or_unmigrated(monkeypatch, caplog):
    answers = iter([None, 3, 1, 0])
    monkeypatch.setattr(schedulers, "migrations_pending", lambda: next(answers))
    slept = []

    with caplog.at_level(logging.WARNING, logger="config.schedule"):
        looks = schedulers.wait_for_migrations(every=2.0, sleep=slept.append)

    assert looks == 4
    assert slept == [2.0, 2.0, 2.0]
    messages = [r.getMessage() for r in caplog.records]
    assert "does not answer" in messages[0]
    assert "3 migrations not applied" in messages[1]


def test_the_configured_scheduler_is_the_waiting_one():
    assert settings.CELERY_BEAT_SCHEDULER == "config.floor.schedulers:MigratedDatabaseScheduler"


def test_a_stop_during_the_schedule_setup_exits_instead_of_setting_up_again(monkeypatch, caplog):
    """Celery's SIGTERM handler syncs a scheduler; arriving during the first setup it builds a
    second one: that setup exits at once, and the first can run again afterwards."""
    calls = []

    def setup(self):
        calls.append("setup")
        if len(calls) == 1:  # the signal arrives in the middle of the first setup
            schedulers.MigratedDatabaseScheduler.setup_schedule(self)

    monkeypatch.setattr(schedulers, "wait_for_migrations", lambda: 1)
    monkeypatch.setattr(schedulers.DatabaseScheduler, "setup_schedule", setup)
    scheduler = object.__new__(schedulers.MigratedDatabaseScheduler)

    with pytest.raises(SystemExit), caplog.at_level(logging.WARNING, logger="config.schedule"):
        scheduler.setup_schedule()
    assert calls == ["setup"]
    assert "stopped while its schedule was being set up" in caplog.text
    scheduler.setup_schedule()
    assert calls == ["setup", "setup"]


def _admin(sql: str) -> None:
    url = celery_support.test_database_url().rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(sql)


def _wait(condition, process, log_path, what):
    end = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < end:
        if condition():
            return
        if process.poll() is not None:
            pytest.fail(f"beat exited with {process.returncode}:\n{log_path.read_text()}")
        time.sleep(0.5)
    pytest.fail(f"no {what} in {DEADLINE_SECONDS} s:\n{log_path.read_text()}")


def _scheduled(url: str) -> set[str]:
    try:
        with psycopg.connect(url) as connection:
            rows = connection.execute("SELECT name FROM django_celery_beat_periodictask")
            return {name for (name,) in rows}
    except psycopg.errors.UndefinedTable:
        return set()


@requires_postgres
@pytest.mark.django_db
def test_beat_started_on_an_empty_database_starts_once_it_is_migrated(tmp_path):
    name = f"{settings.DATABASES['default']['NAME']}_beat_{uuid.uuid4().hex[:8]}"
    url = celery_support.test_database_url().rsplit("/", 1)[0] + "/" + name
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": url,
        # Beat only writes messages; an in-memory broker keeps them out of the tests' Redis.
        "CELERY_BROKER_URL": "memory://",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PYTHONUNBUFFERED": "1",
    }
    _admin(f'CREATE DATABASE "{name}"')
    log_path = tmp_path / "beat.log"
    try:
        with log_path.open("wb") as log:
            beat = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "info"],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                _wait(
                    lambda: "migrations not applied yet" in log_path.read_text(),
                    beat,
                    log_path,
                    "wait for migrate",
                )
                migrate = subprocess.run(
                    [sys.executable, "manage.py", "migrate", "--noinput"],
                    cwd=settings.BASE_DIR,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=DEADLINE_SECONDS,
                )
                assert migrate.returncode == 0, migrate.stdout + migrate.stderr
                _wait(
                    # Every entry, so that beat has finished writing them when it is stopped.
                    lambda: set(settings.CELERY_BEAT_SCHEDULE) <= _scheduled(url),
                    beat,
                    log_path,
                    "schedule written after migrate",
                )
                assert beat.poll() is None
            finally:
                beat.terminate()
                beat.wait(timeout=15)
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

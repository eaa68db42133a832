"""The connection budget (issue 11 §5): a server process holds at most its pool's connections.

`make run` (runserver: a thread per request) once held 62 connections after a 600-request crawl
and then answered «too many clients». 300 requests over 16 threads against a real server on
PostgreSQL, while another connection samples pg_stat_activity for the server's connections
(named by their application_name): never more than the pool's bound, per process.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from tests import celery_support
from tests.conftest import requires_postgres
from tests.live_support import get, server_env, serving

pytestmark = [requires_postgres, pytest.mark.django_db]

REQUESTS = 300
CLIENT_THREADS = 16
POOL_MAX = 4


class Sampler:
    """Counts the server's connections every few milliseconds from a connection of its own."""

    def __init__(self, application_name: str):
        self.application_name = application_name
        self.counts: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self):
        with psycopg.connect(celery_support.test_database_url(), autocommit=True) as connection:
            while not self._stop.is_set():
                self.counts.append(self.count(connection))
                self._stop.wait(0.01)
            self.counts.append(self.count(connection))

    def count(self, connection) -> int:
        return connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
            [self.application_name],
        ).fetchone()[0]


@pytest.mark.parametrize(
    ("kind", "processes"), [("runserver", 1), ("gunicorn", 2)], ids=["runserver", "gunicorn"]
)
def test_300_requests_over_16_threads_stay_within_the_pool(kind, processes, tmp_path):
    env = server_env(DJANGO_DB_POOL_MAX_SIZE=str(POOL_MAX))
    bound = processes * POOL_MAX

    with (
        serving(kind, env, tmp_path / "server.log", workers=processes, threads=8) as url,
        Sampler(env["DJANGO_DB_APPLICATION_NAME"]) as sampler,
        ThreadPoolExecutor(CLIENT_THREADS) as pool,
    ):
        statuses = list(pool.map(lambda _: get(f"{url}/readyz"), range(REQUESTS)))

    assert statuses.count(200) == REQUESTS, sorted(set(statuses))
    assert max(sampler.counts) >= 1  # the sampler does see the server's connections
    assert max(sampler.counts) <= bound, (
        f"{max(sampler.counts)} connections for a bound of {bound}:\n"
        + (tmp_path / "server.log").read_text()[-3000:]
    )

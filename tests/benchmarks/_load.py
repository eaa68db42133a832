"""Load generation for benchmarks: a gunicorn server on a free loopback port, and HTTP clients.

Clients are threads spread over a few processes (so the client's GIL does not cap the server),
each on its own keep-alive connection (`http.client`), each working through its own list of
requests until the list is done or the deadline passes. Traffic goes to 127.0.0.1 only.

This module imports nothing from Django: the client processes are spawned and import it alone.
"""

import http.client
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
BASE_DIR = Path(__file__).resolve().parent.parent.parent
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
REQUEST_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Request:
    """One request of a client's plan; `tag` comes back with the answer (e.g. an idempotency key)."""

    method: str
    path: str
    headers: tuple = ()
    body: bytes | None = None
    tag: str = ""


@dataclass
class Outcome:
    """What one client saw: its answers by status, the tags of those given `keep` statuses."""

    started: float = 0.0
    ended: float = 0.0
    statuses: dict = field(default_factory=dict)
    latencies: list = field(default_factory=list)
    kept: list = field(default_factory=list)
    errors: list = field(default_factory=list)


@dataclass
class LoadResult:
    outcomes: list

    @property
    def elapsed(self) -> float:
        started = [o.started for o in self.outcomes if o.started]
        ended = [o.ended for o in self.outcomes if o.ended]
        return max(ended) - min(started) if started and ended else 0.0

    @property
    def statuses(self) -> dict:
        total: dict = {}
        for outcome in self.outcomes:
            for status, count in outcome.statuses.items():
                total[status] = total.get(status, 0) + count
        return dict(sorted(total.items()))

    def count(self, *statuses) -> int:
        return sum(n for s, n in self.statuses.items() if s in statuses)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    def per_second(self, *statuses) -> float:
        return self.count(*statuses) / self.elapsed if self.elapsed else 0.0

    @property
    def kept(self) -> list:
        return [item for o in self.outcomes for item in o.kept]

    @property
    def errors(self) -> list:
        return [e for o in self.outcomes for e in o.errors]

    def latency_ms(self, share: float) -> float:
        values = sorted(v for o in self.outcomes for v in o.latencies)
        if not values:
            return 0.0
        return values[min(len(values) - 1, round(share * (len(values) - 1)))] * 1000


@contextmanager
def gunicorn(*, env: dict, workers: int = 2, threads: int = 4, app: str = "config.wsgi"):
    """Serve `app` with gunicorn on a free loopback port; yields the port, stops it on exit."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", app,
        "--bind", f"{HOST}:{port}",
        "--workers", str(workers),
        "--worker-class", "gthread",
        "--threads", str(threads),
        "--keep-alive", "30",
        "--backlog", "256",
        "--timeout", "60",
        "--log-level", "warning",
    ]  # fmt: skip
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_until_serving(process, port, log)
            yield port
        finally:
            _stop(process)


def _wait_until_serving(process, port, log):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log.read()[-4000:]}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/api/v1/auth/me/")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on {HOST}:{port} within {START_TIMEOUT:.0f} s")


def _stop(process):
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


def run(
    port: int,
    plans: list[list[Request]],
    *,
    processes: int,
    duration: float,
    keep: tuple = (),
    keep_key: str | None = None,
) -> LoadResult:
    """Run every plan (one per client, on its own connection) at once, spread over `processes`
    processes; stop each client when its plan is done or `duration` seconds have passed.

    The tags of answers whose status is in `keep` are returned (with the value of `keep_key` in
    their JSON body, if given), so a caller can check each acknowledged write afterwards."""
    processes = max(1, min(processes, len(plans)))
    shares = [plans[i::processes] for i in range(processes)]
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(processes + 1)
    results = ctx.Queue()
    workers = [
        ctx.Process(
            target=_process_main,
            args=(port, share, duration, keep, keep_key, barrier, results),
            daemon=True,
        )
        for share in shares
    ]
    for worker in workers:
        worker.start()
    try:
        barrier.wait(timeout=START_TIMEOUT)
        outcomes = []
        for _ in workers:
            outcomes.extend(results.get(timeout=duration + START_TIMEOUT + REQUEST_TIMEOUT))
    finally:
        for worker in workers:
            worker.join(timeout=STOP_TIMEOUT)
            if worker.is_alive():
                worker.terminate()
    return LoadResult(outcomes)


def _process_main(port, plans, duration, keep, keep_key, barrier, results):
    outcomes = [Outcome() for _ in plans]
    ready = threading.Barrier(len(plans) + 1)
    deadline = [0.0]  # set once every process is ready, read by the clients after `ready`
    threads = [
        threading.Thread(
            target=_client,
            args=(port, plan, outcome, keep, keep_key, ready, deadline),
            daemon=True,
        )
        for plan, outcome in zip(plans, outcomes, strict=True)
    ]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=START_TIMEOUT)
    deadline[0] = time.monotonic() + duration
    ready.wait(timeout=START_TIMEOUT)
    for thread in threads:
        thread.join(timeout=duration + REQUEST_TIMEOUT * 2)
    results.put(outcomes)


def _client(port, plan, outcome, keep, keep_key, ready, deadline):
    ready.wait(timeout=START_TIMEOUT)
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    outcome.started = time.time()
    for request in plan:
        if time.monotonic() >= deadline[0]:
            break
        began = time.perf_counter()
        try:
            conn.request(request.method, request.path, request.body, dict(request.headers))
            response = conn.getresponse()
            body = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            conn.close()
            status, body = 0, b""
            if len(outcome.errors) < 5:
                outcome.errors.append(f"{request.method} {request.path}: {error!r}")
        outcome.latencies.append(time.perf_counter() - began)
        outcome.statuses[status] = outcome.statuses.get(status, 0) + 1
        if status in keep:
            outcome.kept.append((request.tag, json.loads(body)[keep_key] if keep_key else None))
        elif status not in (0, 200, 201) and len(outcome.errors) < 5:
            outcome.errors.append(f"{request.method} {request.path}: {status} {body[:300]!r}")
    outcome.ended = time.time()
    conn.close()

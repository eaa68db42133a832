"""`/healthz` (the process answers) and `/readyz` (it can serve): JSON, no login, cheap.

Readiness answers 503 `unavailable` only for what stops this process from serving: the database
unreachable, migrations not applied, or a Redis *cache* (CACHE_URL) unreachable. What the portal
survives is reported as `degraded` with 200, so that a load balancer does not take every web node
out at once for it: the broker (Redis) down — writes commit and the hand-off waits in the outbox —,
no worker heartbeat for HEALTH_HEARTBEAT_MAX_AGE_SECONDS, or an outbox message pending for longer
than HEALTH_OUTBOX_MAX_AGE_SECONDS. After the first success the migration check is remembered by the
process (a deploy that adds migrations restarts it), so a warm probe costs two small queries and, with
Redis configured, one PING of at most HEALTH_REDIS_TIMEOUT_SECONDS.
"""

import functools

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from campaigns.orders import selectors as order_selectors
from config.floor.models import WorkerHeartbeat
from config.floor.tasks import HEARTBEAT

OK, DEGRADED, UNAVAILABLE = "ok", "degraded", "unavailable"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")

_migrations_applied = False


@never_cache
@require_GET
def healthz(request):
    """Liveness: the process answers; nothing else is looked at."""
    return JsonResponse({"status": OK})


@never_cache
@require_GET
def readyz(request):
    checks, critical = readiness(now=timezone.now())
    if critical:
        status, code = UNAVAILABLE, 503
    elif all(check["ok"] for check in checks.values()):
        status, code = OK, 200
    else:
        status, code = DEGRADED, 200
    return JsonResponse({"status": status, "checks": checks}, status=code)


def readiness(*, now) -> tuple[dict, bool]:
    """Every check's outcome, and whether one that stops serving failed."""
    checks = {}
    try:
        checks["database"] = {"ok": True}
        checks["migrations"] = {"ok": migrations_applied()}
        checks["worker"] = _worker(now)
        checks["outbox"] = _outbox(now)
    except DatabaseError as error:
        checks["database"] = {"ok": False, "error": type(error).__name__}
        checks.pop("worker", None)
        checks.pop("outbox", None)
        checks.setdefault("migrations", {"ok": False})
    critical = not checks["database"]["ok"] or not checks["migrations"]["ok"]
    broker = settings.CELERY_BROKER_URL
    if broker.startswith(REDIS_SCHEMES):
        checks["broker"] = {"ok": _redis_ping(broker)}
    if _cache_is_redis():
        checks["cache"] = {"ok": _cache_answers()}
        critical = critical or not checks["cache"]["ok"]
    return checks, critical


def migrations_applied() -> bool:
    global _migrations_applied
    if not _migrations_applied:
        executor = MigrationExecutor(connection)
        _migrations_applied = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrations_applied


def forget_migrations() -> None:
    """Look at the migrations again on the next probe (tests)."""
    global _migrations_applied
    _migrations_applied = False


def _age(now, then) -> float | None:
    return None if then is None else round(max((now - then).total_seconds(), 0.0), 1)


def _worker(now) -> dict:
    seen = WorkerHeartbeat.objects.filter(name=HEARTBEAT).values_list("seen_at", flat=True).first()
    age = _age(now, seen)
    limit = settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS
    return {"ok": age is not None and age <= limit, "heartbeat_age_seconds": age}


def _outbox(now) -> dict:
    backlog = order_selectors.outbox_backlog()
    age = _age(now, backlog["oldest"])
    limit = settings.HEALTH_OUTBOX_MAX_AGE_SECONDS
    return {
        "ok": age is None or age <= limit,
        "pending": backlog["pending"],
        "oldest_age_seconds": age,
    }


@functools.cache
def _redis_client(url: str) -> redis.Redis:
    timeout = settings.HEALTH_REDIS_TIMEOUT_SECONDS
    return redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)


def _redis_ping(url: str) -> bool:
    try:
        return bool(_redis_client(url).ping())
    except (redis.RedisError, OSError):
        return False


def _cache_is_redis() -> bool:
    return "redis" in settings.CACHES["default"]["BACKEND"].lower()


def _cache_answers() -> bool:
    try:
        cache.get("readyz-probe")
    except Exception:  # any client error of any Redis cache backend: the cache cannot serve
        return False
    return True

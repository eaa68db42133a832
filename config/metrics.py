"""`/metrics` for Prometheus: django-prometheus' request metrics and the portal's own gauges.

Requests: `django_http_requests_latency_seconds_by_view_method` (a histogram by view and method)
and the rest of django-prometheus' middleware metrics. The portal's gauges are read from the
database at each scrape (a few indexed aggregates), so every web process reports the same truth:
  portal_outbox_pending_messages                 order messages waiting for the fulfilment system
  portal_outbox_oldest_pending_age_seconds       how long the oldest of them has waited (0: none)
  portal_personal_data_reveals_last_hour         unmasked personal data shown in the last hour
  portal_worker_heartbeat_age_seconds            since the schedule last ran a task on a worker
  portal_celery_task_results{task,state}         stored task outcomes (SUCCESS, FAILURE, RETRY…)
                                                 over CELERY_RESULT_EXPIRES, from every worker
Who may read it: with DJANGO_METRICS_TOKEN set, a request with `Authorization: Bearer <token>`;
without one, only requests from this machine (127.0.0.1, ::1).
"""

import datetime
import hmac
import os

import prometheus_client
from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_celery_results.models import TaskResult
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily

from campaigns.orders import selectors as order_selectors
from config.floor.models import WorkerHeartbeat
from config.floor.tasks import HEARTBEAT

ERR_METRICS_FORBIDDEN = _("Metrics are for the monitoring system only.")
LOOPBACK = {"127.0.0.1", "::1"}


class PortalCollector:
    """The portal's gauges, read at each scrape."""

    def collect(self):
        now = timezone.now()
        try:
            yield from self._outbox(now)
            yield self._gauge(
                "portal_personal_data_reveals_last_hour",
                "Unmasked personal data shown in the last hour.",
                order_selectors.reveals_since(now - datetime.timedelta(hours=1)),
            )
            yield from self._heartbeat(now)
            yield self._task_results()
        except DatabaseError:
            return

    @staticmethod
    def _gauge(name, documentation, value):
        family = GaugeMetricFamily(name, documentation)
        family.add_metric([], value)
        return family

    def _outbox(self, now):
        backlog = order_selectors.outbox_backlog()
        oldest = backlog["oldest"]
        yield self._gauge(
            "portal_outbox_pending_messages",
            "Order messages waiting to be handed to the fulfilment system.",
            backlog["pending"],
        )
        yield self._gauge(
            "portal_outbox_oldest_pending_age_seconds",
            "How long the oldest waiting order message has waited (0 when none waits).",
            0.0 if oldest is None else max((now - oldest).total_seconds(), 0.0),
        )

    def _heartbeat(self, now):
        seen = (
            WorkerHeartbeat.objects.filter(name=HEARTBEAT).values_list("seen_at", flat=True).first()
        )
        if seen is not None:
            yield self._gauge(
                "portal_worker_heartbeat_age_seconds",
                "Seconds since the schedule last ran a task on a worker.",
                max((now - seen).total_seconds(), 0.0),
            )

    @staticmethod
    def _task_results():
        family = GaugeMetricFamily(
            "portal_celery_task_results",
            "Stored Celery task outcomes by task and state (kept CELERY_RESULT_EXPIRES).",
            labels=["task", "state"],
        )
        rows = (
            TaskResult.objects.order_by()
            .values("task_name", "status")
            .annotate(n=Count("id"))
            .values_list("task_name", "status", "n")
        )
        for task, state, n in rows:
            family.add_metric([task or "", state], n)
        return family


_portal_registry = prometheus_client.CollectorRegistry(auto_describe=False)
_portal_registry.register(PortalCollector())


def _allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(offered.encode(), token.encode())
    return request.META.get("REMOTE_ADDR") in LOOPBACK


@never_cache
@require_GET
def metrics(request):
    if not _allowed(request):
        return JsonResponse({"code": "forbidden", "detail": str(ERR_METRICS_FORBIDDEN)}, status=403)
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        # gunicorn with several workers: every worker's request metrics, added up.
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = prometheus_client.REGISTRY
    body = prometheus_client.generate_latest(registry) + prometheus_client.generate_latest(
        _portal_registry
    )
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)

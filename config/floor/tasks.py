"""Celery tasks of the floor: the worker heartbeat that `/readyz` reads.

The beat schedule runs `portal.heartbeat` every 30 s on whichever worker takes it, so the age of
the row measures beat, broker and worker end to end. Under `make run` (no broker) `run_schedule`
runs it in-process.
"""

import socket

from celery import shared_task
from django.utils import timezone

from config.floor.models import WorkerHeartbeat

HEARTBEAT = "worker"


@shared_task(name="portal.heartbeat", bind=True, ignore_result=True)
def heartbeat(self) -> None:
    WorkerHeartbeat.objects.update_or_create(
        name=HEARTBEAT,
        defaults={
            "hostname": (self.request.hostname or socket.gethostname())[:255],
            "seen_at": timezone.now(),
        },
    )

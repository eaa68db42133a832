"""python manage.py run_schedule: Celery beat's schedule (CELERY_BEAT_SCHEDULE) run in this process.

`make run` has no broker and no beat: tasks run in-process. This command is its beat: it runs
every periodic task of the schedule when it is due, in the calling process, so that campaigns
start and end on their dates and unsent orders are sent again without `make worker`. With a
broker, `make worker` runs the real beat (django-celery-beat's database scheduler) instead.
"""

import logging
import time

from celery.beat import ScheduleEntry
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from config.celery_app import app

logger = logging.getLogger("config.schedule")
AT_START = frozenset({"worker-heartbeat"})


def schedule_entries() -> list[ScheduleEntry]:
    """The beat schedule, each entry first due one interval from now (as beat does)."""
    app.loader.import_default_modules()  # every app's tasks.py, as a worker does at start
    return [
        ScheduleEntry(name=name, task=spec["task"], schedule=spec["schedule"], app=app)
        for name, spec in settings.CELERY_BEAT_SCHEDULE.items()
    ]


def run_due(
    entries: list[ScheduleEntry], *, everything: bool = False, now: frozenset[str] = frozenset()
) -> list[ScheduleEntry]:
    """Run the entries that are due (all of them with `everything`, those named in `now`
    whatever their time); returns the entries with their next run booked."""
    booked = []
    for entry in entries:
        due, _next_in = entry.is_due()
        if due or everything or entry.name in now:
            try:
                app.tasks[entry.task].apply(args=entry.args, kwargs=entry.kwargs, throw=True)
            except Exception:
                logger.exception("scheduled task %s failed", entry.task)
            entry = next(entry)
        booked.append(entry)
    return booked


class Command(BaseCommand):
    help = (
        "Run Celery beat's schedule in this process (for `make run`, where tasks are in-process)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--tick", type=float, default=20.0, help="Seconds between looks at the schedule."
        )
        parser.add_argument(
            "--once", action="store_true", help="Run every scheduled task once now and stop."
        )

    def handle(self, *args, tick: float, once: bool, **options):
        entries = schedule_entries()
        if once:
            run_due(entries, everything=True)
            return
        self.stdout.write(f"Running {len(entries)} scheduled tasks in-process every {tick:g} s.")
        # /readyz sees this runner at once, not one heartbeat interval later.
        entries = run_due(entries, now=AT_START)
        while True:
            # A long-lived process: drop connections that broke or aged between two looks.
            close_old_connections()
            entries = run_due(entries)
            close_old_connections()
            time.sleep(tick)

"""The beat scheduler: django-celery-beat's database scheduler that waits for `migrate`.

Started before the first `migrate` (a fresh deployment, `make worker` before `make run`), the
database scheduler read its tables at start, died on «relation does not exist» and never came
back. This one waits at start, looking again every BEAT_WAIT_SECONDS, until the database answers
and every migration is applied, then starts as usual.
"""

import logging
import time

from django.db import DatabaseError, close_old_connections, connection
from django.db.migrations.executor import MigrationExecutor
from django_celery_beat.schedulers import DatabaseScheduler

logger = logging.getLogger("config.schedule")

BEAT_WAIT_SECONDS = 5.0


def migrations_pending() -> int | None:
    """How many migrations are still to apply; None while the database does not answer."""
    try:
        executor = MigrationExecutor(connection)
        return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except DatabaseError:
        return None
    finally:
        close_old_connections()


def wait_for_migrations(*, every: float = BEAT_WAIT_SECONDS, sleep=time.sleep) -> int:
    """Return once the database is migrated; the number of looks it took."""
    looks = 1
    while (pending := migrations_pending()) != 0:
        if pending is None:
            logger.warning("beat: the database does not answer; looking again in %gs", every)
        else:
            logger.warning(
                "beat: %d migrations not applied yet (run `manage.py migrate`); "
                "looking again in %gs",
                pending,
                every,
            )
        connection.close()
        sleep(every)
        looks += 1
    return looks


class MigratedDatabaseScheduler(DatabaseScheduler):
    """DatabaseScheduler that starts once the database is migrated (see the module).

    A SIGTERM while the schedule is being set up (a deployment stopping beat just after its
    start) runs celery's handler on top of the setup; the handler syncs a scheduler, and as the
    first one is not built yet it builds a second, whose setup would close the connection in the
    middle of the first one's transaction and leave beat hanging on a broken connection. The
    second setup stops at once instead: there is nothing to save yet, and beat exits."""

    _setting_up = False

    def setup_schedule(self):
        cls = MigratedDatabaseScheduler
        if cls._setting_up:
            logger.warning("beat: stopped while its schedule was being set up")
            raise SystemExit
        cls._setting_up = True
        try:
            wait_for_migrations()
            super().setup_schedule()
        finally:
            cls._setting_up = False

"""A real Celery worker, in its own process, runs a task that a transaction enqueued on commit."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from django_celery_results.models import TaskResult

from campaigns.models import Campaign, CampaignStatus
from campaigns.tasks import archive_expired_campaigns
from config.celery_app import app
from config.floor import roles
from tests.campaigns.factories import CampaignFactory
from tests.celery_support import wait_for, worker_process
from tests.conftest import requires_postgres, requires_redis

pytestmark = [requires_postgres, requires_redis]

TASK_NAME = "campaigns.tasks.archive_expired_campaigns"


@pytest.fixture(scope="module", autouse=True)
def _roles_restored(django_db_setup, django_db_blocker):
    """Committed data is what another process sees, so these tests are transactional, and the
    flush after them drops the groups the data migration made: put them back for later tests."""
    yield
    with django_db_blocker.unblock():
        roles.sync_roles(Group, Permission)


@pytest.fixture
def worker(tmp_path):
    log_path = tmp_path / "worker.log"
    with worker_process(log_path, pool="solo", name="test") as process:
        yield process, log_path


def _wait_for(condition, process, log_path):
    wait_for(condition, process, log_path, what="result", every=0.5)


def test_worker_process_runs_the_task_enqueued_on_commit(transactional_db, worker):
    process, log_path = worker
    assert app.conf.task_always_eager is False
    today = timezone.localdate()
    campaign = CampaignFactory(
        status=CampaignStatus.ACTIVE,
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today - datetime.timedelta(days=1),
    )
    running = CampaignFactory(status=CampaignStatus.ACTIVE, starts_on=today)

    with transaction.atomic():
        archive_expired_campaigns.delay_on_commit()
        # Nothing leaves the transaction before it commits.
        assert not TaskResult.objects.filter(task_name=TASK_NAME).exists()

    def archived():
        return Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.ARCHIVED

    def recorded():
        return TaskResult.objects.filter(task_name=TASK_NAME, status="SUCCESS").exists()

    _wait_for(archived, process, log_path)
    _wait_for(recorded, process, log_path)
    result = TaskResult.objects.get(task_name=TASK_NAME)
    assert result.result == "1"
    assert Campaign.objects.get(pk=running.pk).status == CampaignStatus.ACTIVE


def test_task_enqueued_in_a_rolled_back_transaction_never_reaches_the_worker(
    transactional_db, worker
):
    process, log_path = worker
    today = timezone.localdate()
    campaign = CampaignFactory(
        status=CampaignStatus.ACTIVE,
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today - datetime.timedelta(days=1),
    )

    with pytest.raises(RuntimeError), transaction.atomic():
        archive_expired_campaigns.delay_on_commit()
        raise RuntimeError("rolled back")
    # A task sent afterwards proves the worker is up and the queue held nothing before it.
    probe = archive_expired_campaigns.delay()

    def recorded():
        return TaskResult.objects.filter(task_name=TASK_NAME, status="SUCCESS").exists()

    _wait_for(recorded, process, log_path)
    assert list(TaskResult.objects.values_list("task_id", flat=True)) == [probe.id]
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.ARCHIVED

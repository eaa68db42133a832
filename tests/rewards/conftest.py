import pytest

from config.celery_app import app as celery_app


@pytest.fixture
def eager_celery():
    """The refreshes an event enqueues on commit run in-process, whatever broker the environment
    names (the worker tests start a real worker instead)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous

import os

import pytest
from django.conf import settings

from tests.campaigns.factories import AgentProfileFactory
from tests.config.factories import CrmUserFactory, ManagerFactory, SupervisorFactory

requires_postgres = pytest.mark.skipif(
    not settings.IS_POSTGRES, reason="needs PostgreSQL: set DATABASE_URL"
)
requires_redis = pytest.mark.skipif(
    not os.environ.get("CELERY_BROKER_URL", "").startswith("redis"),
    reason="needs Redis and a Celery worker: set CELERY_BROKER_URL=redis://...",
)


@pytest.fixture
def manager(db):
    return ManagerFactory(username="manager")


@pytest.fixture
def supervisor(db):
    return SupervisorFactory(username="supervisor")


@pytest.fixture
def agent(db):
    return AgentProfileFactory(user__username="agent").user


@pytest.fixture
def crm_user(db):
    return CrmUserFactory(username="crm")


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


requires_chromium = pytest.mark.skipif(
    not os.path.exists(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")),
    reason="needs Chromium: apt-get install chromium",
)

SERVICE_SKIP_PREFIX = "needs "


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI (PORTAL_REQUIRE_SERVICES=1) a test skipped for a missing service is a failure."""
    outcome = yield
    report = outcome.get_result()
    if not (report.skipped and os.environ.get("PORTAL_REQUIRE_SERVICES")):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    if SERVICE_SKIP_PREFIX in reason:
        report.outcome = "failed"
        report.longrepr = f"skipped for a missing service while PORTAL_REQUIRE_SERVICES=1: {reason}"


@pytest.fixture(autouse=True)
def fresh_catalogue_cache():
    """Each test starts with an empty cache and no per-process catalogue copy."""
    from django.core.cache import cache

    from campaigns import catalogue

    cache.clear()
    catalogue.forget()
    yield
    catalogue.forget()

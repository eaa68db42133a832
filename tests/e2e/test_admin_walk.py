"""Every admin page each admin role reaches, in Chromium, on the demo data: no console error, no
uncaught exception, no Russian that reads wrong (tests.e2e.admin_walk, tests.e2e.russian), and
lists that fit a 1366 px screen."""

import pytest
from django.core.management import call_command

from campaigns.demo.logins import DEMO_LOGINS
from config.floor import roles
from tests.conftest import requires_chromium
from tests.e2e.admin_walk import log_in, walk

pytestmark = [pytest.mark.e2e, requires_chromium]

ADMIN_LOGINS = [
    username
    for username, (_password, role, _first, _last) in DEMO_LOGINS.items()
    if role in roles.STAFF_ROLES
]


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", "--quiet")


# A walk opens a hundred pages or more: minutes on a busy machine, beyond the suite's 300 s default.
@pytest.mark.timeout(1200)
@pytest.mark.parametrize("username", ADMIN_LOGINS)
def test_every_admin_page_is_clean_for_each_role(browser_context, live_server, demo, username):
    page = browser_context.new_page()
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server.url, username, DEMO_LOGINS[username][0])
    report = walk(page, live_server.url)
    assert len(report.pages) > 20, report.summary()
    assert not report.with_errors, report.summary()
    assert not report.with_wrong_russian, report.summary()
    assert not report.too_wide, report.summary()

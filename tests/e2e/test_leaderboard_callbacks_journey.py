"""The supervisor sees each agent's overdue callbacks on the leaderboard, keyboard only, at 768 px
(issue 12 §1, Chromium)."""

import datetime

import pytest
from django.utils import timezone

from rewards import services
from tests.campaigns.factories import CallbackFactory, TeamFactory
from tests.config.factories import SupervisorFactory
from tests.conftest import requires_chromium
from tests.e2e.conftest import wait_for_page
from tests.rewards.support import agent

pytestmark = [pytest.mark.e2e, requires_chromium]


@pytest.fixture
def callbacks_floor(transactional_db):
    team = TeamFactory(name="Команда 1")
    supervisor = SupervisorFactory(username="supervisor")
    supervisor.set_password("demo-supervisor-1")
    supervisor.save()
    team.supervisors.add(supervisor)
    late, punctual = agent(team, username="late"), agent(team, username="punctual")
    now = timezone.now()
    for hours in (3, 26):
        CallbackFactory(agent=late, due_at=now - datetime.timedelta(hours=hours), created_at=now)
    CallbackFactory(agent=punctual, due_at=now + datetime.timedelta(hours=2), created_at=now)
    services.conversions_compute(month=timezone.localdate().replace(day=1))


def test_supervisor_reads_overdue_callbacks_on_the_leaderboard_at_768px(
    browser_context, callbacks_floor
):
    from playwright.sync_api import expect

    page = browser_context.new_page()
    page.set_viewport_size({"width": 768, "height": 1000})
    page.goto("/login/?next=/leaderboard/")
    expect(page.locator("#id_username")).to_be_focused()  # typing before it would lose letters
    page.keyboard.type("supervisor")
    page.keyboard.press("Tab")
    page.keyboard.type("demo-supervisor-1")
    page.keyboard.press("Enter")
    wait_for_page(page, "/leaderboard/")

    expect(page.locator("#rw-board thead")).to_contain_text("Просроченные перезвоны")
    late = page.locator('#rw-board tr[data-agent="late"] .rw-overdue')
    expect(late).to_have_text("2")
    expect(page.locator('#rw-board tr[data-agent="punctual"] .rw-overdue')).to_have_text("0")
    expect(page.locator("#rw-overdue-total")).to_contain_text("2 перезвона просрочено сейчас")

    # Keyboard only: Tab reaches the late agent's link; the row and its count are on screen.
    link = page.locator('#rw-board tr[data-agent="late"] a')
    for _ in range(40):
        page.keyboard.press("Tab")
        if link.evaluate("a => a === document.activeElement"):
            break
    expect(link).to_be_focused()
    expect(late).to_be_in_viewport()
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px at 768 px"

"""The demo supervisor opens the leaderboard, switches to last month and exports it (Chromium)."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone

from offers.models import OfferKind
from rewards import calendar, services
from tests.campaigns.factories import TeamFactory
from tests.config.factories import SupervisorFactory
from tests.conftest import requires_chromium
from tests.e2e.conftest import log_in
from tests.rewards.support import agent, fixed_rule, offer, order

pytestmark = [pytest.mark.e2e, requires_chromium]


@pytest.fixture
def demo_floor(transactional_db):
    running = timezone.localdate().replace(day=1)
    previous = calendar.previous_month(running)
    vip = offer("399", kind=OfferKind.PACKAGE)
    fixed_rule("75", [vip])
    team = TeamFactory(name="Команда 1")
    supervisor = SupervisorFactory(username="supervisor")
    supervisor.set_password("demo-supervisor-1")
    supervisor.save()
    team.supervisors.add(supervisor)
    best, second = agent(team, username="best"), agent(team, username="second")
    for day in range(3):
        order(best, vip, created=previous.replace(day=2 + day), connected=previous.replace(day=9))
    order(second, vip, created=previous.replace(day=3))
    order(second, vip, created=running, connected=running)
    for month in (previous, running):
        services.conversions_compute(month=month)
    return {"team": team, "previous": previous, "running": running}


def test_supervisor_switches_month_and_exports_the_leaderboard(browser_context, demo_floor):
    from playwright.sync_api import expect

    page = browser_context.new_page()
    log_in(page, "supervisor", "demo-supervisor-1", "/leaderboard/")
    board = page.locator("#rw-board tbody tr")
    expect(board).to_have_count(2)
    expect(board.first).to_have_attribute("data-agent", "second")

    previous = calendar.month_key(demo_floor["previous"])
    page.select_option("#rw-month", previous)  # applies at once, no button
    page.wait_for_url(f"**month={previous}**")
    expect(board.first).to_have_attribute("data-agent", "best")
    expect(board.first.locator(".rw-rank")).to_have_text("1")
    expect(page.locator(".rw-chart rect")).to_have_count(
        (calendar.next_month(demo_floor["previous"]) - demo_floor["previous"]).days
    )

    with page.expect_download() as download_info:
        page.click("#rw-export")
    download = download_info.value
    assert download.suggested_filename == f"leaderboard-{previous}.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [row[4] for row in rows[1:]] == [3, 1]
    assert rows[1][10] == 225

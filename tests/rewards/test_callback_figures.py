"""Callbacks in the supervisor's and manager's numbers (issue 12 §1): each agent's overdue
callbacks on the leaderboard (API, page, xlsx) and, in the funnels (the agent's month on `/me/`
and in `/api/v1/me/progress/`, the campaign funnel in the admin), «thinking» → agreed and the
callbacks made on time."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns import selectors as campaign_selectors
from campaigns.models import CALLBACK_GRACE, ResultCode
from offers.models import OfferKind
from rewards import calendar, selectors, services
from tests.campaigns.factories import (
    CallbackFactory,
    CampaignFactory,
    CampaignTargetFactory,
    TeamFactory,
)
from tests.config.factories import ManagerFactory
from tests.rewards.support import agent, history, offer, supervisor_of

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
LEADERBOARD, PROGRESS = "/api/v1/leaderboard/", "/api/v1/me/progress/"

# (case, due relative to now, made relative to due or None (open), outcome,
#  counts as: made, made on time, agreed, overdue now)
CASES = [
    ("made at its time, agreed", -5 * HOUR, datetime.timedelta(0), ResultCode.AGREED,
     (1, 1, 1, 0)),
    ("made at the end of the grace", -5 * HOUR, CALLBACK_GRACE, ResultCode.NOT_INTERESTED, (1, 1, 0, 0)),
    ("made a minute after the grace, agreed", -5 * HOUR, CALLBACK_GRACE + datetime.timedelta(
        minutes=1), ResultCode.AGREED, (1, 0, 1, 0)),
    ("made early (the customer called in)", -5 * HOUR, -2 * HOUR, ResultCode.AGREED, (1, 1, 1, 0)),
    ("still thinking when called back", -5 * HOUR, HOUR / 2, ResultCode.THINKING, (1, 1, 0, 0)),
    ("open, past its time and the grace", -HOUR, None, "", (0, 0, 0, 1)),
    ("open, within the grace", -CALLBACK_GRACE / 2, None, "", (0, 0, 0, 0)),
    ("open, later", 5 * HOUR, None, "", (0, 0, 0, 0)),
]  # fmt: skip


def this_month():
    return timezone.localdate().replace(day=1)


def _callback(user, *, due, made, outcome, campaign=None, created=None):
    target = CampaignTargetFactory(campaign=campaign) if campaign else CampaignTargetFactory()
    return CallbackFactory(
        agent=user, target=target, due_at=due, created_at=created or calendar.month_bounds(
            this_month())[0] + datetime.timedelta(minutes=1),
        closed_at=None if made is None else due + made, outcome=outcome,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("case", "due", "made", "outcome", "counts"), CASES, ids=[c[0] for c in CASES]
)
def test_each_callback_counts_as_the_table_says(case, due, made, outcome, counts):
    user, now = agent(), timezone.now()
    _callback(user, due=now + due, made=made, outcome=outcome)
    figures = selectors.callback_funnel(this_month(), agent_id=user.pk, now=now)
    assert figures["opened"] == 1
    assert (
        figures["made"], figures["made_on_time"], figures["agreed"], figures["overdue"]
    ) == counts  # fmt: skip
    assert campaign_selectors.overdue_callbacks_by_agent(agent_ids=[user.pk], now=now) == (
        {user.pk: 1} if counts[3] else {}
    )


def test_the_rates_are_agreed_of_opened_and_on_time_of_made():
    user, now = agent(), timezone.now()
    for due, made, outcome, _counts in [case[1:] for case in CASES]:
        _callback(user, due=now + due, made=made, outcome=outcome)
    figures = selectors.callback_funnel(this_month(), agent_id=user.pk, now=now)
    assert figures == {
        "opened": 8, "made": 5, "made_on_time": 4, "agreed": 3, "overdue": 1,
        "agreed_rate": 37.5, "on_time_rate": 80.0,
    }  # fmt: skip
    assert selectors.callback_funnel(calendar.previous_month(this_month()), agent_id=user.pk) == {
        "opened": 0, "made": 0, "made_on_time": 0, "agreed": 0, "overdue": 0,
        "agreed_rate": None, "on_time_rate": None,
    }  # fmt: skip


def test_a_callback_belongs_to_the_moscow_month_it_was_opened_in():
    user, now = agent(), timezone.now()
    start = calendar.month_bounds(this_month())[0]  # 21:00 UTC the day before
    _callback(
        user, due=now - HOUR, made=None, outcome="", created=start - datetime.timedelta(seconds=1)
    )
    _callback(user, due=now - HOUR, made=None, outcome="", created=start)
    previous = calendar.previous_month(this_month())
    assert selectors.callback_funnel(previous, agent_id=user.pk)["opened"] == 1
    assert selectors.callback_funnel(this_month(), agent_id=user.pk)["opened"] == 1


@pytest.fixture
def floor():
    team = TeamFactory(name="Команда 1")
    users = [agent(team, username=f"a{i}") for i in range(3)]
    now = timezone.now()
    for _ in range(2):  # a0: two overdue; a1: one made late, one open but not yet due
        _callback(users[0], due=now - 2 * HOUR, made=None, outcome="")
    _callback(users[1], due=now - 5 * HOUR, made=2 * HOUR, outcome=ResultCode.AGREED)
    _callback(users[1], due=now + 2 * HOUR, made=None, outcome="")
    services.conversions_compute(month=this_month())
    return {"team": team, "users": users, "boss": supervisor_of(team, username="boss")}


def test_the_leaderboard_api_gives_each_agents_overdue_callbacks(api_client, floor):
    api_client.force_authenticate(floor["boss"])
    rows = api_client.get(LEADERBOARD).json()["results"]
    assert {r["agent"]: r["overdue_callbacks"] for r in rows} == {"a0": 2, "a1": 0, "a2": 0}


def test_the_leaderboard_api_queries_do_not_grow_with_the_callbacks(api_client, floor):
    api_client.force_authenticate(floor["boss"])
    api_client.get(LEADERBOARD)
    with CaptureQueriesContext(connection) as before:
        api_client.get(LEADERBOARD)
    for user in floor["users"]:
        _callback(user, due=timezone.now() - 3 * HOUR, made=None, outcome="")
    with CaptureQueriesContext(connection) as after:
        rows = api_client.get(LEADERBOARD).json()["results"]
    assert {r["agent"]: r["overdue_callbacks"] for r in rows} == {"a0": 3, "a1": 1, "a2": 1}
    assert len(after) == len(before)


def test_the_leaderboard_page_and_export_show_the_overdue_callbacks(client, floor):
    client.force_login(floor["boss"])
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(reverse("leaderboard")).content.decode()
    assert body.count('class="rw-overdue"><span class="badge warn">2</span>') == 1
    assert body.count('class="rw-overdue"><span class="muted">0</span>') == 2
    assert '<strong>2</strong> <span class="muted">перезвона просрочено сейчас</span>' in body
    queries = len(ctx)
    _callback(floor["users"][2], due=timezone.now() - 3 * HOUR, made=None, outcome="")
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("leaderboard"))
    assert len(ctx) == queries
    response = client.get(reverse("leaderboard-export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, *rows = sheet.iter_rows(values_only=True)
    assert header[-1] == "Просроченные перезвоны сейчас"
    assert sorted(row[-1] for row in rows) == [0, 1, 2]


def test_the_agents_funnel_shows_thinking_to_agreed_and_on_time(api_client, client, floor):
    user = floor["users"][1]
    api_client.force_authenticate(user)
    data = api_client.get(PROGRESS).json()
    assert data["callbacks"] == {
        "opened": 2, "made": 1, "made_on_time": 0, "agreed": 1, "overdue": 0,
        "agreed_rate": 50.0, "on_time_rate": 0.0,
    }  # fmt: skip
    client.force_login(user)
    body = client.get(reverse("me")).content.decode()
    assert "«Клиент думает» → согласие: 1 из 2 перезвонов (50,0%)" in body
    assert "Вовремя: 0 из 1 сделанного (0,0%)" in body


def test_the_campaign_funnel_shows_the_callbacks_per_campaign(client):
    now, user = timezone.now(), agent()
    kino, vip = (CampaignFactory(code=code, offer=offer("299", kind=OfferKind.PACKAGE))
                 for code in ("KINO", "VIP"))  # fmt: skip
    _callback(user, due=now - 5 * HOUR, made=datetime.timedelta(0), outcome=ResultCode.AGREED,
              campaign=kino)  # fmt: skip
    _callback(
        user, due=now - 5 * HOUR, made=3 * HOUR, outcome=ResultCode.NOT_INTERESTED, campaign=kino
    )
    _callback(user, due=now - 5 * HOUR, made=None, outcome="", campaign=vip)
    by_campaign = selectors.callback_funnel_by_campaign(this_month(), now=now)
    assert {pk: (c["opened"], c["agreed"], c["made_on_time"], c["made"]) for pk, c in
            by_campaign.items()} == {kino.pk: (2, 1, 1, 2), vip.pk: (1, 0, 0, 0)}  # fmt: skip
    for campaign in (kino, vip):  # a saved result: the campaign has a funnel row this month
        history(user, CampaignTargetFactory(campaign=campaign), ResultCode.THINKING, this_month())
    services.conversions_compute(month=this_month())
    client.force_login(ManagerFactory())
    body = client.get(reverse("admin:rewards_campaignmonth_changelist")).content.decode()
    assert "«Клиент думает» → согласие: 1 из 3 перезвонов (33,3%)" in body
    assert 'rw-agreed-after-thinking">1 / 2<br><small>50,0%</small>' in body
    assert 'rw-on-time">1 / 2<br><small>50,0%</small>' in body

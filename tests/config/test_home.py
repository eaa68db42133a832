"""The home page is the agent's day: progress towards the target, callbacks due, what is new this
week, recent accounts; other roles keep their tiles."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.campaigns.factories import (
    AppealFactory,
    CallbackFactory,
    CampaignFactory,
    SubscriberAccountFactory,
)
from tests.config.factories import SupervisorFactory

pytestmark = pytest.mark.django_db


def test_the_agents_home_shows_their_day(client, agent):
    now = timezone.now()
    CallbackFactory(agent=agent, due_at=now - datetime.timedelta(hours=3))
    CallbackFactory(agent=agent, due_at=now + datetime.timedelta(minutes=1))
    CampaignFactory(name="Новая кампания недели", starts_on=timezone.localdate())
    account = SubscriberAccountFactory(surname="Недавний")
    AppealFactory(agent=agent, account=account)
    client.force_login(agent)
    html = client.get("/").content.decode()
    assert "Мой день" in html
    assert 'class="day-callbacks-today">1<' in html
    assert "1 просрочен" in html
    assert "Новая кампания недели" in html
    assert f'href="/accounts/{account.number}/"' in html
    assert "Заявки в этом месяце" in html


def test_the_agents_home_runs_constant_queries(client, agent):
    client.force_login(agent)
    AppealFactory(agent=agent)  # with none, the accounts query is skipped altogether
    client.get("/")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx)

    before = count()
    for _ in range(3):
        AppealFactory(agent=agent)
        CallbackFactory(agent=agent)
        CampaignFactory(starts_on=timezone.localdate())
    assert count() == before


def test_a_supervisors_home_has_no_agents_day(client):
    client.force_login(SupervisorFactory())
    html = client.get("/").content.decode()
    assert "Мой день" not in html
    assert 'class="tile"' in html

"""«Мои перезвоны» (/callbacks/), moving a callback there, and the callback time on the account
page's result form."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.models import Appeal, Callback, ContactHistoryEntry
from tests.campaigns.factories import AgentProfileFactory, CallbackFactory
from tests.config.factories import SupervisorFactory

pytestmark = pytest.mark.django_db

PAGE = "/callbacks/"
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def test_the_page_lists_overdue_today_and_later_each_opening_the_account(agent_client, agent):
    now = timezone.now()
    overdue = CallbackFactory(agent=agent, due_at=now - 2 * HOUR)
    later = CallbackFactory(agent=agent, due_at=now + 3 * 24 * HOUR)
    CallbackFactory(due_at=now - 2 * HOUR)  # another agent's
    html = agent_client.get(PAGE).content.decode()
    assert html.count('class="callback"') == 2
    overdue_part = html.split('class="card callbacks callbacks-today"')[0]
    assert f'id="callback-{overdue.pk}"' in overdue_part
    link = f'href="/accounts/{overdue.account.number}/#rec-{overdue.target_id}"'
    assert link in html
    assert f'id="callback-{later.pk}"' in html.split('class="card callbacks callbacks-later"')[1]


def test_the_page_runs_constant_queries(agent_client, agent):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert agent_client.get(PAGE).status_code == 200
        return len(ctx)

    CallbackFactory(agent=agent)
    before = count()
    for _ in range(4):
        CallbackFactory(agent=agent)
    assert count() == before


def test_only_agents_have_the_page(client):
    assert client.get(PAGE).status_code == 302
    client.force_login(SupervisorFactory())
    assert client.get(PAGE).status_code == 403


def test_the_agent_moves_a_callback(agent_client, agent):
    callback = CallbackFactory(agent=agent, due_at=timezone.now() + HOUR)
    due = timezone.localtime(timezone.now() + 26 * HOUR).replace(hour=10, minute=0)
    response = agent_client.post(
        f"/callbacks/{callback.pk}/reschedule/",
        {"due_at": due.strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    )
    callback.refresh_from_db()
    assert callback.due_at == due.replace(second=0, microsecond=0)
    assert "Перезвон перенесён" in response.content.decode()


@pytest.mark.parametrize(
    ("value", "message"),
    [("завтра", "Укажите время перезвона"), ("2020-01-01T10:00", "Время перезвона уже прошло")],
)
def test_a_bad_time_is_a_message_and_nothing_moves(agent_client, agent, value, message):
    callback = CallbackFactory(agent=agent, due_at=timezone.now() + HOUR)
    before = callback.due_at
    response = agent_client.post(
        f"/callbacks/{callback.pk}/reschedule/", {"due_at": value}, follow=True
    )
    assert message in response.content.decode()
    callback.refresh_from_db()
    assert callback.due_at == before


def test_another_agents_callback_cannot_be_moved(agent_client):
    callback = CallbackFactory(agent=AgentProfileFactory().user)
    response = agent_client.post(
        f"/callbacks/{callback.pk}/reschedule/", {"due_at": "2030-01-01T10:00"}, follow=True
    )
    assert "У вас нет такого перезвона" in response.content.decode()


def test_the_result_form_proposes_the_default_time_and_saves_the_time_typed(
    agent_client, agent, account, targets
):
    Appeal.objects.create(account=account, agent=agent, question_resolved=True)
    html = agent_client.get(f"/accounts/{account.number}/").content.decode()
    assert 'name="callback_at"' in html
    due = timezone.localtime(timezone.now() + 3 * HOUR).replace(second=0, microsecond=0)
    response = agent_client.post(
        f"/accounts/{account.number}/recommendations/{targets[0].pk}/result/",
        {
            "result": "thinking",
            "callback_at": due.strftime("%Y-%m-%dT%H:%M"),
            "idempotency_key": "k1",
        },
        follow=True,
    )
    assert Callback.objects.get().due_at == due
    assert "Перезвонить" in response.content.decode()


def test_an_unreadable_callback_time_saves_no_result(agent_client, agent, account, targets):
    Appeal.objects.create(account=account, agent=agent, question_resolved=True)
    response = agent_client.post(
        f"/accounts/{account.number}/recommendations/{targets[0].pk}/result/",
        {"result": "thinking", "callback_at": "послезавтра", "idempotency_key": "k2"},
        follow=True,
    )
    assert "Укажите время перезвона" in response.content.decode()
    assert not ContactHistoryEntry.objects.exists()
    assert not Callback.objects.exists()


@pytest.mark.parametrize(
    "grace,said", [(30, "через 30 минут после"), (21, "через 21 минуту после")]
)
def test_the_page_says_the_grace_it_applies(agent_client, monkeypatch, grace, said):
    """The overdue grace in the page's words is CALLBACK_GRACE's, whatever it is set to."""
    monkeypatch.setattr("campaigns.views.CALLBACK_GRACE", datetime.timedelta(minutes=grace))
    assert said in agent_client.get(PAGE).content.decode()

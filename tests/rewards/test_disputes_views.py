"""The dispute pages (issue 12 §4): the agent flags from `/me/` and sees the outcome there; the
supervisor decides on `/disputes/` and sees the open count on the leaderboard; constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from offers.models import OfferKind
from rewards import calendar
from rewards.models import DisputeStatus, StatementDispute
from tests.campaigns.factories import TeamFactory
from tests.config.factories import ManagerFactory
from tests.rewards.support import agent, fixed_rule, offer, order, supervisor_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


@pytest.fixture
def floor():
    vip = offer("399", kind=OfferKind.PACKAGE)
    fixed_rule("75", [vip], code="iptv-vip")
    team = TeamFactory(name="Команда 1")
    user = agent(team, username="a1")
    return {
        "user": user,
        "vip": vip,
        "order": order(user, vip, created=timezone.localdate()),
        "supervisor": supervisor_of(team),
    }


def month_key():
    return calendar.month_key(timezone.localdate())


def test_the_agent_flags_a_line_from_me_and_reads_the_decision_there(
    client, floor, django_capture_on_commit_callbacks
):
    client.force_login(floor["user"])
    me = client.get("/me/").content.decode()
    link = f"/disputes/new/?month={month_key()}&amp;order={floor['order'].pk}"
    assert link in me
    url = f"/disputes/new/?month={month_key()}&order={floor['order'].pk}&offer={floor['vip'].pk}"
    form = client.get(url)
    assert "Оспорить строку моей выписки" in form.content.decode()
    sent = client.post(url, {"comment": "Не та ставка", "form_key": "f1"}, follow=True)
    assert "Спор передан супервайзеру" in sent.content.decode()
    client.post(url, {"comment": "Не та ставка", "form_key": "f1"})  # a double click
    dispute = StatementDispute.objects.get()
    client.force_login(floor["supervisor"])
    assert "1 открытый спор по выпискам" in client.get("/leaderboard/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the month's refresh
        decided = client.post(
            f"/disputes/{dispute.pk}/decide/",
            {"decision": "accept", "amount": "40", "reason": "Ставка сменилась"},
            follow=True,
        )
    assert "Принят: 40.00 ₽" in decided.content.decode()
    client.force_login(floor["user"])
    me = client.get("/me/").content.decode()
    assert "Ставка сменилась" in me
    assert "Принятые споры, ₽" in me


def test_a_missing_order_is_reported_and_a_bad_form_says_why(client, floor):
    client.force_login(floor["user"])
    url = f"/disputes/new/?month={month_key()}"
    refused = client.post(url, {"comment": "Нет заказа", "reference": "", "form_key": "m1"})
    assert "Укажите недостающий заказ" in refused.content.decode()
    client.post(url, {"comment": "Нет заказа", "reference": "л/с 352011070411", "form_key": "m2"})
    assert StatementDispute.objects.get().reference == "л/с 352011070411"


def test_pages_refuse_what_the_user_may_not_do(client, floor):
    other_month = f"/disputes/new/?month={month_key()}&order=999999"
    client.force_login(floor["user"])
    assert client.get(other_month).status_code == 404
    no_item = f"/disputes/new/?month={month_key()}&order={floor['order'].pk}&offer=999999"
    assert client.get(no_item).status_code == 404
    assert client.get("/disputes/new/?month=2999-01").status_code == 302
    dispute = StatementDispute.objects.create(
        agent=floor["user"],
        month=timezone.localdate().replace(day=1),
        kind="missing_order",
        reference="наряд 5",
        comment="Нет",
        created_at=timezone.now(),
    )
    assert client.post(f"/disputes/{dispute.pk}/decide/", {"decision": "reject"}).status_code == 403
    outsider = supervisor_of(TeamFactory(), username="other-super")
    client.force_login(outsider)
    response = client.post(f"/disputes/{dispute.pk}/decide/", {"decision": "reject", "reason": "x"})
    assert response.status_code == 404
    client.force_login(floor["supervisor"])
    client.post(f"/disputes/{dispute.pk}/decide/", {"decision": "reject", "reason": ""})
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN  # no reason, no decision


def test_the_list_page_runs_a_constant_number_of_queries(client, floor):
    manager = ManagerFactory(username="m1")
    client.force_login(manager)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/disputes/?status=all").status_code == 200
        return len(ctx)

    def add(n):
        StatementDispute.objects.create(
            agent=floor["user"],
            month=timezone.localdate().replace(day=1),
            kind="line",
            order=floor["order"],
            offer=floor["vip"],
            comment=f"Строка {n}",
            created_at=timezone.now(),
            status=DisputeStatus.REJECTED,
            resolution="Нет",
            resolved_by=floor["supervisor"],
            resolved_at=timezone.now(),
        )

    add(0)
    before = count()
    for n in range(1, 4):
        add(n)
    assert count() == before

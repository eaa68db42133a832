"""`/api/v1/disputes/` for both sides (issue 12 §4): who sees and does what, errors with codes,
retries, constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from offers.models import OfferKind
from rewards import calendar
from rewards.models import DisputeStatus, StatementDispute
from tests.campaigns.factories import TeamFactory
from tests.config.factories import CrmUserFactory, ManagerFactory
from tests.rewards.support import agent, fixed_rule, offer, order, supervisor_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]
URL = "/api/v1/disputes/"


def month_key():
    return calendar.month_key(timezone.localdate())


@pytest.fixture
def floor():
    vip = offer("399", kind=OfferKind.PACKAGE)
    fixed_rule("75", [vip], code="iptv-vip")
    team = TeamFactory(name="Команда 1")
    user = agent(team, username="a1")
    return {
        "user": user,
        "order": order(user, vip, created=timezone.localdate()),
        "supervisor": supervisor_of(team),
        "team": team,
    }


def flag(api_client, floor, **extra):
    api_client.force_authenticate(floor["user"])
    body = {"month": month_key(), "kind": "line", "order": floor["order"].pk, "comment": "Мало"}
    body.update(extra)
    return api_client.post(URL, body, format="json", headers={"Idempotency-Key": "k-1"})


def test_an_agent_flags_a_line_and_a_retry_makes_nothing_more(api_client, floor):
    first = flag(api_client, floor)
    assert first.status_code == 201, first.json()
    again = flag(api_client, floor)
    assert again.json()["id"] == first.json()["id"]
    assert StatementDispute.objects.count() == 1
    assert first.json()["status"] == "open"
    assert first.json()["order_label"] == str(floor["order"])


@pytest.mark.parametrize(
    "extra,status,code",
    [
        ({"month": "2025-13"}, 400, "invalid_month"),
        ({"month": "2999-01"}, 400, "future_month"),
        ({"comment": ""}, 400, "comment_required"),
        ({"order": 10**9}, 400, "not_in_statement"),
        ({"kind": "missing_order", "order": None}, 400, "reference_required"),
    ],
)
def test_bad_flags_are_4xx_with_a_code(api_client, floor, extra, status, code):
    api_client.force_authenticate(floor["user"])
    body = {"month": month_key(), "kind": "line", "order": floor["order"].pk, "comment": "Мало"}
    body.update(extra)
    response = api_client.post(URL, body, format="json")
    assert response.status_code == status
    assert response.json()["code"] == code


def test_the_supervisor_sees_the_open_count_and_accepts(api_client, floor):
    dispute_id = flag(api_client, floor).json()["id"]
    api_client.force_authenticate(floor["supervisor"])
    listed = api_client.get(URL, {"status": "open"}).json()
    assert (listed["open"], listed["count"]) == (1, 1)
    response = api_client.post(
        f"{URL}{dispute_id}/accept/", {"amount": "40,50", "reason": "Доплата"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["amount"], body["adjustment_month"]) == (
        "accepted",
        "40.50",
        month_key(),
    )
    again = api_client.post(f"{URL}{dispute_id}/reject/", {"reason": "Передумал"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "dispute_decided")
    api_client.force_authenticate(floor["user"])
    mine = api_client.get(f"{URL}{dispute_id}/").json()
    assert (mine["status_label"], mine["resolution"]) == ("Принят", "Доплата")


def test_who_may_do_what(api_client, floor):
    dispute_id = flag(api_client, floor).json()["id"]
    outsider = supervisor_of(TeamFactory(), username="other-super")
    api_client.force_authenticate(outsider)
    assert api_client.get(f"{URL}{dispute_id}/").status_code == 404
    response = api_client.post(f"{URL}{dispute_id}/reject/", {"reason": "Нет"}, format="json")
    assert (response.status_code, response.json()["code"]) == (404, "dispute_not_found")
    api_client.force_authenticate(floor["user"])
    response = api_client.post(f"{URL}не-номер/withdraw/")
    assert (response.status_code, response.json()["code"]) == (404, "dispute_not_found")
    api_client.force_authenticate(floor["user"])
    response = api_client.post(f"{URL}{dispute_id}/accept/", {"amount": "5", "reason": "Да"})
    assert response.status_code == 403
    api_client.force_authenticate(CrmUserFactory(username="crm"))
    assert api_client.get(URL).status_code == 403
    api_client.force_authenticate(ManagerFactory(username="m"))
    assert api_client.get(URL).json()["open"] == 1
    response = api_client.post(f"{URL}{dispute_id}/reject/", {"reason": "Линия верна"})
    assert response.json()["status"] == DisputeStatus.REJECTED


def test_the_agent_withdraws_an_open_dispute(api_client, floor):
    dispute_id = flag(api_client, floor).json()["id"]
    response = api_client.post(f"{URL}{dispute_id}/withdraw/")
    assert response.json()["status"] == "withdrawn"
    assert api_client.get(URL).json()["open"] == 0


def test_the_list_runs_a_constant_number_of_queries(api_client, floor):
    flag(api_client, floor)
    api_client.force_authenticate(floor["supervisor"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api_client.get(URL).status_code == 200
        return len(ctx)

    count()  # the caller's roles are read once per user object
    before = count()
    for n in range(3):
        other = agent(floor["team"], username=f"b{n}")
        StatementDispute.objects.create(
            agent=other,
            month=timezone.localdate().replace(day=1),
            kind="missing_order",
            reference=f"наряд {n}",
            comment="Нет заказа",
            created_at=timezone.now(),
        )
    assert count() == before


def test_every_null_an_open_dispute_answers_is_documented_as_nullable(api_client, client, floor):
    """An open dispute has no resolver yet (and a missing order no order or offer): the schema
    said `string` for those nulls."""
    body = flag(api_client, floor, kind="missing_order", order=None, reference="ДК-1").json()
    client.force_login(ManagerFactory(username="docs"))
    schema = client.get("/api/schema/", {"format": "json"}).json()
    fields = schema["components"]["schemas"]["Dispute"]["properties"]
    nulls = {name for name, value in body.items() if value is None}
    assert {"order", "order_label", "offer", "offer_name", "resolved_by"} <= nulls
    assert {name for name in nulls if not fields[name].get("nullable")} == set()

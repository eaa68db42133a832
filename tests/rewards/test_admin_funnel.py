"""The campaign funnel in the admin, and the conversions models' admin pages."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import ResultCode
from offers.models import OfferKind
from rewards import services
from rewards.funnels import conversions
from tests.campaigns.factories import CampaignFactory, CampaignTargetFactory, TeamFactory
from tests.rewards.support import OCT, agent, fixed_rule, history, offer, order

pytestmark = pytest.mark.django_db
URL = "admin:rewards_campaignmonth_changelist"


def campaign_month(code, *, targets):
    vip = offer("399", kind=OfferKind.PACKAGE)
    fixed_rule("75", [vip])
    campaign = CampaignFactory(code=code, offer=vip)
    user = agent()
    results = [ResultCode.NOT_OFFERED, ResultCode.THINKING, ResultCode.AGREED, ResultCode.AGREED]
    for i in range(targets):
        target = CampaignTargetFactory(campaign=campaign)
        history(user, target, results[i % len(results)], datetime.date(2025, 10, 2))
    for day in (3, 4):
        order(user, vip, campaign=campaign, created=datetime.date(2025, 10, day))
    order(
        user,
        vip,
        campaign=campaign,
        created=datetime.date(2025, 10, 5),
        connected=datetime.date(2025, 10, 6),
    )
    return campaign


def test_conversion_at_each_step_is_against_the_step_before():
    steps = conversions(
        {"shown": 8, "offered": 6, "thinking": 2, "agreed": 3, "ordered": 3, "connected": 1}
    )
    assert [(s["name"], s["value"], s["rate"]) for s in steps] == [
        ("shown", 8, None),
        ("offered", 6, 75.0),
        ("thinking", 2, 33.3),
        ("agreed", 3, 50.0),
        ("ordered", 3, 100.0),
        ("connected", 1, 33.3),
    ]


def test_the_funnel_page_shows_each_campaign_with_chart_and_table(client, manager):
    campaign_month("ANTIVIRUS_1", targets=8)
    campaign_month("KINO_1", targets=4)
    services.conversions_compute(month=OCT)
    client.force_login(manager)
    response = client.get(reverse(URL), {"month": "2025-10"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "ANTIVIRUS_1" in body and "KINO_1" in body
    assert "<svg" in body and 'id="rw-funnel-table"' in body
    assert "75.0%" in body or "75,0%" in body


def test_the_funnel_page_queries_do_not_grow_with_campaigns(client, manager):
    campaign_month("A", targets=2)
    services.conversions_compute(month=OCT)
    client.force_login(manager)
    client.get(reverse(URL), {"month": "2025-10"})
    with CaptureQueriesContext(connection) as one:
        client.get(reverse(URL), {"month": "2025-10"})
    for code in "BCDE":
        campaign_month(code, targets=2)
    services.conversions_compute(month=OCT)
    with CaptureQueriesContext(connection) as five:
        client.get(reverse(URL), {"month": "2025-10"})
    assert len(one) == len(five)


def test_a_bad_month_on_the_funnel_page_falls_back_with_a_message(client, manager):
    client.force_login(manager)
    response = client.get(reverse(URL), {"month": "2025-99"}, follow=True)
    assert response.status_code == 200


def test_agents_and_supervisors_do_not_see_the_funnel(client, supervisor):
    client.force_login(supervisor)
    assert client.get(reverse(URL)).status_code == 403


@pytest.mark.parametrize(
    "name",
    [
        "rewards_monthlytarget_changelist",
        "rewards_agentmonth_changelist",
        "rewards_monthlock_changelist",
        "rewards_conversionrun_changelist",
        "rewards_monthlytarget_add",
    ],
)
def test_the_conversions_admin_pages_load_for_a_manager(client, manager, name):
    campaign_month("A", targets=2)
    services.conversions_compute(month=OCT)
    client.force_login(manager)
    assert client.get(reverse(f"admin:{name}")).status_code == 200


def test_a_manager_sets_a_teams_target_in_the_admin(client, manager):
    team = TeamFactory()
    client.force_login(manager)
    response = client.post(
        reverse("admin:rewards_monthlytarget_add"),
        {"team": team.pk, "month": "01.10.2025", "target": 12},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert team.monthly_targets.get().target == 12


@pytest.mark.parametrize("grace,said", [(30, "через 30 минут после"), (45, "через 45 минут после")])
def test_the_funnel_page_says_the_callbacks_grace_it_counts_with(
    client, manager, monkeypatch, grace, said
):
    monkeypatch.setattr("rewards.admin.CALLBACK_GRACE", datetime.timedelta(minutes=grace))
    client.force_login(manager)
    assert said in client.get(reverse(URL)).content.decode()

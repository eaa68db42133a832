"""`/leaderboard/` (with its export and lock) and `/me/`: content, scoping, errors, queries."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from offers.models import OfferKind
from rewards import services
from rewards.models import MonthLock
from tests.campaigns.factories import AgentProfileFactory, TeamFactory
from tests.rewards.support import OCT, agent, fixed_rule, offer, order, supervisor_of

pytestmark = pytest.mark.django_db


def make_team(name, agents, vip):
    team = TeamFactory(name=name)
    for i in range(agents):
        user = agent(team, username=f"{name}-{i}")
        order(user, vip, created=datetime.date(2025, 10, 3), connected=datetime.date(2025, 10, 4))
        order(user, vip, created=datetime.date(2025, 10, 5))
    return team


@pytest.fixture
def vip():
    vip = offer("399", kind=OfferKind.PACKAGE)
    fixed_rule("75", [vip])
    return vip


def queries(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx), response


def test_leaderboard_page_queries_are_the_same_for_one_agent_and_five(client, vip):
    small, large = make_team("small", 1, vip), make_team("large", 5, vip)
    services.conversions_compute(month=OCT)
    client.force_login(supervisor_of(small, large))
    url = reverse("leaderboard")
    client.get(url, {"month": "2025-10", "team": small.pk})
    one, _response = queries(client, url, {"month": "2025-10", "team": small.pk})
    five, response = queries(client, url, {"month": "2025-10", "team": large.pk})
    assert one == five
    body = response.content.decode()
    assert body.count('class="bar"') == 5
    assert "375,00" in body  # the team's rewards: 5 × 75 ₽


def test_leaderboard_page_shows_only_the_supervisors_teams(client, vip):
    mine, theirs = make_team("mine", 2, vip), make_team("theirs", 2, vip)
    services.conversions_compute(month=OCT)
    client.force_login(supervisor_of(mine))
    body = client.get(reverse("leaderboard"), {"month": "2025-10"}).content.decode()
    assert "mine-0" in body and "theirs-0" not in body
    response = client.get(reverse("leaderboard"), {"team": theirs.pk})
    assert response.status_code == 404
    assert 'data-code="team_not_led"' in response.content.decode()


@pytest.mark.parametrize(("month", "status"), [("2025-13", 400), ("2999-02", 400), ("x", 400)])
def test_leaderboard_page_bad_month_is_a_4xx(client, vip, month, status):
    client.force_login(supervisor_of(make_team("t", 1, vip)))
    assert client.get(reverse("leaderboard"), {"month": month}).status_code == status


def test_agents_get_403_on_the_leaderboard_and_its_export(client, vip):
    make_team("t", 1, vip)
    client.force_login(AgentProfileFactory().user)
    assert client.get(reverse("leaderboard")).status_code == 403
    assert client.get(reverse("leaderboard-export")).status_code == 403


def test_the_export_is_an_xlsx_of_the_ranked_rows(client, vip):
    team = make_team("t", 3, vip)
    services.conversions_compute(month=OCT)
    client.force_login(supervisor_of(team))
    response = client.get(reverse("leaderboard-export"), {"month": "2025-10", "team": team.pk})
    assert response.status_code == 200
    assert "leaderboard-2025-10.xlsx" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 4
    assert [row[0] for row in rows[1:]] == [1, 1, 1]
    assert {row[4] for row in rows[1:]} == {2}
    assert {row[10] for row in rows[1:]} == {75}


def test_a_supervisor_locks_a_closed_month_from_the_page(client, vip):
    team = make_team("t", 1, vip)
    client.force_login(supervisor_of(team))
    response = client.post(reverse("leaderboard-lock"), {"month": "2025-10", "team": team.pk})
    assert response.status_code == 302
    assert MonthLock.objects.filter(team=team, month=OCT).exists()
    body = client.get(reverse("leaderboard"), {"month": "2025-10", "team": team.pk}).content
    assert "badge warn" in body.decode()


def test_me_page_shows_progress_projection_and_statement(client, vip):
    team = make_team("t", 1, vip)
    user = team.agents.get().user
    client.force_login(user)
    response = client.get(reverse("me"), {"month": "2025-10"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'aria-valuenow="2"' in body and 'aria-valuemax="10"' in body
    assert body.count('class="rw-line') == 2
    assert "75,00" in body


def test_me_page_shows_a_prorated_target_as_such(client, vip):
    team = TeamFactory()
    user = agent(team, started_on=datetime.date(2025, 10, 15))
    client.force_login(user)
    body = client.get(reverse("me"), {"month": "2025-10"}).content.decode()
    assert 'aria-valuemax="6"' in body
    assert "10" in body and "badge warn" in body


def test_me_page_queries_do_not_grow_with_orders_or_agents(client, vip):
    make_team("many", 5, vip)
    lone = make_team("lone", 1, vip)
    user = lone.agents.get().user
    client.force_login(user)
    client.get(reverse("me"), {"month": "2025-10"})
    before, _response = queries(client, reverse("me"), {"month": "2025-10"})
    for day in range(6, 12):
        order(user, vip, created=datetime.date(2025, 10, day))
    make_team("more", 5, vip)
    after, _response = queries(client, reverse("me"), {"month": "2025-10"})
    assert before == after


def test_an_agent_cannot_open_anothers_page(client, vip):
    team = make_team("t", 2, vip)
    first, second = (profile.user for profile in team.agents.order_by("pk"))
    client.force_login(first)
    assert client.get(reverse("me"), {"agent": second.username}).status_code == 403


def test_navigation_links_the_pages_for_each_role(client, vip):
    team = make_team("t", 1, vip)
    client.force_login(team.agents.get().user)
    assert reverse("me") in client.get(reverse("me")).content.decode()
    client.force_login(supervisor_of(team))
    assert 'href="/leaderboard/"' in client.get(reverse("leaderboard")).content.decode()

"""The agent's page /accounts/{number}/ and the account search."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import Appeal, ContactHistoryEntry, ResultCode
from tests.campaigns.factories import (
    CampaignFactory,
    CampaignTargetFactory,
    ContactHistoryEntryFactory,
)
from tests.config.factories import ManagerFactory, SupervisorFactory
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db

PAGE = "/accounts/352011070411/"


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def result_url(target):
    return f"{PAGE}recommendations/{target.pk}/result/"


def test_agent_sees_the_customer_card_and_both_antivirus_campaigns(agent_client, targets):
    html = agent_client.get(PAGE).content.decode()
    assert "Журавлев Евгений Михайлович" in html
    assert "224,55 ₽" in html or "224.55 ₽" in html
    assert "Антивирус_vo12_CRM_MR03" in html and "TEST_CRM_MR03_W4" in html
    assert "Евгений Михайлович, антивирус за" in html


def test_page_runs_a_constant_number_of_queries(
    agent_client, account, targets, broadband, objections
):
    def count():
        agent_client.get(PAGE)  # warm the per-process catalogue copy
        with CaptureQueriesContext(connection) as ctx:
            assert agent_client.get(PAGE).status_code == 200
        return len(ctx)

    ContactHistoryEntryFactory(target=targets[0])
    before = count()
    for _ in range(5):
        campaign = CampaignFactory(offer=OfferFactory(service=broadband))
        target = CampaignTargetFactory(campaign=campaign, account=account)
        ContactHistoryEntryFactory(target=target)
    assert count() == before


def test_ineligible_offers_are_greyed_with_their_reasons(agent_client, account, targets):
    account.financial_block = True
    account.save()
    html = agent_client.get(PAGE).content.decode()
    assert "rec ineligible" in html
    assert 'data-reason="financial_block"' in html


def test_saving_a_result_sets_it_on_both_campaigns_and_shows_it_in_history(
    agent_client, targets, objections, call
):
    response = agent_client.post(
        result_url(targets[0]),
        {"result": "thinking", "objections": ["expensive"], "idempotency_key": "form-1"},
    )
    assert response.status_code == 302
    assert ContactHistoryEntry.objects.count() == 2
    html = agent_client.get(PAGE).content.decode()
    assert html.count("Клиент думает, Антивирус") == 2


def test_double_submitted_form_saves_once(agent_client, targets, call):
    for _ in range(2):
        agent_client.post(result_url(targets[0]), {"result": "thinking", "idempotency_key": "k"})
    assert ContactHistoryEntry.objects.count() == 2


def test_third_objection_is_refused_with_a_message(agent_client, targets, objections):
    response = agent_client.post(
        result_url(targets[0]),
        {"result": "thinking", "objections": ["expensive", "will_think", "no_need"]},
        follow=True,
    )
    assert "Не более двух возражений" in response.content.decode()
    assert not ContactHistoryEntry.objects.exists()


def test_appeal_start_flag_and_close(agent_client, account, targets):
    agent_client.post(f"{PAGE}appeal/")
    appeal = Appeal.objects.get()
    assert 'data-reason="question_unresolved"' in agent_client.get(PAGE).content.decode()
    agent_client.post(f"{PAGE}appeal/save/", {"question_resolved": "on"})
    appeal.refresh_from_db()
    assert appeal.question_resolved
    agent_client.post(result_url(targets[0]), {"result": "thinking"})
    appeal.refresh_from_db()
    assert appeal.result == "Клиент думает"
    agent_client.post(f"{PAGE}appeal/save/", {"question_resolved": "on", "close": "1"})
    appeal.refresh_from_db()
    assert appeal.closed_at is not None


def test_supervisor_reads_the_page_without_forms(client, targets):
    client.force_login(SupervisorFactory())
    html = client.get(PAGE).content.decode()
    assert "Антивирус_vo12_CRM_MR03" in html
    assert "result-form" not in html
    assert client.post(result_url(targets[0]), {"result": "thinking"}).status_code == 403
    assert targets[0].__class__.objects.get(pk=targets[0].pk).result == ResultCode.NOT_OFFERED


def test_manager_and_anonymous_cannot_open_the_workspace(client, account):
    assert client.get(PAGE).status_code == 302  # to the login page
    client.force_login(ManagerFactory())
    assert client.get(PAGE).status_code == 403


@pytest.mark.parametrize("number", ["352000000000", "35201107041x", "1"])
def test_unknown_or_malformed_account_page_is_404(agent_client, number, db):
    assert agent_client.get(f"/accounts/{number}/").status_code == 404


def test_search_by_full_number_opens_the_account(agent_client, account):
    response = agent_client.get("/accounts/", {"q": "3520 1107 0411"})
    assert response.status_code == 302
    assert response["Location"] == PAGE


def test_search_by_prefix_lists_matches(agent_client, account):
    html = agent_client.get("/accounts/", {"q": "35201107"}).content.decode()  # 8+ digits
    assert "352011070411" in html


def test_price_is_framed_per_day_and_as_the_prorated_first_charge_r3(
    agent_client, targets, antivirus
):
    from unittest import mock

    antivirus.promo_days = 0
    antivirus.save()
    today = __import__("datetime").date(2026, 11, 25)
    with mock.patch("django.utils.timezone.localdate", return_value=today):
        html = agent_client.get(PAGE).content.decode()
    # 139 ₽ / 30 days = 4,63 ₽ a day; connected on the 25th: 139 × 6 / 30 = 27,80 ₽.
    assert "4,63 ₽ в день (30 дней в этом месяце)" in html
    assert "первое списание при подключении сегодня: 27,80 ₽" in html


def element_ids(html):
    from html.parser import HTMLParser

    ids = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            ids.extend(value for name, value in attrs if name == "id")

    Collector().feed(html)
    return ids


def test_every_id_on_the_page_is_unique_and_every_campaign_keeps_its_anchor(
    agent_client, targets, call, objections
):
    """Two campaigns of one product share a card: the card holds the lead's anchor, the other
    campaign its own (callbacks link to either), and no id stands twice."""
    ids = element_ids(agent_client.get(PAGE).content.decode())
    assert len(targets) == 2
    assert [i for i in ids if ids.count(i) > 1] == []
    assert {f"rec-{t.pk}" for t in targets} <= set(ids)

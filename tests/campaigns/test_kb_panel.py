"""The knowledge base beside the account: objection answers that fit each card's offer, bridges
filled from the account, and a bridge opened from a card marking the need heard (issue 13 §2,
issue 14 §1)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.models import AppealNeed, ContactHistoryEntry
from knowledge_base.models import VzorStep
from offers.models import OfferKind
from tests.campaigns.factories import AppealFactory, CampaignFactory, CampaignTargetFactory
from tests.knowledge_base.factories import BridgeFactory, ObjectionStepFactory
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db

PAGE = "/accounts/352011070411/"
API = "/api/v1/accounts/352011070411/recommendations/"


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def tariff(broadband, account):
    plan = OfferFactory(
        code="bb-bazovy-100", name="Базовый 100", kind=OfferKind.TARIFF, service=broadband,
        monthly_price=Decimal("450"), speed_mbps=100,
    )  # fmt: skip
    account.offers.add(plan)
    return plan


@pytest.fixture
def speed_option(broadband, broadband_segment, account):
    option = OfferFactory(
        code="speed-plus-100", name="+100 Мбит/с", kind=OfferKind.OPTION, service=broadband,
        monthly_price=Decimal("100"), speed_mbps=100, segments=[broadband_segment],
    )  # fmt: skip
    campaign = CampaignFactory(
        code="SPEED", offer=option, segments=[broadband_segment],
        starts_on=datetime.date(2026, 11, 1),
    )  # fmt: skip
    return CampaignTargetFactory(campaign=campaign, account=account)


@pytest.fixture
def answers(objections, antivirus, iptv):
    expensive = objections["expensive"]
    for step, phrase in [
        (VzorStep.LISTEN, "Понимаю."),
        (VzorStep.ANSWER, "Общий ответ о {offer}."),
        (VzorStep.SUMMARISE, "Итого {price_a_day}."),
    ]:
        ObjectionStepFactory(objection=expensive, step=step, phrase=phrase)
    ObjectionStepFactory(
        objection=expensive, step=VzorStep.ANSWER, service=iptv, phrase="Более 170 телеканалов."
    )
    ObjectionStepFactory(
        objection=expensive, step=VzorStep.ANSWER, offer=antivirus, phrase="Защита двух устройств."
    )
    return expensive


@pytest.fixture
def bridges(antivirus, speed_option):
    virus = BridgeFactory(
        code="virus", trigger="Вирус", phrase="Предлагаю антивирус.", offer=antivirus
    )
    low = BridgeFactory(
        code="low-speed",
        trigger="Низкая скорость",
        phrase="Тариф[ {tariff}|] даёт скорость[ до {speed}|, указанную в договоре].",
        offer=speed_option.campaign.offer,
    )
    return virus, low


def _per_day(price):
    from offers import pricing

    return pricing.price_per_day(Decimal(price), on=timezone.localdate())


def test_each_card_answers_the_objection_about_its_own_product(
    agent_client, targets, answers, speed_option
):
    html = agent_client.get(PAGE).content.decode()
    antivirus_card = html[
        html.index(f'id="rec-{targets[0].pk}"') : html.index(f'id="rec-{speed_option.pk}"')
    ]
    speed_card = html[html.index(f'id="rec-{speed_option.pk}"') : html.index('id="kb-panel"')]
    assert "Защита двух устройств." in antivirus_card
    assert "Общий ответ" not in antivirus_card and "телеканалов" not in antivirus_card
    assert "Общий ответ о «+100 Мбит/с»." in speed_card
    assert "телеканалов" not in html
    per_day = str(_per_day("139")).replace(".", ",")
    assert f"Итого всего за {per_day} рубля в день, а первые 30 дней — бесплатно." in antivirus_card
    assert "{price_a_day}" not in html and "{offer}" not in html


def test_the_page_reads_the_answers_in_a_constant_number_of_queries(
    agent_client, account, targets, answers, bridges, broadband, call
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        agent_client.get(PAGE)
        with CaptureQueriesContext(connection) as ctx:
            agent_client.get(PAGE)
        return len(ctx)

    before = count()
    for i in range(3):
        offer = OfferFactory(service=broadband)
        BridgeFactory(code=f"more-{i}", offer=offer, phrase="{speed}")
        CampaignTargetFactory(campaign=CampaignFactory(offer=offer), account=account)
    assert count() == before


def test_a_bridge_is_filled_from_the_account_it_is_read_beside(
    agent_client, bridges, tariff, speed_option
):
    html = agent_client.get(f"{PAGE}kb/bridges/low-speed/").content.decode()
    assert "Тариф «Базовый 100» даёт скорость до 100 Мбит/с." in html


def test_an_account_without_a_known_tariff_reads_the_neutral_wording(
    agent_client, bridges, speed_option
):
    html = agent_client.get(f"{PAGE}kb/bridges/low-speed/").content.decode()
    assert "Тариф даёт скорость, указанную в договоре." in html
    assert "{" not in html.split("<form")[0]


def test_an_objection_read_from_a_card_speaks_of_its_offer(
    agent_client, targets, answers, antivirus
):
    url = f"{PAGE}kb/objections/expensive/"
    on_card = agent_client.get(url, {"offer": antivirus.pk}).content.decode()
    general = agent_client.get(url).content.decode()
    assert "Защита двух устройств." in on_card and "Общий ответ" not in on_card
    assert "Общий ответ о эта услуга." in general
    assert "всего за несколько рублей в день" in general
    assert agent_client.get(url, {"offer": "x"}).status_code == 200  # not a card: the general one
    assert agent_client.get(f"{PAGE}kb/objections/nothing/").status_code == 404


def test_opening_a_bridge_marks_the_need_heard_for_its_offer_only(
    agent_client, targets, bridges, speed_option, call, antivirus
):
    response = agent_client.post(f"{PAGE}kb/bridges/virus/")
    assert response.status_code == 200
    assert response.json() == {"offer": antivirus.pk, "need_heard": True}
    assert list(AppealNeed.objects.values_list("appeal", "offer", "bridge__code")) == [
        (call.pk, antivirus.pk, "virus")
    ]
    agent_client.post(f"{PAGE}kb/bridges/virus/")  # twice: still one mark
    assert AppealNeed.objects.count() == 1

    agent_client.post(
        f"{PAGE}recommendations/{targets[0].pk}/result/",
        {"result": "thinking", "idempotency_key": "a"},
    )
    agent_client.post(
        f"{PAGE}recommendations/{speed_option.pk}/result/",
        {"result": "not_interested", "idempotency_key": "b"},
    )
    heard = dict(
        ContactHistoryEntry.objects.values_list("target__campaign__offer__code", "need_heard")
    )
    assert heard == {"kaspersky-2": True, "speed-plus-100": False}


def test_the_call_flag_still_marks_every_offer(agent_client, targets, speed_option, account, agent):
    AppealFactory(account=account, agent=agent, question_resolved=True, need_heard=True)
    agent_client.post(
        f"{PAGE}recommendations/{speed_option.pk}/result/",
        {"result": "not_interested", "idempotency_key": "c"},
    )
    assert list(ContactHistoryEntry.objects.values_list("need_heard", flat=True)) == [True]


def test_a_need_is_heard_within_a_call_and_for_an_offer_on_the_cards(
    agent_client, targets, bridges, broadband
):
    refused = agent_client.post(f"{PAGE}kb/bridges/virus/")
    assert refused.status_code == 409 and refused.json()["code"] == "no_appeal"
    stray = BridgeFactory(code="stray", offer=OfferFactory(service=broadband))
    AppealFactory(
        account=targets[0].account, agent=refused.wsgi_request.user, question_resolved=True
    )
    refused = agent_client.post(f"{PAGE}kb/bridges/{stray.code}/")
    assert refused.status_code == 409 and refused.json()["code"] == "bridge_not_on_account"
    assert AppealNeed.objects.count() == 0


def _need_heard_note(html, offer):
    start = html.index(f'<p class="need-heard" data-offer="{offer.pk}"')
    return html[start : html.index(">", start) + 1]


def test_the_page_shows_the_mark_and_the_bridge_reader_offers_it(
    agent_client, targets, bridges, call, antivirus
):
    reader = agent_client.get(f"{PAGE}kb/bridges/virus/").content.decode()
    assert "data-markable" in reader and "kb-mark-button" in reader
    assert "hidden" in _need_heard_note(agent_client.get(PAGE).content.decode(), antivirus)
    agent_client.post(f"{PAGE}kb/bridges/virus/")
    assert "hidden" not in _need_heard_note(agent_client.get(PAGE).content.decode(), antivirus)
    reader = agent_client.get(f"{PAGE}kb/bridges/virus/").content.decode()
    assert "data-marked" in reader and "kb-mark-button" not in reader


def test_a_supervisor_reads_but_does_not_mark(client, targets, bridges):
    from tests.config.factories import SupervisorFactory

    client.force_login(SupervisorFactory())
    assert client.get(f"{PAGE}kb/bridges/virus/").status_code == 200
    assert client.post(f"{PAGE}kb/bridges/virus/").status_code == 403


def test_the_api_serves_the_cards_filled_answers(
    client, agent, targets, answers, bridges, tariff, speed_option, call, antivirus
):
    client.force_login(agent)
    body = client.get(f"{API}{speed_option.pk}/answers/").json()
    assert body["offer"] == "speed-plus-100" and body["need_heard"] is False
    assert body["bridges"] == [
        {
            "code": "low-speed",
            "trigger": "Низкая скорость",
            "phrase": "Тариф «Базовый 100» даёт скорость до 100 Мбит/с.",
        }
    ]
    (expensive,) = [o for o in body["objections"] if o["code"] == "expensive"]
    texts = {s["step"]: s["text"] for s in expensive["steps"]}
    assert texts["answer"] == "Общий ответ о «+100 Мбит/с»."
    per_day = str(_per_day("100")).replace(".", ",").removesuffix(",00")
    assert texts["summarise"].startswith(f"Итого всего за {per_day} ")

    client.post(f"{PAGE}kb/bridges/virus/")
    body = client.get(f"{API}{targets[0].pk}/answers/").json()
    assert body["need_heard"] is True
    assert {s["text"] for s in body["objections"][0]["steps"]} >= {"Защита двух устройств."}


def test_the_api_refuses_a_recommendation_not_on_the_account(client, agent, targets):
    client.force_login(agent)
    for bad in ("999999", "x"):
        response = client.get(f"{API}{bad}/answers/")
        assert response.status_code == 404 and response.json()["code"] == "not_on_account"

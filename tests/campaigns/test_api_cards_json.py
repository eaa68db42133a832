"""The recommendations' JSON written straight from the cards (campaigns.api.cards_json) is, byte for
byte, what DRF's JSONRenderer makes of `recommendation_payload`: in every state a card can be in."""

import datetime
import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.db.models.signals import post_init, pre_init
from django.utils import timezone, translation
from rest_framework.renderers import JSONRenderer

from campaigns import recommendations
from campaigns.api.cards_json import Cards
from campaigns.models import PaymentModel, ResultCode, SubscriberAccount
from tests.campaigns.factories import (
    AppealFactory,
    CampaignFactory,
    CampaignTargetFactory,
    ContactHistoryEntryFactory,
    OutageFactory,
    ScriptVersionFactory,
)
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db

RECS_URL = "/api/v1/accounts/352011070411/recommendations/"


def eligible(ctx):
    pass


def financial_block(ctx):
    ctx["account"].financial_block = True
    ctx["account"].save()


def negative_balance(ctx):
    ctx["account"].balance = Decimal("-1.00")
    ctx["account"].save()


def insufficient_funds(ctx):
    ctx["account"].balance = Decimal("0.01")
    ctx["account"].save()
    ctx["campaigns"][0].offer.promo_days = 0
    ctx["campaigns"][0].offer.save()


def credit_model(ctx):
    ctx["account"].payment_model = PaymentModel.CREDIT
    ctx["account"].balance = Decimal("-500.00")
    ctx["account"].save()


def outage(ctx):
    OutageFactory(is_active=True, region="")


def appeal_flags(ctx):
    AppealFactory(
        account=ctx["account"],
        agent=ctx["agent"],
        question_resolved=False,
        negative_customer=True,
        complaint=True,
        not_service_user=True,
    )


def open_appeal_with_need_heard(ctx):
    AppealFactory(account=ctx["account"], agent=ctx["agent"], need_heard=True)


def cooldown(ctx):
    target = ctx["targets"][1]
    target.result = ResultCode.NOT_INTERESTED
    target.result_at = timezone.now() - datetime.timedelta(days=1)
    target.save()


def thinking_with_history(ctx, objections):
    target = ctx["targets"][0]
    target.result = ResultCode.THINKING
    target.result_at = timezone.now() - datetime.timedelta(hours=3)
    target.save()
    entry = ContactHistoryEntryFactory(
        target=target,
        comment='Сказал: «перезвоните» — "завтра"\n\tпосле 18:00 \u2028 ок',
        agent_comment="\\ обратная косая",
        agent=ctx["agent"],
    )
    entry.objections.set([objections["expensive"], objections["will_think"]])
    ContactHistoryEntryFactory(target=ctx["targets"][1], result="not_offered", agent=ctx["agent"])


def already_has(ctx):
    ctx["account"].offers.add(ctx["campaigns"][0].offer)


def not_in_segment(ctx, iptv):
    ctx["account"].services.set([iptv])


def campaign_inactive(ctx):
    campaign = ctx["campaigns"][1]
    campaign.starts_on = timezone.localdate() + datetime.timedelta(days=10)
    campaign.save()


def script_versions(ctx):
    first, second = ctx["campaigns"]
    ScriptVersionFactory(campaign=first, label="A", is_control=True)
    ScriptVersionFactory(campaign=first, label="B", script_template="Б: {customer}, «{offer}»")
    ScriptVersionFactory(campaign=second, label="A", weight=100)


def exploration(ctx):
    for campaign in ctx["campaigns"]:
        campaign.exploration_share = 100
        campaign.save()


def more_campaigns_and_odd_texts(ctx, broadband):
    ctx["account"].first_name = 'Иван "Ваня"'
    ctx["account"].save()
    offer = OfferFactory(service=broadband, monthly_price=Decimal("1234.50"), promo_days=0)
    odd = CampaignFactory(
        offer=offer,
        name='Кампания "с кавычками"\u2029',
        script_template="{customer},\u2028 строка\nвторая, \\ и {offer} за {price_per_day} ₽.",
        priority=150,
    )
    CampaignTargetFactory(campaign=odd, account=ctx["account"])
    CampaignTargetFactory(campaign=CampaignFactory(priority=10), account=ctx["account"])


SITUATIONS = [
    eligible,
    financial_block,
    negative_balance,
    insufficient_funds,
    credit_model,
    outage,
    appeal_flags,
    open_appeal_with_need_heard,
    cooldown,
    thinking_with_history,
    already_has,
    not_in_segment,
    campaign_inactive,
    script_versions,
    exploration,
    more_campaigns_and_odd_texts,
]

# What each situation shows on some card (a guard on the test itself).
SHOWS = {
    "financial_block": lambda card: "financial_block" in card["reasons"],
    "negative_balance": lambda card: "negative_balance" in card["reasons"],
    "insufficient_funds": lambda card: "insufficient_funds" in card["reasons"],
    "outage": lambda card: "outage" in card["reasons"],
    "appeal_flags": lambda card: "not_service_user" in card["reasons"],
    "cooldown": lambda card: "cooldown" in card["reasons"],
    "thinking_with_history": lambda card: card["history"] and card["history"][0]["objections"],
    "already_has": lambda card: "already_has" in card["reasons"],
    "not_in_segment": lambda card: "not_in_segment" in card["reasons"],
    "campaign_inactive": lambda card: "campaign_inactive" in card["reasons"],
    "script_versions": lambda card: card["script_version"] == "A",
    "more_campaigns_and_odd_texts": lambda card: "\u2028" in card["script"],
}


@pytest.mark.parametrize("ranking", ["adaptive", "static"])
@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("situation", SITUATIONS, ids=lambda f: f.__name__)
def test_the_cards_json_is_what_the_renderer_makes_of_the_payload(
    api_client,
    agent,
    account,
    campaigns,
    targets,
    objections,
    broadband,
    iptv,
    settings,
    situation,
    language,
    ranking,
):
    settings.RECOMMENDATION_RANKING = ranking
    ctx = {"account": account, "agent": agent, "campaigns": campaigns, "targets": targets}
    extra = {"objections": objections, "broadband": broadband, "iptv": iptv}
    situation(ctx, **{k: v for k, v in extra.items() if k in situation.__code__.co_varnames})
    api_client.force_authenticate(agent)
    api_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = api_client.get(RECS_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    cards = response.data
    assert isinstance(cards, Cards)
    with translation.override(language):
        expected = JSONRenderer().render(cards.payload())
    assert response.content == expected
    body = json.loads(response.content)
    assert body == json.loads(expected)
    shows = SHOWS.get(situation.__name__)
    assert shows is None or any(shows(card) for card in body)
    # The same cards through the reference path again: the answer did not depend on the order.
    assert cards.json() == expected


def test_an_indented_answer_is_the_renderers_own(api_client, agent, targets):
    api_client.force_authenticate(agent)
    response = api_client.get(RECS_URL, HTTP_ACCEPT="application/json; indent=2")
    assert response.status_code == 200
    with translation.override(settings.LANGUAGE_CODE):
        expected = JSONRenderer().render(response.data.payload(), "application/json; indent=2")
    assert response.content == expected
    assert b"\n  " in response.content


def test_errors_keep_their_shape(api_client, agent, db):
    api_client.force_authenticate(agent)
    response = api_client.get("/api/v1/accounts/352000000000/recommendations/")
    assert response.status_code == 404
    assert response.json()["code"] == "account_not_found"


def test_the_statements_account_is_the_one_the_model_makes(account):
    """campaigns.recommendations builds the statement's account without the model's __init__:
    the same fields and defaults, saved, and no init signal it would skip."""
    values = [getattr(account, name) for name in recommendations.ACCOUNT_FIELDS]
    made = SubscriberAccount(**dict(zip(recommendations.ACCOUNT_FIELDS, values, strict=True)))
    built = recommendations._account_from_row(values)
    assert {k: v for k, v in built.__dict__.items() if k != "_state"} == {
        k: v for k, v in made.__dict__.items() if k != "_state"
    }
    assert (built._state.adding, built._state.db) == (False, made._state.db)
    fields = SubscriberAccount._meta.concrete_fields
    assert not any(field.has_default() and callable(field.default) for field in fields)
    assert not pre_init.has_listeners(SubscriberAccount)
    assert not post_init.has_listeners(SubscriberAccount)

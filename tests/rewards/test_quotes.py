"""The reward on the offer card (issue 12 §2): what selling the offer today earns, the same figure
as the statement line of the order registered for it.

Table of cases (each a row below): a fixed rule; two fixed rules on one offer (the antivirus
bundle: both pay); a fixed rule beats a band (the «Игровой» move); a move in each band and on each
band edge ([from, below)); a move by 1 kopeck; a move that is not dearer (nothing); a new service
(share of ARPU, half up to the kopeck); an option no rule lists (nothing); the sale already held
(not its own replaced plan); the dearest of several plans is the one replaced; a plan of another
service replaces nothing; a rule's last day (still in force), its first day, the day after its end;
a revision on the 1st seen at 23:30 Moscow time on the 31st (UTC already past midnight is not
Moscow's). Then the property: random accounts and sales over the table, card = statement.
"""

import datetime
import random
from decimal import Decimal

import pytest

from campaigns.orders.services import previous_fields
from campaigns.selectors import recommendations_for
from offers.models import OfferKind, ServiceCode
from rewards import quotes
from rewards.models import RewardRule
from rewards.selectors.statements import statements
from tests.campaigns.factories import CampaignTargetFactory, SubscriberAccountFactory
from tests.rewards import support
from tests.rewards.support import MSK, arpu_rule, fixed_rule, offer, tiered_rule

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 10, 15)
BB, TV = ServiceCode.BROADBAND, ServiceCode.IPTV


@pytest.fixture
def deck():
    """The deck's table in small: fixed, a bundle of two, a move with bands, shares of ARPU."""
    o = {
        "kino": offer("99", kind=OfferKind.PACKAGE, code="kino", service_code=TV),
        "antivirus": offer("139", code="antivirus"),
        "speed": offer("100", code="speed"),
        "plan_300": offer("300", kind=OfferKind.TARIFF, code="plan-300"),
        "plan_400": offer("400", kind=OfferKind.TARIFF, code="plan-400"),
        "plan_400_01": offer("400.01", kind=OfferKind.TARIFF, code="plan-400-01"),
        "plan_600": offer("600", kind=OfferKind.TARIFF, code="plan-600"),
        "plan_750": offer("750", kind=OfferKind.TARIFF, code="plan-750"),
        "igrovoy": offer("900", kind=OfferKind.TARIFF, code="igrovoy"),
        "tv_basic": offer("333.33", kind=OfferKind.SERVICE, code="tv-basic", service_code=TV),
        "tv_plan": offer("320", kind=OfferKind.TARIFF, code="tv-plan", service_code=TV),
    }
    fixed_rule("40", [o["kino"]], name="Кино")
    fixed_rule("15", [o["antivirus"]], name="Kaspersky")
    fixed_rule("15", [o["antivirus"]], name="Safe Kids")
    fixed_rule("150", [o["igrovoy"]], name="Игровой")
    tiered_rule([o[k] for k in ("plan_300", "plan_400", "plan_400_01", "plan_600", "plan_750")])
    tiered_rule([o["igrovoy"]])
    arpu_rule(service_code=BB)
    arpu_rule(service_code=TV)
    return o


def card(offer_, held=(), day=DAY):
    """The quote on the card of `offer_` for an account holding `held`, on `day`."""
    found = quotes.quote(offer_.pk, held=[h.pk for h in held], day=day, catalogue=quotes.current())
    return found.amount, found.basis


def statement_amount(offer_, held=(), day=DAY, hour=10):
    """What the statement shows for the order of `offer_` registered on `day` for such an
    account: previous plan frozen by registration's own code."""
    account = SubscriberAccountFactory(offers=list(held))
    agent = support.agent()
    placed = support.order(agent, offer_, created=day, account=account)
    placed.created_at = datetime.datetime.combine(day, datetime.time(hour), tzinfo=MSK)
    for name, value in previous_fields(account=account, sale=offer_).items():
        setattr(placed, name, value)
    placed.save()
    month = day.replace(day=1)
    lines = statements(month, agent_ids=[agent.pk])[agent.pk].lines
    main = [line for line in lines if line.order.pk == placed.pk and line.item == offer_]
    return sum((line.amount for line in main), Decimal("0.00"))


CASES = [
    # (sale, held, expected amount, basis)
    ("kino", [], "40.00", "fixed"),
    ("antivirus", [], "30.00", "fixed"),
    ("igrovoy", ["plan_300"], "150.00", "fixed"),
    ("plan_400", ["plan_300"], "50.00", "tiered"),  # +100: 100 belongs to 100–300
    ("plan_400_01", ["plan_400"], "15.00", "tiered"),  # +0.01
    ("plan_600", ["plan_400_01"], "50.00", "tiered"),  # +199.99
    ("plan_600", ["plan_300"], "100.00", "tiered"),  # +300: 300 belongs to 300–∞
    ("plan_750", ["plan_400"], "100.00", "tiered"),
    ("plan_400", ["plan_400_01"], "0.00", "none"),  # a cheaper move
    ("plan_400", ["plan_400", "plan_300"], "50.00", "tiered"),  # the sale held: not its own plan
    ("plan_750", ["plan_300", "plan_600"], "50.00", "tiered"),  # +150 over the dearest plan
    ("plan_600", ["tv_plan"], "450.00", "arpu_share"),  # another service's plan: new service
    ("plan_300", [], "225.00", "arpu_share"),
    ("tv_basic", [], "250.00", "arpu_share"),  # 0.75 × 333.33 = 249.9975 → 250.00
    ("tv_plan", ["tv_basic"], "0.00", "none"),  # cheaper, and IPTV's plans have no bands
    ("speed", [], "0.00", "none"),  # an option no rule lists
]


@pytest.mark.parametrize("sale,held,amount,basis", CASES)
def test_card_quotes_what_the_rule_in_force_pays(deck, sale, held, amount, basis):
    held_offers = [deck[h] for h in held]
    assert card(deck[sale], held_offers) == (Decimal(amount), basis)
    assert statement_amount(deck[sale], held_offers) == Decimal(amount)


def test_a_rule_pays_on_its_first_and_last_day_and_not_after(deck):
    fixed_rule("25", [deck["speed"]], valid_from=DAY, valid_to=DAY + datetime.timedelta(days=2))
    assert card(deck["speed"], day=DAY - datetime.timedelta(days=1))[0] == Decimal("0.00")
    assert card(deck["speed"], day=DAY)[0] == Decimal("25.00")
    assert card(deck["speed"], day=DAY + datetime.timedelta(days=2))[0] == Decimal("25.00")
    assert card(deck["speed"], day=DAY + datetime.timedelta(days=3))[0] == Decimal("0.00")


def test_a_revision_on_the_first_is_seen_from_moscow_midnight(deck):
    """At 23:30 on 31 October in Moscow (20:30 UTC) the October amount is in force; at 00:30 on
    1 November (21:30 UTC on the 31st) the new one, on the card and on the statement alike."""
    fixed_rule("10", [deck["speed"]], valid_to=datetime.date(2025, 10, 31), code="speed")
    fixed_rule("20", [deck["speed"]], valid_from=datetime.date(2025, 11, 1), code="speed")
    account = SubscriberAccountFactory()
    CampaignTargetFactory(account=account, campaign__offer=deck["speed"])
    late = datetime.datetime(2025, 10, 31, 23, 30, tzinfo=MSK)
    early = datetime.datetime(2025, 11, 1, 0, 30, tzinfo=MSK)
    assert [r.reward.amount for r in recommendations_for(account=account, now=late)] == [
        Decimal("10.00")
    ]
    assert [r.reward.amount for r in recommendations_for(account=account, now=early)] == [
        Decimal("20.00")
    ]
    assert statement_amount(deck["speed"], day=datetime.date(2025, 10, 31), hour=23) == Decimal(
        "10.00"
    )
    assert statement_amount(deck["speed"], day=datetime.date(2025, 11, 1), hour=0) == Decimal(
        "20.00"
    )


def test_a_rule_saved_in_the_admin_reaches_the_next_card_at_once(deck):
    assert card(deck["speed"])[0] == Decimal("0.00")
    fixed_rule("12.50", [deck["speed"]])
    assert card(deck["speed"]) == (Decimal("12.50"), "fixed")


def test_card_equals_statement_for_random_accounts_and_sales(deck):
    """Property over the table: any sale to any mix of held offers quotes what the statement of
    the order registered for it shows (seeded, so a failure repeats)."""
    rng = random.Random(12)
    names = sorted(deck)
    for _ in range(30):
        sale = deck[rng.choice(names)]
        held = [deck[name] for name in rng.sample(names, rng.randint(0, 3))]
        amount, _basis = card(sale, held)
        assert amount == statement_amount(sale, held), (sale.code, [h.code for h in held])


def test_recommendations_carry_the_quote_without_more_queries(deck, django_assert_max_num_queries):
    account = SubscriberAccountFactory(offers=[deck["plan_300"]])
    for name in ("kino", "plan_600", "antivirus"):
        CampaignTargetFactory(account=account, campaign__offer=deck[name])
    recommendations_for(account=account)  # loads the per-process catalogues
    with django_assert_max_num_queries(6):
        recs = recommendations_for(account=account)
    by_offer = {rec.offer.code: rec.reward for rec in recs}
    assert by_offer["kino"].amount == Decimal("40.00")
    assert by_offer["plan-600"].basis == "tiered"
    assert "300.00" in by_offer["plan-600"].detail


@pytest.fixture
def worked_account(deck):
    account = SubscriberAccountFactory(number="352011070411", offers=[deck["plan_300"]])
    for name in ("kino", "plan_600"):
        CampaignTargetFactory(account=account, campaign__offer=deck[name])
    return account


def test_api_gives_each_recommendation_its_reward(api_client, agent, worked_account):
    api_client.force_authenticate(agent)
    body = api_client.get("/api/v1/accounts/352011070411/recommendations/").json()
    rewards = {rec["offer"]["code"]: rec["reward"] for rec in body}
    assert rewards["kino"]["amount"] == "40.00"
    assert rewards["kino"]["basis"] == "fixed"
    assert rewards["plan-600"] == {
        "amount": "100.00",
        "basis": "tiered",
        "detail": "переход с повышением платы на 300.00 ₽: диапазон 300.00–∞ ₽",
    }


def test_workspace_page_shows_the_reward_on_each_card(client, agent, worked_account):
    client.force_login(agent)
    page = client.get("/accounts/352011070411/").content.decode()
    assert "Ваше вознаграждение за эту продажу: 40,00 ₽" in page
    assert "Ваше вознаграждение за эту продажу: 100,00 ₽" in page


def test_a_steady_reward_catalogue_keeps_its_quotes_past_max_age(deck, monkeypatch):
    assert card(deck["kino"])[0] == Decimal("40.00")
    first = quotes.current()
    quotes.reward_quotes(account=SubscriberAccountFactory(), offers=[deck["kino"]], on=DAY)
    assert first.memo
    monkeypatch.setattr(quotes, "MAX_AGE", 0)
    assert quotes.current().memo is first.memo


def test_a_rule_changed_behind_the_models_back_shows_after_max_age(deck, monkeypatch):
    assert card(deck["kino"])[0] == Decimal("40.00")
    first = quotes.current()
    RewardRule.objects.filter(offers=deck["kino"]).update(amount=Decimal("45.00"))
    assert card(deck["kino"])[0] == Decimal("40.00")  # the copy is still fresh
    monkeypatch.setattr(quotes, "MAX_AGE", 0)
    assert card(deck["kino"])[0] == Decimal("45.00")
    assert quotes.current().memo is not first.memo

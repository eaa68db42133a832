"""Campaigns, accounts and the sales floor: database constraints, clean() and script rendering."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils import translation
from django.utils.functional import Promise

from campaigns.models import Campaign, CampaignStatus, SubscriberAccount
from campaigns.models.campaigns import ERR_CAMPAIGN_DATES
from campaigns.scripts import (
    ERR_UNKNOWN_PLACEHOLDER,
    PLACEHOLDERS,
    ScriptContext,
    render_script,
    render_script_parts,
    unknown_placeholders,
)
from tests.campaigns.factories import (
    AgentProfileFactory,
    CampaignFactory,
    CampaignTargetFactory,
    DepartmentFactory,
    SubscriberAccountFactory,
    TeamFactory,
)
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 3, 1)


# Campaigns


def test_campaign_codes_are_unique():
    CampaignFactory(code="Антивирус_vo12_CRM_MR03")

    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignFactory(code="Антивирус_vo12_CRM_MR03")


def test_campaign_cannot_end_before_it_starts_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignFactory(starts_on=START, ends_on=START - datetime.timedelta(days=1))


def test_campaign_may_run_for_one_day_or_without_an_end():
    CampaignFactory(starts_on=START, ends_on=START).full_clean()
    CampaignFactory(starts_on=START, ends_on=None).full_clean()


def test_campaign_status_is_one_of_the_choices_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignFactory(status="running")
    assert set(CampaignStatus.values) == {"draft", "scheduled", "active", "paused", "archived"}


def test_an_account_is_on_a_campaigns_target_list_once():
    target = CampaignTargetFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignTargetFactory(campaign=target.campaign, account=target.account)


def test_clean_refuses_an_end_before_the_start_with_a_translated_message():
    campaign = CampaignFactory.build(
        offer=OfferFactory(), starts_on=START, ends_on=START - datetime.timedelta(1)
    )

    with pytest.raises(ValidationError) as error:
        campaign.full_clean()

    assert isinstance(ERR_CAMPAIGN_DATES, Promise)
    assert error.value.message_dict["ends_on"] == [str(ERR_CAMPAIGN_DATES)]


@pytest.mark.parametrize("field", ["script_template", "connection_script_template"])
def test_clean_refuses_an_unknown_placeholder(field):
    campaign = CampaignFactory.build(offer=OfferFactory())
    setattr(campaign, field, "Здравствуйте, {customer}! Ваш пароль: {password}.")

    with pytest.raises(ValidationError) as error:
        campaign.full_clean()

    message = error.value.message_dict[field][0]
    allowed = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
    assert message == str(ERR_UNKNOWN_PLACEHOLDER) % {"name": "password", "allowed": allowed}


def test_clean_refuses_dunder_names_in_braces():
    campaign = CampaignFactory.build(offer=OfferFactory(), script_template="{__class__}")

    with pytest.raises(ValidationError) as error:
        campaign.full_clean()

    assert "script_template" in error.value.message_dict


def test_clean_accepts_every_known_placeholder():
    template = " ".join("{" + name + "}" for name in PLACEHOLDERS)
    campaign = CampaignFactory.build(offer=OfferFactory(), script_template=template)

    campaign.full_clean()


def test_running_on_selects_active_campaigns_in_their_dates():
    running = CampaignFactory(starts_on=START)
    CampaignFactory(starts_on=START, status=CampaignStatus.PAUSED)
    CampaignFactory(starts_on=START + datetime.timedelta(days=10))
    ended = CampaignFactory(starts_on=START - datetime.timedelta(30), ends_on=START)

    assert set(Campaign.objects.running_on(START)) == {running, ended}
    assert set(Campaign.objects.running_on(START + datetime.timedelta(1))) == {running}


# Subscriber accounts


@pytest.mark.parametrize("number", ["35201107041", "35201107041a", "", " 35201107041"])
def test_account_number_is_twelve_digits_in_the_database(number):
    with pytest.raises(IntegrityError), transaction.atomic():
        SubscriberAccountFactory(number=number)


def test_a_longer_account_number_is_refused_by_the_database():
    # PostgreSQL refuses it for its length (DataError), SQLite by the check constraint.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        SubscriberAccountFactory(number="3520110704111")


def test_account_numbers_are_unique():
    SubscriberAccountFactory(number="352011070411")

    with pytest.raises(IntegrityError), transaction.atomic():
        SubscriberAccountFactory(number="352011070411")


def test_clean_refuses_a_short_account_number():
    account = SubscriberAccountFactory.build(number="12345")

    with pytest.raises(ValidationError) as error:
        account.full_clean()

    assert [e.code for e in error.value.error_dict["number"]] == ["invalid_account"]


def test_payment_model_is_one_of_the_choices_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        SubscriberAccountFactory(payment_model="barter")


def test_demo_account_shape_is_valid():
    account = SubscriberAccountFactory(
        number="352011070411", balance=Decimal("224.55"), first_name="Иван", patronymic="Петрович"
    )

    account.full_clean()
    assert SubscriberAccount.objects.get(number="352011070411").balance == Decimal("224.55")
    assert account.initials_name == "Иван Петрович"


# The sales floor


def test_department_codes_are_unique():
    DepartmentFactory(code="ЦОО")

    with pytest.raises(IntegrityError), transaction.atomic():
        DepartmentFactory._meta.model.objects.create(code="ЦОО", name="Другой")


def test_team_names_are_unique_within_a_department():
    team = TeamFactory(name="Команда 1")
    TeamFactory(name="Команда 1")  # another department

    with pytest.raises(IntegrityError), transaction.atomic():
        TeamFactory(name="Команда 1", department=team.department)


def test_employee_numbers_are_unique():
    AgentProfileFactory(employee_number="E1")

    with pytest.raises(IntegrityError), transaction.atomic():
        AgentProfileFactory(employee_number="E1")


def test_a_user_has_at_most_one_agent_profile():
    profile = AgentProfileFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        AgentProfileFactory(user=profile.user)


# Script rendering


def _ctx(**overrides):
    values = {
        "customer": "Иван Петрович",
        "offer": "Антивирус",
        "monthly_price": Decimal("139"),
        "promo_days": 0,
        "speed": None,
        "on": datetime.date(2026, 11, 25),
    }
    return ScriptContext(**{**values, **overrides})


def test_render_substitutes_every_placeholder():
    template = (
        "{customer}, {offer}: {monthly_price} ₽ в месяц, {price_per_day} ₽ в день, "
        "сегодня {first_charge} ₽, {promo_days} дней бесплатно, {speed} Мбит/с"
    )

    with translation.override("ru"):
        text = render_script(template, _ctx(promo_days=0, speed=100))

    assert text == (
        "Иван Петрович, Антивирус: 139,00 ₽ в месяц, 4,63 ₽ в день, "
        "сегодня 27,80 ₽, 0 дней бесплатно, 100 Мбит/с"
    )


def test_render_uses_the_language_number_format():
    with translation.override("en"):
        assert render_script("{price_per_day}", _ctx()) == "4.63"


def test_render_shows_a_dash_for_a_missing_speed():
    assert render_script("{speed}", _ctx(speed=None)) == "—"


def test_render_has_no_first_charge_during_a_promo():
    with translation.override("ru"):
        assert render_script("{first_charge}", _ctx(promo_days=30)) == "0,00"


@pytest.mark.parametrize(
    "template",
    [
        "{customer.__class__}",
        "{customer.__class__.__mro__}",
        "{offer[0]}",
        "{customer!r}",
        "{monthly_price:>20}",
        "{__class__}",
        "{unknown}",
    ],
)
def test_render_leaves_anything_but_a_bare_known_name_as_written(template):
    rendered = render_script(template, _ctx())

    assert rendered == template


@pytest.mark.parametrize(
    "template",
    [
        "{customer}, {offer} за {price_per_day} ₽ в день.",
        "Оформляю {offer}, {customer}.",
        "{customer}{customer} {speed}{customer}",
        "Без обращения: {offer}, {monthly_price} ₽.",
        "{customer.__class__} {{customer}} {customer",
        "",
    ],
)
@pytest.mark.parametrize("customer", ["Иван Петрович", "", "{offer} {customer}"])
def test_a_script_rendered_but_for_the_customer_joins_to_the_whole_rendering(template, customer):
    """The cards render a campaign's script once per catalogue copy and join in each customer's
    name: the same text as rendering it whole, whatever the name holds."""
    ctx = _ctx(customer=customer, promo_days=7, speed=300)

    with translation.override("ru"):
        parts = render_script_parts(template, _ctx(customer="", promo_days=7, speed=300))

        assert customer.join(parts) == render_script(template, ctx)


def test_unknown_placeholders_are_listed_once_and_sorted():
    assert unknown_placeholders("{b} {a} {b} {customer} {customer.name}") == ["a", "b"]

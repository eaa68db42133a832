"""The reward catalogue's invariants, in the database and in clean()."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.functional import Promise

from rewards.models import (
    ERR_ARPU_NEEDS_SHARE,
    ERR_FIXED_NEEDS_AMOUNT,
    ERR_RULE_DATES,
    RewardKind,
    RewardRule,
)
from tests.offers.factories import ServiceFactory
from tests.rewards.factories import RewardBandFactory, RewardRuleFactory

pytestmark = pytest.mark.django_db

JAN_2019 = datetime.date(2019, 1, 1)


def integrity_error():
    return pytest.raises(IntegrityError)


def test_a_code_is_unique_per_start_date():
    RewardRuleFactory(code="antivirus", valid_from=JAN_2019, valid_to=datetime.date(2025, 12, 31))
    RewardRuleFactory(code="antivirus", valid_from=datetime.date(2026, 1, 1))

    with integrity_error(), transaction.atomic():
        RewardRuleFactory(code="antivirus", valid_from=JAN_2019)


def test_a_rule_cannot_end_before_it_starts():
    with integrity_error(), transaction.atomic():
        RewardRuleFactory(valid_from=JAN_2019, valid_to=datetime.date(2018, 12, 31))


def test_a_rule_may_last_a_single_day():
    RewardRuleFactory(valid_from=JAN_2019, valid_to=JAN_2019).full_clean()


def test_amount_cannot_be_negative():
    with integrity_error(), transaction.atomic():
        RewardRuleFactory(amount=Decimal("-1"))


@pytest.mark.parametrize("share", [Decimal("-0.1"), Decimal("1.001")])
def test_share_of_arpu_is_between_0_and_1(share):
    with integrity_error(), transaction.atomic():
        RewardRuleFactory(kind=RewardKind.ARPU_SHARE, amount=None, arpu_share=share)


def test_a_fixed_rule_needs_an_amount_in_the_database():
    with integrity_error(), transaction.atomic():
        RewardRuleFactory(kind=RewardKind.FIXED, amount=None)


def test_a_share_rule_needs_the_share_in_the_database():
    with integrity_error(), transaction.atomic():
        RewardRuleFactory(kind=RewardKind.ARPU_SHARE, amount=None, arpu_share=None)


def test_kind_is_one_of_the_choices():
    rule = RewardRuleFactory.build(kind="bonus", service=ServiceFactory())

    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert error.value.error_dict["kind"][0].code == "invalid_choice"


def test_band_max_must_be_above_min():
    rule = RewardRuleFactory(kind=RewardKind.TIERED, amount=None)

    with integrity_error(), transaction.atomic():
        RewardBandFactory(rule=rule, min_increase=100, max_increase=100)


def test_band_without_an_upper_bound_is_allowed():
    band = RewardBandFactory(min_increase=Decimal("0"), max_increase=None)

    band.full_clean()


def test_band_values_cannot_be_negative():
    with integrity_error(), transaction.atomic():
        RewardBandFactory(min_increase=Decimal("-1"))
    with integrity_error(), transaction.atomic():
        RewardBandFactory(amount=Decimal("-1"))


def test_a_band_starts_once_per_rule():
    band = RewardBandFactory(min_increase=0, max_increase=None)

    with integrity_error(), transaction.atomic():
        RewardBandFactory(rule=band.rule, min_increase=0, max_increase=None)


def _rule(**kwargs):
    return RewardRule(code="x", name="x", service=ServiceFactory(), valid_from=JAN_2019, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        (
            {"kind": RewardKind.FIXED, "amount": 1, "valid_to": datetime.date(2018, 1, 1)},
            "valid_to",
            ERR_RULE_DATES,
        ),
        ({"kind": RewardKind.FIXED}, "amount", ERR_FIXED_NEEDS_AMOUNT),
        ({"kind": RewardKind.ARPU_SHARE}, "arpu_share", ERR_ARPU_NEEDS_SHARE),
    ],
)
def test_clean_names_the_field_with_a_translated_message(kwargs, field, message):
    rule = _rule(**kwargs)

    with pytest.raises(ValidationError) as error:
        rule.full_clean()

    assert isinstance(message, Promise)
    assert error.value.message_dict[field] == [str(message)]


def test_clean_accepts_a_valid_tiered_rule():
    _rule(kind=RewardKind.TIERED).full_clean()


def test_valid_on_selects_the_rules_in_force():
    current = RewardRuleFactory(valid_from=JAN_2019)
    ended = RewardRuleFactory(valid_from=JAN_2019, valid_to=datetime.date(2020, 1, 1))

    assert set(RewardRule.objects.valid_on(datetime.date(2019, 6, 1))) == {current, ended}
    assert set(RewardRule.objects.valid_on(datetime.date(2021, 6, 1))) == {current}
    assert set(RewardRule.objects.valid_on(datetime.date(2018, 6, 1))) == set()

import datetime
from decimal import Decimal

from offers import pricing


def test_price_per_day_divides_by_the_days_of_the_month():
    assert pricing.price_per_day(Decimal("139"), on=datetime.date(2026, 11, 25)) == Decimal("4.63")
    assert pricing.price_per_day(Decimal("139"), on=datetime.date(2026, 2, 3)) == Decimal("4.96")
    assert pricing.price_per_day(Decimal("238"), on=datetime.date(2026, 1, 31)) == Decimal("7.68")


def test_first_charge_is_prorated_from_the_connection_day_inclusive():
    # 25 November: 6 of 30 days left, 139 × 6 / 30 = 27.80
    assert pricing.first_charge(Decimal("139"), on=datetime.date(2026, 11, 25)) == Decimal("27.80")
    assert pricing.first_charge(Decimal("139"), on=datetime.date(2026, 11, 1)) == Decimal("139.00")


def test_first_charge_rounds_half_up_to_kopecks():
    # 100 × 1 / 31 = 3.2258… → 3.23
    assert pricing.first_charge(Decimal("100"), on=datetime.date(2026, 1, 31)) == Decimal("3.23")


def test_free_promo_period_has_no_first_charge():
    assert pricing.first_charge(Decimal("139"), on=datetime.date(2026, 11, 25), promo_days=30) == 0

"""Price framing (R3): the price per day and the prorated first charge, rounded to kopecks.

Amounts are rounded half up to whole kopecks once, at the end, so that the figure the agent reads
out is the figure the billing system charges.
"""

import calendar
import datetime
import functools
from decimal import ROUND_HALF_UP, Decimal

KOPECK = Decimal("0.01")


def days_in_month(day: datetime.date) -> int:
    return _days_in_month(day.year, day.month)


@functools.cache
def _days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def to_kopecks(amount: Decimal) -> Decimal:
    return amount.quantize(KOPECK, rounding=ROUND_HALF_UP)


def price_per_day(monthly_price: Decimal, *, on: datetime.date) -> Decimal:
    """The monthly fee divided by the number of days in the month of `on`."""
    return to_kopecks(Decimal(monthly_price) / days_in_month(on))


def remaining_days(on: datetime.date) -> int:
    """Days left in the month, the day of connection included."""
    return days_in_month(on) - on.day + 1


def first_charge(monthly_price: Decimal, *, on: datetime.date, promo_days: int = 0) -> Decimal:
    """The first charge for a connection on `on`: nothing during a free promo period, otherwise the
    fee for the days left in the month, the connection day included."""
    if promo_days > 0:
        return Decimal("0.00")
    return to_kopecks(Decimal(monthly_price) * remaining_days(on) / days_in_month(on))

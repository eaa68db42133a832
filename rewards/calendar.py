"""Months and working days: how the job and the pages read `?month=YYYY-MM`, count working days and
prorate targets.

A working day is Monday to Friday (the portal keeps no holiday calendar). A month is stored and
passed around as the date of its first day.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
ERR_MONTH_FORMAT = _("Give the month as YYYY-MM, e.g. 2026-11.")
ERR_MONTH_FUTURE = _("The month %(month)s has not started yet.")


class MonthError(ValueError):
    """A month a user gave that cannot be used; `code` says why."""

    def __init__(self, message, *, code):
        super().__init__(str(message))
        self.message = message
        self.code = code


def parse_month(value: str | None, *, today: datetime.date | None = None) -> datetime.date:
    """The first day of the month `YYYY-MM` (the running month when empty); never a future one."""
    today = today or timezone.localdate()
    if not value:
        return today.replace(day=1)
    match = MONTH_RE.match(value.strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
        raise MonthError(ERR_MONTH_FORMAT, code="invalid_month")
    month = datetime.date(int(match[1]), int(match[2]), 1)
    if month > today.replace(day=1):
        raise MonthError(ERR_MONTH_FUTURE % {"month": value.strip()}, code="future_month")
    return month


def month_key(month: datetime.date) -> str:
    return f"{month:%Y-%m}"


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def previous_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The moment a local calendar day starts, as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) of the month in local time: what `created_at__gte/__lt` filters use."""
    return local_midnight(month), local_midnight(next_month(month))


def working_days(start: datetime.date, end: datetime.date) -> int:
    """Monday-to-Friday days in [start, end)."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(rest):
        if (start + datetime.timedelta(days=weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


def prorated_target(target: int, *, month: datetime.date, started_on: datetime.date) -> int:
    """The target for an agent who starts within the month: in proportion to the working days left.

    Rounded half up, and at least 1 while any working day is left; 0 (no target, never met)
    when none is (a start on the month's last weekend).
    """
    end = next_month(month)
    if started_on <= month:
        return target
    total = working_days(month, end)
    left = working_days(started_on, end)
    if not total or not left:
        return 0
    share = Decimal(target * left) / Decimal(total)
    return max(1, int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


@dataclass(frozen=True)
class Pace:
    """Where an agent stands in the month: working days gone and left, projection, daily need."""

    days_total: int
    days_elapsed: int
    days_left: int
    projection: int
    needed_per_day: Decimal | None


def pace(*, orders: int, target: int, month: datetime.date, started_on, today) -> Pace:
    """The projection to month end at the current pace, and what each remaining day needs.

    Working days count from the later of the month start and the agent's start. Today counts as
    elapsed and, while the month runs, as left too (today's orders may still come).
    """
    end = next_month(month)
    first = max(month, started_on or month)
    total = working_days(first, end)
    if today >= end:
        return Pace(total, total, 0, orders, None)
    elapsed = working_days(first, today + datetime.timedelta(days=1))
    left = working_days(today, end)
    projection = round(orders * total / elapsed) if elapsed else orders
    missing = max(0, target - orders)
    needed = (Decimal(missing) / left).quantize(Decimal("0.1"), ROUND_HALF_UP) if left else None
    return Pace(total, elapsed, left, max(projection, orders), needed)

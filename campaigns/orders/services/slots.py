"""Installer visit slots: the standard ones opened ahead of time (managers edit their capacity)."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from campaigns.orders.models import InstallerSlot


@transaction.atomic
def installer_slots_open(
    *, start_day: datetime.date, days: int, capacity: int | None = None, region: str = ""
) -> int:
    """Open the standard slots (working hours cut into INSTALLER_SLOT_HOURS) for `days` days.

    Slots that exist are left as managers set them; returns how many were created.
    """
    capacity = settings.INSTALLER_SLOT_CAPACITY if capacity is None else capacity
    step = settings.INSTALLER_SLOT_HOURS
    tz = timezone.get_current_timezone()
    wanted = []
    for offset in range(days):
        day = start_day + datetime.timedelta(days=offset)
        for hour in range(settings.INSTALLER_WORKDAY_START, settings.INSTALLER_WORKDAY_END, step):
            starts = datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz)
            ends = starts + datetime.timedelta(
                hours=min(step, settings.INSTALLER_WORKDAY_END - hour)
            )
            wanted.append(
                InstallerSlot(starts_at=starts, ends_at=ends, capacity=capacity, region=region)
            )
    existing = set(
        InstallerSlot.objects.filter(
            region=region, starts_at__in=[s.starts_at for s in wanted]
        ).values_list("starts_at", flat=True)
    )
    new = [s for s in wanted if s.starts_at not in existing]
    InstallerSlot.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


# Equipment is delivered in four-hour windows of the working day, from tomorrow on (R8: the
# video-surveillance kit goes by an МПЗ delivery task; the deck gives no hours, these are ours).
DELIVERY_WINDOW_HOURS = 4


def delivery_windows(*, today: datetime.date) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The delivery windows an order may choose: working hours cut into DELIVERY_WINDOW_HOURS,
    local time, from the day after `today` for INSTALLER_SLOT_DAYS_AHEAD days."""
    tz = timezone.get_current_timezone()
    start, end = settings.INSTALLER_WORKDAY_START, settings.INSTALLER_WORKDAY_END
    windows = []
    for offset in range(1, settings.INSTALLER_SLOT_DAYS_AHEAD + 1):
        day = today + datetime.timedelta(days=offset)
        for hour in range(start, end, DELIVERY_WINDOW_HOURS):
            starts = datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz)
            hours = min(DELIVERY_WINDOW_HOURS, end - hour)
            windows.append((starts, starts + datetime.timedelta(hours=hours)))
    return windows

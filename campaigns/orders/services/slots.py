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

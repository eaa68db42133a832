"""Writes on campaigns and the sales floor."""

import datetime

from django.db import transaction
from django.utils import timezone

from campaigns.models import Campaign, CampaignStatus


@transaction.atomic
def campaigns_archive_expired(*, today: datetime.date | None = None) -> int:
    """Archive every campaign whose end date has passed; returns how many were archived."""
    today = today or timezone.localdate()
    expired = Campaign.objects.select_for_update().filter(
        status__in=[CampaignStatus.ACTIVE, CampaignStatus.PAUSED], ends_on__lt=today
    )
    count = 0
    for campaign in expired:
        campaign.status = CampaignStatus.ARCHIVED
        campaign.save(update_fields=["status", "updated_at"])
        count += 1
    return count


# The statuses a campaign may be moved to, and the statuses it may come from.
STATUS_TRANSITIONS = {
    CampaignStatus.ACTIVE: {CampaignStatus.DRAFT, CampaignStatus.PAUSED},
    CampaignStatus.PAUSED: {CampaignStatus.ACTIVE},
    CampaignStatus.ARCHIVED: {CampaignStatus.DRAFT, CampaignStatus.ACTIVE, CampaignStatus.PAUSED},
}


@transaction.atomic
def campaigns_set_status(*, campaigns, status: str, by=None) -> int:
    """Move the given campaigns to `status` where the move is allowed; returns how many moved.

    Allowed: draft or paused → active (not once the end date has passed), active → paused, and
    anything not yet archived → archived. Other campaigns are left as they are. Each move is a
    save, so the change history records it and who made it.
    """
    if status not in STATUS_TRANSITIONS:
        raise ValueError(f"campaigns cannot be moved to status {status!r}")
    ids = [campaign.pk for campaign in campaigns]
    movable = Campaign.objects.select_for_update().filter(
        pk__in=ids, status__in=STATUS_TRANSITIONS[status]
    )
    if status == CampaignStatus.ACTIVE:
        movable = movable.exclude(ends_on__lt=timezone.localdate())
    count = 0
    for campaign in movable:
        campaign.status = status
        campaign._history_user = by
        campaign.save(update_fields=["status", "updated_at"])
        count += 1
    return count

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

"""Writes on campaigns: launch, schedule, pause, archive, clone, and edits of many at once.

A campaign's life, by status and dates (the day is the portal's, Europe/Moscow by default):

| status    | launched / scheduled task on day D                        | becomes   |
|-----------|-----------------------------------------------------------|-----------|
| draft     | launch, starts after D                                    | scheduled |
| draft     | launch, started by D, not ended                           | active    |
| draft     | launch, ended before D                                    | (stays)   |
| paused    | launch: as a draft                                        |           |
| scheduled | task: starts on or before D, not ended                    | active    |
| scheduled | task: ended before D                                      | archived  |
| active    | task: ended before D (the end date is the last day)       | archived  |
| paused    | task: ended before D                                      | archived  |
| draft     | task: never moved (a draft was never launched)            | (stays)   |
Pause: scheduled or active → paused. Archive: anything not archived → archived. Nothing goes back
to draft; an archived campaign is cloned instead.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, CampaignStatus
from config.floor.errors import DomainError

ERR_BULK_DATES = _("%(campaigns)s would end before they start: nothing was changed.")
ERR_BULK_NOTHING = _("Choose a start date, an end date or a priority to set.")
MSG_CLONED_FROM = _("Cloned from «%(code)s»")
CLONE_NAME = _("%(name)s (copy)")

# The statuses a campaign may be moved to, and the statuses it may come from.
STATUS_TRANSITIONS = {
    CampaignStatus.ACTIVE: {CampaignStatus.DRAFT, CampaignStatus.PAUSED, CampaignStatus.SCHEDULED},
    CampaignStatus.SCHEDULED: {CampaignStatus.DRAFT, CampaignStatus.PAUSED},
    CampaignStatus.PAUSED: {CampaignStatus.ACTIVE, CampaignStatus.SCHEDULED},
    CampaignStatus.ARCHIVED: {
        CampaignStatus.DRAFT,
        CampaignStatus.SCHEDULED,
        CampaignStatus.ACTIVE,
        CampaignStatus.PAUSED,
    },
}
LAUNCHABLE = {CampaignStatus.DRAFT, CampaignStatus.PAUSED}


def _move(campaign, status, by=None, reason=None) -> None:
    campaign.status = status
    campaign._history_user = by
    if reason:
        # Kept in the history: in the portal's language, not the (absent) caller's.
        with translation.override(settings.LANGUAGE_CODE):
            campaign._change_reason = str(reason)
    campaign.save(update_fields=["status", "updated_at"])


@transaction.atomic
def campaigns_follow_schedule(*, today: datetime.date | None = None) -> int:
    """Start the scheduled campaigns whose day has come and archive those whose end date has
    passed (the table above); returns how many moved. Run by the scheduled task."""
    today = today or timezone.localdate()
    moved = 0
    due = Campaign.objects.select_for_update().filter(
        status=CampaignStatus.SCHEDULED, starts_on__lte=today
    )
    for campaign in due.exclude(ends_on__lt=today):
        _move(campaign, CampaignStatus.ACTIVE, reason=_("Start date reached"))
        moved += 1
    expired = Campaign.objects.select_for_update().filter(
        status__in=[CampaignStatus.SCHEDULED, CampaignStatus.ACTIVE, CampaignStatus.PAUSED],
        ends_on__lt=today,
    )
    for campaign in expired:
        _move(campaign, CampaignStatus.ARCHIVED, reason=_("End date passed"))
        moved += 1
    return moved


def campaigns_archive_expired(*, today: datetime.date | None = None) -> int:
    """The older name of campaigns_follow_schedule (the task and tests still call it)."""
    return campaigns_follow_schedule(today=today)


@transaction.atomic
def campaigns_launch(*, campaigns, by=None, today: datetime.date | None = None) -> int:
    """Launch drafts and paused campaigns: active from their start date, scheduled before it.
    A campaign whose end date has passed, or that is not a draft or paused, is left as it is.
    Returns how many were launched."""
    today = today or timezone.localdate()
    launchable = (
        Campaign.objects.select_for_update()
        .filter(pk__in=[campaign.pk for campaign in campaigns], status__in=LAUNCHABLE)
        .exclude(ends_on__lt=today)
    )
    count = 0
    for campaign in launchable:
        status = CampaignStatus.SCHEDULED if campaign.starts_on > today else CampaignStatus.ACTIVE
        _move(campaign, status, by)
        count += 1
    return count


@transaction.atomic
def campaigns_set_status(*, campaigns, status: str, by=None) -> int:
    """Move the given campaigns to `status` where the move is allowed; returns how many moved.

    Allowed: draft, scheduled or paused → active (not once the end date has passed), draft or
    paused → scheduled, scheduled or active → paused, and anything not yet archived → archived.
    Other campaigns are left as they are. Each move is a save, so the change history records it
    and who made it.
    """
    if status not in STATUS_TRANSITIONS:
        raise ValueError(f"campaigns cannot be moved to status {status!r}")
    ids = [campaign.pk for campaign in campaigns]
    movable = Campaign.objects.select_for_update().filter(
        pk__in=ids, status__in=STATUS_TRANSITIONS[status]
    )
    if status in (CampaignStatus.ACTIVE, CampaignStatus.SCHEDULED):
        movable = movable.exclude(ends_on__lt=timezone.localdate())
    count = 0
    for campaign in movable:
        _move(campaign, status, by)
        count += 1
    return count


def _free_code(code: str) -> str:
    limit = Campaign._meta.get_field("code").max_length
    taken = set(
        Campaign.objects.filter(code__startswith=code[: limit - 4]).values_list("code", flat=True)
    )
    number = 2
    while True:
        suffix = f"_{number}"
        candidate = code[: limit - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        number += 1


@transaction.atomic
def campaign_clone(*, campaign: Campaign, by=None, today: datetime.date | None = None) -> Campaign:
    """A draft copy of a campaign, owned by `by`: the same offer, scripts, segments, articles,
    priority and cooldown; a free code (`<code>_2`, `_3`, …); dates from today on if the
    original's have passed. The target list stays with the original."""
    today = today or timezone.localdate()
    starts_on = max(campaign.starts_on, today)
    ends_on = campaign.ends_on if campaign.ends_on and campaign.ends_on >= starts_on else None
    name_limit = Campaign._meta.get_field("name").max_length
    clone = Campaign(
        code=_free_code(campaign.code),
        name=str(CLONE_NAME % {"name": campaign.name})[:name_limit],
        offer_id=campaign.offer_id,
        script_template=campaign.script_template,
        connection_script_template=campaign.connection_script_template,
        starts_on=starts_on,
        ends_on=ends_on,
        priority=campaign.priority,
        cooldown_days=campaign.cooldown_days,
        status=CampaignStatus.DRAFT,
        owner=by or campaign.owner,
    )
    clone.full_clean()
    clone._history_user = by
    clone._change_reason = str(MSG_CLONED_FROM % {"code": campaign.code})
    clone.save()
    clone.segments.set(campaign.segments.all())
    clone.articles.set(campaign.articles.all())
    return clone


@transaction.atomic
def campaigns_bulk_update(
    *,
    campaigns,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    clear_end: bool = False,
    priority: int | None = None,
    by=None,
) -> int:
    """Set the same start date, end date (or none, `clear_end`) and/or priority on many
    campaigns; all or nothing: if any would end before it starts, none is changed."""
    if starts_on is None and ends_on is None and not clear_end and priority is None:
        raise DomainError(ERR_BULK_NOTHING, code="nothing_to_change")
    rows = list(Campaign.objects.select_for_update().filter(pk__in=[c.pk for c in campaigns]))
    for campaign in rows:
        if starts_on is not None:
            campaign.starts_on = starts_on
        if clear_end:
            campaign.ends_on = None
        elif ends_on is not None:
            campaign.ends_on = ends_on
        if priority is not None:
            campaign.priority = priority
    wrong = [c.code for c in rows if c.ends_on and c.ends_on < c.starts_on]
    if wrong:
        raise DomainError(
            ERR_BULK_DATES, code="ends_before_start", params={"campaigns": ", ".join(wrong)}
        )
    for campaign in rows:
        campaign._history_user = by
        campaign.save(update_fields=["starts_on", "ends_on", "priority", "updated_at"])
    return len(rows)

"""Reads for campaigns, accounts, appeals and recommendations."""

import datetime
from collections import defaultdict
from collections.abc import Callable

from django.db.models import Count, Max, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from campaigns.models import (
    CALLBACK_GRACE,
    Appeal,
    Callback,
    Campaign,
    ContactHistoryEntry,
    Department,
    ResultCode,
    SubscriberAccount,
)

# The workspace's lean reads live in campaigns.recommendations; re-exported for the callers.
from campaigns.recommendations import (  # noqa: F401
    Recommendation,
    RewardQuote,
    account_for_workspace,
    recommendations_for,
    register_reward_quoter,
    situation_for,
    targets_of,
)
from offers.models import Segment


def campaign_list():
    return Campaign.objects.with_relations().order_by("-priority", "code")


def account_get(*, number: str) -> SubscriberAccount | None:
    return SubscriberAccount.objects.with_relations().filter(number=number).first()


def appeal_open_for(*, account: SubscriberAccount, agent) -> Appeal | None:
    """The agent's open appeal on this account, the latest first."""
    return (
        Appeal.objects.open().filter(account=account, agent=agent).order_by("-started_at").first()
    )


def department_of(*, agent) -> Department | None:
    """The department of the agent's team (the appeal and the history entry record it)."""
    return Department.objects.filter(teams__agents__user=agent).first()


def history_queryset():
    return ContactHistoryEntry.objects.select_related("agent", "department").prefetch_related(
        "objections"
    )


def account_history(*, account: SubscriberAccount, limit: int = 50):
    return (
        history_queryset()
        .filter(target__account=account)
        .select_related("target__campaign__offer")
        .order_by("-created_at", "-id")[:limit]
    )


def appeals_visible_to(user):
    return (
        Appeal.objects.visible_to(user)
        .select_related("account", "agent", "department")
        .prefetch_related(Prefetch("history", queryset=history_queryset()))
    )


def appeal_visible(*, user, appeal_id: int) -> Appeal | None:
    return appeals_visible_to(user).filter(pk=appeal_id).first()


# Launch warnings (what a manager should know before a campaign goes to agents). Each check takes
# a campaign and returns a warning or None; apps above campaigns add theirs (rewards: no reward
# rule for the offer) with register_launch_check, from their AppConfig.ready().
LAUNCH_CHECKS: list[Callable[[Campaign], str | None]] = []
WARN_NO_TARGETS = _("The campaign has no target list: no agent will see it.")
WARN_ENDED = _("The end date has passed: the campaign cannot be launched.")


def register_launch_check(check: Callable[[Campaign], str | None]) -> None:
    if check not in LAUNCH_CHECKS:
        LAUNCH_CHECKS.append(check)


def segment_service_sets(*, campaign_ids) -> dict[int, set[frozenset]]:
    """For each campaign that has segments, the service sets its segments stand for (R12: an
    account is in a segment when it holds exactly the segment's services)."""
    services_of = defaultdict(set)
    for segment_id, service_id in Segment.services.through.objects.filter(
        segment__campaigns__in=list(campaign_ids)
    ).values_list("segment_id", "service_id"):
        services_of[segment_id].add(service_id)
    sets = defaultdict(set)
    for campaign_id, segment_id in Campaign.segments.through.objects.filter(
        campaign_id__in=list(campaign_ids)
    ).values_list("campaign_id", "segment_id"):
        sets[campaign_id].add(frozenset(services_of[segment_id]))
    return sets


def account_service_sets(*, account_ids) -> dict[int, frozenset]:
    """Each account's connected services that define segments (R12: a service no segment names,
    such as mobile, does not take a household out of its segment), as a set of service ids."""
    services = defaultdict(set)
    defining = Segment.services.through.objects.values("service_id")
    for account_id, service_id in SubscriberAccount.services.through.objects.filter(
        subscriberaccount_id__in=list(account_ids), service_id__in=defining
    ).values_list("subscriberaccount_id", "service_id"):
        services[account_id].add(service_id)
    return {account_id: frozenset(ids) for account_id, ids in services.items()}


def targets_outside_segments(*, campaign: Campaign) -> int:
    """How many of the campaign's target accounts are in none of its segments."""
    sets = segment_service_sets(campaign_ids=[campaign.pk]).get(campaign.pk)
    if not sets:
        return 0
    account_ids = list(campaign.targets.values_list("account_id", flat=True))
    services = account_service_sets(account_ids=account_ids)
    return sum(1 for a in account_ids if services.get(a, frozenset()) not in sets)


def campaign_launch_warnings(*, campaign: Campaign, today=None) -> list[str]:
    """What a manager should know before launching the campaign (it may still be launched)."""
    today = today or timezone.localdate()
    warnings = []
    if campaign.ends_on and campaign.ends_on < today:
        warnings.append(str(WARN_ENDED))
    if not campaign.targets.exists():
        warnings.append(str(WARN_NO_TARGETS))
    outside = targets_outside_segments(campaign=campaign)
    if outside:
        warnings.append(
            ngettext(
                "%(count)d target account is outside the campaign's segments: agents will not "
                "see the campaign on it.",
                "%(count)d target accounts are outside the campaign's segments: agents will not "
                "see the campaign on them.",
                outside,
            )
            % {"count": outside}
        )
    warnings += [warning for check in LAUNCH_CHECKS if (warning := check(campaign))]
    return warnings


def campaign_target_counts(*, campaign: Campaign) -> dict:
    """The campaign's target list by result, in one query: the top of its live funnel."""
    return campaign.targets.aggregate(
        targets=Count("pk"),
        offered=Count("pk", filter=~Q(result=ResultCode.NOT_OFFERED)),
        not_interested=Count("pk", filter=Q(result=ResultCode.NOT_INTERESTED)),
        thinking=Count("pk", filter=Q(result=ResultCode.THINKING)),
        agreed=Count("pk", filter=Q(result=ResultCode.AGREED)),
    )


# Callbacks («Клиент думает» → a time to call back; campaigns.services.callbacks writes them).


def callbacks_visible_to(user):
    return Callback.objects.visible_to(user).select_related(
        "account", "offer", "agent", "target__campaign"
    )


def callback_board(*, agent, now=None) -> dict:
    """The agent's open callbacks in three lists: overdue, today (not yet overdue), later."""
    now = now or timezone.now()
    end_of_today = local_midnight(timezone.localdate(now) + datetime.timedelta(days=1))
    board = {"overdue": [], "today": [], "later": []}
    for callback in callbacks_visible_to(agent).filter(agent=agent).open().order_by("due_at"):
        if callback.is_overdue(now):
            board["overdue"].append(callback)
        elif callback.due_at < end_of_today:
            board["today"].append(callback)
        else:
            board["later"].append(callback)
    return board


def callback_counts(*, agent, now=None) -> dict:
    """How many of the agent's open callbacks are overdue and due (the rest of) today."""
    now = now or timezone.now()
    end_of_today = local_midnight(timezone.localdate(now) + datetime.timedelta(days=1))
    overdue_before = now - CALLBACK_GRACE
    return (
        Callback.objects.open()
        .filter(agent=agent)
        .aggregate(
            overdue=Count("pk", filter=Q(due_at__lt=overdue_before)),
            today=Count("pk", filter=Q(due_at__gte=overdue_before, due_at__lt=end_of_today)),
        )
    )


def overdue_callbacks_by_agent(*, agent_ids, now=None) -> dict[int, int]:
    """Each agent's overdue callbacks (agents with none are left out), in one query."""
    now = now or timezone.now()
    rows = (
        Callback.objects.overdue(now)
        .filter(agent_id__in=list(agent_ids))
        .order_by()
        .values("agent_id")
        .annotate(count=Count("pk"))
    )
    return {row["agent_id"]: row["count"] for row in rows}


def local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def campaigns_started_between(*, first_day, last_day, limit=5):
    """Active campaigns whose start date falls in [first_day, last_day] (what is new for agents)."""
    return (
        Campaign.objects.running_on(last_day)
        .filter(starts_on__gte=first_day)
        .select_related("offer")
        .order_by("-starts_on", "code")[:limit]
    )


def recent_accounts(*, agent, limit=5):
    """The accounts of the agent's latest appeals, the latest first, each once."""
    latest = (
        Appeal.objects.filter(agent=agent)
        .order_by()
        .values("account_id")
        .annotate(last=Max("started_at"))
        .order_by("-last")[:limit]
    )
    rows = {row["account_id"]: row["last"] for row in latest}
    accounts = SubscriberAccount.objects.filter(pk__in=rows).only(
        "number", "surname", "first_name", "patronymic"
    )
    return sorted(accounts, key=lambda account: rows[account.pk], reverse=True)


def accounts_in_no_segment():
    """The accounts whose segment-defining services match no segment (R12): a queryset."""
    sets = set(_segment_sets().values())
    return SubscriberAccount.objects.filter(pk__in=_accounts_where(lambda held: held not in sets))


def accounts_in_segment(*, segment_id: int):
    wanted = next((s for seg, s in _segment_sets().items() if seg.pk == segment_id), None)
    return SubscriberAccount.objects.filter(pk__in=_accounts_where(lambda held: held == wanted))


def _accounts_where(test) -> list[int]:
    ids = list(SubscriberAccount.objects.values_list("pk", flat=True))
    services = account_service_sets(account_ids=ids)
    return [pk for pk in ids if test(services.get(pk, frozenset()))]


def segment_of(*, account_id: int):
    """The segment an account falls into, or None (R12)."""
    held = account_service_sets(account_ids=[account_id]).get(account_id, frozenset())
    return next((seg for seg, services in _segment_sets().items() if services == held), None)


def _segment_sets() -> dict:
    services_of = defaultdict(set)
    segments = {seg.pk: seg for seg in Segment.objects.all()}
    for segment_id, service_id in Segment.services.through.objects.values_list(
        "segment_id", "service_id"
    ):
        services_of[segment_id].add(service_id)
    return {segments[pk]: frozenset(ids) for pk, ids in services_of.items()}

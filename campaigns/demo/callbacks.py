"""The demo callbacks: every customer left thinking in the last week is a callback of the agent
who heard «я подумаю», due two working days later (outside peak hours), so some are made late
and some are ahead; the demo agent always has one due today (the deck's antivirus customer,
352011070411) and one overdue.

Idempotent: a product on an account gets a callback once; the demo account's is moved back to
today only when it is no longer due today.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from campaigns import callback_times, catalogue
from campaigns.demo.accounts import DEMO_ACCOUNT
from campaigns.models import CALLBACK_GRACE, Callback, ContactHistoryEntry, ResultCode
from config.floor.seeding import SeedContext, Tally

RECENT_DAYS = 7
DEMO_AGENT = "agent"


def run(ctx: SeedContext) -> dict[str, int]:
    tally = Tally()
    now = timezone.now()
    with transaction.atomic():
        _from_thinking(now, tally)
        _demo_agent_overdue(now, tally)
        _demo_agent_due_today(now, tally)
    tally.add("open callbacks", Callback.objects.open().count())
    tally.add("overdue callbacks", Callback.objects.overdue(now).count())
    return dict(tally)


def _latest_thinking(since):
    """The latest entry of each product on each account whose result is still «thinking»."""
    entries = (
        ContactHistoryEntry.objects.filter(
            result=ResultCode.THINKING,
            target__result=ResultCode.THINKING,
            created_at__gte=since,
        )
        .select_related("target__campaign")
        .order_by("created_at", "id")
    )
    latest = {}
    for entry in entries:
        latest[(entry.target.account_id, entry.target.campaign.offer_id)] = entry
    return latest


def _from_thinking(now, tally):
    windows = catalogue.current().peak_hours
    since = now - datetime.timedelta(days=RECENT_DAYS)
    existing = set(Callback.objects.values_list("account_id", "offer_id"))
    new = []
    for (account_id, offer_id), entry in _latest_thinking(since).items():
        if (account_id, offer_id) in existing:
            continue
        local = timezone.localtime(entry.created_at)
        new.append(
            Callback(
                account_id=account_id,
                offer_id=offer_id,
                target_id=entry.target_id,
                agent_id=entry.agent_id,
                created_at=entry.created_at,
                due_at=callback_times.default_due(local, windows),
            )
        )
    Callback.objects.bulk_create(new)
    tally.add("callbacks created", len(new))


def _demo_agent_overdue(now, tally):
    """The demo agent's oldest customer still thinking this month, not called back in time."""
    if Callback.objects.overdue(now).filter(agent__username=DEMO_AGENT).exists():
        return
    taken = set(Callback.objects.values_list("account_id", "offer_id"))
    entries = (
        ContactHistoryEntry.objects.filter(
            agent__username=DEMO_AGENT,
            result=ResultCode.THINKING,
            target__result=ResultCode.THINKING,
            created_at__gte=now - datetime.timedelta(days=31),
        )
        .exclude(target__account__number=DEMO_ACCOUNT)
        .select_related("target__campaign")
        .order_by("created_at", "id")
    )
    for entry in entries:
        pair = (entry.target.account_id, entry.target.campaign.offer_id)
        if pair in taken:
            continue
        due = callback_times.default_due(
            timezone.localtime(entry.created_at), catalogue.current().peak_hours
        )
        Callback.objects.create(
            account_id=pair[0],
            offer_id=pair[1],
            target_id=entry.target_id,
            agent_id=entry.agent_id,
            created_at=entry.created_at,
            due_at=min(due, now - datetime.timedelta(hours=2)),
        )
        tally.add("callbacks created", 1)
        return


def _due_today(now) -> datetime.datetime:
    """An hour from now, within today (so neither overdue nor tomorrow)."""
    local = timezone.localtime(now)
    end = local.replace(hour=23, minute=59, second=0, microsecond=0)
    return min(local.replace(second=0, microsecond=0) + datetime.timedelta(hours=1), end)


def _demo_agent_due_today(now, tally):
    entry = (
        ContactHistoryEntry.objects.filter(
            target__account__number=DEMO_ACCOUNT,
            result=ResultCode.THINKING,
            agent__username=DEMO_AGENT,
        )
        .select_related("target__campaign")
        .order_by("created_at")
        .first()
    )
    if entry is None:
        return
    offer_id = entry.target.campaign.offer_id
    open_ = Callback.objects.open().filter(account_id=entry.target.account_id, offer_id=offer_id)
    callback = open_.first()
    end_of_today = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    if callback is not None and now - CALLBACK_GRACE <= callback.due_at <= end_of_today:
        return
    if callback is None:
        if Callback.objects.filter(account_id=entry.target.account_id, offer_id=offer_id).exists():
            return  # made since: the demo agent's own work is kept
        Callback.objects.create(
            account_id=entry.target.account_id,
            offer_id=offer_id,
            target_id=entry.target_id,
            agent_id=entry.agent_id,
            created_at=entry.created_at,
            due_at=_due_today(now),
        )
        tally.add("callbacks created", 1)
    else:
        open_.update(due_at=_due_today(now))
        tally.add("callbacks moved to today", 1)

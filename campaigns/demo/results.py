"""A believable running month of results: the agents' appeals and the recommendation results
recorded in them (R5, R6), in the previous month and the current one up to today.

Deterministic (a fixed generator) and idempotent: an appeal is known by its agent, account and
start time, and a run only adds the appeals that are missing.
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext

from campaigns.demo.accounts import DEMO_ACCOUNT
from campaigns.demo.campaigns import target_pairs
from campaigns.models import (
    AgentProfile,
    Appeal,
    AppealTheme,
    CampaignStatus,
    CampaignTarget,
    ContactHistoryEntry,
    ResultCode,
)
from campaigns.services.results import offer_results_rebuild
from campaigns.services.workspace import history_comment
from config.floor.seeding import SeedContext, Tally
from knowledge_base.models import ObjectionType

APPEALS_PER_WORKDAY = (0, 2)
BATCH = 500
RESULT_WEIGHTS = [
    (ResultCode.NOT_OFFERED, 10),
    (ResultCode.NOT_INTERESTED, 35),
    (ResultCode.THINKING, 30),
    (ResultCode.AGREED, 25),
]
OBJECTING = {ResultCode.NOT_INTERESTED, ResultCode.THINKING}


def run(ctx: SeedContext) -> dict[str, int]:
    tally = Tally()
    plan = _plan(ctx)
    with transaction.atomic():
        existing = set(
            Appeal.objects.filter(agent_id__in={p["agent"].user_id for p in plan}).values_list(
                "agent_id", "account_id", "started_at"
            )
        )
        missing = sorted(
            (p for p in plan if (p["agent"].user_id, p["account_id"], p["at"]) not in existing),
            key=lambda p: p["at"],
        )
        if missing:
            _write(ctx, missing, tally)
    tally.add("appeals", len(plan))
    return dict(tally)


def _plan(ctx: SeedContext) -> list[dict]:
    """Every appeal the demo month holds, the same on every run."""
    rng = ctx.rng("results")
    agents = list(
        AgentProfile.objects.select_related("team__department", "user").order_by("employee_number")
    )
    targets = defaultdict(list)
    # Only the demo target lists count: later steps add targets, and the plan must not move.
    planned = set(target_pairs(ctx))
    usable = CampaignTarget.objects.filter(
        campaign__status=CampaignStatus.ACTIVE,
        account__financial_block=False,
        account__balance__gte=0,
    ).select_related("campaign__offer", "account")
    for target in usable.order_by("account__number", "campaign__code"):
        # The demo account keeps the deck's story: «Клиент думает» last month, nothing since.
        if target.account.number == DEMO_ACCOUNT:
            continue
        if (target.campaign.code, target.account.number) in planned:
            targets[target.account_id].append(target)
    accounts = sorted(targets)
    objections = list(ObjectionType.objects.filter(is_active=True).order_by("order", "code"))
    plan = []
    for day in _workdays(ctx):
        for agent in agents:
            if agent.started_on > day:
                continue
            for _ in range(rng.randint(*APPEALS_PER_WORKDAY)):
                account_id = rng.choice(accounts)
                at = _moment(day, rng)
                target = rng.choice(targets[account_id])
                result = rng.choices(*zip(*RESULT_WEIGHTS, strict=True))[0]
                picked = rng.sample(objections, k=min(len(objections), rng.randint(0, 2)))
                plan.append(
                    {
                        "agent": agent,
                        "account_id": account_id,
                        "at": at,
                        "targets": [
                            t
                            for t in targets[account_id]
                            if t.campaign.offer_id == target.campaign.offer_id
                        ],
                        "result": result,
                        "objections": picked if result in OBJECTING else [],
                    }
                )
    plan.extend(_demo_account_plan(ctx, agents, objections))
    return plan


def _demo_account_plan(ctx, agents, objections):
    """Last month the demo customer was thinking about the antivirus (as in the deck)."""
    agent = next((a for a in agents if a.user.username == "agent"), None)
    targets = list(
        CampaignTarget.objects.filter(account__number=DEMO_ACCOUNT)
        .select_related("campaign__offer")
        .order_by("campaign__code")
    )
    if agent is None or not targets:
        return []
    previous = ctx.month_start - datetime.timedelta(days=1)
    at = timezone.make_aware(
        datetime.datetime.combine(previous.replace(day=3), datetime.time(14, 5))
    )
    will_think = [o for o in objections if o.code == "will_think"][:1]
    return [
        {
            "agent": agent,
            "account_id": targets[0].account_id,
            "at": at,
            "targets": [t for t in targets if t.campaign.offer_id == targets[0].campaign.offer_id],
            "result": ResultCode.THINKING,
            "objections": will_think,
        }
    ]


def _workdays(ctx: SeedContext):
    start = (ctx.month_start - datetime.timedelta(days=1)).replace(day=1)
    day = start
    while day < ctx.today:
        if day.weekday() < 5:
            yield day
        day += datetime.timedelta(days=1)


def _moment(day, rng) -> datetime.datetime:
    local = datetime.datetime.combine(day, datetime.time(9)) + datetime.timedelta(
        minutes=rng.randint(0, 10 * 60), seconds=rng.randint(0, 59)
    )
    return timezone.make_aware(local)


def _write(ctx: SeedContext, items: list[dict], tally: Tally) -> None:
    """Everything in bulk: the appeals, their start times, the history, the latest results."""
    texts = {code: _appeal_texts(code) for code in ResultCode.values}
    appeals = Appeal.objects.bulk_create(
        [
            Appeal(
                account_id=item["account_id"],
                agent_id=item["agent"].user_id,
                department=item["agent"].team.department,
                theme=AppealTheme.UPSELL,
                detail=texts[item["result"]][0],
                result=texts[item["result"]][1],
                question_resolved=True,
                closed_at=item["at"] + datetime.timedelta(minutes=6),
            )
            for item in items
        ],
        batch_size=BATCH,
    )
    for start in range(0, len(appeals), BATCH):
        chunk = list(zip(appeals[start : start + BATCH], items[start : start + BATCH], strict=True))
        # started_at is auto_now_add: the demo's past start times are set afterwards.
        Appeal.objects.filter(pk__in=[a.pk for a, _ in chunk]).update(
            started_at=Case(*(When(pk=a.pk, then=Value(i["at"])) for a, i in chunk))
        )
        ctx.progress("appeals", min(start + BATCH, len(appeals)), len(appeals))
    entries, picked, latest = [], [], {}
    for appeal, item in zip(appeals, items, strict=True):
        department = item["agent"].team.department
        offer = item["targets"][0].campaign.offer
        comment = history_comment(result=item["result"], offer=offer, department=department)
        for target in item["targets"]:
            entries.append(
                ContactHistoryEntry(
                    target=target,
                    result=item["result"],
                    comment=comment,
                    agent_id=item["agent"].user_id,
                    department=department,
                    appeal=appeal,
                    created_at=item["at"],
                )
            )
            picked.append(item["objections"])
            latest[target.pk] = (target, item["at"], item["result"])
    ContactHistoryEntry.objects.bulk_create(entries, batch_size=BATCH)
    through = ContactHistoryEntry.objections.through
    through.objects.bulk_create(
        [
            through(contacthistoryentry_id=entry.pk, objectiontype_id=objection.pk)
            for entry, objections in zip(entries, picked, strict=True)
            for objection in objections
        ],
        batch_size=BATCH,
    )
    changed = []
    for target, at, result in latest.values():
        if target.result_at is None or target.result_at < at:
            target.result, target.result_at = result, at
            changed.append(target)
    CampaignTarget.objects.bulk_update(changed, ["result", "result_at"], batch_size=BATCH)
    offer_results_rebuild(account_ids={item["account_id"] for item in items})
    tally.add("appeals created", len(appeals))
    tally.add("results recorded", len(entries))


def _appeal_texts(result) -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Marketing campaign"), str(ResultCode(result).label)

"""The learning's demo: a finished A/B test with a clear winner («Кино»: the version that starts
from what the customer watches won and was promoted), a running one on the second antivirus
campaign (the demo account's card shows its version), and the propensities of the demo month.

Deterministic (fixed generators) and idempotent: versions are known by campaign and label, an
appeal by its agent, account and start time; a run adds only what is missing.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext

from campaigns import catalogue
from campaigns.demo.accounts import DEMO_ACCOUNT
from campaigns.demo.campaigns import ANTIVIRUS_TEST_CAMPAIGN
from campaigns.learning import assignment, stats
from campaigns.learning import services as learning
from campaigns.models import (
    AgentProfile,
    Appeal,
    AppealTheme,
    Campaign,
    CampaignTarget,
    ContactHistoryEntry,
    ResultCode,
    ScriptVersion,
    SubscriberAccount,
    VersionStatus,
)
from campaigns.services.results import offer_results_rebuild
from campaigns.services.workspace import history_comment
from config.floor.seeding import SeedContext, Tally

FINISHED = "Кино_CRM_MR04"
RUNNING = ANTIVIRUS_TEST_CAMPAIGN
# The older «Кино» text the campaign's own script (the winner) was tested against.
FINISHED_A = "{customer}, для Вас есть пакет «Кино» за {monthly_price} ₽ в месяц. Подключить?"
RUNNING_B = (
    "{customer}, коротко: антивирус Касперского на два устройства, {promo_days} дней бесплатно, "
    "потом {price_per_day} ₽ в день. Промо-код придёт SMS. Подключаем?"
)
# How often customers agree in the demo's tests (cold offer; a heard need multiplies it).
RATES = {FINISHED: {"A": 0.12, "B": 0.40}, RUNNING: {"A": 0.20, "B": 0.25}}
HEARD_SHARE = 0.3


def run(ctx: SeedContext) -> dict[str, int]:
    tally = Tally()
    agents = list(
        AgentProfile.objects.select_related("team__department", "user").order_by("employee_number")
    )
    previous = (ctx.month_start - datetime.timedelta(days=1)).replace(day=1)
    recent = ctx.today - datetime.timedelta(days=12)
    tests = [
        (FINISHED, previous, previous + datetime.timedelta(days=25)),
        (RUNNING, recent, ctx.today),
    ]
    with transaction.atomic():
        for code, first_day, end in tests:
            campaign = Campaign.objects.filter(code=code).first()
            if campaign is None or not agents:
                continue
            versions = _versions(campaign)
            items = _plan(ctx, campaign, versions, agents, first_day, end)
            tally.add("A/B results", _write(items))
        finished = ScriptVersion.objects.filter(campaign__code=FINISHED, label="B").first()
        if (
            finished is not None
            and finished.status == VersionStatus.RUNNING
            and not (finished.is_control)
        ):
            learning.version_promote(version=finished)
            tally.add("versions promoted", 1)
    tally.add("propensities", learning.propensities_refresh())
    catalogue.bump()
    return dict(tally)


def _versions(campaign) -> list[ScriptVersion]:
    """Half the accounts each, made once. The finished test: A, the older text (control), against
    B, the campaign's own script, which won (so promoting it leaves the campaign as the campaigns
    step writes it). The running test: A, the campaign's script (control), against a shorter B."""
    if not campaign.script_versions.exists():
        if campaign.code == FINISHED:
            learning.version_add(
                campaign=campaign, label="A", script_template=FINISHED_A, is_control=True
            )
            learning.version_add(
                campaign=campaign, label="B", script_template=campaign.script_template
            )
        else:
            learning.versions_start(campaign=campaign)
            learning.version_add(campaign=campaign, label="B", script_template=RUNNING_B)
    return list(campaign.script_versions.order_by("label"))


def _plan(ctx, campaign, versions, agents, first_day, end) -> list[dict]:
    """One offer to each account of the target list, under the version the account sees (the
    weights of the test as it ran), at a moment of a working day in [first_day, end)."""
    rng = ctx.rng(f"learning:{campaign.code}")
    days = [
        first_day + datetime.timedelta(days=n)
        for n in range((end - first_day).days)
        if (first_day + datetime.timedelta(days=n)).weekday() < 5
    ]
    if not days:
        return []
    targets = (
        CampaignTarget.objects.filter(campaign=campaign)
        .exclude(account__number=DEMO_ACCOUNT)
        .select_related("account", "campaign__offer")
        .order_by("account__number")
    )
    items = []
    for target in targets:
        version = stats.assign(versions, stats.bucket(campaign.pk, target.account.number))
        heard = rng.random() < HEARD_SHARE
        rate = RATES[campaign.code][version.label]
        chance = min(0.9, rate * 2.5) if heard else rate
        agreed = rng.random() < chance
        moment = datetime.datetime.combine(rng.choice(days), datetime.time(9)) + datetime.timedelta(
            minutes=rng.randint(0, 600), seconds=rng.randint(0, 59)
        )
        items.append(
            {
                "agent": rng.choice(agents),
                "target": target,
                "version": version,
                "need_heard": heard,
                "result": ResultCode.AGREED if agreed else ResultCode.NOT_INTERESTED,
                "at": timezone.make_aware(moment),
            }
        )
    return items


def _write(items) -> int:
    """The appeals and results still missing, in bulk, with what the learning reads."""
    existing = set(
        Appeal.objects.filter(account_id__in={i["target"].account_id for i in items}).values_list(
            "agent_id", "account_id", "started_at"
        )
    )
    items = [
        i for i in items if (i["agent"].user_id, i["target"].account_id, i["at"]) not in existing
    ]
    if not items:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        detail = gettext("Marketing campaign")
    appeals = Appeal.objects.bulk_create(
        [
            Appeal(
                account_id=i["target"].account_id,
                agent_id=i["agent"].user_id,
                department=i["agent"].team.department,
                theme=AppealTheme.UPSELL,
                detail=detail,
                result=str(ResultCode(i["result"]).label),
                question_resolved=True,
                need_heard=i["need_heard"],
                closed_at=i["at"] + datetime.timedelta(minutes=5),
            )
            for i in items
        ]
    )
    Appeal.objects.filter(pk__in=[a.pk for a in appeals]).update(
        started_at=Case(
            *(When(pk=a.pk, then=Value(i["at"])) for a, i in zip(appeals, items, strict=True))
        )
    )
    codes = catalogue.current().service_codes
    services = {}
    held = SubscriberAccount.services.through.objects.filter(
        subscriberaccount_id__in={i["target"].account_id for i in items}
    )
    for account_id, service_id in held.values_list("subscriberaccount_id", "service_id"):
        services.setdefault(account_id, set()).add(service_id)
    entries = []
    for appeal, item in zip(appeals, items, strict=True):
        target = item["target"]
        department = item["agent"].team.department
        entries.append(
            ContactHistoryEntry(
                target=target,
                result=item["result"],
                comment=history_comment(
                    result=item["result"], offer=target.campaign.offer, department=department
                ),
                agent_id=item["agent"].user_id,
                department=department,
                appeal=appeal,
                created_at=item["at"],
                script_version=item["version"],
                need_heard=item["need_heard"],
                segment_key=assignment.segment_key(services.get(target.account_id, ()), codes),
            )
        )
        if target.result_at is None or target.result_at < item["at"]:
            target.result, target.result_at = item["result"], item["at"]
    ContactHistoryEntry.objects.bulk_create(entries)
    CampaignTarget.objects.bulk_update([i["target"] for i in items], ["result", "result_at"])
    offer_results_rebuild(account_ids={i["target"].account_id for i in items})
    return len(entries)

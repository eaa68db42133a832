"""The «Клиент согласен» behind every demo order (R7): an order follows an agreement, so the
funnel reads agreed ≥ ordered. For each order from a campaign, the account is on the campaign's
target list and the agent recorded «agreed» on it five minutes before registering the order.

Idempotent: an agreement is known by its recommendation, agent, result and time.
"""

import datetime

from django.db import transaction

from campaigns.models import CampaignTarget, ConnectionOrder, ContactHistoryEntry, ResultCode
from campaigns.services.results import offer_results_rebuild
from campaigns.services.workspace import history_comment
from config.floor.seeding import SeedContext, Tally

BEFORE_ORDER = datetime.timedelta(minutes=5)
BATCH = 500


@transaction.atomic
def run(ctx: SeedContext) -> dict[str, int]:
    tally = Tally()
    orders = list(
        ConnectionOrder.objects.filter(campaign__isnull=False)
        .select_related("campaign__offer", "agent__agent_profile__team__department")
        .order_by("created_at", "pk")
    )
    pairs = {(o.account_id, o.campaign_id) for o in orders}
    CampaignTarget.objects.bulk_create(
        [CampaignTarget(account_id=a, campaign_id=c) for a, c in sorted(pairs)],
        ignore_conflicts=True,
        batch_size=BATCH,
    )
    targets = {
        (t.account_id, t.campaign_id): t
        for t in CampaignTarget.objects.filter(
            account_id__in={a for a, _ in pairs}, campaign_id__in={c for _, c in pairs}
        )
    }
    existing = set(
        ContactHistoryEntry.objects.filter(result=ResultCode.AGREED).values_list(
            "target_id", "agent_id", "created_at"
        )
    )
    entries = []
    for order in orders:
        target = targets[(order.account_id, order.campaign_id)]
        at = order.created_at - BEFORE_ORDER
        if (target.pk, order.agent_id, at) in existing:
            continue
        profile = getattr(order.agent, "agent_profile", None)
        department = profile.team.department if profile else None
        entries.append(
            ContactHistoryEntry(
                target=target,
                result=ResultCode.AGREED,
                comment=history_comment(
                    result=ResultCode.AGREED, offer=order.campaign.offer, department=department
                ),
                agent_id=order.agent_id,
                department=department,
                appeal_id=order.appeal_id,
                created_at=at,
            )
        )
        if target.result_at is None or target.result_at < at:
            target.result, target.result_at = ResultCode.AGREED, at
    ContactHistoryEntry.objects.bulk_create(entries, batch_size=BATCH)
    CampaignTarget.objects.bulk_update(
        list(targets.values()), ["result", "result_at"], batch_size=BATCH
    )
    offer_results_rebuild(account_ids={a for a, _ in pairs})
    tally.add("agreements", len(orders))
    tally.add("agreements recorded", len(entries))
    return dict(tally)

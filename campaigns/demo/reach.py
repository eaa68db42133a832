"""A draft campaign for the manager to preview its reach before launching it (issue 12 §3):
«Кино» to every generated account, so that the preview shows the eligible accounts and each
reason that stops the others (not in the segment, already holds it, money, outage, …).

Made once: a manager who launched or edited it keeps what they did (a rerun adds only the
accounts missing from its list)."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from campaigns.demo.accounts import generated_accounts
from campaigns.models import Campaign, CampaignStatus, CampaignTarget, SubscriberAccount
from config.floor.seeding import SeedContext
from offers.demo import SEG_BB_TV
from offers.models import Offer, Segment

CODE = "Кино_черновик_MR12"
SCRIPT = (
    "{customer}, для Вас пакет «Кино»: премьеры и коллекции фильмов за {price_per_day} ₽ в день "
    "({monthly_price} ₽ в месяц). Подключим?"
)


@transaction.atomic
def run(ctx: SeedContext) -> dict[str, int]:
    campaign = Campaign.objects.filter(code=CODE).first()
    if campaign is None:
        next_month = (ctx.month_start + datetime.timedelta(days=32)).replace(day=1)
        campaign = Campaign.objects.create(
            code=CODE,
            name="Пакет «Кино» — черновик к следующему месяцу",
            offer=Offer.objects.get(code="iptv-kino"),
            script_template=SCRIPT,
            starts_on=next_month,
            status=CampaignStatus.DRAFT,
            priority=50,
            owner=get_user_model().objects.filter(username="manager").first(),
        )
        campaign.segments.set(Segment.objects.filter(code=SEG_BB_TV))
    numbers = [account.number for account in generated_accounts()]
    ids = SubscriberAccount.objects.filter(number__in=numbers).values_list("pk", flat=True)
    rows = [CampaignTarget(campaign=campaign, account_id=pk) for pk in ids]
    CampaignTarget.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return {"draft campaign targets": campaign.targets.count()}

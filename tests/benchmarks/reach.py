"""The reach preview of a draft campaign over a target list of 1,000,000 accounts (issue 12 §3).

Run: DATABASE_URL=postgres://... python -m tests.benchmarks reach
Builds a throw-away database with 1,000,000 accounts (each with the services of one of five
combinations, a tenth holding the campaign's offer, credit and advance, some blocked, negative or
short of funds, in five regions, one with an outage) and one draft campaign with two segments
targeting all of them (5 % refused recently). Then times, in the same run, alternately:

1. `campaigns.reach.reach_preview` (what the campaign page computes);
2. the bare baseline: `SELECT reason, COUNT(*) … GROUP BY reason` over the same target rows
   joined to their accounts, the reason a CASE over the account's own columns;

3. the same rows as the preview reads (the account with its services' mask, the offer held)
   grouped by one reason;

and prints each one's median of ROUNDS runs and the ratios (goal: ≤ 2 to the bare one).
"""

import os
import statistics
import sys
import time

import django

ACCOUNTS = 1_000_000
FIRST_NUMBER = 360_000_000_000
ROUNDS = 5
GOAL = 2.0
REGIONS = ["Москва", "Московская область", "Санкт-Петербург", "Казань", "Новосибирск"]
COMBOS = [["broadband"], ["iptv"], ["broadband", "iptv"], ["broadband", "phone"], []]

# The same rows as the preview reads (the target, its account with its services' mask, the offer
# held), grouped by one reason: what the preview adds beyond the rows it must read.
SAME_ROWS_SQL = """
SELECT x.reason, COUNT(*) FROM (
    SELECT CASE WHEN a.financial_block THEN 'financial_block'
                WHEN h.offer_id IS NOT NULL THEN 'already_has'
                WHEN a.service_mask = 0 THEN 'not_in_segment'
                ELSE 'none' END AS reason
    FROM {target} t JOIN {account} a ON a.id = t.account_id
    LEFT JOIN {offers} h ON h.subscriberaccount_id = t.account_id AND h.offer_id = %s
    WHERE t.campaign_id = %s
) x GROUP BY x.reason
"""
BARE_SQL = """
SELECT x.reason, COUNT(*) FROM (
    SELECT CASE WHEN a.financial_block THEN 'financial_block'
                WHEN a.balance < 0 THEN 'negative_balance'
                ELSE 'none' END AS reason
    FROM {target} t JOIN {account} a ON a.id = t.account_id
    WHERE t.campaign_id = %s
) x GROUP BY x.reason
"""


def _table(model) -> str:
    return model._meta.db_table


def _execute(sql: str, params=None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def populate():
    """The catalogue through the ORM, the volume through INSERT … SELECT generate_series."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from campaigns.models import Campaign, CampaignStatus, CampaignTarget, Outage, SubscriberAccount
    from campaigns.services.service_masks import account_service_masks_refresh
    from offers.models import Offer, OfferKind, Segment, Service, ServiceCode

    services = {
        code.value: Service.objects.get_or_create(code=code.value, defaults={"name": code.label})[0]
        for code in ServiceCode
    }
    offer = Offer.objects.create(
        code="bench-reach-offer",
        name="Антивирус",
        kind=OfferKind.SUBSCRIPTION,
        service=services["broadband"],
        monthly_price=Decimal("139.00"),
    )
    segments = []
    for codes in (["broadband"], ["broadband", "iptv"]):
        segment = Segment.objects.create(code="bench-" + "-".join(codes), name="+".join(codes))
        segment.services.set([services[c] for c in codes])
        segments.append(segment)
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        code="BENCH_REACH",
        name="Охват",
        offer=offer,
        script_template="{customer}",
        starts_on=today,
        status=CampaignStatus.DRAFT,
        cooldown_days=30,
    )
    campaign.segments.set(segments)
    Outage.objects.create(
        title="Авария", region="Казань", starts_at=timezone.now() - datetime.timedelta(hours=1)
    )
    accounts = _table(SubscriberAccount)
    _execute("SELECT setseed(0.12)")
    _execute(
        f"""
        INSERT INTO {accounts} (number, surname, first_name, patronymic, payment_model, balance,
            financial_block, contact_phone, email, region, crm_updated_at, created_at, updated_at)
        SELECT (%s::bigint + g)::text, 'Иванов', 'Иван', 'Иванович',
            CASE WHEN random() < 0.6 THEN 'credit' ELSE 'advance' END,
            round((random() * 600 - 100)::numeric, 2), random() < 0.03, '', '',
            (%s::text[])[1 + mod(g, %s)], now(), now(), now()
        FROM generate_series(1, %s) AS g
        """,
        [FIRST_NUMBER, REGIONS, len(REGIONS), ACCOUNTS],
    )
    field = SubscriberAccount._meta.get_field("services")
    pairs = [(i, services[c].pk) for i, codes in enumerate(COMBOS) for c in codes]
    _execute(
        f"""
        INSERT INTO {field.m2m_db_table()} ({field.m2m_column_name()}, {field.m2m_reverse_name()})
        SELECT a.id, s.service_id
        FROM (SELECT id, floor(random() * %s)::int AS combo FROM {accounts} OFFSET 0) AS a
        JOIN unnest(%s::int[], %s::bigint[]) AS s(combo, service_id) ON s.combo = a.combo
        """,
        [len(COMBOS), [c for c, _ in pairs], [s for _, s in pairs]],
    )
    account_service_masks_refresh()  # what every write of the services keeps (not timed)
    field = SubscriberAccount._meta.get_field("offers")
    _execute(
        f"""
        INSERT INTO {field.m2m_db_table()} ({field.m2m_column_name()}, {field.m2m_reverse_name()})
        SELECT id, %s FROM {accounts} WHERE random() < 0.1
        """,
        [offer.pk],
    )
    _execute(
        f"""
        INSERT INTO {_table(CampaignTarget)} (campaign_id, account_id, added_at, result, result_at)
        SELECT %s, id, now(),
            CASE WHEN x < 0.05 THEN 'not_interested' ELSE 'not_offered' END,
            CASE WHEN x < 0.05 THEN now() - x * interval '1200 days' END
        FROM (SELECT id, random() AS x FROM {accounts} OFFSET 0) AS a
        """,
        [campaign.pk],
    )
    _execute("VACUUM ANALYZE")
    return campaign


def _ms(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from campaigns.models import CampaignTarget, SubscriberAccount
    from campaigns.reach import reach_preview

    if not settings.IS_POSTGRES:
        print("needs PostgreSQL: set DATABASE_URL=postgres://...")
        return 1
    old_config = setup_databases(verbosity=0, interactive=False, serialized_aliases=[])
    try:
        started = time.perf_counter()
        campaign = populate()
        print(f"  {ACCOUNTS:,} targets built in {time.perf_counter() - started:.0f} s")
        quote = connection.ops.quote_name
        tables = {
            "target": quote(_table(CampaignTarget)),
            "account": quote(_table(SubscriberAccount)),
            "offers": quote(SubscriberAccount.offers.through._meta.db_table),
        }
        bare_sql = BARE_SQL.format(**tables)
        same_sql = SAME_ROWS_SQL.format(**tables)

        def bare():
            with connection.cursor() as cursor:
                cursor.execute(bare_sql, [campaign.pk])
                return cursor.fetchall()

        def same_rows():
            with connection.cursor() as cursor:
                cursor.execute(same_sql, [campaign.offer_id, campaign.pk])
                return cursor.fetchall()

        reach = reach_preview(campaign=campaign)  # warm all three
        bare()
        same_rows()
        preview_times, bare_times, same_times = [], [], []
        for _ in range(ROUNDS):  # in turn, so all see the same load
            preview_times.append(_ms(lambda: reach_preview(campaign=campaign)))
            bare_times.append(_ms(bare))
            same_times.append(_ms(same_rows))
    finally:
        teardown_databases(old_config, verbosity=0)
    preview, baseline = statistics.median(preview_times), statistics.median(bare_times)
    same = statistics.median(same_times)
    ratio = preview / baseline
    print(
        f"  targets {reach.targets:,}, eligible {reach.eligible:,}, reasons "
        + ", ".join(f"{code} {n:,}" for code, _label, n in reach.reasons)
    )
    print(
        f"  reach preview median {preview:.0f} ms, bare GROUP BY reason {baseline:.0f} ms, "
        f"the same rows GROUP BY reason {same:.0f} ms"
    )
    print(f"  goal: ratio ≤ {GOAL}: {'met' if ratio <= GOAL else 'NOT met'}")
    return {
        "reach preview / bare COUNT(*) GROUP BY reason (targets ⋈ accounts)": ratio,
        "reach preview / COUNT(*) GROUP BY reason over the same rows": preview / same,
    }


if __name__ == "__main__":
    sys.exit(main())

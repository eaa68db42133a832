"""The monthly conversions job on PostgreSQL: 5,000 agents, 1,000,000 orders in a month.

Run: DATABASE_URL=postgres://... python -m tests.benchmarks rewards_job
Builds a throw-away database (test_<name>) with the demo catalogue and reward table, 250 teams of
20 agents (100 of whom moved team on 15 October), 100,000 accounts (half of them holding a
broadband tariff, so tiered and ARPU rules both come up; each order records the plan it replaces
as registration does), 1,000,000 orders in October 2025 (60% connected, 25% sent, 10% registered,
5% cancelled, a third of those after connection within the clawback window; one in ten carries an
extra of the ДК form) and 500,000 saved results on 100,000 recommendations.

It times, in the same process and alternately, the job (`services.conversions_compute`, the
rows written) and the bare SQL aggregates it is built on (the same four GROUP BYs: orders and
saved results by agent, saved results and orders by campaign, counting only: no reward rules,
teams, extras, targets, merging or writes), and prints the ratio (goal: at most 1.5). The
leaderboard pages are timed by `leaderboard.py` on the same data.

BENCH_KEEP_DB=1 keeps the populated database (named bench_rewards_job_<database>, apart from the
test runner's test_<name>) after the run and reuses it on the next one when it holds the data
(populating takes minutes; profile between runs on it). The month's stored rows are deleted
before timing, so the first run writes every row as on a fresh database.
"""

import datetime
import os
import statistics
import sys
import time

import django

AGENTS = 5_000
TEAM_SIZE = 20
ACCOUNTS = 100_000
ORDERS = 1_000_000
TARGETS = 100_000
RESULTS = 500_000
ROUNDS = 3
MONTH = datetime.date(2025, 10, 1)


def _sql(statement, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def _populate_floor():
    from django.contrib.auth.hashers import make_password

    from campaigns.models import Department
    from config.floor.seeding import SeedContext
    from offers import demo as catalogue
    from rewards.demo import rules as rewards

    ctx = SeedContext(today=datetime.date(2025, 11, 20))
    catalogue.run(ctx)
    rewards.run(ctx)
    department = Department.objects.create(code="BENCH", name="Бенчмарк")
    _sql(
        "INSERT INTO campaigns_team (name, department_id) "
        "SELECT 'Команда ' || t, %s FROM generate_series(1, %s) t",
        [department.pk, AGENTS // TEAM_SIZE],
    )
    _sql(
        "INSERT INTO auth_user (username, password, first_name, last_name, email, is_staff, "
        "is_active, is_superuser, date_joined) SELECT 'agent-' || i, %s, 'Агент', "
        "'Агентов ' || i, '', false, true, false, now() FROM generate_series(1, %s) i",
        [make_password(None), AGENTS],
    )
    _sql(
        "INSERT INTO campaigns_agentprofile (user_id, team_id, employee_number, started_on) "
        "SELECT u.id, t.id, 'B' || u.id, "
        "CASE WHEN u.id %% 50 = 0 THEN DATE '2025-10-15' ELSE DATE '2024-01-15' END "
        "FROM auth_user u JOIN campaigns_team t ON t.name = 'Команда ' || "
        "(1 + (split_part(u.username, '-', 2)::int - 1) / %s) "
        "WHERE u.username LIKE 'agent-%%'",
        [TEAM_SIZE],
    )
    _sql(
        "INSERT INTO campaigns_subscriberaccount (number, surname, first_name, patronymic, "
        "payment_model, balance, financial_block, contact_phone, email, region, created_at, "
        "updated_at) SELECT lpad((352000000000 + i)::text, 12, '0'), 'Абонент', 'Иван', '', "
        "'advance', 100, false, '', '', 'Москва', now(), now() FROM generate_series(1, %s) i",
        [ACCOUNTS],
    )
    _sql(
        "INSERT INTO campaigns_subscriberaccount_offers (subscriberaccount_id, offer_id) "
        "SELECT a.id, o.id FROM campaigns_subscriberaccount a, offers_offer o "
        "WHERE o.code = 'bb-bazovy-100' AND a.id %% 2 = 0"
    )


def _populate_orders():
    from campaigns.models import Campaign, InstallerSlot, SalesChannel
    from offers.models import Offer, Technology

    technology = Technology.objects.create(code="bench", name="FTTB")
    channel = SalesChannel.objects.create(code="bench", name="26 Обслуживание МЦ НТТ")
    start = datetime.datetime(2025, 9, 1, 9, tzinfo=datetime.UTC)
    slot = InstallerSlot.objects.create(
        starts_at=start, ends_at=start + datetime.timedelta(hours=3), capacity=30000
    )
    # What agents sell: mostly options and subscriptions, some tariff moves and new services.
    codes = [
        "kaspersky-2", "kaspersky-2-safe-kids", "iptv-kino", "iptv-amediateka", "bb-uskorenie",
        "iptv-vip", "phone-tvoya-strana-200", "video-surveillance", "bb-optimalny-300",
        "bb-maksimalny-500", "broadband-100", "iptv-basic", "bb-igrovoy", "dlya-svoih",
    ]  # fmt: skip
    offers = {o.code: o for o in Offer.objects.filter(code__in=codes)}
    ids = [offers[code].pk for code in codes]
    campaign = Campaign.objects.create(
        code="BENCH_1", name="Бенчмарк", offer=offers["kaspersky-2"], starts_on=MONTH,
        script_template="{customer}", status="active",
    )  # fmt: skip
    tariff = offers["bb-optimalny-300"].pk
    _sql(
        "INSERT INTO campaigns_connectionorder (reference, account_id, agent_id, campaign_id, "
        "product_id, full_name, contact_phone, connection_address, registration_address, "
        "passport_ciphertext, technology_id, service_id, sales_channel_id, tariff_id, slot_id, "
        "comment, status, cancel_reason, clawback, external_id, created_at, sent_at, "
        "connected_at, cancelled_at, updated_at, previous_tariff_id, previous_monthly_fee) "
        "SELECT md5(i::text)::uuid, o.account, u.first + (i %% %(agents)s), "
        "CASE WHEN i %% 3 = 0 THEN %(campaign)s END, o.sale, "
        "'Иванов Иван', '+79160000000', 'Москва', 'Москва', '', %(tech)s, "
        "(SELECT id FROM offers_service WHERE code = 'broadband'), %(channel)s, %(tariff)s, "
        "%(slot)s, '', s.status, CASE WHEN s.status = 'cancelled' THEN 'Передумал' ELSE '' END, "
        "s.status = 'cancelled' AND i %% 60 < 1, '', c.created, c.created + interval '1 hour', "
        "CASE WHEN s.status = 'connected' OR (s.status = 'cancelled' AND i %% 60 < 1) "
        "THEN c.created + interval '2 days' END, "
        "CASE WHEN s.status = 'cancelled' THEN c.created + interval '5 days' END, now(), "
        "p.id, p.monthly_price "
        "FROM generate_series(1::bigint, %(orders)s) i "
        "CROSS JOIN (SELECT min(id) AS first FROM campaigns_subscriberaccount) a "
        "CROSS JOIN (SELECT min(user_id) AS first FROM campaigns_agentprofile) u "
        "CROSS JOIN LATERAL (SELECT a.first + (i %% %(accounts)s) AS account, "
        "(%(ids)s::bigint[])[1 + i %% %(n)s] AS sale) o "
        # What registration records: the account's dearest plan of the sale's service.
        "LEFT JOIN LATERAL (SELECT held.id, held.monthly_price "
        "FROM campaigns_subscriberaccount_offers h "
        "JOIN offers_offer held ON held.id = h.offer_id "
        "JOIN offers_offer sold ON sold.id = o.sale "
        "WHERE h.subscriberaccount_id = o.account AND held.kind IN ('tariff', 'service') "
        "AND held.service_id = sold.service_id AND held.id <> sold.id "
        "ORDER BY held.monthly_price DESC, held.id LIMIT 1) p ON true "
        "CROSS JOIN LATERAL (SELECT CASE WHEN i %% 20 < 12 THEN 'connected' "
        "WHEN i %% 20 < 17 THEN 'sent' WHEN i %% 20 < 19 THEN 'registered' "
        "ELSE 'cancelled' END AS status) s "
        "CROSS JOIN LATERAL (SELECT TIMESTAMPTZ '2025-10-01 07:00+03' "
        "+ ((i * 7919) %% (25 * 24 * 60)) * interval '1 minute' AS created) c",
        {
            "accounts": ACCOUNTS, "agents": AGENTS, "campaign": campaign.pk, "ids": ids,
            "n": len(ids), "tech": technology.pk, "channel": channel.pk, "tariff": tariff,
            "slot": slot.pk, "orders": ORDERS,
        },
    )  # fmt: skip
    return campaign


def _populate_extras_and_moves():
    """One order in ten carries an extra («Кино» or «VIP»); 100 agents moved team mid-month."""
    _sql(
        "INSERT INTO campaigns_connectionorder_extras (connectionorder_id, offer_id) "
        "SELECT o.id, (SELECT id FROM offers_offer WHERE code = "
        "CASE WHEN o.id %% 2 = 0 THEN 'iptv-kino' ELSE 'iptv-vip' END) "
        "FROM campaigns_connectionorder o WHERE o.id %% 10 = 0"
    )
    from campaigns.models import AgentProfile, Team
    from campaigns.services import membership_create

    teams = list(Team.objects.filter(department__code="BENCH").order_by("pk"))
    for i, profile in enumerate(
        AgentProfile.objects.filter(
            team__department__code="BENCH", started_on__lt=datetime.date(2025, 10, 1)
        ).order_by("pk")[:: AGENTS // 100]
    ):
        new = teams[(teams.index(profile.team) + 1) % len(teams)]
        membership_create(
            agent=profile.user, team=profile.team, valid_from=profile.started_on,
            valid_to=datetime.date(2025, 10, 14),
        )  # fmt: skip
        membership_create(agent=profile.user, team=new, valid_from=datetime.date(2025, 10, 15))
        AgentProfile.objects.filter(pk=profile.pk).update(team=new)
        if i >= 99:
            break


def _populate_results(campaign):
    _sql(
        "INSERT INTO campaigns_campaigntarget (campaign_id, account_id, added_at, result) "
        "SELECT %s, id, now(), 'not_offered' FROM campaigns_subscriberaccount "
        "ORDER BY id LIMIT %s",
        [campaign.pk, TARGETS],
    )
    _sql(
        "INSERT INTO campaigns_contacthistoryentry (target_id, action, result, comment, "
        "agent_comment, agent_id, created_at) "
        "SELECT t.first + (i %% %s), 'informed', (ARRAY['not_offered', 'not_interested', "
        "'thinking', 'agreed'])[1 + i %% 4], 'Бенчмарк', '', u.first + (i %% %s), "
        "TIMESTAMPTZ '2025-10-01 09:00+03' + ((i * 104729) %% (28 * 24 * 60)) * interval '1 minute' "
        "FROM generate_series(1::bigint, %s) i "
        "CROSS JOIN (SELECT min(id) AS first FROM campaigns_campaigntarget) t "
        "CROSS JOIN (SELECT min(user_id) AS first FROM campaigns_agentprofile) u",
        [TARGETS, AGENTS, RESULTS],
    )
    _sql("ANALYZE")


def _populated() -> bool:
    """Whether a kept database holds this benchmark's data (every order and result)."""
    from campaigns.models import ConnectionOrder, ContactHistoryEntry

    return (
        ConnectionOrder.objects.count() == ORDERS and ContactHistoryEntry.objects.count() == RESULTS
    )


def _forget_month():
    """A kept database's stored figures of the month go, so the job writes them as on a new one."""
    from rewards.models import AgentMonth, CampaignMonth, ConversionRun

    AgentMonth.objects.filter(month=MONTH).delete()
    CampaignMonth.objects.filter(month=MONTH).delete()
    ConversionRun.objects.filter(month=MONTH).delete()
    _sql("VACUUM ANALYZE rewards_agentmonth")


def _timed(function):
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def _measure_job():
    from rewards import selectors, services

    def bare():
        list(selectors.bare_order_aggregates(MONTH))
        list(selectors.funnel_aggregates(MONTH))
        list(selectors.funnel_aggregates(MONTH, by="target__campaign_id"))
        list(selectors.campaign_order_aggregates(MONTH))

    def job():
        services.conversions_compute(month=MONTH)

    bare()  # warm the caches
    jobs, bares = [], []
    for _round in range(ROUNDS):
        jobs.append(_timed(job))
        bares.append(_timed(bare))
    job_s, bare_s = statistics.median(jobs), statistics.median(bares)
    print(f"  job (first run {jobs[0]:.2f} s): median {job_s:.2f} s over {ROUNDS} runs")
    print(f"  bare aggregates: median {bare_s:.2f} s")
    print(f"  ratio: {job_s / bare_s:.2f} (goal <= 1.5)")
    return job_s / bare_s


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    if not settings.IS_POSTGRES:
        print("needs PostgreSQL: set DATABASE_URL=postgres://...")
        return 1
    keep = os.environ.get("BENCH_KEEP_DB") == "1"
    if keep:
        from django.db import connection

        name = f"bench_rewards_job_{connection.settings_dict['NAME']}"
        connection.settings_dict["TEST"]["NAME"] = name
    old_config = setup_databases(verbosity=0, interactive=False, keepdb=keep, serialized_aliases=[])
    reuse = keep and _populated()
    if keep and not reuse:  # a database kept half-populated (a run stopped) starts again
        teardown_databases(old_config, verbosity=0)
        old_config = setup_databases(verbosity=0, interactive=False, serialized_aliases=[])
    try:
        if reuse:
            _forget_month()
            print(f"reusing the populated database ({AGENTS} agents, {ORDERS} orders)")
        else:
            started = time.perf_counter()
            _populate_floor()
            campaign = _populate_orders()
            _populate_extras_and_moves()
            _populate_results(campaign)
            print(
                f"populated {AGENTS} agents, {ORDERS} orders, {RESULTS} results "
                f"in {time.perf_counter() - started:.0f} s"
            )
        ratio = _measure_job()
    finally:
        teardown_databases(old_config, verbosity=0, keepdb=keep)
    return {"job / bare aggregates": ratio}


def populate():
    """The data of this benchmark, for another one (the leaderboard) to time its pages on."""
    started = time.perf_counter()
    _populate_floor()
    campaign = _populate_orders()
    _populate_extras_and_moves()
    _populate_results(campaign)
    print(f"populated {AGENTS} agents, {ORDERS} orders in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    sys.exit(main())

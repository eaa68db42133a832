"""The recommendations endpoint under load, served by gunicorn on PostgreSQL (issue 3).

Run: DATABASE_URL=postgres://... python -m tests.benchmarks recommendations
Builds a throw-away database (test_<name>) with 100,000 accounts, 200 campaigns (60 offers,
7 segments), each account on 5-15 target lists (~1M targets), ~135k history entries and 20k
closed appeals, serves the project with gunicorn on a free loopback port, then measures:

1. requests/s of `GET /api/v1/accounts/{number}/recommendations/` on random accounts, as a ratio
   to the bare authenticated DRF endpoint `GET /api/v1/auth/me/` served by the same server in
   the same run: 8 keep-alive clients in 2 processes, six alternating rounds of each endpoint of
   at most 500 requests or 4 s (the same 3,000 requests as two rounds of 1,500 did, but short
   rounds, so that a load the shared machine carries for a while weighs on both endpoints alike)
   (goal: ratio >= 0.8, issue 13; issue 3 asked 0.5). Also prints each endpoint's server CPU
   per request (gunicorn's processes and the database's backends, from /proc), which what else
   runs moves too (a busy neighbour slows every instruction) but less than req/s;
2. result recordings/s with 50 concurrent clients (`POST .../recommendations/{id}/result/`, a
   unique Idempotency-Key each, every client an agent of its own working its own 4 accounts), as
   a ratio to a bare one-row insert endpoint (tests.benchmarks._bare: the same server, auth,
   parser and clients, one INSERT in one transaction) in the same run: after a short warm-up of
   each, six alternating rounds of each endpoint of at most 40 requests per client or 4 s (the
   order flips every round: bare, result, result, bare, ...), the ratio of the totals, so that a
   load the shared machine carries for a while weighs on both alike (goal: ratio >= 0.5, issue
   10). Then checks that every acknowledged (201) write is in the database, with its idempotency
   key and one history entry per campaign of the product (R6), and every acknowledged bare insert
   in its table. Also prints each endpoint's server CPU per write, as the reads part does. As in
   production, the tasks a write queues go to a broker (Redis, BENCH_BROKER_URL, default db 14,
   emptied afterwards), not run in the request.

BENCH_PARTS=reads or BENCH_PARTS=writes runs only that part (default: both).

BENCH_KEEP_DB=1 keeps the populated database for the next run instead of dropping it (named
bench_<database>, not test_<database>, so pytest never drops it), and a later run with it reuses
that database when it holds the benchmark's accounts (populating takes minutes; for profiling
and repeated read runs). The writes part adds its rows to a kept database (history entries,
appeals, idempotency keys): its figures are only comparable on a fresh one. Drop it with
`dropdb bench_<database>`.

Also prints the SQL queries per request of both endpoints (in-process, on a sample of accounts).
Returns 1 without PostgreSQL, if an answer of the read test is not 200, or if an acknowledged
write is missing.
"""

import json
import os
import random
import sys
import time
import urllib.parse
from collections import Counter
from pathlib import Path

import django

from tests.benchmarks import _bare, _load

ACCOUNTS = 100_000
CAMPAIGNS = 200
OFFERS = 60
TARGETS_PER_ACCOUNT = (5, 15)
APPEALS = 20_000
FIRST_NUMBER = 350_000_000_000
GOAL = 0.8

# gunicorn: two processes for two cores, a few threads each so one waits on PostgreSQL while
# another runs Python.
SERVER_WORKERS = 2
SERVER_THREADS = 4

READ_CLIENTS = 8
READ_PROCESSES = 2
READ_ROUNDS = 6
READ_REQUESTS = 500  # per round and endpoint
READ_SECONDS = 4.0  # per round and endpoint
WARMUP_REQUESTS = 200

WRITE_CLIENTS = 50
WRITE_PROCESSES = 5
WRITE_ACCOUNTS_PER_CLIENT = 4
WRITE_ROUNDS = 6
WRITE_REQUESTS_PER_CLIENT = 40  # per round and endpoint
WRITE_SECONDS = 4.0  # per round and endpoint
WRITE_WARMUP_PER_CLIENT = 4  # per endpoint, before the rounds, not counted
WRITE_KEY_PREFIX = "bench-w-"
WRITE_GOAL = 0.5
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")
# Which parts run: "reads", "writes" or both (the default), comma-separated.
PARTS = set(os.environ.get("BENCH_PARTS", "reads,writes").split(","))
# Keep the populated database (bench_<database>) and reuse it on the next run.
KEEP_DB = os.environ.get("BENCH_KEEP_DB", "") == "1"

QUERY_SAMPLE = 20

SURNAMES = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов"]
FIRST_NAMES = ["Александр", "Сергей", "Дмитрий", "Андрей", "Алексей", "Максим", "Евгений", "Иван"]
PATRONYMICS = ["Александрович", "Сергеевич", "Дмитриевич", "Андреевич", "Иванович", "Петрович"]
REGIONS = ["Москва", "Московская область", "Санкт-Петербург", "Казань", "Новосибирск"]
SEGMENTS = {
    "bench-inet": ["broadband"],
    "bench-tv": ["iptv"],
    "bench-inet-tv": ["broadband", "iptv"],
    "bench-inet-phone": ["broadband", "phone"],
    "bench-inet-tv-phone": ["broadband", "iptv", "phone"],
    "bench-inet-mobile": ["broadband", "mobile"],
    "bench-tv-phone": ["iptv", "phone"],
}
SCRIPTS = [
    "{customer}, для вас {offer} всего за {price_per_day} ₽ в день ({monthly_price} ₽ в месяц).",
    "{customer}, подключите {offer}: первые {promo_days} дней бесплатно, затем {monthly_price} ₽.",
    "{customer}, {offer} со скоростью {speed} Мбит/с; за этот месяц спишем {first_charge} ₽.",
]


def _table(model) -> str:
    return model._meta.db_table


def _execute(sql: str, params=None) -> int:
    """Run one statement; table names come from the models' Meta, every value is a parameter."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _foreign_key_checks(*, enabled: bool) -> bool:
    """The generated rows only use ids read from their tables, so the bulk inserts may skip the
    foreign-key triggers (halves the time for the targets); needs a superuser, else no-op."""
    from django.db import DatabaseError, transaction

    try:
        with transaction.atomic():
            _execute(f"SET session_replication_role = {'DEFAULT' if enabled else 'replica'}")
    except DatabaseError:
        return False
    return True


def _catalogue(rng):
    """Services, segments, offers and campaigns through the ORM's bulk_create."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from campaigns.models import Campaign, CampaignStatus
    from offers.models import Offer, OfferKind, Segment, Service, ServiceCode

    services = {}
    for order, code in enumerate(ServiceCode):
        services[code.value], _created = Service.objects.get_or_create(
            code=code.value, defaults={"name": str(code.label), "order": order}
        )
    segments = Segment.objects.bulk_create([Segment(code=code, name=code) for code in SEGMENTS])
    Segment.services.through.objects.bulk_create(
        [
            Segment.services.through(segment_id=segment.pk, service_id=services[code].pk)
            for segment in segments
            for code in SEGMENTS[segment.code]
        ]
    )
    service_list = list(services.values())
    offers = Offer.objects.bulk_create(
        [
            Offer(
                code=f"bench-offer-{i}",
                name=f"Предложение {i}",
                kind=rng.choice(list(OfferKind)),
                service=service_list[i % len(service_list)],
                monthly_price=Decimal(rng.choice([49, 99, 139, 199, 299, 450, 650, 890])),
                promo_days=rng.choice([0, 0, 7, 14, 30]),
                speed_mbps=rng.choice([None, 100, 300, 500]),
            )
            for i in range(OFFERS)
        ]
    )
    today = timezone.localdate()
    statuses = [CampaignStatus.ACTIVE] * 17 + [CampaignStatus.PAUSED, CampaignStatus.DRAFT]
    campaigns = Campaign.objects.bulk_create(
        [
            Campaign(
                code=f"BENCH_{i:03d}",
                name=f"Кампания {i}",
                # Three campaigns in a row share a product: R6 siblings for accounts on them.
                offer=offers[(i // 3) % OFFERS],
                script_template=rng.choice(SCRIPTS),
                connection_script_template="Оформляю {offer}, {customer}.",
                starts_on=today - datetime.timedelta(days=rng.randint(1, 90)),
                ends_on=today - datetime.timedelta(days=1) if i % 20 == 19 else None,
                priority=rng.choice([50, 100, 100, 150, 200]),
                status=rng.choice(statuses),
                cooldown_days=30,
            )
            for i in range(CAMPAIGNS)
        ]
    )
    through = Campaign.segments.through
    through.objects.bulk_create(
        [
            through(campaign_id=campaign.pk, segment_id=segment.pk)
            for campaign in campaigns
            if rng.random() < 0.5
            for segment in rng.sample(segments, rng.randint(1, 2))
        ]
    )
    _reward_rules(services, offers)
    return services, segments, offers, campaigns


def _reward_rules(services, offers):
    """A reward catalogue like the deck's, so that every card's `reward` is worked out: fixed
    amounts for the options, subscriptions and packages, bands for moves between tariffs, a
    share of ARPU for a new service (one transaction: the bands are checked at commit)."""
    from django.db import transaction

    with transaction.atomic():
        _write_reward_rules(services, offers)


def _write_reward_rules(services, offers):
    import datetime
    from decimal import Decimal

    from offers.models import OfferKind
    from rewards.models import RewardBand, RewardKind, RewardRule

    start = datetime.date(2019, 1, 1)
    plans = [o for o in offers if o.kind in (OfferKind.TARIFF, OfferKind.SERVICE)]
    for i, offer in enumerate(o for o in offers if o not in plans):
        rule = RewardRule.objects.create(
            code=f"bench-fixed-{i}", name=f"Фикс {i}", service=offer.service,
            kind=RewardKind.FIXED, amount=Decimal(15 + 5 * (i % 8)), valid_from=start,
        )  # fmt: skip
        rule.offers.set([offer])
    tiered = RewardRule.objects.create(
        code="bench-move", name="Смена ТП", service=services["broadband"],
        kind=RewardKind.TIERED, valid_from=start,
    )  # fmt: skip
    tiered.offers.set([o for o in plans if o.kind == OfferKind.TARIFF])
    for low, high, amount in ((0, 100, 15), (100, 300, 50), (300, None, 100)):
        RewardBand.objects.create(
            rule=tiered, min_increase=Decimal(low), amount=Decimal(amount),
            max_increase=None if high is None else Decimal(high),
        )  # fmt: skip
    for code in services:
        RewardRule.objects.create(
            code=f"bench-arpu-{code}", name=f"Доля ARPU {code}", service=services[code],
            kind=RewardKind.ARPU_SHARE, arpu_share=Decimal("0.75"), valid_from=start,
        )  # fmt: skip


def _agents(count: int):
    """`count` agents of one department with their API tokens; returns [(user, token key)]."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from campaigns.models import AgentProfile, Department, Team
    from config.floor import roles

    User = get_user_model()
    department = Department.objects.create(code="BENCH", name="ЦОО")
    team = Team.objects.create(name="Бенчмарк", department=department)
    users = User.objects.bulk_create(
        [
            User(username=f"bench-agent-{i:02d}", first_name="Агент", last_name=f"№{i}")
            for i in range(count)
        ]
    )
    group = Group.objects.get(name=roles.AGENTS)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=user.pk, group_id=group.pk) for user in users]
    )
    AgentProfile.objects.bulk_create(
        [
            AgentProfile(
                user=user,
                team=team,
                employee_number=f"B{i:05d}",
                started_on=datetime.date(2024, 1, 1),
            )
            for i, user in enumerate(users)
        ]
    )
    tokens = Token.objects.bulk_create(
        [Token(user=user, key=Token.generate_key()) for user in users]
    )
    return department, [(user, token.key) for user, token in zip(users, tokens, strict=True)]


def _accounts(services, offers):
    from campaigns.models import SubscriberAccount

    table = _table(SubscriberAccount)
    _execute("SELECT setseed(0.42)")
    _execute(
        f"""
        INSERT INTO {table} (number, surname, first_name, patronymic, payment_model, balance,
            financial_block, contact_phone, email, region, crm_updated_at, created_at, updated_at)
        SELECT (%s::bigint + g)::text,
            (%s::text[])[1 + mod(g, %s)], (%s::text[])[1 + mod(g / 7, %s)],
            (%s::text[])[1 + mod(g / 3, %s)],
            CASE WHEN random() < 0.6 THEN 'credit' ELSE 'advance' END,
            round((random() * 3000 - 200)::numeric, 2), random() < 0.03,
            '+7 9' || lpad(mod(g * 7919, 1000000000)::text, 9, '0'),
            'client' || g || '@example.com', (%s::text[])[1 + mod(g, %s)],
            now(), now(), now()
        FROM generate_series(1, %s) AS g
        """,
        [
            FIRST_NUMBER,
            SURNAMES, len(SURNAMES), FIRST_NAMES, len(FIRST_NAMES), PATRONYMICS, len(PATRONYMICS),
            REGIONS, len(REGIONS),
            ACCOUNTS,
        ],
    )  # fmt: skip
    # Each account holds exactly the services of one segment (so segment checks both pass and
    # fail), a quarter of them one offer already.
    field = SubscriberAccount._meta.get_field("services")
    combos = [(i, services[code].pk) for i, codes in enumerate(SEGMENTS.values()) for code in codes]
    _execute(
        f"""
        INSERT INTO {field.m2m_db_table()} ({field.m2m_column_name()}, {field.m2m_reverse_name()})
        SELECT a.id, s.service_id
        FROM (SELECT id, floor(random() * %s)::int AS combo FROM {table} OFFSET 0) AS a
        JOIN unnest(%s::int[], %s::bigint[]) AS s(combo, service_id) ON s.combo = a.combo
        """,
        [len(SEGMENTS), [c for c, _ in combos], [s for _, s in combos]],
    )
    field = SubscriberAccount._meta.get_field("offers")
    _execute(
        f"""
        INSERT INTO {field.m2m_db_table()} ({field.m2m_column_name()}, {field.m2m_reverse_name()})
        SELECT id, (%s::bigint[])[1 + floor(random() * %s)::int]
        FROM {table} WHERE random() < 0.25
        """,
        [[o.pk for o in offers], len(offers)],
    )


def _targets():
    """5-15 distinct campaigns per account: a start and a step coprime with the campaign count,
    so consecutive picks never repeat; ~10 % of them with a result already."""
    from campaigns.models import Campaign, CampaignTarget, SubscriberAccount

    low, high = TARGETS_PER_ACCOUNT
    return _execute(
        f"""
        INSERT INTO {_table(CampaignTarget)} (campaign_id, account_id, added_at, result, result_at)
        SELECT campaign_id, account_id, now() - interval '60 days',
            CASE WHEN x < 0.05 THEN 'thinking' WHEN x < 0.08 THEN 'not_interested'
                 WHEN x < 0.09 THEN 'agreed' ELSE 'not_offered' END,
            CASE WHEN x < 0.09 THEN now() - x * interval '600 days' END
        FROM (
            SELECT c.id AS campaign_id, a.id AS account_id, random() AS x
            FROM (
                SELECT id, %s + floor(random() * %s)::int AS n,
                    floor(random() * %s)::int AS base,
                    (ARRAY[1, 1, 1, 3, 7, 11, 13, 17, 19, 23])[1 + floor(random() * 10)::int]
                        AS step
                FROM {_table(SubscriberAccount)} OFFSET 0
            ) AS a
            CROSS JOIN LATERAL generate_series(0, a.n - 1) AS k
            JOIN (
                SELECT id, (row_number() OVER (ORDER BY id) - 1)::int AS idx
                FROM {_table(Campaign)}
            ) AS c ON c.idx = mod(a.base + k * a.step, %s)
            OFFSET 0
        ) AS t
        """,
        [low, high - low + 1, CAMPAIGNS, CAMPAIGNS],
    )


def _history(department, agents):
    """One entry per target with a result, a second, earlier one for half of them, and closed
    appeals of the same agents."""
    from campaigns.models import (
        Appeal,
        Campaign,
        CampaignTarget,
        ContactHistoryEntry,
        SubscriberAccount,
    )
    from offers.models import Offer

    agent_ids = [user.pk for user, _key in agents]
    rows = 0
    for shift, condition in (("0", "TRUE"), ("3 days", "mod(t.id, 2) = 0")):
        rows += _execute(
            f"""
            INSERT INTO {_table(ContactHistoryEntry)} (target_id, action, result, comment,
                agent_comment, agent_id, department_id, appeal_id, created_at)
            SELECT t.id, 'informed', t.result,
                CASE t.result WHEN 'thinking' THEN 'Клиент думает' WHEN 'agreed'
                    THEN 'Клиент согласен' ELSE 'Клиент не заинтересован' END
                    || ', ' || o.name || ', Подразделение - ЦОО',
                '', (%s::bigint[])[1 + floor(random() * %s)::int], %s, NULL,
                t.result_at - %s::interval
            FROM {_table(CampaignTarget)} AS t
            JOIN {_table(Campaign)} AS c ON c.id = t.campaign_id
            JOIN {_table(Offer)} AS o ON o.id = c.offer_id
            WHERE t.result <> 'not_offered' AND {condition}
            """,
            [agent_ids, len(agent_ids), department.pk, shift],
        )
    _execute(
        f"""
        INSERT INTO {_table(Appeal)} (account_id, agent_id, department_id, theme, detail, result,
            question_resolved, negative_customer, complaint, not_service_user, started_at,
            closed_at, updated_at)
        SELECT a.id, (%s::bigint[])[1 + floor(random() * %s)::int], %s, 'service', '', '',
            TRUE, FALSE, FALSE, FALSE, a.at, a.at + interval '5 minutes', a.at
        FROM (
            SELECT id, now() - random() * interval '90 days' AS at
            FROM {_table(SubscriberAccount)} ORDER BY random() LIMIT %s
        ) AS a
        """,
        [agent_ids, len(agent_ids), department.pk, APPEALS],
    )
    return rows


def _populate(rng):
    from campaigns.models import CampaignTarget, ContactHistoryEntry, SubscriberAccount

    started = step = time.perf_counter()
    steps = []

    def done(name):
        nonlocal step
        steps.append(f"{name} {time.perf_counter() - step:.1f} s")
        step = time.perf_counter()

    services, _segments, offers, _campaigns = _catalogue(rng)
    department, agents = _agents(WRITE_CLIENTS + 1)
    done("catalogue")
    checks_off = _foreign_key_checks(enabled=False)
    _accounts(services, offers)
    done("accounts")
    targets = _targets()
    done("targets")
    entries = _history(department, agents)
    if checks_off:
        _foreign_key_checks(enabled=True)
    done("history")
    for model in (SubscriberAccount, CampaignTarget, ContactHistoryEntry):
        _execute(f"VACUUM ANALYZE {_table(model)}")
    _execute("ANALYZE")
    done("vacuum")
    print(
        f"populated {ACCOUNTS:,} accounts, {CAMPAIGNS} campaigns ({OFFERS} offers), "
        f"{targets:,} targets, {entries:,} history entries, {APPEALS:,} appeals "
        f"in {time.perf_counter() - started:.1f} s ({', '.join(steps)})",
        flush=True,
    )
    return agents


def _database_url() -> str:
    """The URL of the test database the runner just created, for the gunicorn processes."""
    from django.db import connection

    db = connection.settings_dict
    user = urllib.parse.quote(db["USER"] or "", safe="")
    password = ":" + urllib.parse.quote(db["PASSWORD"], safe="") if db["PASSWORD"] else ""
    auth = f"{user}{password}@" if user else ""
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}{db['HOST'] or '127.0.0.1'}{port}/{db['NAME']}"


def _auth(key: str) -> tuple:
    return (("Authorization", f"Token {key}"), ("Accept", "application/json"))


def _read_plans(rng, key: str, path_of, requests: int) -> list:
    headers = _auth(key)
    per_client = requests // READ_CLIENTS
    return [
        [_load.Request("GET", path_of(rng), headers) for _ in range(per_client)]
        for _ in range(READ_CLIENTS)
    ]


def _recommendations_path(rng) -> str:
    return f"/api/v1/accounts/{FIRST_NUMBER + rng.randint(1, ACCOUNTS)}/recommendations/"


def _me_path(_rng) -> str:
    return "/api/v1/auth/me/"


def _count_queries(key: str, numbers: list[str]):
    """Queries and recommendations per request, measured in-process on a sample of accounts."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    counts = {}
    for name, paths in (
        ("me", ["/api/v1/auth/me/"] * len(numbers)),
        ("recommendations", [f"/api/v1/accounts/{n}/recommendations/" for n in numbers]),
    ):
        queries, items = [], []
        for path in paths:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            queries.append(len(captured))
            body = response.json()
            items.append(len(body) if isinstance(body, list) else 1)
        counts[name] = (sum(queries) / len(queries), min(queries), max(queries))
        if name == "recommendations":
            print(f"  {sum(items) / len(items):.1f} recommendations per account on average")
    for name, (mean, low, high) in counts.items():
        print(f"  {name}: {mean:.1f} SQL queries per request (min {low}, max {high})")


def _throughput(port, rng, key) -> float | None:
    for path_of in (_me_path, _recommendations_path):  # every worker thread connects and warms
        warm = _load.run(
            port, _read_plans(rng, key, path_of, WARMUP_REQUESTS), processes=1, duration=30
        )
        if warm.count(200) != warm.requests:
            print(f"warm-up failed: {warm.statuses} {warm.errors}")
            return None
    totals = {"me": [0, 0.0, []], "recommendations": [0, 0.0, []]}
    cpu = {"me": 0.0, "recommendations": 0.0}
    for _round in range(READ_ROUNDS):
        for name, path_of in (("me", _me_path), ("recommendations", _recommendations_path)):
            before = _server_cpu(port)
            result = _load.run(
                port,
                _read_plans(rng, key, path_of, READ_REQUESTS),
                processes=READ_PROCESSES,
                duration=READ_SECONDS,
            )
            after = _server_cpu(port)
            cpu[name] += sum(after.values()) - sum(before.get(pid, 0.0) for pid in after)
            if result.count(200) != result.requests:
                print(f"{name}: not every answer was 200: {result.statuses} {result.errors}")
                return None
            totals[name][0] += result.requests
            totals[name][1] += result.elapsed
            totals[name][2].append(result)
    rates = {}
    for name, (count, elapsed, results) in totals.items():
        rates[name] = count / elapsed
        p50 = sum(r.latency_ms(0.5) for r in results) / len(results)
        p95 = sum(r.latency_ms(0.95) for r in results) / len(results)
        print(
            f"GET {name}: {count} requests in {elapsed:.1f} s = {rates[name]:.0f} req/s "
            f"(latency p50 {p50:.1f} ms, p95 {p95:.1f} ms; {READ_CLIENTS} keep-alive clients)"
        )
    per_request = {name: cpu[name] / totals[name][0] * 1000 for name in cpu}
    print(
        f"server CPU per request (gunicorn + PostgreSQL): me {per_request['me']:.2f} ms, "
        f"recommendations {per_request['recommendations']:.2f} ms; as a ratio "
        f"{per_request['me'] / per_request['recommendations']:.2f} (what the req/s ratio tends to "
        f"on an idle machine)"
    )
    ratio = rates["recommendations"] / rates["me"]
    verdict = "meets" if ratio >= GOAL else "BELOW"
    print(f"ratio recommendations / me: {ratio:.2f} ({verdict} the goal of {GOAL})", flush=True)
    return ratio


def _server_cpu(port) -> dict[int, float]:
    """CPU seconds used so far by each process serving the benchmark: gunicorn (the master on
    `port` and its workers) and the test database's PostgreSQL backends. Read from /proc (Linux;
    {} elsewhere), so that what a request costs shows apart from whatever else the shared machine
    runs at the time; a backend that exits during a round loses its share."""
    from django.db import connection

    proc = Path("/proc")
    if not proc.is_dir():
        return {}
    bind = f"{_load.HOST}:{port}".encode()
    procs = {}  # pid: (parent pid, started to serve the port)
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            serving = bind in (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        procs[int(entry.name)] = (parent, serving)
    masters = {pid for pid, (_parent, serving) in procs.items() if serving}
    pids = masters | {pid for pid, (parent, _serving) in procs.items() if parent in masters}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        pids |= {row[0] for row in cursor.fetchall()}
    return {pid: seconds for pid in pids if (seconds := _cpu_seconds(pid)) is not None}


def _cpu_seconds(pid: int) -> float | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")


def _write_targets(count: int) -> list[tuple[str, list[int]]]:
    """Accounts where a «thinking» may be saved now, with their eligible recommendation ids."""
    from campaigns import selectors
    from campaigns.models import PaymentModel, SubscriberAccount

    found = []
    candidates = (
        SubscriberAccount.objects.with_relations()
        .filter(payment_model=PaymentModel.CREDIT, financial_block=False)
        .order_by("?")[: count * 10]
    )
    for account in candidates:
        eligible = [r.id for r in selectors.recommendations_for(account=account) if r.eligible]
        if eligible:
            found.append((account.number, eligible))
        if len(found) == count:
            break
    return found


def _write_plans(rng, agents, accounts, round_: int, requests: int) -> list:
    plans = []
    for client, (_user, key) in enumerate(agents):
        mine = accounts[
            client * WRITE_ACCOUNTS_PER_CLIENT : (client + 1) * WRITE_ACCOUNTS_PER_CLIENT
        ]
        headers = (*_auth(key), ("Content-Type", "application/json"))
        plan = []
        for seq in range(requests):
            number, rec_ids = mine[seq % len(mine)]
            tag = f"{WRITE_KEY_PREFIX}{round_}-{client:02d}-{seq:05d}"
            body = json.dumps({"result": "thinking", "comment": tag}).encode()
            path = f"/api/v1/accounts/{number}/recommendations/{rng.choice(rec_ids)}/result/"
            plan.append(
                _load.Request("POST", path, (*headers, ("Idempotency-Key", tag)), body, tag)
            )
        plans.append(plan)
    return plans


def _open_calls(agents, accounts) -> None:
    """R1: an agent records an offer within an open appeal, its question resolved: each client
    is on a call with each of its accounts."""
    from campaigns.models import Appeal, SubscriberAccount

    ids = dict(
        SubscriberAccount.objects.filter(number__in=[n for n, _ in accounts]).values_list(
            "number", "id"
        )
    )
    per = WRITE_ACCOUNTS_PER_CLIENT
    Appeal.objects.bulk_create(
        [
            Appeal(account_id=ids[number], agent=user, question_resolved=True)
            for client, (user, _key) in enumerate(agents)
            for number, _recs in accounts[client * per : (client + 1) * per]
        ]
    )


def _bare_plans(agents, round_: int, requests: int) -> list:
    """The bare insert's plans: the same clients, with the same bodies and headers."""
    plans = []
    for client, (_user, key) in enumerate(agents):
        headers = (*_auth(key), ("Content-Type", "application/json"))
        plan = []
        for seq in range(requests):
            tag = f"bench-b{round_}-{client:02d}-{seq:05d}"
            body = json.dumps({"result": "thinking", "comment": tag}).encode()
            plan.append(
                _load.Request("POST", _bare.PATH, (*headers, ("Idempotency-Key", tag)), body, tag)
            )
        plans.append(plan)
    return plans


def _write_round(port, plans, keep_key=None):
    """One round of one endpoint: its result and the server's CPU seconds it took."""
    before = _server_cpu(port)
    result = _load.run(
        port,
        plans,
        processes=WRITE_PROCESSES,
        duration=WRITE_SECONDS,
        keep=(201,),
        keep_key=keep_key,
    )
    after = _server_cpu(port)
    return result, sum(after.values()) - sum(before.get(pid, 0.0) for pid in after)


def _writes(port, rng, agents) -> float | None:
    """Result writes/s as a ratio to the bare insert: short alternating rounds of each, the order
    flipped every round (neither side always has the warmer server), the ratio of the totals."""
    _bare.create_table()
    accounts = _write_targets(WRITE_CLIENTS * WRITE_ACCOUNTS_PER_CLIENT)
    if len(accounts) < WRITE_CLIENTS * WRITE_ACCOUNTS_PER_CLIENT:
        print(f"only {len(accounts)} accounts with an eligible recommendation found")
        return None
    _open_calls(agents, accounts)
    acked = {}  # the result's acknowledged tags: their number of history entries
    totals = {"bare": [0, 0, 0.0, 0.0, []], "result": [0, 0, 0.0, 0.0, []]}

    def round_(name, number, requests):
        if name == "bare":
            before = _bare.rows()
            result, cpu = _write_round(port, _bare_plans(agents, number, requests))
            landed = _bare.rows() - before
            if landed < len(result.kept) or not result.kept:
                print(f"  bare insert round {number}: {len(result.kept)} acknowledged, "
                      f"{landed} rows landed; answers {result.statuses} {result.errors[:3]}")  # fmt: skip
                return None
        else:
            plans = _write_plans(rng, agents, accounts, number, requests)
            result, cpu = _write_round(port, plans, keep_key="recommendations")
            acked.update((tag, len(recs)) for tag, recs in result.kept)
            if not result.kept:
                print(f"  result round {number}: none acknowledged; answers {result.statuses} "
                      f"{result.errors[:3]}")  # fmt: skip
                return None
        return result, cpu

    for name in ("bare", "result"):  # every worker thread connects, prepares and warms
        if round_(name, 0, WRITE_WARMUP_PER_CLIENT) is None:
            return None
    for number in range(1, WRITE_ROUNDS + 1):
        order = ("bare", "result") if number % 2 else ("result", "bare")
        for name in order:
            outcome = round_(name, number, WRITE_REQUESTS_PER_CLIENT)
            if outcome is None:
                return None
            result, cpu = outcome
            total = totals[name]
            total[0] += result.requests
            total[1] += len(result.kept)
            total[2] += result.elapsed
            total[3] += cpu
            total[4].append(result)
    rates = {}
    for name, (requests, count, elapsed, cpu, results) in totals.items():
        rates[name] = count / elapsed
        statuses = Counter()
        for result in results:
            statuses.update(result.statuses)
        p50 = sum(r.latency_ms(0.5) for r in results) / len(results)
        p95 = sum(r.latency_ms(0.95) for r in results) / len(results)
        print(
            f"POST {name}: {requests} requests, {count} acknowledged (201) in {elapsed:.1f} s = "
            f"{rates[name]:.0f} writes/s (per round: "
            f"{', '.join(f'{len(r.kept) / r.elapsed:.0f}' for r in results)}; latency p50 "
            f"{p50:.0f} ms, p95 {p95:.0f} ms; {WRITE_CLIENTS} clients); answers "
            f"{dict(sorted(statuses.items()))}; server CPU {cpu / count * 1000:.2f} ms per write",
            flush=True,
        )
        for error in [e for r in results for e in r.errors][:5]:
            print(f"  {error}")
    if not _check_result_writes(acked):
        return None
    cpu_ratio = (totals["bare"][3] / totals["bare"][1]) / (
        totals["result"][3] / totals["result"][1]
    )
    print(f"server CPU per write as a ratio bare / result: {cpu_ratio:.2f} (what the writes/s "
          f"ratio tends to on an idle machine)")  # fmt: skip
    ratio = rates["result"] / rates["bare"]
    verdict = "meets" if ratio >= WRITE_GOAL else "BELOW"
    print(f"ratio result writes / bare insert: {ratio:.2f} ({verdict} the goal of {WRITE_GOAL})")
    return ratio


def _check_result_writes(acked: dict) -> bool:
    """Every acknowledged write is in the database with its key and one history entry per
    campaign of the product (R6)."""
    from django.db.models import Count

    from campaigns.models import ContactHistoryEntry
    from config.floor.models import IdempotencyKey

    entries = dict(
        ContactHistoryEntry.objects.filter(agent_comment__startswith=WRITE_KEY_PREFIX)
        .values_list("agent_comment")
        .annotate(n=Count("id"))
    )
    keys = set(
        IdempotencyKey.objects.filter(
            key__startswith=WRITE_KEY_PREFIX, status_code=201
        ).values_list("key", flat=True)
    )
    missing = [tag for tag in acked if tag not in entries or tag not in keys]
    short = [tag for tag, n in acked.items() if tag in entries and entries[tag] != n]
    siblings = Counter(acked.values())
    print(
        f"  history entries per write (campaigns of the product, R6): "
        f"{dict(sorted(siblings.items()))}"
    )
    if missing or short:
        print(f"  LOST: {len(missing)} acknowledged writes missing, {len(short)} incomplete, "
              f"e.g. {(missing + short)[:5]}")  # fmt: skip
        return False
    unacked = len(set(entries) - set(acked))
    print(
        f"  all {len(acked)} acknowledged writes found ({sum(acked.values())} history entries, "
        f"{len(keys)} idempotency keys; {unacked} unacknowledged writes landed)",
        flush=True,
    )
    return True


def _empty_broker() -> None:
    """Drop the tasks the writes queued: the benchmark's own Redis database."""
    import redis

    queued = redis.Redis.from_url(BROKER_URL)
    print(f"  {queued.llen('celery')} tasks queued by the writes (dropped)")
    queued.flushdb()


def _wait_for_disconnects(timeout: float = 15.0):
    """gunicorn's connections must be gone before the test database can be dropped."""
    from django.db import connection

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.2)


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from django.conf import settings
    from django.test.utils import get_runner

    if not settings.IS_POSTGRES:
        print("needs PostgreSQL: set DATABASE_URL=postgres://...")
        return 1
    print(f"machine: {os.cpu_count()} cores; gunicorn {SERVER_WORKERS} workers x "
          f"{SERVER_THREADS} threads (gthread), settings {os.environ['DJANGO_SETTINGS_MODULE']}")  # fmt: skip
    runner = get_runner(settings)(verbosity=0, interactive=False, keepdb=KEEP_DB)
    if KEEP_DB:
        from django.db import connection

        connection.settings_dict["TEST"]["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    # No serialized copy of the database: nothing here rolls back to it.
    old_config = runner.setup_databases(serialized_aliases=set())
    try:
        return _run(random.Random(3))
    finally:
        _wait_for_disconnects()
        runner.teardown_databases(old_config)


def _kept_agents():
    """The agents of a kept database that holds the benchmark's data, else None."""
    from rest_framework.authtoken.models import Token

    from campaigns.models import SubscriberAccount

    if SubscriberAccount.objects.count() != ACCOUNTS:
        return None
    tokens = Token.objects.filter(user__username__startswith="bench-agent-").select_related("user")
    agents = [(token.user, token.key) for token in tokens.order_by("user__username")]
    if len(agents) != WRITE_CLIENTS + 1:
        return None
    print(f"reusing the kept database ({ACCOUNTS:,} accounts)", flush=True)
    return agents


def _run(rng):
    agents = (KEEP_DB and _kept_agents()) or _populate(rng)
    reader_key = agents[-1][1]
    numbers = [str(FIRST_NUMBER + rng.randint(1, ACCOUNTS)) for _ in range(QUERY_SAMPLE)]
    _count_queries(reader_key, numbers)
    env = {
        # The test settings, with the bare insert endpoint beside the product's URLs.
        "DJANGO_SETTINGS_MODULE": "tests.benchmarks._bare_settings",
        "DATABASE_URL": _database_url(),
        # Served as in production: the tasks a write queues (the agent's month refresh) go to the
        # broker for the workers, not run inside the request (no worker runs here; the queue is
        # emptied afterwards).
        "CELERY_BROKER_URL": BROKER_URL,
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_DEBUG": "false",
    }
    ratios = {}
    try:
        with _load.gunicorn(env=env, workers=SERVER_WORKERS, threads=SERVER_THREADS) as port:
            if "reads" in PARTS:
                ratio = _throughput(port, rng, reader_key)
                if ratio is None:
                    return 1
                ratios[f"recommendations vs bare DRF endpoint, req/s (goal >= {GOAL})"] = ratio
            if "writes" in PARTS:
                writes = _writes(port, rng, agents[:WRITE_CLIENTS])
                if writes is None:
                    return 1
                ratios[f"result writes vs bare one-row insert, writes/s (goal >= {WRITE_GOAL})"] = (
                    writes
                )
    finally:
        _empty_broker()
    return ratios


if __name__ == "__main__":
    sys.exit(main())

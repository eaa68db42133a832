"""A month of calls, simulated through the portal's own rules: `manage.py simulate_month`.

A known truth (how often customers of each segment agree to each campaign, cold and with the need
heard) is read from a JSON file or generated from the seed with the managers' priorities
deliberately the wrong way round (the campaign customers like least has the highest priority).
The world — services, the deck's five segments (R12), one offer and campaign per truth row,
accounts (prepaid with balances, postpaid with a few blocks) and their target lists — is written
to the current database (the command makes a throw-away one). Then every call picks an account
and whether its need was heard; the real eligibility (campaigns.eligibility.judge: segments,
financial checks, «already has», cooldown after a refusal) and the real ordering
(campaigns.recommendations.order: static priority, or expected value over the learned propensity
table, or the same over the truth — the oracle) choose the first eligible offer; the customer
agrees with the truth's probability. Results are written as the contact-history rows the result
service writes (script version, context, services), once a day in bulk, and the real nightly job
(propensities_refresh) learns from them overnight. Deterministic for a seed.

Regret: the expected agreements the oracle's choice would have had, minus the chosen offer's, over
the month (0 for the oracle itself).
"""

import datetime
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone

from campaigns import catalogue, eligibility
from campaigns.learning import assignment, propensity, ranking
from campaigns.models import (
    Campaign,
    CampaignStatus,
    CampaignTarget,
    ContactHistoryEntry,
    PaymentModel,
    Propensity,
    PropensityLevel,
    ResultCode,
    SubscriberAccount,
)
from campaigns.recommendations import ADAPTIVE, STATIC, Target, order
from campaigns.services.service_masks import account_service_masks_refresh
from offers.models import Offer, OfferKind, Segment, Service, ServiceCode

ORACLE = "oracle"
RANKINGS = (STATIC, ADAPTIVE, ORACLE)
DAYS = 30
NEED_HEARD_SHARE = 0.3
# The deck's segments (R12), by the services an account holds.
SEGMENTS = {
    "bb-tv": ("broadband", "iptv"),
    "bb-tv-phone": ("broadband", "iptv", "phone"),
    "bb": ("broadband",),
    "phone": ("phone",),
    "tv": ("iptv",),
}
SEGMENT_SHARE = {"bb-tv": 0.3, "bb-tv-phone": 0.15, "bb": 0.35, "phone": 0.1, "tv": 0.1}
MONTH_START = datetime.date(2026, 11, 1)
CERTAIN = 1e6
LABELS = {code: code for code in ResultCode.values}


@dataclass
class MonthResult:
    ranking: str
    calls: int = 0
    offers: int = 0
    conversions: int = 0
    revenue: Decimal = Decimal("0")
    regret: float = 0.0
    daily: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def conversion_rate(self) -> float:
        return self.conversions / self.offers if self.offers else 0.0


def generate_truth(seed: int, campaigns: int = 8) -> list[dict]:
    """Campaigns with their truth; priorities inverse to how well they sell."""
    rng = random.Random(seed)
    rows = []
    codes = list(SEGMENTS)
    for i in range(campaigns):
        cold = rng.uniform(0.02, 0.30)
        segments = sorted(rng.sample(codes, rng.randint(2, 4)))
        truth = {}
        for segment in segments:
            seg_cold = min(0.5, cold * rng.uniform(0.6, 1.4))
            truth[segment] = [round(seg_cold, 4), round(min(0.92, 0.4 + 1.5 * seg_cold), 4)]
        rows.append(
            {
                "code": f"SIM_{i + 1}",
                "kind": rng.choice([OfferKind.PACKAGE, OfferKind.SUBSCRIPTION, OfferKind.OPTION]),
                "price": str(rng.randrange(100, 200)),
                "truth": truth,
                "_mean": cold,
            }
        )
    for priority, row in zip(
        range(120, 120 - 5 * campaigns, -5), sorted(rows, key=lambda r: r["_mean"]), strict=False
    ):
        row["priority"] = priority
    for row in rows:
        del row["_mean"]
    return rows


def load_truth(path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def _insert(model, rows: list[tuple], columns: tuple[str, ...], fixed: dict) -> None:
    """Many rows in one executemany: the ORM's per-row work would dominate a month of calls.
    `columns` vary per row (values ready for the database); `fixed` holds the rest."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    now = timezone.now()
    constant = {}
    for name, f in fields.items():
        if name in columns or (f.primary_key and name not in fixed):
            continue
        value = fixed.get(
            name,
            now
            if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
            else f.get_default(),
        )
        constant[name] = f.get_db_prep_save(value, connection)
    names = [*columns, *constant]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(fields[n].column) for n in names),
        ", ".join(["%s"] * len(names)),
    )
    tail = tuple(constant.values())
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 5000):
            cursor.executemany(sql, [row + tail for row in rows[i : i + 5000]])


def _next_id(model) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def _reset_sequences(*models) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


@dataclass
class _Customer:
    account: SubscriberAccount
    segment: str
    segment_key: str
    service_ids: frozenset
    offer_ids: set
    targets: list


@dataclass
class World:
    """The simulated campaigns, accounts and their targets, written once, run many times."""

    truth_by_id: dict
    customers: list
    oracle: dict
    agent_id: int
    campaigns: list


def build_world(*, accounts: int, seed: int, truth: list[dict] | None = None) -> World:
    truth = truth or generate_truth(seed)
    rng = random.Random(seed)
    services = {}
    for code in ServiceCode.values:
        services[code], _ = Service.objects.get_or_create(code=code, defaults={"name": code})
    segments = {}
    for code, service_codes in SEGMENTS.items():
        segment, _ = Segment.objects.get_or_create(code=f"sim-{code}", defaults={"name": code})
        segment.services.set([services[s] for s in service_codes])
        segments[code] = segment
    campaign_ids = {}
    for row in truth:
        offer = Offer.objects.create(
            code=f"sim-{row['code'].lower()}",
            name=row["code"],
            kind=row["kind"],
            service=services[SEGMENTS[next(iter(row["truth"]))][0]],
            monthly_price=Decimal(row["price"]),
        )
        campaign = Campaign.objects.create(
            code=row["code"],
            name=row["code"],
            offer=offer,
            script_template="{customer}, {offer}.",
            starts_on=MONTH_START,
            status=CampaignStatus.ACTIVE,
            priority=row["priority"],
        )
        campaign.segments.set([segments[s] for s in row["truth"]])
        campaign_ids[row["code"]] = campaign.pk
    account_rows = _accounts(accounts, rng, services)
    target_rows = _targets(account_rows, campaign_ids, truth)
    catalogue.bump()
    snapshot = catalogue.current()
    truth_by_id = {
        campaign_ids[row["code"]]: {s: tuple(p) for s, p in row["truth"].items()} for row in truth
    }
    customers = _customers(account_rows, target_rows, snapshot)
    agent, _ = get_user_model().objects.get_or_create(username="simulator")
    return World(
        truth_by_id,
        customers,
        _oracle_table(customers, truth_by_id),
        agent.pk,
        [snapshot.campaigns[pk] for pk in campaign_ids.values()],
    )


def _accounts(n: int, rng: random.Random, services):
    segment_codes = list(SEGMENT_SHARE)
    weights = [SEGMENT_SHARE[s] for s in segment_codes]
    first = _next_id(SubscriberAccount)
    accounts, rows = [], []
    for i in range(n):
        segment = rng.choices(segment_codes, weights)[0]
        prepaid = rng.random() < 0.8
        account = SubscriberAccount(
            id=first + i,
            number=f"9{i:011d}",
            surname="Симуляция",
            first_name="Клиент",
            payment_model=PaymentModel.ADVANCE if prepaid else PaymentModel.CREDIT,
            balance=Decimal(rng.randrange(-50, 600)) if prepaid else Decimal("0"),
            financial_block=(not prepaid) and rng.random() < 0.05,
        )
        accounts.append((account, segment))
        rows.append(
            (
                account.id,
                account.number,
                account.payment_model,
                account.balance,
                account.financial_block,
            )
        )
    _insert(
        SubscriberAccount,
        rows,
        ("id", "number", "payment_model", "balance", "financial_block"),
        {"surname": "Симуляция", "first_name": "Клиент"},
    )
    through = SubscriberAccount.services.through
    _insert(
        through,
        [
            (account.id, services[code].pk)
            for account, segment in accounts
            for code in SEGMENTS[segment]
        ],
        ("subscriberaccount_id", "service_id"),
        {},
    )
    account_service_masks_refresh()
    _reset_sequences(SubscriberAccount, through)
    return accounts


def _targets(accounts, campaign_ids, truth):
    by_segment = {s: [campaign_ids[r["code"]] for r in truth if s in r["truth"]] for s in SEGMENTS}
    first = _next_id(CampaignTarget)
    rows = [
        (first + i, account_id, campaign_id)
        for i, (account_id, campaign_id) in enumerate(
            (account.id, campaign_id)
            for account, segment in accounts
            for campaign_id in by_segment[segment]
        )
    ]
    _insert(CampaignTarget, rows, ("id", "account_id", "campaign_id"), {})
    _reset_sequences(CampaignTarget)
    return rows


def _customers(accounts, target_rows, snapshot):
    of_account = {}
    for pk, account_id, campaign_id in target_rows:
        of_account.setdefault(account_id, []).append((pk, campaign_id))
    code_of = snapshot.service_codes
    service_ids_of = {code: pk for pk, code in code_of.items()}
    customers = []
    for account, segment in accounts:
        ids = frozenset(service_ids_of[s] for s in SEGMENTS[segment])
        targets = [
            Target(
                id=pk,
                campaign=snapshot.campaigns[campaign_id],
                result=ResultCode.NOT_OFFERED,
                result_at=None,
            )
            for pk, campaign_id in of_account.get(account.id, [])
        ]
        customers.append(
            _Customer(account, segment, assignment.segment_key(ids, code_of), ids, set(), targets)
        )
    return customers


def _oracle_table(customers, truth_by_id):
    table = {}
    for customer in customers:
        for target in customer.targets:
            for heard in (False, True):
                p = truth_by_id[target.campaign.pk][customer.segment][heard]
                key = (
                    PropensityLevel.SEGMENT,
                    "",
                    0,
                    target.campaign.pk,
                    customer.segment_key,
                    heard,
                )
                table[key] = (p * CERTAIN, (1 - p) * CERTAIN)
    return table


def simulate(
    *,
    accounts: int,
    calls: int,
    seed: int,
    ranking: str,
    truth: list[dict] | None = None,
    days: int = DAYS,
    explore: int = 10,
    progress: Callable[[int, MonthResult], None] | None = None,
) -> MonthResult:
    """Build the world in the current database and run one month on it."""
    world = build_world(accounts=accounts, seed=seed, truth=truth)
    return run_month(
        world,
        ranking=ranking,
        calls=calls,
        seed=seed,
        days=days,
        explore=explore,
        progress=progress,
    )


def _reset(world: World, explore: int) -> None:
    """A fresh month on the same world: no results, nothing learned, nothing bought."""
    ContactHistoryEntry.objects.filter(agent_id=world.agent_id).delete()
    Propensity.objects.all().delete()
    for campaign in world.campaigns:
        campaign.exploration_share = explore
    for customer in world.customers:
        customer.offer_ids.clear()
        for target in customer.targets:
            target.result, target.result_at = ResultCode.NOT_OFFERED, None


def run_month(
    world: World,
    *,
    ranking: str,
    calls: int,
    seed: int,
    days: int = DAYS,
    explore: int = 10,
    progress: Callable[[int, MonthResult], None] | None = None,
) -> MonthResult:
    """One month of `calls` on `world` with the given ranking; see the module's docstring."""
    started = time.perf_counter()
    _reset(world, explore if ranking == ADAPTIVE else 0)
    table = world.oracle if ranking == ORACLE else {}
    mode = STATIC if ranking == STATIC else ADAPTIVE
    result = MonthResult(ranking)
    rng, explore_rng = random.Random(seed + 1), random.Random(seed + 2)
    per_day = [calls // days + (1 if d < calls % days else 0) for d in range(days)]
    for day, n_calls in enumerate(per_day):
        start = timezone.make_aware(
            datetime.datetime.combine(MONTH_START + datetime.timedelta(days=day), datetime.time(9))
        )
        entries = []
        for i in range(n_calls):
            now = start + datetime.timedelta(seconds=i * 43200 // max(n_calls, 1))
            customer = world.customers[rng.randrange(len(world.customers))]
            heard = rng.random() < NEED_HEARD_SHARE
            entry = _call(world, customer, heard, now, mode, table, rng, explore_rng, result)
            if entry is not None:
                entries.append(entry)
        _insert(
            ContactHistoryEntry,
            entries,
            ("target_id", "result", "comment", "created_at", "need_heard", "segment_key"),
            {"agent_id": world.agent_id},
        )
        if ranking == ADAPTIVE:
            propensity.propensities_refresh(now=start)
            catalogue.bump()
            table = catalogue.current().propensities
        result.daily.append((day + 1, result.offers, result.conversions))
        if progress:
            progress(day + 1, result)
    result.seconds = time.perf_counter() - started
    return result


def _call(world, customer, heard, now, mode, table, rng, explore_rng, result):
    result.calls += 1
    situation = eligibility.Situation(
        now=now,
        account=customer.account,
        service_ids=customer.service_ids,
        offer_ids=frozenset(customer.offer_ids),
    )
    verdicts = [eligibility.judge(t, situation) for t in customer.targets]
    truth = world.truth_by_id
    chances = {
        v.target.campaign.pk: truth[v.target.campaign.pk][customer.segment][heard]
        for v in verdicts
        if v.eligible
    }
    if not chances:
        return None
    ordered, _ = order(
        verdicts,
        mode=mode,
        segment_key=customer.segment_key,
        need_heard=heard,
        table=table,
        rng=explore_rng,
    )
    chosen = ordered[0].target
    # The oracle's choice: the highest expected value under the truth (what `order` does with
    # the oracle's table), without ranking everything again.
    best = max(
        (v.target.campaign for v in verdicts if v.eligible),
        key=lambda c: chances[c.pk] * float(ranking.value_of(c)) * ranking.lever_of(c),
    )
    result.regret += chances[best.pk] - chances[chosen.campaign.pk]
    result.offers += 1
    agreed = rng.random() < chances[chosen.campaign.pk]
    chosen.result = ResultCode.AGREED if agreed else ResultCode.NOT_INTERESTED
    chosen.result_at = now
    if agreed:
        result.conversions += 1
        result.revenue += chosen.campaign.offer.monthly_price
        customer.offer_ids.add(chosen.campaign.offer_id)
    return (
        chosen.id,
        chosen.result,
        LABELS[chosen.result],
        connection.ops.adapt_datetimefield_value(now),
        heard,
        customer.segment_key,
    )

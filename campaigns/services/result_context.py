"""What saving a result reads, once, under the account's lock (issue 10).

A save judges the transition (the product's state, an open order), the moment (R1, R2, R9, the
cooldown: the account, its services and offers, an outage, the agent's open appeal), and writes
the history of every campaign of the product with the agent's department, the need heard and the
appeal's theme. On PostgreSQL all of it is one prepared statement (config.floor.prepared), which
also draws the ids of the rows the save inserts (so its answer is known before they are written);
on the embedded database, a few ORM reads. Either way the caller has locked the account row first: the
statement then starts after the previous save on the account committed and sees all it wrote.
"""

import datetime
import functools
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from campaigns import catalogue
from campaigns.models import (
    PENDING_ORDER_STATUSES,
    AgentProfile,
    Appeal,
    AppealNeed,
    Callback,
    Campaign,
    CampaignTarget,
    ConnectionOrder,
    ContactHistoryEntry,
    Department,
    OfferResult,
    Outage,
    ResultCode,
    SubscriberAccount,
    Team,
)
from campaigns.recommendations import Target
from campaigns.services import results
from config.floor import batch
from config.floor.prepared import prepared

APPEAL_FIELDS = (
    "id",
    "theme",
    "question_resolved",
    "negative_customer",
    "complaint",
    "not_service_user",
    "need_heard",
)


@dataclass
class ResultContext:
    """The account (with `service_ids`, `offer_ids`, `outage`), the chosen target and the other
    campaigns of its product on the account, the agent's appeal and department, and per product:
    its state row, an open order, a need marked in the appeal, its result in the appeal."""

    account: SubscriberAccount
    # The moment of the save: the caller's, else the clock once the lock was granted.
    now: datetime.datetime
    targets: dict[int, Target]
    appeal: Appeal | None
    department: Department | None
    # offer id → (result, result_at, appeal id) of its OfferResult row
    states: dict[int, tuple] = field(default_factory=dict)
    ordered: frozenset = frozenset()
    needs: frozenset = frozenset()
    # offer id → result, for the OfferResult rows set in the appeal (its theme reads them)
    answered: dict[int, str] = field(default_factory=dict)
    # Ids drawn for the rows the save will insert (PostgreSQL): a history entry per campaign of
    # the chosen target's product, the callback a «thinking» result opens; empty / None where
    # not drawn. With them the answer is known before the writes are sent.
    history_ids: list[int] = field(default_factory=list)
    callback_id: int | None = None

    def target(self, target_id: int) -> Target | None:
        """The target with its product's state in place of its own latest result (R6)."""
        target = self.targets.get(target_id)
        if target is None:
            return None
        row = self.states.get(target.campaign.offer_id)
        if row is not None:
            target.result, target.result_at, target.result_appeal_id = row
        return target

    def siblings(self, target: Target) -> list[Target]:
        """The target first, then every other campaign of its product on the account."""
        offer_id = target.campaign.offer_id
        return [target] + [
            t for t in self.targets.values() if t.campaign.offer_id == offer_id and t is not target
        ]


def result_context(
    *, number: str, agent, appeal_id, now=None, target_id=None, with_callback=False
) -> ResultContext | None:
    """Lock the account's row (until the transaction ends), then read the context of a save on it
    at `now` (None: the moment the lock was granted, so that saves on one account are stamped in
    the order they land in); `appeal_id` None means the agent's latest open appeal on it (`appeal` None when there is none,
    or when `appeal_id` is not one of them). None when there is no account of that `number`.
    On PostgreSQL, with `target_id`, the read also draws the ids of the history entries of a save
    on that target (and of a callback, `with_callback`)."""
    if settings.IS_POSTGRES:
        return _context_sql(number, agent.pk, appeal_id, now, target_id, with_callback)
    return _context_orm(number, agent, appeal_id, now)


def _targets(rows) -> dict[int, Target]:
    campaigns = catalogue.current().campaigns
    return {
        pk: Target(id=pk, campaign=campaigns[campaign_id], result=result, result_at=result_at)
        for pk, campaign_id, result, result_at in rows
        if campaign_id in campaigns
    }


def _appeal(account_id: int, agent_id: int, values) -> Appeal | None:
    if values[0] is None:
        return None
    appeal = Appeal(
        account_id=account_id, agent_id=agent_id, **dict(zip(APPEAL_FIELDS, values, strict=True))
    )
    appeal._state.adding = False
    return appeal


def _open_appeals(account_id, agent, appeal_id):
    appeals = Appeal.objects.open().filter(account_id=account_id, agent=agent)
    if appeal_id is not None:
        appeals = appeals.filter(pk=appeal_id)
    return appeals.order_by("-started_at", "-id")


def _context_orm(number, agent, appeal_id, now) -> ResultContext | None:
    locked = SubscriberAccount.objects.select_for_update().filter(number=number)
    account_id = locked.values_list("pk", flat=True).first()
    if account_id is None:
        return None
    now = now or timezone.now()
    outage = Outage.objects.filter(is_active=True, starts_at__lte=now).filter(
        (Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        & (Q(region="") | Q(region__cfexact=OuterRef("region")))
    )
    account = SubscriberAccount.objects.filter(pk=account_id).annotate(outage=Exists(outage)).get()
    account.service_ids = list(account.services.values_list("id", flat=True))
    account.offer_ids = list(account.offers.values_list("id", flat=True))
    rows = CampaignTarget.objects.filter(account_id=account_id).order_by("id")
    targets = _targets(rows.values_list("id", "campaign_id", "result", "result_at"))
    values = _open_appeals(account_id, agent, appeal_id).values_list(*APPEAL_FIELDS).first()
    appeal = _appeal(account_id, agent.pk, values or (None,))
    states = OfferResult.objects.filter(account_id=account_id)
    orders = ConnectionOrder.objects.filter(
        account_id=account_id, status__in=PENDING_ORDER_STATUSES
    )
    context = ResultContext(
        account=account,
        now=now,
        targets=targets,
        appeal=appeal,
        department=Department.objects.filter(teams__agents__user=agent).first(),
        states={
            offer_id: (result, at, appeal)
            for offer_id, result, at, appeal in states.values_list(
                "offer_id", "result", "result_at", "appeal_id"
            )
        },
        ordered=frozenset(orders.values_list("product_id", flat=True)),
    )
    if appeal is not None:
        context.needs = frozenset(
            AppealNeed.objects.filter(appeal=appeal).values_list("offer_id", flat=True)
        )
        context.answered = dict(
            OfferResult.objects.filter(appeal=appeal).values_list("offer_id", "result")
        )
    return context


# PostgreSQL: the same reads in one statement, prepared once per connection.
CONTEXT_SQL = """
WITH clock AS MATERIALIZED (SELECT COALESCE($4, clock_timestamp()) AS now)
SELECT clock.now, a.id, {account_fields},
  EXISTS (SELECT 1 FROM {outage} o WHERE o.is_active AND o.starts_at <= clock.now
          AND (o.ends_at IS NULL OR o.ends_at > clock.now)
          AND (o.region = '' OR UPPER(o.region) = UPPER(a.region))) AS outage,
  ARRAY(SELECT s.service_id FROM {services} s WHERE s.subscriberaccount_id = a.id),
  ARRAY(SELECT f.offer_id FROM {offers} f WHERE f.subscriberaccount_id = a.id),
  tg.ids, tg.campaign_ids, tg.results, tg.result_ats,
  st.offer_ids, st.results, st.result_ats, st.appeal_ids,
  ARRAY(SELECT DISTINCT o.product_id FROM {order} o
        WHERE o.account_id = a.id AND o.status = ANY($5::text[])),
  dep.id, dep.name,
  {appeal_fields},
  ARRAY(SELECT n.offer_id FROM {need} n WHERE n.appeal_id = ap.id),
  ans.offer_ids, ans.results,
  ARRAY(SELECT nextval(pg_get_serial_sequence('{history_table}', 'id'))
        FROM {target} t JOIN {campaign} c ON c.id = t.campaign_id
        WHERE t.account_id = a.id AND c.offer_id = (
          SELECT c.offer_id FROM {target} t JOIN {campaign} c ON c.id = t.campaign_id
          WHERE t.id = $6 AND t.account_id = a.id)),
  CASE WHEN $7 THEN nextval(pg_get_serial_sequence('{callback_table}', 'id')) END
FROM {account} a
CROSS JOIN clock
LEFT JOIN LATERAL (
  SELECT {appeal_fields} FROM {appeal} ap
  WHERE ap.account_id = a.id AND ap.agent_id = $2 AND ap.closed_at IS NULL
    AND ($3::bigint IS NULL OR ap.id = $3)
  ORDER BY ap.started_at DESC, ap.id DESC LIMIT 1
) ap ON TRUE
LEFT JOIN LATERAL (
  SELECT array_agg(t.id ORDER BY t.id) AS ids, array_agg(t.campaign_id ORDER BY t.id) AS campaign_ids,
         array_agg(t.result ORDER BY t.id) AS results,
         array_agg(t.result_at ORDER BY t.id) AS result_ats
  FROM {target} t WHERE t.account_id = a.id
) tg ON TRUE
LEFT JOIN LATERAL (
  SELECT array_agg(r.offer_id) AS offer_ids, array_agg(r.result) AS results,
         array_agg(r.result_at) AS result_ats, array_agg(r.appeal_id) AS appeal_ids
  FROM {state} r WHERE r.account_id = a.id
) st ON TRUE
LEFT JOIN LATERAL (
  SELECT array_agg(r.offer_id) AS offer_ids, array_agg(r.result) AS results
  FROM {state} r WHERE r.appeal_id = ap.id
) ans ON TRUE
LEFT JOIN LATERAL (
  SELECT d.id, d.name FROM {department} d
  JOIN {team} tm ON tm.department_id = d.id
  JOIN {profile} p ON p.team_id = tm.id
  WHERE p.user_id = $2 ORDER BY d.name, d.id LIMIT 1
) dep ON TRUE
WHERE a.number = $1
"""
CONTEXT_TYPES = "text, bigint, bigint, timestamptz, text[], bigint, boolean"
ACCOUNT_FIELDS = ("number", "payment_model", "balance", "financial_block", "region")


@functools.cache
def _sql() -> str:
    tables = {
        "appeal": Appeal,
        "outage": Outage,
        "order": ConnectionOrder,
        "need": AppealNeed,
        "account": SubscriberAccount,
        "target": CampaignTarget,
        "state": OfferResult,
        "department": Department,
        "team": Team,
        "profile": AgentProfile,
        "campaign": Campaign,
    }
    names = {k: connection.ops.quote_name(m._meta.db_table) for k, m in tables.items()}
    # Text for pg_get_serial_sequence (an identifier, quoted as such, inside a string literal).
    names["history_table"] = connection.ops.quote_name(ContactHistoryEntry._meta.db_table)
    names["callback_table"] = connection.ops.quote_name(Callback._meta.db_table)
    names["services"] = SubscriberAccount.services.through._meta.db_table
    names["offers"] = SubscriberAccount.offers.through._meta.db_table
    return CONTEXT_SQL.format(
        appeal_fields=", ".join(f"ap.{f}" for f in APPEAL_FIELDS),
        account_fields=", ".join(f"a.{f}" for f in ACCOUNT_FIELDS),
        **names,
    )


# An appeal id no row can have (beyond bigint, which PostgreSQL refuses to compare) reads as none.
MAX_ID = 2**63 - 1


def _context_sql(number, agent_id, appeal_id, now, target_id, with_callback):
    if appeal_id is not None and not 0 < appeal_id <= MAX_ID:
        appeal_id = 0
    if target_id is not None and not 0 < target_id <= MAX_ID:
        target_id = 0
    params = [
        number,
        agent_id,
        appeal_id,
        now,
        list(PENDING_ORDER_STATUSES),
        target_id,
        with_callback,
    ]
    table = connection.ops.quote_name(SubscriberAccount._meta.db_table)
    with connection.cursor() as cursor:
        name = prepared(cursor, "result_context", _sql(), CONTEXT_TYPES)
        lock = prepared(
            cursor, "result_lock", f"SELECT id FROM {table} WHERE number = $1 FOR UPDATE", "text"
        )
        # One round trip, two statements run one after the other: the lock (waiting for a save
        # in progress on the account to commit), then the read, on a snapshot taken after it;
        # statements carried on the connection (an idempotency key's claim) go in front.
        batch.execute(
            cursor,
            f"EXECUTE {lock} (%s); EXECUTE {name} ({', '.join(['%s'] * len(params))})",
            [number, *params],
        )
        cursor.nextset()
        row = cursor.fetchone()
    if row is None:
        return None
    now, account_id, *row = row
    n = len(ACCOUNT_FIELDS)
    account = SubscriberAccount(pk=account_id, **dict(zip(ACCOUNT_FIELDS, row[:n], strict=True)))
    account._state.adding = False
    account.outage, account.service_ids, account.offer_ids = row[n : n + 3]
    (ids, campaign_ids, results, result_ats) = row[n + 3 : n + 7]
    (offer_ids, state_results, state_ats, state_appeals) = row[n + 7 : n + 11]
    ordered, department_id, department_name = row[n + 11 : n + 14]
    m = n + 14 + len(APPEAL_FIELDS)
    appeal = _appeal(account_id, agent_id, row[n + 14 : m])
    needs, answered_offers, answered_results, history_ids, callback_id = row[m : m + 5]
    department = None
    if department_id is not None:
        department = Department(pk=department_id, name=department_name)
        department._state.adding = False
    return ResultContext(
        account=account,
        now=now,
        targets=_targets(
            zip(ids or (), campaign_ids or (), results or (), result_ats or (), strict=True)
        ),
        appeal=appeal,
        department=department,
        states={
            offer_id: (result, at, appeal)
            for offer_id, result, at, appeal in zip(
                offer_ids or (),
                state_results or (),
                state_ats or (),
                state_appeals or (),
                strict=True,
            )
        },
        ordered=frozenset(ordered),
        needs=frozenset(needs) if appeal is not None else frozenset(),
        answered=dict(zip(answered_offers or (), answered_results or (), strict=True)),
        history_ids=sorted(history_ids),
        callback_id=callback_id,
    )


def state_of(context: ResultContext, offer_id: int) -> tuple[str, int | None]:
    """results.state_of from the context: the product's state (ORDERED with an open order) and the
    appeal its row was set in."""
    row = context.states.get(offer_id)
    state = row[0] if row is not None else ResultCode.NOT_OFFERED
    if offer_id in context.ordered:
        state = results.ORDERED
    return state, (row[2] if row is not None else None)

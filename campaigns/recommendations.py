"""The recommendations of an account, read lean: they are asked for on every call.

The catalogue (campaigns, offers, segments, peak hours) comes from the per-process copy of
campaigns.catalogue. On PostgreSQL the account (with its services, offers, the outage in force
and the caller's open appeal folded in), its campaign targets and their recent history are one
statement (`account_for_workspace(..., with_targets=True)`); on SQLite, which has no arrays, one
query for the account, one per held relation, one for the targets and one for their history
(plus one for the objections).
"""

import datetime
import functools
import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.base import ModelState
from django.utils import timezone, translation

from campaigns import catalogue, eligibility
from campaigns.learning import assignment, ranking
from campaigns.models import (
    Appeal,
    Campaign,
    CampaignTarget,
    ContactHistoryEntry,
    Department,
    HistoryAction,
    OfferResult,
    Outage,
    ResultCode,
    SubscriberAccount,
)
from campaigns.scripts import ScriptContext, render_script_parts
from config.floor.prepared import execute_prepared
from knowledge_base.models import ObjectionType
from offers import pricing

HISTORY_PER_RECOMMENDATION = 20
ADAPTIVE, STATIC = "adaptive", "static"
ACTION_LABELS = dict(HistoryAction.choices)


@dataclass
class Target:
    """A campaign on the account's target list, with its latest result."""

    id: int
    campaign: Campaign
    result: str
    result_at: datetime.datetime | None
    history: list[dict] = field(default_factory=list)
    # The appeal the product's state was set in (R4: a refusal in this call is no cooldown yet).
    result_appeal_id: int | None = None
    # The result recorded on this product in the caller's open appeal («not offered» until one is):
    # what the agent's form starts from, so that every call starts clean.
    appeal_result: str = ResultCode.NOT_OFFERED

    @property
    def pk(self):
        return self.id

    @property
    def result_label(self):
        return ResultCode(self.result).label


@dataclass(frozen=True)
class RewardQuote:
    """What selling an offer today earns the agent, with the rule's basis: `fixed`, `arpu_share`,
    `tiered` or `none`, and a line saying why (amounts, the fee, the increase and its band)."""

    amount: Decimal
    basis: str
    detail: str


# What a sale earns is the rewards app's to say, and campaigns may not import rewards: rewards
# registers its quoter here from RewardsConfig.ready(). A quoter takes the account (with the
# `offer_ids` it holds), the offers on its cards and the day, and answers {offer id: RewardQuote}.
RewardQuoter = Callable[..., dict[int, RewardQuote]]
REWARD_QUOTERS: list[RewardQuoter] = []


def register_reward_quoter(quoter: RewardQuoter) -> None:
    if quoter not in REWARD_QUOTERS:
        REWARD_QUOTERS.append(quoter)


def reward_quotes(*, account, offers: Iterable, on: datetime.date) -> dict[int, RewardQuote]:
    """The registered quoters' answers (the last registered wins for an offer); {} without one."""
    quotes: dict[int, RewardQuote] = {}
    offers = list(offers)
    for quoter in REWARD_QUOTERS:
        quotes.update(quoter(account=account, offers=offers, on=on))
    return quotes


@dataclass
class Recommendation:
    target: Target
    eligible: bool
    reasons: list[str]
    script: str
    connection_script: str
    price_per_day: Decimal
    first_charge: Decimal
    days_in_month: int
    reward: RewardQuote | None = None
    script_version: object = None
    propensity: float | None = None
    expected_value: float | None = None
    rank_reason: str = ""
    # The campaign-level part of the card (scripts, prices), shared by every call on the copy.
    statics: "CardStatics | None" = field(default=None, compare=False, repr=False)

    @property
    def id(self):
        return self.target.id

    @property
    def campaign(self):
        return self.target.campaign

    @property
    def offer(self):
        return self.target.campaign.offer

    @property
    def history(self):
        return self.target.history

    @property
    def reason_labels(self):
        return [(code, eligibility.Reason(code).label) for code in self.reasons]


def _postgres() -> bool:
    return settings.IS_POSTGRES


def account_for_workspace(
    *, number: str, agent=None, now=None, with_targets: bool = False
) -> SubscriberAccount | None:
    """The account with `service_ids`, `offer_ids`, `outage` and `open_appeal_id` attached (one SQL
    statement on PostgreSQL, the ORM and two small reads on the embedded database).

    `with_targets`: on PostgreSQL the same statement reads its targets with their history too,
    attached as `targets` (what recommendations_for would read next); elsewhere it is ignored."""
    now = now or timezone.now()
    if _postgres():
        return _account_sql(number, agent, now, with_targets=with_targets)
    outage = Outage.objects.filter(is_active=True, starts_at__lte=now).filter(
        (Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        & (Q(region="") | Q(region__cfexact=OuterRef("region")))
    )
    queryset = SubscriberAccount.objects.filter(number=number).annotate(outage=Exists(outage))
    if agent is not None and agent.is_authenticated:
        open_appeals = Appeal.objects.open().filter(account=OuterRef("pk"), agent=agent)
        queryset = queryset.annotate(
            open_appeal_id=Subquery(open_appeals.order_by("-started_at").values("pk")[:1])
        )
    account = queryset.first()
    if account is not None:
        account.service_ids = list(account.services.values_list("id", flat=True))
        account.offer_ids = list(account.offers.values_list("id", flat=True))
    if account is not None and not hasattr(account, "open_appeal_id"):
        account.open_appeal_id = None
    return account


def situation_for(
    *, account: SubscriberAccount, appeal: Appeal | None, now: datetime.datetime, snapshot=None
) -> eligibility.Situation:
    """What holds for the account now; `account` comes from account_for_workspace, `snapshot` is
    the catalogue copy (the current one by default)."""
    local_now = timezone.localtime(now)
    snapshot = snapshot or catalogue.current()
    return eligibility.Situation(
        now=now,
        account=account,
        # R12: the services that define segments; mobile and the like leave the segment as it is.
        service_ids=frozenset(account.service_ids) & snapshot.segment_services,
        offer_ids=frozenset(account.offer_ids),
        appeal=appeal,
        peak_hours=eligibility.in_peak_hours(snapshot.peak_hours, local_now),
        outage=account.outage,
    )


def targets_of(account_id: int, *, with_history: bool = True) -> list[Target]:
    """The account's targets; each carries its product's state (`OfferResult`, whatever campaign
    it was given on) where there is one, else its own latest result."""
    campaigns = catalogue.current().campaigns
    if with_history and _postgres():
        return _targets_with_history_sql(account_id, campaigns)
    state = OfferResult.objects.filter(
        account_id=OuterRef("account_id"), offer_id=OuterRef("campaign__offer_id")
    )
    rows = (
        CampaignTarget.objects.filter(account_id=account_id)
        .annotate(
            state=Subquery(state.values("result")[:1]),
            state_at=Subquery(state.values("result_at")[:1]),
            state_appeal=Subquery(state.values("appeal_id")[:1]),
        )
        .values_list(
            "id", "campaign_id", "result", "result_at", "state", "state_at", "state_appeal"
        )
    )
    targets = [_target(campaigns[row[1]], *row) for row in rows if row[1] in campaigns]
    if with_history and targets:
        by_id = {t.id: t for t in targets}
        for entry in _history(account_id, len(targets)):
            target = by_id.get(entry.pop("target_id"))
            if target is not None and len(target.history) < HISTORY_PER_RECOMMENDATION:
                target.history.append(entry)
    return targets


def _target(campaign, pk, _campaign_id, result, result_at, state, state_at, state_appeal):
    if state is not None:
        result, result_at = state, state_at
    return Target(
        id=pk, campaign=campaign, result=result, result_at=result_at, result_appeal_id=state_appeal
    )


def _history(account_id: int, n_targets: int) -> list[dict]:
    """The recent history of the account's recommendations, newest first, as plain rows (the
    embedded database's path: on PostgreSQL `_targets_with_history_sql` reads it in one statement)."""
    queryset = ContactHistoryEntry.objects.filter(target__account_id=account_id).order_by(
        "-created_at", "-id"
    )
    fields = [
        "id",
        "target_id",
        "action",
        "result",
        "created_at",
        "comment",
        "agent_comment",
        "agent__username",
        "agent__first_name",
        "agent__last_name",
        "department__name",
        "appeal_id",
    ]
    rows = list(queryset.values(*fields)[: HISTORY_PER_RECOMMENDATION * n_targets])
    if rows:
        codes = defaultdict(list)
        through = ContactHistoryEntry.objections.through.objects.filter(
            contacthistoryentry_id__in=[r["id"] for r in rows]
        ).order_by("objectiontype__order", "objectiontype__code")
        for entry_id, code in through.values_list("contacthistoryentry_id", "objectiontype__code"):
            codes[entry_id].append(code)
        for row in rows:
            row["objection_codes"] = codes[row["id"]]
    return [_history_row(row) for row in rows]


def _history_row(row: dict) -> dict:
    name = " ".join(p for p in (row["agent__first_name"], row["agent__last_name"]) if p)
    return {
        "id": row["id"],
        "target_id": row["target_id"],
        "action": row["action"],
        "action_label": _action_label(row["action"], translation.get_language()),
        "result": row["result"],
        "created_at": row["created_at"],
        "comment": row["comment"],
        "agent_comment": row["agent_comment"],
        "agent": name or row["agent__username"],
        "department": row["department__name"] or "",
        "objections": list(row["objection_codes"] or []),
        "appeal": row["appeal_id"],
    }


def recommendations_for(
    *,
    account: SubscriberAccount,
    appeal: Appeal | None = None,
    now=None,
    mode: str | None = None,
    table: dict | None = None,
    rng: random.Random | None = None,
) -> list[Recommendation]:
    """The account's campaigns, best first, each with its verdict and its script for this customer.

    `account` is best loaded by account_for_workspace; any other account is reloaded that way.
    `mode`: ADAPTIVE (expected value, campaigns.learning.ranking) or STATIC (priority), by
    default settings.RECOMMENDATION_RANKING; `table` replaces the learned propensities (the
    simulator's oracle), `rng` seeds the exploration."""
    now = now or timezone.now()
    if not hasattr(account, "service_ids"):
        account = account_for_workspace(number=account.number, now=now)
    targets = getattr(account, "targets", None)
    if targets is None:
        targets = targets_of(account.pk)
        snapshot = catalogue.current()
    else:
        snapshot = getattr(account, "catalogue_copy", None) or catalogue.current()
    situation = situation_for(account=account, appeal=appeal, now=now, snapshot=snapshot)
    if appeal is not None:
        for target in targets:
            in_call = (h["result"] for h in target.history if h["appeal"] == appeal.pk)
            target.appeal_result = next(in_call, ResultCode.NOT_OFFERED)
    # A campaign of the copy has its own parts of the verdict remembered on the copy.
    memo, campaigns = snapshot.memo, snapshot.campaigns
    verdicts = [
        eligibility.judge(
            t, situation, memo if campaigns.get(t.campaign.id) is t.campaign else None
        )
        for t in targets
    ]
    need_heard = bool(appeal and appeal.need_heard)
    ordered, scores = order(
        verdicts,
        mode=mode,
        segment_key=assignment.segment_key(account.service_ids, snapshot.service_codes),
        need_heard=need_heard,
        table=snapshot.propensities if table is None else table,
        rng=rng,
        snapshot=snapshot,
    )
    today = situation.today
    language = translation.get_language()
    customer = account.initials_name
    recs = [_recommendation(v, account, customer, today, language, snapshot) for v in ordered]
    # Per card of every call: ids read as `id` and `offer_id`, not through `pk` and the relation.
    if recs and REWARD_QUOTERS:
        offers = {rec.campaign.offer_id: rec.offer for rec in recs}.values()
        quotes = reward_quotes(account=account, offers=offers, on=today)
        for rec in recs:
            rec.reward = quotes.get(rec.campaign.offer_id)
    for position, rec in enumerate(recs):
        score = scores.get(rec.campaign.id)
        if score is not None:
            rec.propensity, rec.expected_value = score.propensity, score.expected_value
            rec.rank_reason = ranking.reason(
                rec, score, first=position == 0, need_heard=need_heard, language=language
            )
    return recs


def order(verdicts, *, mode, segment_key, need_heard, table, rng=None, snapshot=None):
    """The verdicts best first and their scores by campaign id (none under STATIC): the one
    ordering the workspace, the API and the simulator use. `snapshot`: the catalogue copy the
    campaigns come from, to remember their scores on."""
    if (mode or settings.RECOMMENDATION_RANKING) == STATIC:
        return eligibility.rank(verdicts), {}
    if rng is None and any(v.target.campaign.exploration_share for v in verdicts):
        rng = random.Random()
    scores = {
        v.target.campaign.id: _score(
            v.target.campaign,
            table=table,
            segment_key=segment_key,
            need_heard=need_heard,
            rng=rng,
            snapshot=snapshot,
        )
        for v in verdicts
    }
    return ranking.rank(verdicts, scores), scores


def _score(campaign, *, table, segment_key, need_heard, rng, snapshot) -> ranking.Score:
    """ranking.score, remembered on the catalogue copy when nothing else moves it: the copy's own
    campaign and propensities, and no exploration (which draws anew on every call, and without
    which the score takes nothing from `rng`)."""
    if (
        snapshot is None
        or campaign.exploration_share
        or table is not snapshot.propensities
        or snapshot.campaigns.get(campaign.id) is not campaign
    ):
        return ranking.score(
            campaign, table=table, segment_key=segment_key, need_heard=need_heard, rng=rng
        )
    key = ("score", campaign.id, segment_key, bool(need_heard))
    found = snapshot.memo.get(key)
    if found is None:
        found = snapshot.memo[key] = ranking.score(
            campaign, table=table, segment_key=segment_key, need_heard=need_heard, rng=rng
        )
    return found


@dataclass
class CardStatics:
    """What a card of a campaign (and script version) says whoever the customer is, on a day and
    in a language: the scripts rendered but for the customer's name, the prices. Worked out once
    per catalogue copy (its `memo`); `fragments` holds what the card's readers derive from it
    (the API's JSON fields), so that they too work it out once."""

    script_parts: tuple[str, ...]
    connection_script_parts: tuple[str, ...]
    price_per_day: Decimal
    first_charge: Decimal
    days_in_month: int
    fragments: dict = field(default_factory=dict, compare=False, repr=False)


def card_statics(campaign, version, today, language, snapshot=None) -> CardStatics:
    """The campaign-level part of a card, remembered on the catalogue copy `snapshot` when the
    campaign is that copy's (a campaign of an older copy is worked out afresh, never stored)."""
    key = (campaign.id, version.id if version else None, today, language)
    mine = snapshot is not None and snapshot.campaigns.get(campaign.id) is campaign
    statics = snapshot.memo.get(key) if mine else None
    if statics is not None:
        return statics
    offer = campaign.offer
    script_template, connection_template = assignment.scripts_of(campaign, version)
    ctx = ScriptContext(
        customer="",
        offer=offer.name,
        monthly_price=offer.monthly_price,
        promo_days=offer.promo_days,
        speed=offer.speed_mbps,
        on=today,
    )
    statics = CardStatics(
        render_script_parts(script_template, ctx),
        render_script_parts(connection_template, ctx),
        pricing.price_per_day(offer.monthly_price, on=today),
        pricing.first_charge(offer.monthly_price, on=today, promo_days=offer.promo_days),
        pricing.days_in_month(today),
    )
    if mine:
        snapshot.memo[key] = statics
    return statics


def _recommendation(verdict, account, customer, today, language, snapshot) -> Recommendation:
    campaign = verdict.target.campaign
    version = assignment.version_for(campaign, account.number)
    statics = card_statics(campaign, version, today, language, snapshot)
    return Recommendation(
        target=verdict.target,
        eligible=verdict.eligible,
        reasons=verdict.reasons,
        script=customer.join(statics.script_parts),
        connection_script=customer.join(statics.connection_script_parts),
        price_per_day=statics.price_per_day,
        first_charge=statics.first_charge,
        days_in_month=statics.days_in_month,
        script_version=version,
        statics=statics,
    )


# PostgreSQL: the same reads as plain SQL, one statement each. They run on every call, and the
# ORM's compiling of the annotated querysets above cost more than the database's work.
def _tables():
    through_services = SubscriberAccount.services.through._meta.db_table
    through_offers = SubscriberAccount.offers.through._meta.db_table
    through_objections = ContactHistoryEntry.objections.through._meta.db_table
    return {
        "account": SubscriberAccount._meta.db_table,
        "outage": Outage._meta.db_table,
        "appeal": Appeal._meta.db_table,
        "services": through_services,
        "offers": through_offers,
        "target": CampaignTarget._meta.db_table,
        "history": ContactHistoryEntry._meta.db_table,
        "objections": through_objections,
        "objection": ObjectionType._meta.db_table,
        "user": get_user_model()._meta.db_table,
        "department": Department._meta.db_table,
        "campaign": Campaign._meta.db_table,
        "state": OfferResult._meta.db_table,
    }


ACCOUNT_FIELDS = (
    "id",
    "number",
    "surname",
    "first_name",
    "patronymic",
    "payment_model",
    "balance",
    "financial_block",
    "region",
)

ACCOUNT_SQL = """
SELECT {fields},
  EXISTS (SELECT 1 FROM {outage} o WHERE o.is_active AND o.starts_at <= %(now)s
          AND (o.ends_at IS NULL OR o.ends_at > %(now)s)
          AND (o.region = '' OR UPPER(o.region) = UPPER(a.region))) AS outage,
  (SELECT ap.id FROM {appeal} ap WHERE ap.account_id = a.id AND ap.agent_id = %(agent)s
     AND ap.closed_at IS NULL ORDER BY ap.started_at DESC LIMIT 1) AS open_appeal_id,
  ARRAY(SELECT s.service_id FROM {services} s WHERE s.subscriberaccount_id = a.id) AS service_ids,
  ARRAY(SELECT f.offer_id FROM {offers} f WHERE f.subscriberaccount_id = a.id) AS offer_ids
FROM {account} a WHERE a.number = %(number)s
"""

TARGET_COLUMNS = "t.id, t.campaign_id, t.result, t.result_at, s.result, s.result_at, s.appeal_id"

# A target's recent history, newest first, as a JSON array.
HISTORY_SQL = """COALESCE((
    SELECT json_agg(h ORDER BY h.created_at DESC, h.id DESC) FROM (
      SELECT e.id, e.action, e.result, e.created_at, e.comment, e.agent_comment, e.appeal_id,
             u.username, u.first_name, u.last_name, d.name AS department,
             ARRAY(SELECT ot.code FROM {objections} x JOIN {objection} ot
                     ON ot.id = x.objectiontype_id
                   WHERE x.contacthistoryentry_id = e.id
                   ORDER BY ot."order", ot.code) AS objections
      FROM {history} e
      JOIN {user} u ON u.id = e.agent_id
      LEFT JOIN {department} d ON d.id = e.department_id
      WHERE e.target_id = t.id
      ORDER BY e.created_at DESC, e.id DESC
      LIMIT %(limit)s
    ) h
  ), '[]'::json)"""

TARGETS_FROM = """FROM {target} t
JOIN {campaign} c ON c.id = t.campaign_id
LEFT JOIN {state} s ON s.account_id = t.account_id AND s.offer_id = c.offer_id
WHERE t.account_id = {account_id}"""

TARGETS_SQL = f"SELECT {TARGET_COLUMNS},\n  {HISTORY_SQL} AS history\n{TARGETS_FROM}"

# The account and its targets in one statement and one row: the account's row once (MATERIALIZED,
# so that its subqueries run once), its targets with their history, and its products' states
# (`OfferResult`), each as one JSON array: decoded in one go rather than column by column on a row
# per target ('[]' for none). A target takes its product's state by its campaign's offer in the
# catalogue copy (the offer its card shows), so the statement needs no join to the campaigns.
WORKSPACE_SQL = f"""
WITH acc AS MATERIALIZED ({{account_sql}})
SELECT acc.*, COALESCE((
  SELECT json_agg(json_build_array(t.id, t.campaign_id, t.result, t.result_at, {HISTORY_SQL}))
  FROM {{target}} t WHERE t.account_id = acc.a_id
), '[]'::json) AS targets, COALESCE((
  SELECT json_agg(json_build_array(s.offer_id, s.result, s.result_at, s.appeal_id))
  FROM {{state}} s WHERE s.account_id = acc.a_id
), '[]'::json) AS states
FROM acc
"""


@functools.cache
def _sql(name: str) -> str:
    tables = {k: connection.ops.quote_name(v) for k, v in _tables().items()}
    fields = ", ".join(f"a.{field} AS a_{field}" for field in ACCOUNT_FIELDS)
    account = ACCOUNT_SQL.format(fields=fields, **tables)
    if name == "account":
        return account
    if name == "targets":
        return TARGETS_SQL.format(account_id="%(account)s", **tables)
    workspace = WORKSPACE_SQL.format(account_sql=account, **tables)
    for param, number in WORKSPACE_PARAMS.items():  # prepared: $1, $2, … (config.floor.prepared)
        workspace = workspace.replace(f"%({param})s", f"${number}")
    return workspace


# The workspace statement's parameters, in the order of its prepared form, and their types.
WORKSPACE_PARAMS = {"number": 1, "agent": 2, "now": 3, "limit": 4}
WORKSPACE_TYPES = "text, bigint, timestamptz, int"


def _account_sql(number, agent, now, *, with_targets=False) -> SubscriberAccount | None:
    agent_id = agent.pk if agent is not None and agent.is_authenticated else None
    params = {"number": number, "agent": agent_id, "now": now}
    with connection.cursor() as cursor:
        if with_targets:
            # Read on every call: planning it cost more than running it, so it is prepared.
            params["limit"] = HISTORY_PER_RECOMMENDATION
            values = [params[param] for param in WORKSPACE_PARAMS]
            execute_prepared(cursor, "workspace", _sql("workspace"), WORKSPACE_TYPES, values)
            rows = cursor.fetchall()
        else:
            cursor.execute(_sql("account"), params)
            rows = cursor.fetchmany(1)
    if not rows:
        return None
    n = len(ACCOUNT_FIELDS)
    row = rows[0]
    account = _account_from_row(row[:n])
    account.outage, account.open_appeal_id, account.service_ids, account.offer_ids = row[n : n + 4]
    if with_targets:
        targets, states = row[n + 4 :]
        # The copy the targets' campaigns come from: recommendations_for reads the same one.
        account.catalogue_copy = snapshot = catalogue.current()
        account.targets = _workspace_targets(targets, states, snapshot.campaigns)
    return account


@functools.cache
def _account_defaults() -> dict:
    """What `SubscriberAccount(**fields)` gives the fields the statement does not read (their
    defaults: constants, no callable among them, checked by the tests)."""
    return {
        field.attname: field.get_default()
        for field in SubscriberAccount._meta.concrete_fields
        if field.attname not in ACCOUNT_FIELDS
    }


def _account_from_row(values) -> SubscriberAccount:
    """`SubscriberAccount(**dict(zip(ACCOUNT_FIELDS, values)))`, saved, without the model's
    __init__ (its signals have no receiver for accounts; read on every call)."""
    account = SubscriberAccount.__new__(SubscriberAccount)
    state = account.__dict__
    state.update(_account_defaults())
    state.update(zip(ACCOUNT_FIELDS, values, strict=True))
    state["_state"] = ModelState()
    account._state.adding = False
    return account


def _targets_with_history_sql(account_id, campaigns) -> list[Target]:
    with connection.cursor() as cursor:
        cursor.execute(
            _sql("targets"), {"account": account_id, "limit": HISTORY_PER_RECOMMENDATION}
        )
        rows = cursor.fetchall()
    return _targets_from_rows(rows, campaigns)


def _targets_from_rows(rows, campaigns) -> list[Target]:
    targets = []
    language = translation.get_language()
    for *row, history in rows:
        campaign_id = row[1]
        if campaign_id not in campaigns:
            continue
        target = _target(campaigns[campaign_id], *row)
        pk = target.id
        target.history = [_json_history_row(entry, pk, language) for entry in history]
        targets.append(target)
    return targets


def _workspace_targets(targets: list, states: list, campaigns) -> list[Target]:
    """The workspace statement's targets, each with the state of its campaign's product where the
    account has one (what `_targets_from_rows` makes of the targets statement's rows, in one pass:
    this runs on every call)."""
    by_offer = {offer: (result, at, appeal) for offer, result, at, appeal in states}
    found = []
    for pk, campaign_id, result, result_at, history in targets:
        campaign = campaigns.get(campaign_id)
        if campaign is None:
            continue
        state = by_offer.get(campaign.offer_id)
        appeal_id = None
        if state is not None:
            if state[0] is not None:
                result, result_at = state[0], state[1]
            appeal_id = state[2]
        target = Target(pk, campaign, result, _timestamp(result_at), result_appeal_id=appeal_id)
        if history:
            language = translation.get_language()
            target.history = [_json_history_row(entry, pk, language) for entry in history]
        found.append(target)
    return found


def _timestamp(value: str | None) -> datetime.datetime | None:
    return None if value is None else datetime.datetime.fromisoformat(value)


def _json_history_row(entry: dict, target_id: int, language: str) -> dict:
    """A history entry of the statement's JSON as `_history_row` makes it of the ORM's row."""
    name = " ".join(p for p in (entry["first_name"], entry["last_name"]) if p)
    action = entry["action"]
    return {
        "id": entry["id"],
        "target_id": target_id,
        "action": action,
        "action_label": _action_label(action, language),
        "result": entry["result"],
        "created_at": datetime.datetime.fromisoformat(entry["created_at"]),
        "comment": entry["comment"],
        "agent_comment": entry["agent_comment"],
        "agent": name or entry["username"],
        "department": entry["department"] or "",
        "objections": list(entry["objections"] or []),
        "appeal": entry["appeal_id"],
    }


@functools.lru_cache(maxsize=64)
def _action_label(action: str, language: str) -> str:
    """A history action's label in `language`, the active one (translated once per language)."""
    return str(ACTION_LABELS.get(action, action))

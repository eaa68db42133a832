"""Writes: the monthly conversions job, targets, month locks and new periods of a reward rule."""

import datetime
import json
import logging
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import DecimalField, IntegerField, JSONField, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import AgentProfile
from config.floor import roles
from rewards import calendar, consistency, engine, month_writes, selectors
from rewards.consistency import BandSpec, Period
from rewards.engine import Engine
from rewards.models import (
    AgentMonth,
    CampaignMonth,
    ConversionRun,
    MonthLock,
    MonthlyTarget,
    RewardBand,
    RewardKind,
    RewardLine,
    RewardRule,
)

logger = logging.getLogger(__name__)

ERR_MONTH_OPEN = _("Only a month that has ended can be locked.")
ERR_NOT_YOUR_TEAM = _("You do not lead this team.")
ERR_ALREADY_LOCKED = _("This month is already locked for the team.")
ERR_NOT_LOCKED = _("This month is not locked for the team.")
ERR_CLOSED_MONTH = _(
    "A new period of a rule starts in the running month or later, after the current one starts."
)
ERR_REVISE_ENDED = _("This period has already ended: revise the one in force.")

# What a run writes of an agent's month: the SQL writer's columns, and when it computed them.
UPDATED_FIELDS = [*month_writes.UPDATED, "computed_at"]
ADJUSTED = (("orders", "adjustment_orders"), ("connected", "adjustment_connected"))
BATCH = 1000
NOT_SET = object()


def _lock_run(month, *, shared=False) -> ConversionRun:
    """Take the month's run row: FOR UPDATE for a whole run (a second run waits until the first
    has committed), FOR SHARE for one agent's refresh (refreshes run side by side, never while a
    whole run is writing, so a run cannot write figures older than a refresh's)."""
    ConversionRun.objects.bulk_create([ConversionRun(month=month)], ignore_conflicts=True)
    if shared:
        if connection.vendor == "postgresql":  # SQLite has no row locks: its writes take turns
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id FROM rewards_conversionrun WHERE month = %s FOR SHARE", [month]
                )
        return ConversionRun.objects.get(month=month)
    return ConversionRun.objects.select_for_update().get(month=month)


def _say(progress, message):
    if progress is not None:
        progress(message)


def _key(row) -> tuple[int, int]:
    return (row.agent_id, row.team_id)


def _adjust(fresh_rows: list[AgentMonth], frozen: dict) -> list[AgentMonth]:
    """Rows of a locked month keep their figures: the difference goes into the adjustments (a
    frozen row this run no longer produces is adjusted down to nothing)."""
    fresh = {_key(row): row for row in fresh_rows}
    changed = []
    for key, row in frozen.items():
        new = fresh.get(key)
        for figure, adjustment in ADJUSTED:
            value = getattr(new, figure) if new is not None else 0
            setattr(row, adjustment, value - getattr(row, figure))
        total = new.reward_total if new is not None else 0
        row.adjustment_reward = total - row.reward_total
        changed.append(row)
    return changed


def _changed(rows, existing: dict, fields) -> list:
    """The rows that are new or differ from what is stored: a rerun writes nothing."""
    return [
        row
        for row in rows
        if (key := existing.get(row.pk_key)) is None
        or key != tuple(getattr(row, f) for f in fields)
    ]


def _array_literal(values) -> str:
    """`values` as the text of a PostgreSQL array, every element quoted (the statement casts it to
    the column's type): for a month's rows psycopg's list adapter, element by element in Python,
    took longer than the statement itself."""

    def element(value):
        if value is None:
            return "NULL"
        text = str(value)
        if text.isdigit():
            return text
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return "{" + ",".join(map(element, values)) + "}"


def _upsert_sql(model, rows, *, keys, fields) -> int:
    """`_upsert` on PostgreSQL: one INSERT … SELECT FROM unnest(one array per column) ON CONFLICT
    DO UPDATE of the rows that differ (IS DISTINCT FROM), so the stored rows are not read back
    and no model instance is built: the database compares and writes in one statement."""
    meta = model._meta
    columns = [f for f in meta.concrete_fields if not f.primary_key]
    arrays = []
    for field in columns:
        # A row built by the selectors has the computed fields only: the others take defaults.
        values = [getattr(row, field.attname, NOT_SET) for row in rows]
        values = [field.get_default() if v is NOT_SET else v for v in values]
        if isinstance(field, JSONField):
            values = [json.dumps(v, cls=field.encoder) for v in values]
        elif isinstance(field, DecimalField):  # an array holds one type: 0 becomes Decimal("0")
            values = [field.to_python(v) for v in values]
        elif isinstance(field, IntegerField):  # sums of counts come as Decimal
            values = [None if v is None else int(v) for v in values]
        arrays.append(_array_literal(values))
    quote = connection.ops.quote_name
    names = [quote(f.column) for f in columns]
    casts = [f"%s::{f.db_type(connection)}[]" for f in columns]
    updated = [quote(meta.get_field(f).column) for f in fields]
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(names)}) "
        f"SELECT * FROM unnest({', '.join(casts)}) "
        f"ON CONFLICT ({', '.join(quote(meta.get_field(k).column) for k in keys)}) DO UPDATE SET "
        + ", ".join(f"{c} = EXCLUDED.{c}" for c in [*updated, quote("computed_at")])
        + f" WHERE ({', '.join(f'{quote(meta.db_table)}.{c}' for c in updated)})"
        f" IS DISTINCT FROM ({', '.join(f'EXCLUDED.{c}' for c in updated)})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, arrays)
        return cursor.rowcount


def _upsert(model, rows, *, keys, fields, scope, progress=None, label=""):
    """Insert new rows and update changed ones (keyed by `keys`) among the stored rows of `scope`.
    Returns the number written."""
    if connection.vendor == "postgresql":
        written = _upsert_sql(model, rows, keys=keys, fields=fields) if rows else 0
        _say(progress, f"  {label}: {written} written")
        return written
    attnames = [model._meta.get_field(f).attname for f in fields]
    key_names = [model._meta.get_field(k).attname for k in keys]
    for row in rows:
        row.pk_key = tuple(getattr(row, k) for k in key_names)
    if not rows:
        return 0
    stored = scope.values_list(*key_names, *attnames)
    existing = {tuple(r[: len(key_names)]): tuple(r[len(key_names) :]) for r in stored}
    changed = [
        row
        if isinstance(row, model)
        else model(**{k: v for k, v in vars(row).items() if k != "pk_key"})
        for row in _changed(rows, existing, attnames)
    ]
    for start in range(0, len(changed), BATCH):
        model.objects.bulk_create(
            changed[start : start + BATCH],
            update_conflicts=True,
            unique_fields=keys,
            update_fields=[*fields, "computed_at"],
        )
        _say(progress, f"  {label}: {min(start + BATCH, len(changed))}/{len(changed)} written")
    return len(changed)


def _write_agent_months(rows, *, month, agent_ids=None, progress=None, now=None) -> int:
    """Write the month's rows (of `agent_ids`, or of everyone): open rows follow the orders,
    locked rows keep their figures and take the differences as adjustments; open rows this run
    did not produce (an agent gone, a team the agent's orders no longer count for) go."""
    scope = AgentMonth.objects.filter(month=month)
    if agent_ids is not None:
        scope = scope.filter(agent_id__in=agent_ids)
    frozen = {_key(row): row for row in scope.filter(locked=True)}
    open_rows = [row for row in rows if _key(row) not in frozen]
    written = _upsert(
        AgentMonth,
        open_rows,
        keys=["agent", "month", "team"],
        fields=[f for f in UPDATED_FIELDS if f != "computed_at"],
        scope=scope.filter(locked=False),
        progress=progress,
        label="agents",
    )
    adjusted = _adjust([row for row in rows if _key(row) in frozen], frozen)
    AgentMonth.objects.bulk_update(
        adjusted, ["adjustment_orders", "adjustment_connected", "adjustment_reward"], BATCH
    )
    produced = {_key(row) for row in open_rows}
    stale = [
        pk
        for pk, agent_id, team_id in scope.filter(locked=False).values_list(
            "pk", "agent_id", "team_id"
        )
        if (agent_id, team_id) not in produced
    ]
    AgentMonth.objects.filter(pk__in=stale).delete()
    return written


def _write_campaign_months(month, *, now, figures=None) -> int:
    rows = selectors.campaign_month_rows(month, now=now, figures=figures)
    scope = CampaignMonth.objects.filter(month=month)
    _upsert(
        CampaignMonth,
        rows,
        keys=["campaign", "month"],
        fields=list(selectors.FUNNEL_STEPS),
        scope=scope,
    )
    scope.exclude(campaign_id__in=[row.campaign_id for row in rows]).delete()
    return len(rows)


@transaction.atomic
def conversions_compute(
    *, month: datetime.date, progress: Callable[[str], None] | None = None, now=None
) -> ConversionRun:
    """Compute every agent's month and every campaign's funnel for `month`; rerunning is harmless.

    One transaction under the month's lock row: the figures are written whole or not at all (a
    worker killed mid-run leaves the previous figures, and the retry writes them again), and two
    runs at once follow each other. Rows are keyed by (agent, month, team) and (campaign, month).
    The nightly run is the reconciliation of the refreshes each order event triggers.
    """
    month = month.replace(day=1)
    run = _lock_run(month)
    engine.without_jit()
    now = now or timezone.now()
    run.started_at = now
    _say(progress, f"{calendar.month_key(month)}: aggregating orders, results and targets")
    if connection.vendor == "postgresql":
        done = month_writes.month_write(month, engine=Engine.load(), now=now)
        agents, orders, campaigns = done["agents"], done["orders"], done["campaigns"]
        _say(progress, f"  {agents} agents, {orders} orders")
        _say(progress, f"  agents: {done['written']} written")
        _say(progress, f"  {done['written']} agents' figures changed")
    else:
        agents, orders, campaigns = _compute_in_python(month, now=now, progress=progress)
    _say(progress, f"  {campaigns} campaign funnels")
    run.runs += 1
    run.agents = agents
    run.orders = orders
    run.finished_at = timezone.now()
    run.save()
    logger.info("conversions for %s: %s agents", calendar.month_key(month), run.agents)
    return run


def _compute_in_python(month, *, now, progress) -> tuple[int, int, int]:
    """The job's rows built in Python and written by `_write_agent_months` (SQLite)."""
    by_campaign = {}
    rows = selectors.agent_month_values(
        month, now=now, engine=Engine.load(), by_campaign=by_campaign
    )
    agents = len({row.agent_id for row in rows})
    orders = sum(row.orders for row in rows)
    _say(progress, f"  {agents} agents, {orders} orders")
    written = _write_agent_months(rows, month=month, progress=progress, now=now)
    _say(progress, f"  {written} agents' figures changed")
    campaigns = _write_campaign_months(month, now=now, figures=by_campaign)
    return agents, orders, campaigns


@transaction.atomic
def agent_month_refresh(
    *, agent_ids: list[int], month: datetime.date, now=None
) -> list[AgentMonth]:
    """Compute some agents' month again (after orders, results or team events of theirs).

    The same code as the whole run, for those agents, in one pass of its aggregates however many
    agents an event batch touched; it waits while a whole run of the month is writing, and
    refreshes of one agent follow each other (the agents' profile rows are locked, in id order so
    that two batches never wait on each other crosswise).

    A month no whole run has reached yet (the first event after midnight on the 1st, before the
    nightly run) is computed whole: a month's rows are every agent's, the idle ones at zero, so
    the leaderboard lists them and `audit_month` finds none missing.
    """
    month = month.replace(day=1)
    agent_ids = sorted({int(agent_id) for agent_id in agent_ids})
    if not ConversionRun.objects.filter(month=month, finished_at__isnull=False).exists():
        conversions_compute(month=month, now=now)
        return list(AgentMonth.objects.filter(agent_id__in=agent_ids, month=month))
    _lock_run(month, shared=True)
    list(
        AgentProfile.objects.select_for_update()
        .filter(user_id__in=agent_ids)
        .order_by("user_id")
        .values_list("pk")
    )
    engine.without_jit()
    rows = selectors.agent_month_values(month, agent_ids=agent_ids, now=now or timezone.now())
    _write_agent_months(rows, month=month, agent_ids=agent_ids)
    return rows


@transaction.atomic
def monthly_target_set(*, team, month: datetime.date, target: int) -> MonthlyTarget:
    """A team's target for a month (managers; the admin does the same through the model)."""
    row = MonthlyTarget.objects.filter(team=team, month=month.replace(day=1)).first()
    row = row or MonthlyTarget(team=team, month=month.replace(day=1))
    row.target = target
    row.full_clean()
    row.save()
    return row


def _check_leads(user, team) -> None:
    if roles.has_role(user, roles.MANAGERS):
        return
    if not (
        roles.has_role(user, roles.SUPERVISORS) and team.supervisors.filter(pk=user.pk).exists()
    ):
        raise PermissionDenied(ERR_NOT_YOUR_TEAM)


def _freeze_lines(team, month) -> int:
    """Freeze the statement lines of the team's part of the month (positions count the agent's
    whole statement, so another team's lock of the same agent's month never clashes)."""
    agent_ids = list(
        AgentMonth.objects.filter(month=month, team=team).values_list("agent_id", flat=True)
    )
    RewardLine.objects.filter(month=month, agent_id__in=agent_ids, team=team).delete()
    engine.without_jit()
    lines = []
    for agent_id, statement in selectors.statements(month, agent_ids=agent_ids).items():
        lines += [
            RewardLine(
                agent_id=agent_id,
                month=month,
                order=line.order,
                offer=line.item,
                team_id=line.team_id,
                rule=line.rule,
                state=line.state,
                amount=line.amount,
                counted=line.counted,
                position=position,
            )
            for position, line in enumerate(statement.lines)
            if line.team_id == team.pk
        ]
    RewardLine.objects.bulk_create(lines, batch_size=BATCH)
    return len(lines)


@transaction.atomic
def month_lock(*, team, month: datetime.date, user, now=None) -> MonthLock:
    """Lock a closed month for a team: its figures and statements stay as they are now.

    The month is computed first, so what is frozen is current; later runs write differences into
    the adjustments instead of changing the figures.
    """
    now = now or timezone.now()
    month = month.replace(day=1)
    _check_leads(user, team)
    if month >= timezone.localdate().replace(day=1):
        raise ValidationError(ERR_MONTH_OPEN, code="month_open")
    if MonthLock.objects.filter(team=team, month=month).exists():
        raise ValidationError(ERR_ALREADY_LOCKED, code="already_locked")
    conversions_compute(month=month)
    lock = MonthLock.objects.create(team=team, month=month, locked_by=user, locked_at=now)
    AgentMonth.objects.filter(month=month, team=team).update(
        locked=True, adjustment_orders=0, adjustment_connected=0, adjustment_reward=0
    )
    _freeze_lines(team, month)
    return lock


@transaction.atomic
def month_unlock(*, team, month: datetime.date, user) -> None:
    """Open a locked month again: the next run rewrites its figures from the orders."""
    month = month.replace(day=1)
    _check_leads(user, team)
    deleted, _counts = MonthLock.objects.filter(team=team, month=month).delete()
    if not deleted:
        raise ValidationError(ERR_NOT_LOCKED, code="not_locked")
    agent_ids = AgentMonth.objects.filter(month=month, team=team).values("agent_id")
    RewardLine.objects.filter(month=month, agent_id__in=agent_ids).filter(
        Q(team=team) | Q(team__isnull=True)
    ).delete()
    AgentMonth.objects.filter(month=month, team=team).update(
        locked=False, adjustment_orders=0, adjustment_connected=0, adjustment_reward=0
    )
    conversions_compute(month=month)


def _bands_of(rule) -> list[BandSpec]:
    return [BandSpec(b.min_increase, b.max_increase, b.amount) for b in rule.bands.all()]


def reward_rule_check(rule: RewardRule, *, bands: list[BandSpec] | None = None) -> None:
    """The catalogue's own rules for one rule (R11): its period overlaps no other period of its
    code; a tiered rule's bands cover every increase once, other rules have none. Raises a
    ValidationError by field (`valid_from`, `bands`)."""
    others = [
        Period(code, start, end, key=pk)
        for pk, code, start, end in RewardRule.objects.filter(code=rule.code)
        .exclude(pk=rule.pk)
        .values_list("pk", "code", "valid_from", "valid_to")
    ]
    errors = {}
    conflict = consistency.period_conflict(
        Period(rule.code, rule.valid_from, rule.valid_to, key=rule.pk), others
    )
    if conflict:
        errors["valid_from"] = ValidationError(conflict, code="period_overlap")
    if bands is not None:
        band_errors = bands_errors(rule.kind, bands)
        if band_errors:
            errors["bands"] = [ValidationError(m, code="bands") for m in band_errors]
    if errors:
        raise ValidationError(errors)


def bands_errors(kind, bands: list[BandSpec]) -> list[str]:
    """Every band error of a rule of `kind`, each message prefixed by the band it is about."""
    if kind != RewardKind.TIERED:
        return [str(consistency.ERR_BANDS_NOT_TIERED)] if bands else []
    if not bands:
        return [str(consistency.ERR_TIERED_NEEDS_BANDS)]
    return [
        f"{consistency.describe_band(bands[index])}: {message}"
        for index, messages in sorted(consistency.band_errors(bands).items())
        for _bound, message in messages
    ]


@transaction.atomic
def reward_bands_replace(*, rule: RewardRule, bands: list[BandSpec]) -> list[RewardBand]:
    """Give a tiered rule exactly these bands (checked first): the old ones go, the new ones come
    in ascending order, so no moment of the transaction has two bands overlap."""
    reward_rule_check(rule, bands=bands)
    rule.bands.all().delete()
    return RewardBand.objects.bulk_create(
        RewardBand(rule=rule, min_increase=b.low, max_increase=b.high, amount=b.amount)
        for b in sorted(bands, key=lambda b: b.low)
    )


@transaction.atomic
def reward_rule_revise(
    *, rule: RewardRule, valid_from: datetime.date, bands: list[BandSpec] | None = None, **changes
) -> RewardRule:
    """Revise a rule: its current period ends the day before `valid_from`, the next one starts
    then with the changes (amount, arpu_share, name; `bands` for a tiered rule) and ends when the
    old one would have. Offers are copied, and bands unless given.

    An order earns by the period valid on the day it is connected (or registered, while pending):
    one registered before the revision and connected after it earns the new amount. A revision
    starts in the running month or later, so a closed month never changes.
    """
    rule = RewardRule.objects.select_for_update().get(pk=rule.pk)
    if valid_from < timezone.localdate().replace(day=1) or valid_from <= rule.valid_from:
        raise ValidationError({"valid_from": ERR_CLOSED_MONTH}, code="closed_month")
    if rule.valid_to is not None and valid_from > rule.valid_to:
        raise ValidationError({"valid_from": ERR_REVISE_ENDED}, code="rule_ended")
    offers = list(rule.offers.all())
    bands = _bands_of(rule) if bands is None else bands
    end = rule.valid_to
    rule.valid_to = valid_from - datetime.timedelta(days=1)
    rule.full_clean()
    rule.save()
    new = RewardRule(
        code=rule.code,
        name=changes.pop("name", rule.name),
        service=rule.service,
        kind=rule.kind,
        amount=changes.pop("amount", rule.amount),
        arpu_share=changes.pop("arpu_share", rule.arpu_share),
        valid_from=valid_from,
        valid_to=end,
        order=rule.order,
    )
    if changes:
        raise TypeError(f"unknown fields: {', '.join(changes)}")
    new.full_clean()
    reward_rule_check(new, bands=bands)
    new.save()
    new.offers.set(offers)
    if new.kind == RewardKind.TIERED:
        reward_bands_replace(rule=new, bands=bands)
    return new


@transaction.atomic
def agent_month_ensure(*, agent_id: int, month: datetime.date) -> None:
    """Compute the agent's month when it has no stored row yet (a month no run or event has
    reached): the pages then show what the leaderboard will."""
    if not AgentMonth.objects.filter(agent_id=agent_id, month=month).exists():
        agent_month_refresh(agent_ids=[agent_id], month=month)

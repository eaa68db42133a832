"""Writes: the monthly conversions job, targets, month locks and new periods of a reward rule."""

import datetime
import logging
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.floor import roles
from rewards import calendar, engine, selectors
from rewards.engine import Engine
from rewards.models import (
    AgentMonth,
    CampaignMonth,
    ConversionRun,
    MonthLock,
    MonthlyTarget,
    RewardBand,
    RewardLine,
    RewardRule,
)

logger = logging.getLogger(__name__)

ERR_MONTH_OPEN = _("Only a month that has ended can be locked.")
ERR_NOT_YOUR_TEAM = _("You do not lead this team.")
ERR_ALREADY_LOCKED = _("This month is already locked for the team.")
ERR_NOT_LOCKED = _("This month is not locked for the team.")
ERR_CLOSED_MONTH = _("A new period of a rule starts in the running month or later.")

UPDATED_FIELDS = [
    "team",
    "target",
    "base_target",
    "prorated",
    *selectors.FIGURES,
    "ordered",
    "reward_earned",
    "reward_clawed_back",
    "reward_total",
    "reward_pending",
    "locked",
    "computed_at",
]
ADJUSTED = (("orders", "adjustment_orders"), ("connected", "adjustment_connected"))
BATCH = 1000


def _lock_run(month) -> ConversionRun:
    """Take the month's run row FOR UPDATE: a second run waits until the first has committed."""
    ConversionRun.objects.bulk_create([ConversionRun(month=month)], ignore_conflicts=True)
    return ConversionRun.objects.select_for_update().get(month=month)


def _say(progress, message):
    if progress is not None:
        progress(message)


def _adjust(rows: list[AgentMonth], frozen: dict[int, AgentMonth]) -> list[AgentMonth]:
    """Rows of a locked month keep their figures: the difference goes into the adjustments."""
    changed = []
    for fresh in rows:
        row = frozen[fresh.agent_id]
        for figure, adjustment in ADJUSTED:
            setattr(row, adjustment, getattr(fresh, figure) - getattr(row, figure))
        row.adjustment_reward = fresh.reward_total - row.reward_total
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


def _upsert(model, rows, *, keys, fields, progress=None, label=""):
    """Insert new rows and update changed ones (keyed by `keys`); delete the month's rows this run
    did not produce. Returns the number written."""
    attnames = [model._meta.get_field(f).attname for f in fields]
    key_names = [model._meta.get_field(k).attname for k in keys]
    month = rows[0].month if rows else None
    for row in rows:
        row.pk_key = tuple(getattr(row, k) for k in key_names)
    written = 0
    if rows:
        stored = model.objects.filter(month=month).values_list(*key_names, *attnames, "pk")
        existing = {tuple(r[: len(key_names)]): tuple(r[len(key_names) : -1]) for r in stored}
        changed = _changed(rows, existing, attnames)
        for start in range(0, len(changed), BATCH):
            model.objects.bulk_create(
                changed[start : start + BATCH],
                update_conflicts=True,
                unique_fields=keys,
                update_fields=[*fields, "computed_at"],
            )
            _say(progress, f"  {label}: {min(start + BATCH, len(changed))}/{len(changed)} written")
        written = len(changed)
    return written


def _write_agent_months(rows, *, month, progress) -> int:
    frozen = {row.agent_id: row for row in AgentMonth.objects.filter(month=month, locked=True)}
    open_rows = [row for row in rows if row.agent_id not in frozen]
    written = _upsert(
        AgentMonth,
        open_rows,
        keys=["agent", "month"],
        fields=[f for f in UPDATED_FIELDS if f != "computed_at"],
        progress=progress,
        label="agents",
    )
    adjusted = _adjust([row for row in rows if row.agent_id in frozen], frozen)
    AgentMonth.objects.bulk_update(
        adjusted, ["adjustment_orders", "adjustment_connected", "adjustment_reward"], BATCH
    )
    # Agents no longer on the floor that month: no row of theirs came out of this run.
    AgentMonth.objects.filter(month=month, locked=False).exclude(
        agent_id__in=[row.agent_id for row in open_rows]
    ).delete()
    return written


def _write_campaign_months(month, *, now) -> int:
    rows = selectors.campaign_month_rows(month, now=now)
    _upsert(CampaignMonth, rows, keys=["campaign", "month"], fields=list(selectors.FUNNEL_STEPS))
    CampaignMonth.objects.filter(month=month).exclude(
        campaign_id__in=[row.campaign_id for row in rows]
    ).delete()
    return len(rows)


@transaction.atomic
def conversions_compute(
    *, month: datetime.date, progress: Callable[[str], None] | None = None, now=None
) -> ConversionRun:
    """Compute every agent's month and every campaign's funnel for `month`; rerunning is harmless.

    One transaction under the month's lock row: the figures are written whole or not at all (a
    worker killed mid-run leaves the previous figures, and the retry writes them again), and two
    runs at once follow each other. Rows are keyed by (agent, month) and (campaign, month).
    """
    month = month.replace(day=1)
    run = _lock_run(month)
    engine.without_jit()
    now = now or timezone.now()
    run.started_at = now
    _say(progress, f"{calendar.month_key(month)}: aggregating orders, results and targets")
    rows = selectors.agent_month_rows(month, now=now, engine=Engine.load())
    _say(progress, f"  {len(rows)} agents, {sum(r.orders for r in rows)} orders")
    written = _write_agent_months(rows, month=month, progress=progress)
    _say(progress, f"  {written} agents' figures changed")
    campaigns = _write_campaign_months(month, now=now)
    _say(progress, f"  {campaigns} campaign funnels")
    run.runs += 1
    run.agents = len(rows)
    run.orders = sum(r.orders for r in rows)
    run.finished_at = timezone.now()
    run.save()
    logger.info("conversions for %s: %s agents", calendar.month_key(month), run.agents)
    return run


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
    agent_ids = list(
        AgentMonth.objects.filter(month=month, team=team).values_list("agent_id", flat=True)
    )
    RewardLine.objects.filter(month=month, agent_id__in=agent_ids).delete()
    engine.without_jit()
    lines = []
    for agent_id, statement in selectors.statements(month, agent_ids=agent_ids).items():
        lines += [
            RewardLine(
                agent_id=agent_id,
                month=month,
                order=line.order,
                rule=line.rule,
                state=line.state,
                amount=line.amount,
                counted=line.counted,
                position=position,
            )
            for position, line in enumerate(statement.lines)
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
    RewardLine.objects.filter(month=month, agent_id__in=agent_ids).delete()
    AgentMonth.objects.filter(month=month, team=team).update(locked=False)
    conversions_compute(month=month)


@transaction.atomic
def reward_rule_revise(*, rule: RewardRule, valid_from: datetime.date, **changes) -> RewardRule:
    """A new period of a rule from `valid_from`: the old one ends the day before, nothing earlier
    changes (orders are matched with the rule valid on their day of connection).

    `changes` sets fields of the new period (amount, arpu_share, name); offers and bands are copied.
    """
    if valid_from < timezone.localdate().replace(day=1) or valid_from <= rule.valid_from:
        raise ValidationError({"valid_from": ERR_CLOSED_MONTH}, code="closed_month")
    offers, bands = list(rule.offers.all()), list(rule.bands.all())
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
        order=rule.order,
    )
    if changes:
        raise TypeError(f"unknown fields: {', '.join(changes)}")
    new.full_clean()
    new.save()
    new.offers.set(offers)
    RewardBand.objects.bulk_create(
        RewardBand(
            rule=new, min_increase=b.min_increase, max_increase=b.max_increase, amount=b.amount
        )
        for b in bands
    )
    return new

"""`audit_month`: work a month out again from the raw events and list every difference from what
is stored (issue 10, §5).

The raw events are the orders with their items and status history, the saved results, the reward
rules and the team history. The month is computed from scratch (the job's own aggregate, no
stored figure read), and each agent's statement line by line (the statement's own path, in
Python per item); then:

- every open row must equal the fresh figures, and the lines of its team must add up to it;
- a locked row keeps its figures: its adjustments must be exactly the fresh figures minus the
  frozen ones, and its frozen lines must add up to the frozen figures;
- no row may be missing or left over (a month with no stored row at all was never computed: that
  is one difference, not one per agent);
- every order touching the month must agree with its status history (its status is the last
  change's; it was connected and cancelled when the history says);
- the catalogue in force during the month must not contradict itself (R11).

Reads only; the command exits 1 when anything differs.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import OuterRef, Q, Subquery

from campaigns.models import OrderStatus, OrderStatusChange
from rewards import calendar, consistency
from rewards.consistency import BandSpec, Period
from rewards.engine import Engine, without_jit
from rewards.models import AgentMonth, RewardLine, RewardRule
from rewards.selectors.figures import FIGURES, agent_month_values, month_orders
from rewards.selectors.statements import Line, Statement, statements

COMPARED = (*FIGURES, "month_orders", "target", "base_target", "prorated", "reward_earned",
            "reward_clawed_back", "reward_total", "reward_pending", "reward_disputes",
            "ordered")  # fmt: skip
ADJUSTED = (
    ("orders", "adjustment_orders"),
    ("connected", "adjustment_connected"),
    ("reward_total", "adjustment_reward"),
)


@dataclass(frozen=True)
class Difference:
    """One thing that does not agree: where, what, stored and worked out."""

    where: str
    what: str
    stored: object
    fresh: object

    def __str__(self):
        return f"{self.where}: {self.what}: stored {self.stored}, recomputed {self.fresh}"


def _where(agent_id, team_id) -> str:
    return f"agent {agent_id} team {team_id}"


def _lines_total(lines):
    return (lines.earned, lines.clawed_back, lines.pending)


def _open_row(row, fresh, lines) -> list[Difference]:
    where = _where(row.agent_id, row.team_id)
    found = [
        Difference(where, name, getattr(row, name), getattr(fresh, name))
        for name in COMPARED
        if getattr(row, name) != getattr(fresh, name)
    ]
    stored = (row.reward_earned, row.reward_clawed_back, row.reward_pending)
    if _lines_total(lines) != stored:
        found.append(Difference(where, "statement lines (earned, clawed back, pending)",
                                stored, _lines_total(lines)))  # fmt: skip
    return found


def _locked_row(row, fresh, frozen_lines) -> list[Difference]:
    where = _where(row.agent_id, row.team_id) + " (locked)"
    found = []
    for figure, adjustment in ADJUSTED:
        expected = (getattr(fresh, figure) if fresh else 0) - getattr(row, figure)
        if getattr(row, adjustment) != expected:
            found.append(Difference(where, adjustment, getattr(row, adjustment), expected))
    stored = (row.reward_earned, row.reward_clawed_back, row.reward_pending)
    if _lines_total(frozen_lines) != stored:
        found.append(Difference(where, "frozen statement lines", stored,
                                _lines_total(frozen_lines)))  # fmt: skip
    return found


def _figures(month) -> list[Difference]:
    fresh = {(v.agent_id, v.team_id): v for v in agent_month_values(month)}
    stored = {(row.agent_id, row.team_id): row for row in AgentMonth.objects.filter(month=month)}
    if fresh and not stored:
        return [Difference("month", "rows", "none (not computed)", f"{len(fresh)} expected")]
    agent_ids = sorted({agent for agent, _team in fresh} | {agent for agent, _team in stored})
    live = statements(month, agent_ids=agent_ids, engine=Engine.load())
    frozen = defaultdict(list)
    for line in RewardLine.objects.filter(month=month).select_related("order"):
        frozen[(line.agent_id, line.team_id)].append(line)
    found = []
    for key in sorted(fresh.keys() | stored.keys()):
        row, new = stored.get(key), fresh.get(key)
        if row is None:
            found.append(Difference(_where(*key), "row", "missing", "expected"))
        elif row.locked:
            lines = Statement(
                [Line(x.order, x.rule, x.state, x.amount, x.counted) for x in frozen[key]]
            )
            found += _locked_row(row, new, lines)
        elif new is None:
            found.append(Difference(_where(*key), "row", "present", "not expected"))
        else:
            found += _open_row(row, new, live[key[0]].for_team(key[1]))
    return found


def _history(month) -> list[Difference]:
    """Orders touching the month whose own columns disagree with their status history."""

    def last(status=None):
        changes = OrderStatusChange.objects.filter(order=OuterRef("pk"))
        if status is not None:
            changes = changes.filter(status=status)
        column = "status" if status is None else "changed_at"
        return Subquery(changes.order_by("-changed_at", "-id").values(column)[:1])

    orders = month_orders(month).annotate(
        h_status=last(),
        h_connected=last(OrderStatus.CONNECTED),
        h_cancelled=last(OrderStatus.CANCELLED),
    )
    found = []
    for pk, status, connected, cancelled, h_status, h_connected, h_cancelled in orders.values_list(
        "pk", "status", "connected_at", "cancelled_at", "h_status", "h_connected", "h_cancelled"
    ).iterator(chunk_size=2000):
        if h_status is None:
            found.append(Difference(f"order {pk}", "status history", "none", status))
            continue
        if status != h_status:
            found.append(Difference(f"order {pk}", "status", status, h_status))
        if connected != h_connected:
            found.append(Difference(f"order {pk}", "connected at", connected, h_connected))
        if cancelled != h_cancelled:
            found.append(Difference(f"order {pk}", "cancelled at", cancelled, h_cancelled))
    return found


def _catalogue(month) -> list[Difference]:
    start, end = month, calendar.next_month(month) - datetime.timedelta(days=1)
    rules = list(
        RewardRule.objects.filter(valid_from__lte=end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
        .prefetch_related("bands")
    )
    periods = [Period(r.code, r.valid_from, r.valid_to, key=r.pk) for r in rules]
    found = []
    for rule, period in zip(rules, periods, strict=True):
        conflict = consistency.period_conflict(period, periods)
        if conflict:
            found.append(Difference(f"rule {rule.code} from {rule.valid_from}", "period",
                                    "overlaps", conflict))  # fmt: skip
        bands = [BandSpec(b.min_increase, b.max_increase, b.amount) for b in rule.bands.all()]
        for _index, errors in consistency.band_errors(bands).items():
            for _bound, message in errors:
                found.append(Difference(f"rule {rule.code} from {rule.valid_from}", "bands",
                                        "contradict", message))  # fmt: skip
    return found


@transaction.atomic
def audit_month(month: datetime.date) -> list[Difference]:
    """Every difference between the month as stored and as worked out again now (one snapshot)."""
    without_jit()
    month = month.replace(day=1)
    return [*_catalogue(month), *_history(month), *_figures(month)]

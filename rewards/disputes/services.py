"""Writes on statement disputes: an agent flags a line or a missing order; the supervisor of the
agent's team (or a manager) accepts it, with an adjustment booked in the next open month, or
rejects it, each with a reason; the agent may withdraw an open one.

TRANSITIONS is the whole state machine: from a state, the states it may go to and who may take
the step. Everything else (a decision on a decided dispute, a second decision racing the first)
is a Conflict; the row is locked while a step is taken.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import AgentProfile
from config.floor import roles
from config.floor.errors import Conflict, DomainError, Forbidden, NotFound
from rewards import calendar
from rewards.disputes import selectors
from rewards.models import DisputeKind, DisputeStatus, StatementDispute

ERR_AGENTS_ONLY = _("Only agents flag lines of their own statements.")
ERR_COMMENT_REQUIRED = _("Say what is wrong: a comment is required.")
ERR_MONTH_FUTURE = _("A month that has not started has no statement to dispute.")
ERR_NOT_IN_STATEMENT = _("This order (or item) has no line in your statement of that month.")
ERR_REFERENCE_REQUIRED = _("Name the missing order: its number, the account or what was sold.")
ERR_DISPUTE_EXISTS = _("This line is already disputed and waits for the supervisor's decision.")
ERR_NO_DISPUTE = _("There is no such dispute.")
ERR_DISPUTE_DECIDED = _("This dispute is no longer open: it is «%(status)s».")
ERR_REASON_REQUIRED = _("Give the reason of the decision.")
ERR_AMOUNT_REQUIRED = _("An accepted dispute needs its adjustment: a sum other than 0 ₽.")
ERR_AMOUNT_RANGE = _("The adjustment must be a sum in roubles between −100 000 and 100 000 ₽.")
ERR_NOT_YOUR_TEAM = _("You do not lead this agent's team.")
ERR_KIND = _("Choose what is disputed: a line of the statement or a missing order.")
ERR_NOT_YOUR_DISPUTE = _("Only the agent who flagged a dispute may withdraw it.")

MAX_AMOUNT = Decimal("100000")
SUPERVISOR, AGENT = "supervisor", "agent"

# From a state: {the state it may go to: who may take the step}.
TRANSITIONS = {
    DisputeStatus.OPEN: {
        DisputeStatus.ACCEPTED: SUPERVISOR,
        DisputeStatus.REJECTED: SUPERVISOR,
        DisputeStatus.WITHDRAWN: AGENT,
    },
    DisputeStatus.ACCEPTED: {},
    DisputeStatus.REJECTED: {},
    DisputeStatus.WITHDRAWN: {},
}


def _text(value, error, code) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(error, code=code)
    return text[:2000]


def _line_item(*, agent, month, order_id, offer_id):
    """The order and item of a line of the agent's statement of the month, else an error (an
    order of another agent reads as not in the statement: nothing is revealed)."""
    order = (
        selectors.statement_orders(agent_id=agent.pk, month=month)
        .filter(pk=order_id)
        .select_related("product", "tariff")
        .first()
        if order_id
        else None
    )
    if order is None:
        raise DomainError(ERR_NOT_IN_STATEMENT, code="not_in_statement")
    main = order.product_id or order.tariff_id
    if offer_id is None or int(offer_id) == main:
        return order, main
    if not order.extras.filter(pk=offer_id).exists():
        raise DomainError(ERR_NOT_IN_STATEMENT, code="not_in_statement")
    return order, int(offer_id)


def dispute_flag(
    *,
    agent,
    month: datetime.date,
    kind: str,
    comment: str,
    order_id: int | None = None,
    offer_id: int | None = None,
    reference: str = "",
    now=None,
) -> StatementDispute:
    """An agent disputes a line of the month's statement (`order_id`, `offer_id`: the item, the
    order's main one when left out) or an order missing from it (`reference`)."""
    now = now or timezone.now()
    if not roles.has_role(agent, roles.AGENTS):
        raise Forbidden(ERR_AGENTS_ONLY, code="agents_only")
    month = month.replace(day=1)
    if month > timezone.localdate(now).replace(day=1):
        raise DomainError(ERR_MONTH_FUTURE, code="month_in_future")
    comment = _text(comment, ERR_COMMENT_REQUIRED, "comment_required")
    dispute = StatementDispute(agent=agent, month=month, kind=kind, comment=comment, created_at=now)
    dispute._history_user = agent  # the history names who did it, with or without a request
    if kind == DisputeKind.LINE:
        dispute.order, dispute.offer_id = _line_item(
            agent=agent, month=month, order_id=order_id, offer_id=offer_id
        )
    elif kind == DisputeKind.MISSING_ORDER:
        dispute.reference = _text(reference, ERR_REFERENCE_REQUIRED, "reference_required")[:200]
    else:
        raise DomainError(ERR_KIND, code="invalid_kind")
    try:
        with transaction.atomic():
            dispute.save()
    except IntegrityError as error:  # the same line flagged twice at once: one wins
        raise Conflict(ERR_DISPUTE_EXISTS, code="dispute_exists") from error
    return dispute


def _locked(dispute_id) -> StatementDispute:
    dispute = (
        StatementDispute.objects.select_for_update(of=("self",))
        .filter(pk=dispute_id)
        .select_related("agent")
        .first()
    )
    if dispute is None:
        raise NotFound(ERR_NO_DISPUTE, code="dispute_not_found")
    return dispute


def _step(dispute, to: str, user) -> None:
    """Check the transitions table and who takes the step."""
    actor = TRANSITIONS[dispute.status].get(to)
    if actor is None:
        raise Conflict(
            ERR_DISPUTE_DECIDED,
            code="dispute_decided",
            params={"status": DisputeStatus(dispute.status).label},
        )
    if actor == AGENT and dispute.agent_id != user.pk:
        raise Forbidden(ERR_NOT_YOUR_DISPUTE, code="not_your_dispute")
    if actor == SUPERVISOR and not selectors.may_decide(user, dispute):
        raise Forbidden(ERR_NOT_YOUR_TEAM, code="not_your_team")


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", ".").replace(" ", "").replace("\u00a0", ""))
    except (InvalidOperation, ValueError) as error:
        raise DomainError(ERR_AMOUNT_RANGE, code="amount_invalid") from error
    if not amount.is_finite() or abs(amount) > MAX_AMOUNT:
        raise DomainError(ERR_AMOUNT_RANGE, code="amount_invalid")
    amount = amount.quantize(Decimal("0.01"))
    if amount == 0:
        raise DomainError(ERR_AMOUNT_REQUIRED, code="amount_required")
    return amount


@transaction.atomic
def dispute_accept(*, dispute_id: int, user, amount, reason: str, now=None) -> StatementDispute:
    """Accept: the adjustment is booked in the next open month of the agent's team (the month
    after the disputed one, skipping months locked for the team, never after the running month;
    a dispute of the running month is adjusted in it)."""
    now = now or timezone.now()
    dispute = _locked(dispute_id)
    _step(dispute, DisputeStatus.ACCEPTED, user)
    reason = _text(reason, ERR_REASON_REQUIRED, "reason_required")
    if amount is None or str(amount).strip() == "":
        raise DomainError(ERR_AMOUNT_REQUIRED, code="amount_required")
    dispute.amount = _amount(amount)
    team_id = (
        AgentProfile.objects.filter(user_id=dispute.agent_id)
        .values_list("team_id", flat=True)
        .first()
    )
    dispute.adjustment_team_id = team_id
    dispute.adjustment_month = selectors.next_open_month(
        team_id=team_id, disputed=dispute.month, today=timezone.localdate(now)
    )
    return _decide(dispute, DisputeStatus.ACCEPTED, user, reason, now)


@transaction.atomic
def dispute_reject(*, dispute_id: int, user, reason: str, now=None) -> StatementDispute:
    now = now or timezone.now()
    dispute = _locked(dispute_id)
    _step(dispute, DisputeStatus.REJECTED, user)
    reason = _text(reason, ERR_REASON_REQUIRED, "reason_required")
    return _decide(dispute, DisputeStatus.REJECTED, user, reason, now)


@transaction.atomic
def dispute_withdraw(*, dispute_id: int, user, now=None) -> StatementDispute:
    now = now or timezone.now()
    dispute = _locked(dispute_id)
    _step(dispute, DisputeStatus.WITHDRAWN, user)
    return _decide(dispute, DisputeStatus.WITHDRAWN, user, "", now)


def _decide(dispute, status, user, reason, now) -> StatementDispute:
    dispute.status = status
    dispute.resolution = reason
    dispute.resolved_by = user
    dispute.resolved_at = now
    dispute._history_user = user
    if reason:
        dispute._change_reason = reason[:100]  # simple_history records why
    dispute.full_clean(exclude=["agent", "order", "offer", "adjustment_team", "resolved_by"])
    dispute.save()
    return dispute


def month_of(value: str | None) -> datetime.date:
    """A statement month from `YYYY-MM` (the running month when empty), as a domain error."""
    try:
        return calendar.parse_month(value)
    except calendar.MonthError as error:
        raise DomainError(error.message, code=error.code) from error

"""A statement dispute in each state for the demo agent (`agent`), decided by the demo supervisor:
open (a line of the running month), accepted (a line of the previous month, 25 ₽ booked in the
next open month), rejected (an order reported missing) and withdrawn. Runs before the conversions
step, so the accepted adjustment is in the month's figures. Idempotent: each is found by its
comment and made once."""

from django.contrib.auth import get_user_model

from config.floor.seeding import SeedContext
from rewards import calendar
from rewards.disputes import selectors, services
from rewards.models import DisputeKind, StatementDispute

OPEN = "Антивирус подключён, а в выписке «ожидает». Проверьте, пожалуйста."
ACCEPTED = "За пакет посчитали по старой ставке: должно быть больше."
REJECTED = "Не вижу заказа на л/с 352011070411 от прошлой недели."
WITHDRAWN = "Нет заказа «Кино» — нашла, он в следующем месяце."


def _line(agent, month):
    """The first order of the agent's statement of the month, or None."""
    return selectors.statement_orders(agent_id=agent.pk, month=month).order_by("created_at").first()


def _flag(agent, month, comment, order=None, reference=""):
    found = StatementDispute.objects.filter(agent=agent, comment=comment).first()
    if found is not None:
        return found, False
    kind = DisputeKind.LINE if order else DisputeKind.MISSING_ORDER
    dispute = services.dispute_flag(
        agent=agent,
        month=month,
        kind=kind,
        comment=comment,
        order_id=order.pk if order else None,
        reference=reference,
    )
    return dispute, True


def run(ctx: SeedContext) -> dict[str, int]:
    users = get_user_model().objects
    agent = users.filter(username="agent").first()
    boss = users.filter(username="supervisor").first()
    if agent is None or boss is None:
        return {"disputes": 0}
    running, previous = ctx.month_start, calendar.previous_month(ctx.month_start)
    made = 0
    current_order, previous_order = _line(agent, running), _line(agent, previous)
    if current_order is not None:
        made += _flag(agent, running, OPEN, order=current_order)[1]
    if previous_order is not None:
        dispute, new = _flag(agent, previous, ACCEPTED, order=previous_order)
        if new:
            services.dispute_accept(
                dispute_id=dispute.pk,
                user=boss,
                amount="25",
                reason="Ставка пересмотрена с начала месяца: доплата 25 ₽.",
            )
        made += new
    dispute, new = _flag(agent, previous, REJECTED, reference="л/с 352011070411")
    if new:
        services.dispute_reject(
            dispute_id=dispute.pk,
            user=boss,
            reason="Заказ на этот л/с оформлен другим агентом (ДК в выписке agent2).",
        )
    made += new
    dispute, new = _flag(agent, running, WITHDRAWN, reference="«Кино»")
    if new:
        services.dispute_withdraw(dispute_id=dispute.pk, user=agent)
    made += new
    return {"disputes made": made, "disputes": StatementDispute.objects.filter(agent=agent).count()}

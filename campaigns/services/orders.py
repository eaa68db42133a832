"""Writes on connection orders: registration (R7, R8), lifecycle, reveal with audit, retention."""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaigns import crypto
from campaigns.models import (
    TRANSITIONS,
    Appeal,
    AppealTheme,
    Campaign,
    ConnectionOrder,
    InstallerSlot,
    OrderOutboxMessage,
    OrderStatus,
    OrderStatusChange,
    OutboxKind,
    PersonalDataReveal,
    StatusSource,
    SubscriberAccount,
)
from campaigns.services import order_rules as rules
from campaigns.services.workspace import _department_of
from config import roles
from offers.models import Offer

logger = logging.getLogger("campaigns.orders")

# R8: the appeal's result once an order is registered.
APPEAL_RESULT = _("Work order created in the external system")
APPEAL_DETAIL = _("%(kind)s (%(name)s)")

ERR_CAMPAIGN = _("Unknown campaign.")
ERR_APPEAL = _("The appeal is not one of yours on this account.")
ERR_TRANSITION = _("An order in status «%(current)s» cannot become «%(new)s».")
ERR_CANCEL_REASON = _("Say why the order is cancelled.")
ERR_NOT_YOUR_ORDER = _("Only the agent who registered the order can change it.")
ERR_REVEAL_REASON = _("Say why you need to see the personal data (at least 5 characters).")
ERR_REVEAL_FIELDS = _("Unknown fields: %(fields)s.")
ERR_REVEAL_DENIED = _("Your role may not see personal data.")

REVEALABLE_FIELDS = ("passport", "contact_phone", "connection_address", "registration_address")


@dataclass
class OrderInput:
    """What the agent fills in on the order form (R8), as codes and plain values."""

    full_name: str = ""
    contact_phone: str = ""
    connection_address: str = ""
    registration_address: str = ""
    passport_series: str = ""
    passport_number: str = ""
    passport_issued_on: datetime.date | None = None
    passport_issued_by: str = ""
    technology: str = ""
    service: str = ""
    sales_channel: str = ""
    tariff: str = ""
    equipment: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    slot: int | None = None
    comment: str = ""


def _campaign(errors, code):
    if not code:
        return None
    campaign = Campaign.objects.select_related("offer").filter(code=code).first()
    if campaign is None:
        rules.add(errors, "campaign", ERR_CAMPAIGN, "invalid_campaign")
    return campaign


def _appeal(errors, *, appeal_id, account, agent):
    appeals = Appeal.objects.filter(account=account, agent=agent)
    if appeal_id is None:
        return appeals.open().order_by("-started_at").first()
    appeal = appeals.filter(pk=appeal_id).first()
    if appeal is None:
        rules.add(errors, "appeal", ERR_APPEAL, "invalid_appeal")
    return appeal


def _validated(data: OrderInput, *, account, now) -> dict:
    """Every rule of the form; raises one ValidationError with all the field errors."""
    errors: dict = {}
    clean = {
        "full_name": rules.full_name(errors, data.full_name),
        "contact_phone": rules.phone(errors, data.contact_phone),
        "connection_address": rules.required_text(
            errors, "connection_address", data.connection_address, min_length=10
        ),
        "registration_address": rules.required_text(
            errors, "registration_address", data.registration_address, min_length=10
        ),
        "comment": (data.comment or "").strip()[:2000],
    }
    series, number, issued_by = rules.passport(
        errors,
        series=data.passport_series,
        number=data.passport_number,
        issued_on=data.passport_issued_on,
        issued_by=data.passport_issued_by,
        today=timezone.localdate(now),
    )
    technology, service = rules.technology_and_service(
        errors, technology_code=data.technology, service_code=data.service
    )
    clean.update(
        technology=technology,
        service=service,
        tariff=rules.tariff(errors, code=data.tariff, technology=technology, service=service),
        sales_channel=rules.sales_channel(errors, code=data.sales_channel),
    )
    clean["_equipment"] = rules.equipment(errors, codes=data.equipment, technology=technology)
    clean["_extras"] = rules.extras(errors, codes=data.extras)
    clean["_errors"] = errors
    # Used only when there is no error at all (the order is not written otherwise).
    clean["_passport"] = crypto.Passport(series, number, data.passport_issued_on, issued_by)
    return clean


def order_register(
    *,
    agent,
    account: SubscriberAccount,
    data: OrderInput,
    campaign_code: str = "",
    appeal_id: int | None = None,
    now=None,
) -> ConnectionOrder:
    """Register a connection order: the order, the appeal (R8) and the outbox entry, all or nothing.

    The installer slot is locked while its bookings are counted, so two agents cannot both take
    its last visit. The hand-off to fulfilment is enqueued once the transaction has committed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        clean = _validated(data, account=account, now=now)
        errors = clean.pop("_errors")
        campaign = _campaign(errors, campaign_code)
        appeal = _appeal(errors, appeal_id=appeal_id, account=account, agent=agent)
        # Locked last: the lock is held only while this transaction ends.
        slot = rules.slot_locked(errors, slot_id=data.slot, now=now, region=account.region)
        rules.raise_if(errors)
        order = _create(
            clean,
            agent=agent,
            account=account,
            campaign=campaign,
            appeal=appeal,
            slot=slot,
            now=now,
        )
        _record_appeal(order, appeal=appeal, agent=agent)
        _outbox(order, OutboxKind.CREATE, now)
    logger.info("order %s registered (reference %s)", order.pk, order.reference)
    return order


def previous_plan(*, account: SubscriberAccount, sale: Offer) -> Offer | None:
    """The plan a sale replaces: the dearest tariff (or base service offer) of the sale's service
    the account holds, other than the sale itself; None when the service is new to the account."""
    return (
        account.offers.filter(kind__in=rules.PLAN_KINDS, service_id=sale.service_id)
        .exclude(pk=sale.pk)
        .order_by("-monthly_price", "pk")
        .first()
    )


def previous_fields(*, account: SubscriberAccount, sale: Offer) -> dict:
    """`previous_tariff` and its fee now, to freeze on the order: what the rewards engine reads."""
    previous = previous_plan(account=account, sale=sale)
    return {
        "previous_tariff": previous,
        "previous_monthly_fee": previous.monthly_price if previous else None,
    }


def _create(clean, *, agent, account, campaign, appeal, slot, now) -> ConnectionOrder:
    passport = clean.pop("_passport")
    equipment, extras = clean.pop("_equipment"), clean.pop("_extras")
    product = campaign.offer if campaign else None
    order = ConnectionOrder(
        **clean,
        **previous_fields(account=account, sale=product or clean["tariff"]),
        agent=agent,
        account=account,
        campaign=campaign,
        appeal=appeal,
        product=product,
        slot=slot,
        passport_ciphertext=crypto.encrypt_passport(passport),
        status=OrderStatus.REGISTERED,
        created_at=now,
    )
    order.full_clean(exclude=["appeal", "passport_ciphertext"])
    order.save()
    order.equipment.set(equipment)
    order.extras.set(extras)
    OrderStatusChange.objects.create(
        order=order,
        status=OrderStatus.REGISTERED,
        source=StatusSource.AGENT,
        changed_by=agent,
        changed_at=now,
    )
    return order


def appeal_detail(order: ConnectionOrder) -> str:
    """«Пакет (Интернет + IPTV)»: the kind of what was sold and its name."""
    offer = order.product or order.tariff
    return gettext(APPEAL_DETAIL) % {"kind": offer.get_kind_display(), "name": offer.name}


def _record_appeal(order: ConnectionOrder, *, appeal, agent) -> None:
    """R8: the call's appeal gets theme «Продажи» and result «Создан наряд во внешней системе»."""
    if appeal is None:
        appeal = Appeal(
            account=order.account,
            agent=agent,
            department=_department_of(agent),
            question_resolved=True,
        )
    with translation.override(settings.LANGUAGE_CODE):
        appeal.theme = AppealTheme.SALES
        appeal.detail = appeal_detail(order)[:255]
        appeal.result = str(APPEAL_RESULT)
    appeal.save()
    if order.appeal_id != appeal.pk:
        order.appeal = appeal
        order.save(update_fields=["appeal", "updated_at"])


def _outbox(order, kind, now) -> OrderOutboxMessage:
    from campaigns.services import outbox

    message = OrderOutboxMessage.objects.create(
        order=order,
        kind=kind,
        idempotency_key=f"order-{order.reference}-{kind}",
        next_attempt_at=now,
        created_at=now,
    )
    transaction.on_commit(lambda: outbox.enqueue(message.pk))
    return message


def _move(order, new_status, *, source, by, reason, now) -> bool:
    """One step of the lifecycle with its history row. Returns False when already there."""
    if order.status == new_status:
        return False
    if new_status not in TRANSITIONS[OrderStatus(order.status)]:
        raise ValidationError(
            {
                "status": ValidationError(
                    ERR_TRANSITION,
                    code="invalid_transition",
                    params={
                        "current": OrderStatus(order.status).label,
                        "new": OrderStatus(new_status).label,
                    },
                )
            }
        )
    if new_status == OrderStatus.CANCELLED:
        order.cancelled_at = now
        order.cancel_reason = reason
        window = datetime.timedelta(days=settings.ORDER_CLAWBACK_DAYS)
        order.clawback = bool(
            order.status == OrderStatus.CONNECTED and now - order.connected_at <= window
        )
    elif new_status == OrderStatus.SENT:
        order.sent_at = now
    elif new_status == OrderStatus.CONNECTED:
        order.connected_at = now
    order.status = new_status
    order.save()
    OrderStatusChange.objects.create(
        order=order, status=new_status, source=source, changed_by=by, reason=reason, changed_at=now
    )
    return True


@transaction.atomic
def order_set_status(
    *,
    order: ConnectionOrder,
    status: str,
    source: str,
    by=None,
    reason: str = "",
    external_id: str = "",
    now=None,
) -> ConnectionOrder:
    """Move an order along its lifecycle; a repeated report of the current status changes nothing.

    A «connected» that arrives before the «sent» (the fulfilment system was quicker than our own
    acknowledgement) records both steps.
    """
    now = now or timezone.now()
    order = ConnectionOrder.objects.select_for_update().get(pk=order.pk)
    reason = (reason or "").strip()[:500]
    if status == OrderStatus.CANCELLED and not reason:
        raise ValidationError(
            {"reason": ValidationError(ERR_CANCEL_REASON, code="reason_required")}
        )
    if status == OrderStatus.CONNECTED and order.status == OrderStatus.REGISTERED:
        _move(order, OrderStatus.SENT, source=source, by=by, reason="", now=now)
    moved = _move(order, status, source=source, by=by, reason=reason, now=now)
    if external_id and order.external_id != external_id:
        order.external_id = external_id[:100]
        order.save(update_fields=["external_id", "updated_at"])
    if moved and status == OrderStatus.CANCELLED and source != StatusSource.FULFILMENT:
        _outbox(order, OutboxKind.CANCEL, now)
    if moved:
        logger.info("order %s is now %s (%s)", order.pk, status, source)
    return order


def order_cancel(*, order: ConnectionOrder, agent, reason: str, now=None) -> ConnectionOrder:
    """The agent who registered the order cancels it, with a reason (the customer changed mind)."""
    if order.agent_id != agent.pk:
        raise PermissionDenied(ERR_NOT_YOUR_ORDER)
    return order_set_status(
        order=order,
        status=OrderStatus.CANCELLED,
        source=StatusSource.AGENT,
        by=agent,
        reason=reason,
        now=now,
    )


def can_reveal(user, order: ConnectionOrder) -> bool:
    """The agent who registered the order, and supervisors of that agent's team; nobody else."""
    if order.agent_id == user.pk and roles.has_role(user, roles.AGENTS):
        return True
    if roles.has_role(user, roles.SUPERVISORS):
        profile = getattr(order.agent, "agent_profile", None)
        return profile is not None and profile.team.supervisors.filter(pk=user.pk).exists()
    return False


def order_reveal(
    *,
    order: ConnectionOrder,
    user,
    reason: str,
    fields: list[str] | None = None,
    channel: str,
    ip_address: str | None = None,
    now=None,
) -> tuple[dict, PersonalDataReveal]:
    """The unmasked personal data of an order, written to the audit log first."""
    if not can_reveal(user, order):
        raise PermissionDenied(ERR_REVEAL_DENIED)
    fields = list(dict.fromkeys(fields or REVEALABLE_FIELDS))
    errors: dict = {}
    unknown = sorted(set(fields) - set(REVEALABLE_FIELDS))
    if unknown:
        rules.add(
            errors, "fields", ERR_REVEAL_FIELDS, "invalid_fields", {"fields": ", ".join(unknown)}
        )
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        rules.add(errors, "reason", ERR_REVEAL_REASON, "reason_required")
    rules.raise_if(errors)
    audit = PersonalDataReveal.objects.create(
        order=order,
        user=user,
        fields=fields,
        reason=reason[:500],
        channel=channel,
        ip_address=ip_address,
        revealed_at=now or timezone.now(),
    )
    logger.info("personal data of order %s revealed to user %s (%s)", order.pk, user.pk, fields)
    return _values(order, fields), audit


def _values(order, fields) -> dict:
    values = {}
    for name in fields:
        if name == "passport":
            passport = order.passport
            values[name] = (
                None
                if passport is None
                else {
                    "series": passport.series,
                    "number": passport.number,
                    "issued_on": passport.issued_on,
                    "issued_by": passport.issued_by,
                }
            )
        else:
            values[name] = getattr(order, name)
    return values


@transaction.atomic
def orders_erase_expired_passports(*, now=None) -> int:
    """Retention: passport data goes N days after the order was connected or cancelled."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=settings.ORDER_RETENTION_DAYS)
    closed_long_ago = ConnectionOrder.objects.filter(passport_erased_at__isnull=True).filter(
        Q(status=OrderStatus.CONNECTED, connected_at__lt=limit)
        | Q(status=OrderStatus.CANCELLED, cancelled_at__lt=limit)
    )
    erased = closed_long_ago.update(passport_ciphertext="", passport_erased_at=now)
    if erased:
        logger.info("passport data erased on %d orders", erased)
    return erased


@transaction.atomic
def installer_slots_open(
    *, start_day: datetime.date, days: int, capacity: int | None = None, region: str = ""
) -> int:
    """Open the standard slots (working hours cut into INSTALLER_SLOT_HOURS) for `days` days.

    Slots that exist are left as managers set them; returns how many were created.
    """
    capacity = settings.INSTALLER_SLOT_CAPACITY if capacity is None else capacity
    step = settings.INSTALLER_SLOT_HOURS
    tz = timezone.get_current_timezone()
    wanted = []
    for offset in range(days):
        day = start_day + datetime.timedelta(days=offset)
        for hour in range(settings.INSTALLER_WORKDAY_START, settings.INSTALLER_WORKDAY_END, step):
            starts = datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz)
            ends = starts + datetime.timedelta(
                hours=min(step, settings.INSTALLER_WORKDAY_END - hour)
            )
            wanted.append(
                InstallerSlot(starts_at=starts, ends_at=ends, capacity=capacity, region=region)
            )
    existing = set(
        InstallerSlot.objects.filter(
            region=region, starts_at__in=[s.starts_at for s in wanted]
        ).values_list("starts_at", flat=True)
    )
    new = [s for s in wanted if s.starts_at not in existing]
    InstallerSlot.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)

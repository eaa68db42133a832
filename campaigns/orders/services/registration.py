"""Registering a connection order (R7, R8): the order, the appeal and the hand-off, all or nothing."""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaigns import personal_data
from campaigns.models import Appeal, AppealTheme, Campaign, SubscriberAccount
from campaigns.orders.models import (
    ConnectionOrder,
    OrderStatus,
    OrderStatusChange,
    OutboxKind,
    StatusSource,
)
from campaigns.orders.services import rules
from campaigns.orders.services.outbox import outbox_write
from campaigns.selectors import department_of
from offers.models import Offer

logger = logging.getLogger("campaigns.orders")

# R8: the appeal's result once an order is registered.
APPEAL_RESULT = _("Work order created in the external system")
APPEAL_DETAIL = _("%(kind)s (%(name)s)")

ERR_CAMPAIGN = _("Unknown campaign.")
ERR_APPEAL = _("The appeal is not one of yours on this account.")


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
    clean["_passport"] = personal_data.Passport(series, number, data.passport_issued_on, issued_by)
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
        outbox_write(order, OutboxKind.CREATE, now)
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
        passport_ciphertext=personal_data.encrypt_passport(passport),
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
            department=department_of(agent=agent),
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

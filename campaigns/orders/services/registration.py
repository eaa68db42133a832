"""Registering an order (R7, R8): the order, the appeal and the hand-off, all or nothing."""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaigns import eligibility, personal_data
from campaigns.models import Appeal, AppealTheme, Campaign, ResultCode, SubscriberAccount
from campaigns.orders.models import (
    PENDING_ORDER_STATUSES,
    ConnectionOrder,
    OrderKind,
    OrderStatus,
    OrderStatusChange,
    OutboxKind,
    StatusSource,
    order_kind_of,
)
from campaigns.orders.services import rules
from campaigns.orders.services.outbox import outbox_write
from campaigns.recommendations import account_for_workspace, situation_for
from campaigns.selectors import department_of
from campaigns.services import results, workspace
from config.floor.errors import Conflict
from offers.models import Offer

logger = logging.getLogger("campaigns.orders")

# R8: the appeal's result once an order is registered.
APPEAL_RESULT = _("Work order created in the external system")
APPEAL_DETAIL = _("%(kind)s (%(name)s)")

ERR_CAMPAIGN = _("Unknown campaign.")
ERR_APPEAL = _("The appeal is not one of yours on this account.")
ERR_DUPLICATE = _(
    "This product already has an order on the account (no. %(id)s, %(status)s): no second one is "
    "registered."
)
ERR_NOT_ELIGIBLE = _("The order may not be registered now: %(reasons)s.")
AGREED = ResultCode.AGREED


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
    # The main item (an offer code); a campaign's offer when the order comes from a campaign.
    product: str = ""
    # A delivery's window: the start of one of slots.delivery_windows().
    delivery_from: datetime.datetime | None = None


def _campaign(errors, code):
    if not code:
        return None
    campaign = Campaign.objects.select_related("offer").filter(code=code).first()
    if campaign is None:
        rules.add(errors, "campaign", ERR_CAMPAIGN, "invalid_campaign")
    return campaign


def _validated(data: OrderInput, *, product, now) -> dict:
    """Every rule of the form for the kind of what is sold (R8); the errors go into `_errors`.

    A connection (new service, tariff move) needs the client's addresses and passport, the
    technology, the tariff plan and an installer visit; a remote activation (option, subscription)
    only the contact phone the promo code or confirmation goes to; a delivery (equipment) the
    delivery address and window. The order's service is always its product's.
    """
    errors: dict = {}
    kind = order_kind_of(product) if product is not None else None
    clean = {
        "kind": kind or OrderKind.CONNECTION,
        "full_name": rules.full_name(errors, data.full_name),
        "contact_phone": rules.phone(errors, data.contact_phone),
        "comment": (data.comment or "").strip()[:2000],
        "service": rules.service_of(errors, code=data.service, product=product),
        "sales_channel": rules.sales_channel(errors, code=data.sales_channel),
        "_extras": rules.extras(errors, codes=data.extras, product=product),
        "_equipment": [],
        "_passport": None,
        "_slot": False,
    }
    if kind in (OrderKind.CONNECTION, OrderKind.DELIVERY):
        clean["connection_address"] = rules.required_text(
            errors, "connection_address", data.connection_address, min_length=10
        )
    if kind == OrderKind.CONNECTION:
        _connection(errors, clean, data, product=product, now=now)
    elif kind == OrderKind.DELIVERY:
        starts, ends = rules.delivery_window(errors, starts_at=data.delivery_from, now=now)
        clean.update(delivery_starts_at=starts, delivery_ends_at=ends)
    clean["_errors"] = errors
    return clean


def _connection(errors, clean, data: OrderInput, *, product, now) -> None:
    """The ДК blocks of a connection: registration address, passport, technology, tariff plan,
    equipment; the installer slot is locked last, by order_register."""
    clean["registration_address"] = rules.required_text(
        errors, "registration_address", data.registration_address, min_length=10
    )
    series, number, issued_by = rules.passport(
        errors,
        series=data.passport_series,
        number=data.passport_number,
        issued_on=data.passport_issued_on,
        issued_by=data.passport_issued_by,
        today=timezone.localdate(now),
    )
    # Used only when there is no error at all (the order is not written otherwise).
    clean["_passport"] = personal_data.Passport(series, number, data.passport_issued_on, issued_by)
    service = clean["service"]
    technology = rules.technology(errors, code=data.technology, service=service)
    clean["technology"] = technology
    clean["tariff"] = rules.tariff_for(
        errors, code=data.tariff, product=product, technology=technology, service=service
    )
    clean["_equipment"] = rules.equipment(errors, codes=data.equipment, technology=technology)
    clean["_slot"] = True


def _appeal(errors, *, appeal_id, account, agent):
    appeals = Appeal.objects.filter(account=account, agent=agent)
    if appeal_id is None:
        return appeals.open().order_by("-started_at").first()
    appeal = appeals.filter(pk=appeal_id).first()
    if appeal is None:
        rules.add(errors, "appeal", ERR_APPEAL, "invalid_appeal")
    return appeal


def order_register(
    *,
    agent,
    account: SubscriberAccount,
    data: OrderInput,
    campaign_code: str = "",
    appeal_id: int | None = None,
    now=None,
) -> ConnectionOrder:
    """Register an order: the order, the appeal (R8) and the outbox entry, all or nothing.

    Its main item is the campaign's offer or `data.product`; the blocks it needs follow that
    offer's kind (see _validated). The installer slot is locked while its bookings are counted,
    so two agents cannot both take its last visit. The hand-off to fulfilment is enqueued once the
    transaction has committed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # One registration at a time per account: the duplicate check below cannot race.
        SubscriberAccount.objects.select_for_update().filter(pk=account.pk).values_list("pk").get()
        errors: dict = {}
        campaign = _campaign(errors, campaign_code)
        product = rules.product(errors, code=data.product, campaign=campaign)
        appeal = _appeal(errors, appeal_id=appeal_id, account=account, agent=agent)
        if product is not None and "appeal" not in errors:
            _check_may_order(account=account, product=product, appeal=appeal, agent=agent, now=now)
        clean = _validated(data, product=product, now=now)
        errors = _merge(errors, clean.pop("_errors"))
        slot = None
        if clean.pop("_slot"):
            # Locked last: the lock is held only while this transaction ends.
            slot = rules.slot_locked(errors, slot_id=data.slot, now=now, region=account.region)
        rules.raise_if(errors)
        if appeal is None:
            appeal = _new_appeal(account=account, agent=agent)
        # The agreement first: once the order exists, the product is «ordered» (results.TRANSITIONS).
        workspace.agreement_for_order(
            account=account,
            offer=product,
            appeal=appeal,
            agent=agent,
            comment=clean["comment"],
            now=now,
        )
        order = _create(
            clean,
            agent=agent,
            account=account,
            campaign=campaign,
            product=product,
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


def _merge(first: dict, second: dict) -> dict:
    for name, messages in second.items():
        first.setdefault(name, []).extend(messages)
    return first


def _create(clean, *, agent, account, campaign, product, appeal, slot, now) -> ConnectionOrder:
    passport = clean.pop("_passport")
    equipment, extras = clean.pop("_equipment"), clean.pop("_extras")
    order = ConnectionOrder(
        **clean,
        **previous_fields(account=account, sale=product),
        agent=agent,
        account=account,
        campaign=campaign,
        appeal=appeal,
        product=product,
        slot=slot,
        passport_ciphertext=personal_data.encrypt_passport(passport) if passport else "",
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
    offer = order.sold
    return gettext(APPEAL_DETAIL) % {"kind": offer.get_kind_display(), "name": offer.name}


def _new_appeal(*, account, agent) -> Appeal:
    """An order registered outside any open appeal is its own appeal (R8: the ДК registration is an
    appeal «Продажи»); the agent registering a sale states the customer's question is resolved."""
    return Appeal.objects.create(
        account=account, agent=agent, department=department_of(agent=agent), question_resolved=True
    )


def _check_may_order(*, account, product, appeal, agent, now) -> None:
    """No duplicate sale (an open or connected order of the product), and the offer may be made
    now (R2, R9, R1 — the appeal's flags), less what an agreement supersedes (cooldown, peak
    hours): every reason at once, 409 `not_eligible`."""
    held = (
        ConnectionOrder.objects.filter(account=account, product=product)
        .filter(status__in=[*PENDING_ORDER_STATUSES, OrderStatus.CONNECTED])
        .order_by("-created_at")
        .first()
    )
    if held is not None:
        raise Conflict(
            ERR_DUPLICATE,
            code="duplicate_order",
            params={"id": held.pk, "status": held.get_status_display()},
            extra={"order": held.pk},
        )
    loaded = account_for_workspace(number=account.number, agent=agent, now=now)
    situation = situation_for(account=loaded, appeal=appeal, now=now)
    reasons = results.blocking_reasons(eligibility.judge_order(product, situation), AGREED)
    if reasons:
        labels = ", ".join(str(eligibility.Reason(r).label) for r in reasons)
        raise Conflict(
            ERR_NOT_ELIGIBLE,
            code="not_eligible",
            params={"reasons": labels},
            extra={"reasons": reasons},
        )


def _record_appeal(order: ConnectionOrder, *, appeal, agent) -> None:
    """R8: the call's appeal gets theme «Продажи» and result «Создан наряд во внешней системе»."""
    with translation.override(settings.LANGUAGE_CODE):
        appeal.theme = AppealTheme.SALES
        appeal.detail = appeal_detail(order)[:255]
        appeal.result = str(APPEAL_RESULT)
    appeal.save()
    if order.appeal_id != appeal.pk:
        order.appeal = appeal
        order.save(update_fields=["appeal", "updated_at"])

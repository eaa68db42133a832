"""Reads for connection orders: what each role may see, the form's choices, the stuck hand-offs."""

import datetime

from django.db.models import Count, F, Max, Min, Prefetch, Q
from django.utils import timezone

from campaigns.models import Campaign, ContactHistoryEntry, ResultCode, SubscriberAccount
from campaigns.orders.models import (
    ConnectionOrder,
    InstallerSlot,
    OrderKind,
    OrderOutboxMessage,
    OrderStatus,
    OutboxState,
    PersonalDataReveal,
    SalesChannel,
)
from campaigns.orders.services.rules import EXTRA_KINDS, PLAN_KINDS
from offers.models import Offer, OfferKind, Technology


def orders_visible_to(user):
    """Agents their own, supervisors their teams', managers all (personal data always masked)."""
    return ConnectionOrder.objects.visible_to(user).with_relations().order_by("-created_at", "-id")


def order_visible(*, user, order_id) -> ConnectionOrder | None:
    return (
        ConnectionOrder.objects.visible_to(user)
        .with_relations()
        .select_related("agent__agent_profile__team")
        .filter(pk=order_id)
        .first()
    )


def order_statuses(*, user, ids) -> list[dict]:
    """The status of each of these orders the user may see, for the pages' live status: one
    query whatever the number (id, status, when it last changed)."""
    return list(
        ConnectionOrder.objects.visible_to(user)
        .filter(pk__in=ids)
        .order_by("pk")
        .values("pk", "status", "updated_at")
    )


def account_orders(*, user, account, limit: int = 10) -> list[ConnectionOrder]:
    """The account's newest orders the user may see (agents their own, supervisors their
    teams'), with what was sold: the account page's section. No personal data is read."""
    return list(
        ConnectionOrder.objects.visible_to(user)
        .filter(account=account)
        .select_related("product", "tariff")
        .only("pk", "status", "kind", "created_at", "product__name", "tariff__name")
        .order_by("-created_at", "-id")[:limit]
    )


def technologies():
    """Active technologies with the services they carry and the tariffs and equipment that fit."""
    return (
        Technology.objects.filter(is_active=True)
        .prefetch_related(
            "services",
            Prefetch(
                "offers",
                queryset=Offer.objects.active()
                .filter(kind__in=[*PLAN_KINDS, OfferKind.EQUIPMENT])
                .select_related("service")
                .order_by("monthly_price", "name"),
            ),
        )
        .order_by("name")
    )


def extras():
    return Offer.objects.active().filter(kind__in=EXTRA_KINDS).select_related("service")


def sales_channels():
    return SalesChannel.objects.filter(is_active=True)


def open_slots(*, now=None, region: str = "", limit: int = 60):
    """Upcoming slots with free visits, for the account's region (or for every region)."""

    now = now or timezone.now()
    slots = InstallerSlot.objects.upcoming(now).with_booked().filter(booked__lt=F("capacity"))
    if region:
        slots = slots.filter(Q(region="") | Q(region__cfexact=region))
    return slots[:limit]


def account_products(*, account) -> list[Offer]:
    """What may be ordered on the account: the active offers of its recommendations (the
    campaigns targeting it), one per product, cheapest first."""
    return list(
        Offer.objects.active()
        .filter(campaigns__targets__account=account)
        .select_related("service")
        .distinct()
        .order_by("monthly_price", "name")
    )


def campaign_by_code(code: str) -> Campaign | None:
    if not code:
        return None
    return Campaign.objects.select_related("offer__service").filter(code=code).first()


def month_counts(*, agent, month_start: datetime.date) -> dict:
    """The agent's orders this month by status (for the list page's summary)."""

    rows = (
        ConnectionOrder.objects.filter(agent=agent, created_at__date__gte=month_start)
        .values("status")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(OrderStatus.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def campaign_order_counts(*, campaign_id: int) -> dict:
    """A campaign's orders: all, and how many are connected or cancelled (one query)."""
    return ConnectionOrder.objects.filter(campaign_id=campaign_id).aggregate(
        orders=Count("pk"),
        connected=Count("pk", filter=Q(status=OrderStatus.CONNECTED)),
        cancelled=Count("pk", filter=Q(status=OrderStatus.CANCELLED)),
    )


def campaign_order_counts_of_accounts(*, campaign_id: int, account_ids) -> dict:
    """The same counts for some of the campaign's accounts (`account_ids`: ids or a subquery);
    one query. The A/B table counts the orders of each script version's accounts."""
    return ConnectionOrder.objects.filter(
        campaign_id=campaign_id, account_id__in=account_ids
    ).aggregate(
        orders=Count("pk"),
        connected=Count("pk", filter=Q(status=OrderStatus.CONNECTED)),
    )


def outbox_backlog() -> dict:
    """Messages still to be handed to the fulfilment system: how many, and when the oldest was
    written (None when there are none). One aggregate query (readiness, metrics)."""
    return OrderOutboxMessage.objects.filter(state=OutboxState.PENDING).aggregate(
        pending=Count("id"), oldest=Min("created_at")
    )


def reveals_since(since) -> int:
    """How many times unmasked personal data was revealed since then (metrics)."""
    return PersonalDataReveal.objects.filter(revealed_at__gte=since).count()


def order_held(*, account, product_code: str) -> ConnectionOrder | None:
    """The account's open or connected order of the product, if any (no duplicate sale)."""
    if not product_code:
        return None
    return (
        ConnectionOrder.objects.filter(account=account, product__code=product_code)
        .filter(status__in=[OrderStatus.REGISTERED, OrderStatus.SENT, OrderStatus.CONNECTED])
        .order_by("-created_at")
        .first()
    )


def agreed_comment(*, account, product, appeal_id=None) -> str:
    """What the agent wrote with the customer's agreement to the product (R7: carried over to the
    order form), from the call when it is known."""
    entries = ContactHistoryEntry.objects.filter(
        target__account=account, target__campaign__offer=product, result=ResultCode.AGREED
    )
    if appeal_id:
        entries = entries.filter(appeal_id=appeal_id)
    comment = entries.order_by("-created_at", "-id").values_list("agent_comment", flat=True).first()
    return comment or ""


def newest_passport_ciphertext() -> str:
    """The newest stored passport ciphertext ('' when none is kept): the key check's sample."""
    return (
        ConnectionOrder.objects.exclude(passport_ciphertext="")
        .order_by("-created_at")
        .values_list("passport_ciphertext", flat=True)
        .first()
        or ""
    )


def newest_phone_samples() -> list[tuple[str, str]]:
    """(phone, digest) of the newest order and the newest account with a phone: the key checks'
    samples. Reading them decrypts: a wrong key raises PersonalDataKeyError here."""
    samples = []
    for queryset in (
        ConnectionOrder.objects.order_by("-created_at", "-id"),
        SubscriberAccount.objects.order_by("-id"),
    ):
        row = (
            queryset.exclude(contact_phone_hash="")
            .values_list("contact_phone", "contact_phone_hash")
            .first()
        )
        if row:
            samples.append(row)
    return samples


def held_through_connected_orders(account_ids) -> tuple[set, set, set]:
    """What the accounts hold because of their connected orders, as `account_follows_order` left
    it: (account id, offer id) pairs sold, (account id, service id) pairs of new services, and
    (account id, offer id) pairs of tariffs a move replaced. Read in the order the connections
    were recorded (their status rows), which is the order they changed the account in."""
    offers, services, replaced = set(), set(), set()
    connected = Q(status_changes__status=OrderStatus.CONNECTED)
    orders = (
        ConnectionOrder.objects.filter(
            account_id__in=list(account_ids), status=OrderStatus.CONNECTED
        )
        .annotate(recorded=Max("status_changes__pk", filter=connected))
        .select_related("product")
        .prefetch_related("extras")
        .order_by("recorded", "pk")
    )
    for order in orders:
        for offer in (order.product, *order.extras.all()):
            if offer is not None:
                offers.add((order.account_id, offer.pk))
                replaced.discard((order.account_id, offer.pk))
        if order.kind == OrderKind.CONNECTION and order.product is not None:
            services.add((order.account_id, order.product.service_id))
            if order.previous_tariff_id:
                offers.discard((order.account_id, order.previous_tariff_id))
                replaced.add((order.account_id, order.previous_tariff_id))
    return offers, services, replaced

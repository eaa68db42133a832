"""Connection orders (ДК, R8): the order, its status history, its hand-off and its personal data."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campaigns import personal_data
from campaigns.models.accounts import SubscriberAccount
from campaigns.models.appeals import Appeal
from campaigns.models.campaigns import Campaign
from campaigns.personal_data.fields import DigestField, EncryptedCharField
from config.floor import roles
from offers.models import Offer, OfferKind, Service, Technology


class OrderStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    SENT = "sent", _("Sent to fulfilment")
    CONNECTED = "connected", pgettext_lazy("order status", "Connected")
    CANCELLED = "cancelled", pgettext_lazy("order status", "Cancelled")


# An order on its way: neither connected nor cancelled (its product is «order_pending»).
PENDING_ORDER_STATUSES = (OrderStatus.REGISTERED, OrderStatus.SENT)

# The lifecycle: registered → sent → connected, or cancelled from any of them.
TRANSITIONS = {
    OrderStatus.REGISTERED: {OrderStatus.SENT, OrderStatus.CANCELLED},
    OrderStatus.SENT: {OrderStatus.CONNECTED, OrderStatus.CANCELLED},
    OrderStatus.CONNECTED: {OrderStatus.CANCELLED},
    OrderStatus.CANCELLED: set(),
}


class OrderKind(models.TextChoices):
    """What kind of task the fulfilment system makes of an order: it follows what is sold (R8)."""

    CONNECTION = "connection", _("Connection: new service or tariff move")
    ACTIVATION = "activation", _("Remote activation: option or subscription")
    DELIVERY = "delivery", _("Equipment delivery")


# The deck registers a connection of broadband or IPTV (a new service, a tariff move) in the ДК
# form with technology, tariff and an installer visit; options, subscriptions and add-on packages
# are activated remotely (the antivirus by an SMS promo code); equipment is delivered (МПЗ task).
KIND_OF_OFFER = {
    OfferKind.SERVICE: OrderKind.CONNECTION,
    OfferKind.TARIFF: OrderKind.CONNECTION,
    OfferKind.OPTION: OrderKind.ACTIVATION,
    OfferKind.SUBSCRIPTION: OrderKind.ACTIVATION,
    OfferKind.PACKAGE: OrderKind.ACTIVATION,
    OfferKind.EQUIPMENT: OrderKind.DELIVERY,
}


def order_kind_of(offer: Offer) -> str:
    return KIND_OF_OFFER[OfferKind(offer.kind)]


class SalesChannel(models.Model):
    """A sales channel managers keep, e.g. «26 Обслуживание МЦ НТТ» (the default)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=150)
    is_default = models.BooleanField(_("default"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("sales channel")
        verbose_name_plural = _("sales channels")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_channel"
            )
        ]

    def __str__(self):
        return self.name


class InstallerSlotQuerySet(models.QuerySet):
    def with_booked(self):
        return self.annotate(
            booked=Count("orders", filter=~Q(orders__status=OrderStatus.CANCELLED))
        )

    def upcoming(self, now):
        return self.filter(starts_at__gt=now).order_by("starts_at")


class InstallerSlot(models.Model):
    """A window for installers' visits with the number of visits managers allow in it."""

    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("to"))
    capacity = models.PositiveSmallIntegerField(_("visits allowed"), default=3)
    region = models.CharField(
        _("region"), max_length=100, blank=True, help_text=_("Empty for every region.")
    )

    objects = InstallerSlotQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("installer slot")
        verbose_name_plural = _("installer slots")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"
            ),
            models.UniqueConstraint(fields=["starts_at", "region"], name="slot_once_per_region"),
        ]

    def __str__(self):
        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        return f"{start:%d.%m.%Y %H:%M}–{end:%H:%M}"


class ConnectionOrderQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Agents their own orders, supervisors their teams', managers all (masked everywhere)."""
        if roles.has_role(user, roles.MANAGERS, roles.FULFILMENT):
            return self
        if roles.has_role(user, roles.SUPERVISORS):
            return self.filter(agent__agent_profile__team__supervisors=user)
        if roles.has_role(user, roles.AGENTS):
            return self.filter(agent=user)
        return self.none()

    def with_relations(self):
        return self.select_related(
            "account",
            "agent",
            "campaign",
            "product",
            "technology",
            "service",
            "sales_channel",
            "tariff",
            "slot",
        ).prefetch_related("equipment", "extras", "status_changes__changed_by")

    def counted(self):
        """Orders that count toward the target: every one that was not cancelled."""
        return self.exclude(status=OrderStatus.CANCELLED)

    def pending(self):
        """Orders on their way: registered or sent."""
        return self.filter(status__in=PENDING_ORDER_STATUSES)


class ConnectionOrder(models.Model):
    """A connection order (ДК) registered when a customer agrees (R7, R8)."""

    reference = models.UUIDField(_("reference"), default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey(
        SubscriberAccount,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("account"),
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="connection_orders",
        verbose_name=_("agent"),
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("campaign"),
    )
    appeal = models.ForeignKey(
        Appeal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("appeal"),
    )
    product = models.ForeignKey(
        Offer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="product_orders",
        verbose_name=_("product agreed"),
    )
    kind = models.CharField(
        _("kind of order"),
        max_length=20,
        choices=OrderKind.choices,
        default=OrderKind.CONNECTION,
        # Rows written by plain SQL (bulk loads, the benchmarks) are connections too.
        db_default=OrderKind.CONNECTION,
        help_text=_("Follows what is sold: it decides which blocks the order needs."),
    )
    # Client data.
    full_name = models.CharField(_("full name"), max_length=255)
    # Phone and addresses are encrypted at rest like the passport (personal_data.fields); the
    # phone's keyed digest answers exact look-ups.
    contact_phone = EncryptedCharField(_("contact phone"), max_length=20)
    contact_phone_hash = DigestField(_("contact phone digest"), source="contact_phone")
    # The connection address; for a delivery, the address the equipment is delivered to.
    connection_address = EncryptedCharField(_("connection address"), max_length=500, blank=True)
    registration_address = EncryptedCharField(_("registration address"), max_length=500, blank=True)
    passport_ciphertext = models.TextField(_("passport (encrypted)"), blank=True, editable=False)
    passport_erased_at = models.DateTimeField(_("passport data erased"), null=True, blank=True)
    # Technology, channel, tariff and equipment, additional services.
    technology = models.ForeignKey(
        Technology,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("technology"),
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="orders", verbose_name=_("service")
    )
    sales_channel = models.ForeignKey(
        SalesChannel,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("sales channel"),
    )
    tariff = models.ForeignKey(
        Offer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tariff_orders",
        verbose_name=_("tariff plan"),
    )
    # What the order replaces, recorded at registration: the account's plan of the sale's service
    # then, and its fee then (frozen: later catalogue prices and CRM swaps do not rewrite it).
    previous_tariff = models.ForeignKey(
        Offer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by_orders",
        verbose_name=_("previous tariff plan"),
        help_text=_("The plan of the same service the account held when the order was registered."),
    )
    previous_monthly_fee = models.DecimalField(
        _("previous monthly fee, ₽"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The previous plan's monthly fee when the order was registered."),
    )
    equipment = models.ManyToManyField(
        Offer, related_name="equipment_orders", blank=True, verbose_name=_("equipment")
    )
    extras = models.ManyToManyField(
        Offer, related_name="extra_orders", blank=True, verbose_name=_("additional services")
    )
    slot = models.ForeignKey(
        InstallerSlot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("installer visit"),
    )
    delivery_starts_at = models.DateTimeField(_("delivery from"), null=True, blank=True)
    delivery_ends_at = models.DateTimeField(_("delivery until"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    # Lifecycle.
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.REGISTERED
    )
    cancel_reason = models.CharField(_("cancellation reason"), max_length=500, blank=True)
    clawback = models.BooleanField(
        _("reward clawed back"),
        default=False,
        help_text=_("Cancelled after connection within the clawback window."),
    )
    external_id = models.CharField(_("work order number"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("registered"), db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    connected_at = models.DateTimeField(_("connected"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ConnectionOrderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("connection order")
        verbose_name_plural = _("connection orders")
        indexes = [
            models.Index(fields=["agent", "-created_at"], name="order_agent_idx"),
            models.Index(fields=["status", "connected_at"], name="order_status_idx"),
            models.Index(fields=["contact_phone_hash"], name="order_phone_hash_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OrderStatus.values), name="order_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=OrderStatus.CANCELLED) | ~Q(cancel_reason=""),
                name="order_cancel_has_reason",
            ),
            models.CheckConstraint(condition=Q(kind__in=OrderKind.values), name="order_kind_valid"),
            # The blocks each kind needs (R8): a connection its technology, tariff and visit;
            # a delivery its window; only a connection books an installer.
            models.CheckConstraint(
                condition=~Q(kind=OrderKind.CONNECTION)
                | Q(technology__isnull=False, tariff__isnull=False, slot__isnull=False),
                name="order_connection_has_visit",
            ),
            models.CheckConstraint(
                condition=~Q(kind=OrderKind.DELIVERY)
                | Q(
                    delivery_starts_at__isnull=False,
                    delivery_ends_at__gt=models.F("delivery_starts_at"),
                ),
                name="order_delivery_has_window",
            ),
            models.CheckConstraint(
                condition=Q(kind=OrderKind.CONNECTION) | Q(slot__isnull=True),
                name="order_visit_only_for_connection",
            ),
        ]

    def __str__(self):
        return order_label(self.pk)

    @property
    def sold(self) -> Offer | None:
        """The main item: the product agreed (older orders: the tariff plan)."""
        return self.product or self.tariff

    @property
    def passport(self):
        """The decrypted passport, or None once erased (only `reveal` shows it to a person)."""
        return personal_data.decrypt_passport(self.passport_ciphertext)


def order_label(pk) -> str:
    """An order as people name it: «ДК-42» (the fulfilment system's and the deck's word)."""
    return f"ДК-{pk}"


class StatusSource(models.TextChoices):
    AGENT = "agent", _("Agent")
    FULFILMENT = "fulfilment", _("Fulfilment system")
    SYSTEM = "system", _("Portal")


class OrderStatusChange(models.Model):
    """One step of an order's lifecycle: which status, who moved it and when."""

    order = models.ForeignKey(
        ConnectionOrder,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=pgettext_lazy("connection order", "order"),
    )
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices)
    source = models.CharField(_("source"), max_length=20, choices=StatusSource.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    changed_at = models.DateTimeField(_("changed"))

    class Meta:
        ordering = ["changed_at", "id"]
        verbose_name = _("order status change")
        verbose_name_plural = _("order status history")

    def __str__(self):
        return f"{self.order} → {self.status}"


class OutboxKind(models.TextChoices):
    CREATE = "create", _("Create the work order")
    CANCEL = "cancel", _("Cancel the work order")


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    REJECTED = "rejected", _("Rejected by fulfilment")
    WITHDRAWN = "withdrawn", _("Withdrawn: the order was cancelled before it went out")


class OrderOutboxQuerySet(models.QuerySet):
    def due(self, now):
        return self.filter(state=OutboxState.PENDING, next_attempt_at__lte=now).filter(
            Q(leased_until__isnull=True) | Q(leased_until__lt=now)
        )

    def stuck(self, now, older_than):
        """Not delivered although written a while ago, or refused: an operator should look."""
        return self.filter(
            Q(state=OutboxState.REJECTED)
            | Q(state=OutboxState.PENDING, created_at__lt=now - older_than)
        )


class OrderOutboxMessage(models.Model):
    """A message to the fulfilment system, written in the same transaction as the change it reports."""

    order = models.ForeignKey(
        ConnectionOrder,
        on_delete=models.CASCADE,
        related_name="outbox",
        verbose_name=pgettext_lazy("connection order", "order"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=OutboxKind.choices)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    state = models.CharField(
        _("state"), max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), db_index=True)
    leased_until = models.DateTimeField(_("being sent until"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"))
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    objects = OrderOutboxQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("fulfilment outbox")
        indexes = [
            # The backlog (readiness, metrics): the few pending rows among every delivered one.
            models.Index(
                fields=["created_at"],
                name="outbox_pending_by_age",
                condition=Q(state="pending"),
            )
        ]

    def __str__(self):
        return f"{self.order} {self.kind}"


class RevealChannel(models.TextChoices):
    API = "api", _("API")
    PAGE = "page", _("Order page")


class PersonalDataReveal(models.Model):
    """An audit record: who saw an order's personal data unmasked, when, which fields and why."""

    order = models.ForeignKey(
        ConnectionOrder,
        on_delete=models.CASCADE,
        related_name="reveals",
        verbose_name=pgettext_lazy("connection order", "order"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="personal_data_reveals",
        verbose_name=_("user"),
    )
    fields = models.JSONField(_("fields"))
    reason = models.CharField(_("reason"), max_length=500)
    channel = models.CharField(_("channel"), max_length=10, choices=RevealChannel.choices)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    revealed_at = models.DateTimeField(_("revealed"), db_index=True)

    class Meta:
        ordering = ["-revealed_at", "-id"]
        verbose_name = _("personal data reveal")
        verbose_name_plural = _("personal data reveals")

    def __str__(self):
        return f"{self.order} · {self.user} · {self.revealed_at:%d.%m.%Y %H:%M}"

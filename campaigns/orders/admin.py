"""Connection orders in the admin: masked, read-only, with the stuck hand-offs in plain sight.

Managers keep the lists orders choose from (technologies, sales channels, installer slots) and
watch the outbox; no admin page shows personal data unmasked, and nothing here decrypts more than
the last two digits of a passport number.
"""

import datetime

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Exists, OuterRef
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from unfold.admin import TabularInline
from unfold.contrib.filters.admin import ChoicesDropdownFilter, RangeDateTimeFilter
from unfold.decorators import display

from campaigns import personal_data
from campaigns.orders.models import (
    ConnectionOrder,
    InstallerSlot,
    OrderOutboxMessage,
    OrderStatus,
    OrderStatusChange,
    OutboxState,
    PersonalDataReveal,
    SalesChannel,
)
from campaigns.orders.services.outbox import enqueue, outbox_retry_now
from config.floor.admin import PortalModelAdmin
from offers.models import Technology

MSG_RETRIED = _("%(count)d message(s) will be sent again now.")

STATUS_LABELS = {
    OrderStatus.REGISTERED: "info",
    OrderStatus.SENT: "warning",
    OrderStatus.CONNECTED: "success",
    OrderStatus.CANCELLED: "danger",
}
OUTBOX_LABELS = {
    OutboxState.PENDING: "warning",
    OutboxState.DELIVERED: "success",
    OutboxState.REJECTED: "danger",
    OutboxState.WITHDRAWN: "info",
}


class StuckFilter(admin.SimpleListFilter):
    """Orders whose hand-off is refused or has waited longer than FULFILMENT_STUCK_MINUTES."""

    title = _("hand-off")
    parameter_name = "handoff"

    def lookups(self, request, model_admin):
        return [("stuck", _("Stuck")), ("pending", _("Waiting to be sent"))]

    def queryset(self, request, queryset):
        field = "order" if queryset.model is OrderOutboxMessage else None
        stuck = OrderOutboxMessage.objects.stuck(
            timezone.now(), datetime.timedelta(minutes=settings.FULFILMENT_STUCK_MINUTES)
        )
        pending = OrderOutboxMessage.objects.filter(state=OutboxState.PENDING)
        chosen = {"stuck": stuck, "pending": pending}.get(self.value())
        if chosen is None:
            return queryset
        if field:
            return queryset.filter(pk__in=chosen.values("pk"))
        return queryset.filter(Exists(chosen.filter(order=OuterRef("pk"))))


class StatusChangeInline(TabularInline):
    model = OrderStatusChange
    extra = 0
    can_delete = False
    fields = ("changed_at", "status", "source", "changed_by", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class OutboxInline(TabularInline):
    model = OrderOutboxMessage
    extra = 0
    can_delete = False
    fields = ("kind", "state", "attempts", "next_attempt_at", "last_error", "delivered_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class RevealInline(TabularInline):
    model = PersonalDataReveal
    extra = 0
    can_delete = False
    fields = ("revealed_at", "user", "fields", "reason", "channel")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ConnectionOrder)
class ConnectionOrderAdmin(PortalModelAdmin):
    # Fits a 1366 px screen: what belongs together shares a cell (a second line), and the passport
    # stays on the order's page.
    list_display = (
        "order_cell",
        "status_label",
        "agent",
        "customer",
        "contacts",
        "product_cell",
        "handoff",
    )
    list_filter = (
        StuckFilter,
        ("status", ChoicesDropdownFilter),
        ("created_at", RangeDateTimeFilter),
        "kind",
        "clawback",
    )
    list_select_related = ("agent", "account", "product")
    search_fields = ("=id", "=account__number", "agent__username", "=external_id")
    fields = (
        "reference",
        "status_label",
        "account",
        "agent",
        "campaign",
        "appeal",
        "product",
        "kind",
        "full_name",
        "phone_masked",
        "address_masked",
        "registration_masked",
        "passport_masked",
        "technology",
        "service",
        "sales_channel",
        "tariff",
        "previous_tariff",
        "previous_monthly_fee",
        "slot",
        "delivery_starts_at",
        "delivery_ends_at",
        "comment",
        "external_id",
        "cancel_reason",
        "clawback",
        "created_at",
        "sent_at",
        "connected_at",
        "cancelled_at",
        "passport_erased_at",
    )
    readonly_fields = fields
    inlines = [StatusChangeInline, OutboxInline, RevealInline]

    def get_queryset(self, request):
        pending = OrderOutboxMessage.objects.filter(
            order=OuterRef("pk"), state__in=[OutboxState.PENDING, OutboxState.REJECTED]
        )
        stuck = OrderOutboxMessage.objects.filter(order=OuterRef("pk")).stuck(
            timezone.now(), datetime.timedelta(minutes=settings.FULFILMENT_STUCK_MINUTES)
        )
        return (
            super()
            .get_queryset(request)
            .annotate(has_pending=Exists(pending), is_stuck=Exists(stuck))
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @display(description=_("status"), ordering="status", label=STATUS_LABELS)
    def status_label(self, obj):
        return obj.status, obj.get_status_display()

    @display(
        description=pgettext_lazy("connection order", "order"), ordering="created_at", header=True
    )
    def order_cell(self, obj):
        created = timezone.localtime(obj.created_at)
        return [str(obj), formats.date_format(created, "SHORT_DATETIME_FORMAT")]

    @display(description=_("product"), ordering="product__name", header=True)
    def product_cell(self, obj):
        return [str(obj.product) if obj.product_id else "—", obj.get_kind_display()]

    @display(description=_("customer"), header=True)
    def customer(self, obj):
        return [obj.account.number, obj.full_name]

    @display(description=_("contacts"), header=True)
    def contacts(self, obj):
        return [self.phone_masked(obj), self.address_masked(obj)]

    @display(description=_("contact phone"))
    def phone_masked(self, obj):
        return personal_data.mask_phone(obj.contact_phone)

    @display(description=_("connection address"))
    def address_masked(self, obj):
        return personal_data.mask_address(obj.connection_address)

    @display(description=_("registration address"))
    def registration_masked(self, obj):
        return personal_data.mask_address(obj.registration_address)

    @display(description=_("passport"))
    def passport_masked(self, obj):
        passport = personal_data.mask_passport_stored(obj)
        if passport["erased"]:
            return _("erased")
        return f"{passport['series']} {passport['number']}"

    @display(
        description=_("hand-off"),
        label={"stuck": "danger", "pending": "warning", "done": "success"},
    )
    def handoff(self, obj):
        if getattr(obj, "is_stuck", False):
            return "stuck", _("Stuck")
        if getattr(obj, "has_pending", False):
            return "pending", _("Waiting to be sent")
        return "done", _("Handed over")


@admin.register(OrderOutboxMessage)
class OrderOutboxMessageAdmin(PortalModelAdmin):
    list_display = (
        "order",
        "kind",
        "state_label",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "delivered_at",
    )
    list_filter = (StuckFilter, ("state", ChoicesDropdownFilter), "kind")
    list_select_related = ("order",)
    search_fields = ("=order__id", "idempotency_key")
    fields = (
        "order",
        "kind",
        "idempotency_key",
        "state",
        "attempts",
        "next_attempt_at",
        "leased_until",
        "last_error",
        "created_at",
        "delivered_at",
    )
    readonly_fields = fields
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @display(description=_("state"), ordering="state", label=OUTBOX_LABELS)
    def state_label(self, obj):
        return obj.state, obj.get_state_display()

    @admin.action(description=_("Send the selected messages again now"), permissions=["change"])
    def send_again(self, request, queryset):
        count = outbox_retry_now(message_ids=list(queryset.values_list("pk", flat=True)))
        for message_id in queryset.filter(state=OutboxState.PENDING).values_list("pk", flat=True):
            enqueue(message_id)
        messages.success(request, MSG_RETRIED % {"count": count})


@admin.register(PersonalDataReveal)
class PersonalDataRevealAdmin(PortalModelAdmin):
    list_display = ("revealed_at", "user", "order", "fields", "reason", "channel", "ip_address")
    list_filter = (("revealed_at", RangeDateTimeFilter), "channel")
    list_select_related = ("user", "order")
    search_fields = ("user__username", "=order__id")
    readonly_fields = ("order", "user", "fields", "reason", "channel", "ip_address", "revealed_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SalesChannel)
class SalesChannelAdmin(PortalModelAdmin):
    list_display = ("name", "code", "is_default", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "code")


@admin.register(InstallerSlot)
class InstallerSlotAdmin(PortalModelAdmin):
    list_display = ("__str__", "region", "capacity", "booked_count")
    list_filter = (("starts_at", RangeDateTimeFilter), "region")
    search_fields = ("region",)
    ordering = ("starts_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).with_booked()

    @display(description=_("booked"), ordering="booked")
    def booked_count(self, obj):
        return obj.booked


@admin.register(Technology)
class TechnologyAdmin(PortalModelAdmin):
    list_display = ("name", "code", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "code")
    filter_horizontal = ("services", "offers")

"""The catalogue in the admin: services, segments and offers."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import (
    ChoicesDropdownFilter,
    RangeNumericFilter,
    RelatedDropdownFilter,
)
from unfold.decorators import display

from config.floor.admin import HistoryModelAdmin, ImportExportHistoryModelAdmin, PortalModelAdmin
from offers.models import Offer, Segment, Service
from offers.resources import OfferResource


def joined_names(objects) -> str:
    """The names of prefetched related objects, comma-separated (no query of its own)."""
    return ", ".join(str(obj) for obj in objects) or "—"


@admin.register(Service)
class ServiceAdmin(PortalModelAdmin):
    list_display = ("name", "code", "order", "offer_count")
    list_editable = ("order",)
    search_fields = ("name", "code")
    ordering = ("order", "code")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(offer_total=Count("offers"))

    @display(description=_("offers"), ordering="offer_total")
    def offer_count(self, obj):
        return obj.offer_total


@admin.register(Segment)
class SegmentAdmin(HistoryModelAdmin):
    list_display = ("name", "code", "service_list", "offer_count")
    search_fields = ("name", "code")
    list_filter = (("services", RelatedDropdownFilter),)
    autocomplete_fields = ("services",)
    prepopulated_fields = {"code": ("name",)}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("services")
            .annotate(offer_total=Count("offers", distinct=True))
        )

    @display(description=_("services"))
    def service_list(self, obj):
        return joined_names(obj.services.all())

    @display(description=_("offers"), ordering="offer_total")
    def offer_count(self, obj):
        return obj.offer_total


@admin.register(Offer)
class OfferAdmin(ImportExportHistoryModelAdmin):
    resource_classes = [OfferResource]
    list_display = (
        "name",
        "code",
        "kind",
        "service",
        "monthly_price",
        "segment_list",
        "is_active",
    )
    list_display_links = ("name", "code")
    list_filter = (
        "is_active",
        ("kind", ChoicesDropdownFilter),
        ("service", RelatedDropdownFilter),
        ("segments", RelatedDropdownFilter),
        ("monthly_price", RangeNumericFilter),
    )
    list_select_related = ("service",)
    search_fields = ("name", "code", "description")
    autocomplete_fields = ("service", "segments")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "code", "kind", "service", "is_active")}),
        (_("Price"), {"fields": ("monthly_price", "promo_days", "speed_mbps")}),
        (_("Description and segments"), {"fields": ("description", "segments")}),
        (_("Dates"), {"fields": ("created_at", "updated_at"), "classes": ["collapse"]}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("service").prefetch_related("segments")

    @display(description=_("segments"))
    def segment_list(self, obj):
        return joined_names(obj.segments.all())

"""The reward catalogue in the admin: rules with their bands."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.contrib.filters.admin import (
    ChoicesDropdownFilter,
    RangeDateFilter,
    RelatedDropdownFilter,
)
from unfold.decorators import display

from config.admin import ImportExportHistoryModelAdmin
from offers.admin import joined_names
from rewards.models import RewardBand, RewardKind, RewardRule
from rewards.resources import RewardRuleResource, format_band

KIND_LABELS = {
    RewardKind.FIXED: "info",
    RewardKind.ARPU_SHARE: "success",
    RewardKind.TIERED: "warning",
}


class RewardBandInline(TabularInline):
    model = RewardBand
    fields = ("min_increase", "max_increase", "amount")
    extra = 0
    tab = False


@admin.register(RewardRule)
class RewardRuleAdmin(ImportExportHistoryModelAdmin):
    resource_classes = [RewardRuleResource]
    inlines = [RewardBandInline]
    list_display = (
        "name",
        "code",
        "service",
        "show_kind",
        "amount",
        "arpu_share",
        "band_list",
        "offer_list",
        "valid_from",
        "valid_to",
    )
    list_display_links = ("name", "code")
    list_filter = (
        ("kind", ChoicesDropdownFilter),
        ("service", RelatedDropdownFilter),
        ("valid_from", RangeDateFilter),
        ("valid_to", RangeDateFilter),
    )
    list_select_related = ("service",)
    search_fields = ("name", "code", "offers__name", "offers__code")
    autocomplete_fields = ("service", "offers")
    fieldsets = (
        (None, {"fields": ("name", "code", "service", "kind", "order")}),
        (_("Reward"), {"fields": ("amount", "arpu_share", "offers")}),
        (_("Validity"), {"fields": ("valid_from", "valid_to")}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("service")
            .prefetch_related("offers", "bands")
        )

    @display(description=_("kind"), ordering="kind", label=KIND_LABELS)
    def show_kind(self, obj):
        return obj.kind, obj.get_kind_display()

    @display(description=_("bands"))
    def band_list(self, obj):
        return "; ".join(format_band(band) for band in obj.bands.all()) or "—"

    @display(description=_("offers"))
    def offer_list(self, obj):
        return joined_names(obj.offers.all())

"""The rewards in the admin: rules with their bands, monthly targets, the job's figures, month locks
and the campaign funnel."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.contrib.filters.admin import (
    ChoicesDropdownFilter,
    RangeDateFilter,
    RelatedDropdownFilter,
)
from unfold.decorators import display

from config.floor.admin import HistoryModelAdmin, ImportExportHistoryModelAdmin, PortalModelAdmin
from offers.admin import joined_names
from rewards import calendar, funnels, services
from rewards.models import (
    AgentMonth,
    CampaignMonth,
    ConversionRun,
    MonthLock,
    MonthlyTarget,
    RewardBand,
    RewardKind,
    RewardRule,
)
from rewards.resources import RewardRuleResource, format_band

MSG_UNLOCKED = _("%(count)d month(s) unlocked and computed again.")

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


# Conversions (issue 5): targets managers set, the job's figures, month locks and the funnel.


@admin.register(MonthlyTarget)
class MonthlyTargetAdmin(HistoryModelAdmin):
    list_display = ("team", "month", "target")
    list_editable = ("target",)
    list_filter = (("team", RelatedDropdownFilter), ("month", RangeDateFilter))
    list_select_related = ("team",)
    search_fields = ("team__name",)
    autocomplete_fields = ("team",)
    ordering = ("-month", "team__name")


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AgentMonth)
class AgentMonthAdmin(ReadOnlyMixin, PortalModelAdmin):
    list_display = (
        "agent",
        "month",
        "team",
        "orders",
        "target",
        "prorated",
        "connected",
        "cancelled",
        "reward_total",
        "reward_pending",
        "locked",
        "adjustment_reward",
        "computed_at",
    )
    list_filter = (("team", RelatedDropdownFilter), ("month", RangeDateFilter), "locked")
    list_select_related = ("agent", "team")
    search_fields = ("agent__username", "agent__last_name", "agent__agent_profile__employee_number")
    ordering = ("-month", "-orders")

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(ConversionRun)
class ConversionRunAdmin(ReadOnlyMixin, PortalModelAdmin):
    list_display = ("month", "runs", "agents", "orders", "started_at", "finished_at")


@admin.register(MonthLock)
class MonthLockAdmin(ReadOnlyMixin, PortalModelAdmin):
    list_display = ("team", "month", "locked_by", "locked_at")
    list_filter = (("team", RelatedDropdownFilter),)
    list_select_related = ("team", "locked_by")
    actions = ["unlock"]

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("rewards.delete_monthlock")

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Unlock the selected months"), permissions=["delete"])
    def unlock(self, request, queryset):
        for lock in queryset.select_related("team"):
            services.month_unlock(team=lock.team, month=lock.month, user=request.user)
        messages.success(request, MSG_UNLOCKED % {"count": len(queryset)})


@admin.register(CampaignMonth)
class CampaignFunnelAdmin(ReadOnlyMixin, PortalModelAdmin):
    """The campaign funnel for managers: per campaign and month, a chart and a table."""

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            month = calendar.parse_month(request.GET.get("month"))
        except calendar.MonthError as error:
            messages.error(request, error.message)
            month = timezone.localdate().replace(day=1)
        funnel = funnels.campaign_funnel(month, campaign=request.GET.get("campaign"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Campaign funnel"),
            "month": month,
            "month_key": calendar.month_key(month),
            "months": funnels.months_for_picker(),
            **funnel,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/rewards/campaign_funnel.html", context)

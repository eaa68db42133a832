"""Statement disputes in the admin: the managers' list with filters and each dispute's history
(decisions are taken on the disputes page, where the services check who may take them)."""

from django.contrib import admin
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import ChoicesDropdownFilter, RangeDateFilter
from unfold.decorators import display

from config.floor.admin import HistoryModelAdmin, month_label
from rewards.models import StatementDispute


@admin.register(StatementDispute)
class StatementDisputeAdmin(HistoryModelAdmin):
    # Fits a 1366 px screen: the dispute with what is disputed, months as months, both dates
    # in one cell.
    list_display = (
        "dispute",
        "agent",
        "statement_month",
        "order",
        "status",
        "amount",
        "adjusted_in",
        "dates",
    )
    list_filter = (
        ("status", ChoicesDropdownFilter),
        ("kind", ChoicesDropdownFilter),
        ("month", RangeDateFilter),
    )
    list_select_related = ("agent", "order")
    search_fields = ("agent__username", "agent__last_name", "reference", "comment")
    ordering = ("-created_at",)
    readonly_fields = [field.name for field in StatementDispute._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    @display(description=_("dispute"), ordering="pk", header=True)
    def dispute(self, obj):
        return [f"№ {obj.pk}", obj.get_kind_display()]

    @display(description=_("statement month"), ordering="month")
    def statement_month(self, obj):
        return month_label(obj.month)

    @display(description=_("adjusted in month"), ordering="adjustment_month")
    def adjusted_in(self, obj):
        return month_label(obj.adjustment_month) if obj.adjustment_month else "—"

    @display(description=_("flagged / resolved"), ordering="created_at", header=True)
    def dates(self, obj):
        return [
            short_datetime(obj.created_at),
            short_datetime(obj.resolved_at) if obj.resolved_at else "—",
        ]


def short_datetime(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")

"""Statement disputes in the admin: the managers' list with filters and each dispute's history
(decisions are taken on the disputes page, where the services check who may take them)."""

from django.contrib import admin
from unfold.contrib.filters.admin import ChoicesDropdownFilter, RangeDateFilter

from config.floor.admin import HistoryModelAdmin
from rewards.models import StatementDispute


@admin.register(StatementDispute)
class StatementDisputeAdmin(HistoryModelAdmin):
    list_display = ("id", "agent", "month", "kind", "status", "amount", "created_at")
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

"""Admin for the workspace: peak hours and outages (R9), appeals and contact history (read-only)."""

from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.decorators import display

from campaigns.models import (
    AccountSearch,
    Appeal,
    ConnectionOrder,
    ContactHistoryEntry,
    Outage,
    PeakHours,
    PersonalDataView,
    SubjectType,
    SubscriberAccount,
)
from config.floor.admin import PortalModelAdmin, breakable


@admin.register(PeakHours)
class PeakHoursAdmin(PortalModelAdmin):
    list_display = ("weekday", "starts_at", "ends_at", "is_active")
    list_editable = ("is_active",)
    list_filter = ("weekday", "is_active")
    ordering = ("weekday", "starts_at")


@admin.register(Outage)
class OutageAdmin(PortalModelAdmin):
    list_display = ("title", "region_or_all", "starts_at", "ends_at", "is_active")
    list_filter = ("is_active", "region")
    search_fields = ("title", "region")
    date_hierarchy = "starts_at"

    @display(description=_("region"), ordering="region")
    def region_or_all(self, obj):
        return obj.region or _("All regions")


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HistoryInline(ReadOnlyAdminMixin, TabularInline):
    model = ContactHistoryEntry
    fields = ("created_at", "target", "result", "comment", "agent_comment")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("target__campaign", "target__account")


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = (
        "id",
        "account",
        "agent",
        "department",
        "theme",
        "result",
        "started_at",
        "closed_at",
    )
    list_filter = ("theme", "department", "started_at")
    list_select_related = ("account", "agent", "department")
    search_fields = ("=account__number", "agent__username", "agent__last_name")
    date_hierarchy = "started_at"
    inlines = [HistoryInline]


@admin.register(ContactHistoryEntry)
class ContactHistoryEntryAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = (
        "created_at",
        "account",
        "campaign",
        "action",
        "result",
        "short_comment",
        "agent",
    )
    list_filter = ("result", "department", "created_at")
    list_select_related = ("target__account", "target__campaign", "agent", "department")
    search_fields = ("=target__account__number", "target__campaign__code", "comment")
    date_hierarchy = "created_at"

    @display(description=_("account"), ordering="target__account__number")
    def account(self, obj):
        return obj.target.account.number

    @display(description=_("comment"))
    def short_comment(self, obj):
        return Truncator(obj.comment).chars(60) or "—"

    @display(description=_("campaign"), ordering="target__campaign__code")
    def campaign(self, obj):
        return breakable(obj.target.campaign.code)


@admin.register(AccountSearch)
class AccountSearchAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    """Who looked which accounts up (the search page and the API), for managers to read."""

    list_display = ("searched_at", "user", "query", "found", "channel")
    list_filter = ("channel", "searched_at")
    list_select_related = ("user",)
    search_fields = ("=query", "user__username", "user__last_name")


@admin.register(PersonalDataView)
class PersonalDataViewAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    """Who was shown which account's or order's personal data unmasked, where (the audit; reveals
    have their own list), for managers to read."""

    list_display = ("viewed_at", "user", "subject_type", "subject_id", "field_list", "surface")
    list_filter = ("surface", "subject_type", "viewed_at")
    list_select_related = ("user",)
    search_fields = ("=subject_id", "user__username", "user__last_name")

    @display(description=_("fields"))
    def field_list(self, obj):
        model = ConnectionOrder if obj.subject_type == SubjectType.ORDER else SubscriberAccount
        return ", ".join(str(model._meta.get_field(name).verbose_name) for name in obj.fields)

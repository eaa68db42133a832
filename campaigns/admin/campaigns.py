"""Subscriber accounts and the sales floor in the admin (the campaigns: campaigns.admin.campaign)."""

from django.contrib import admin
from django.db.models import Count
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import (
    ChoicesDropdownFilter,
    RangeDateFilter,
    RelatedDropdownFilter,
)
from unfold.decorators import display

from campaigns.models import (
    AgentProfile,
    Department,
    SubscriberAccount,
    Team,
)
from campaigns.resources import SubscriberAccountResource
from config.floor.admin import (
    HistoryModelAdmin,
    ImportExportModelAdmin,
    PortalModelAdmin,
)
from offers.admin import joined_names


@admin.register(Department)
class DepartmentAdmin(PortalModelAdmin):
    list_display = ("name", "code", "team_count")
    search_fields = ("name", "code")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(team_total=Count("teams"))

    @display(description=_("teams"), ordering="team_total")
    def team_count(self, obj):
        return obj.team_total


@admin.register(Team)
class TeamAdmin(HistoryModelAdmin):
    list_display = ("name", "department", "supervisor_list", "agent_count")
    list_filter = (("department", RelatedDropdownFilter),)
    list_select_related = ("department",)
    search_fields = ("name", "department__name")
    autocomplete_fields = ("department", "supervisors")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("department")
            .prefetch_related("supervisors")
            .annotate(agent_total=Count("agents", distinct=True))
        )

    @display(description=_("supervisors"))
    def supervisor_list(self, obj):
        return joined_names(user.get_full_name() or user.username for user in obj.supervisors.all())

    @display(description=_("agents"), ordering="agent_total")
    def agent_count(self, obj):
        return obj.agent_total


@admin.register(AgentProfile)
class AgentProfileAdmin(HistoryModelAdmin):
    list_display = ("full_name", "employee_number", "team", "department", "started_on")
    list_filter = (
        ("team", RelatedDropdownFilter),
        ("team__department", RelatedDropdownFilter),
        ("started_on", RangeDateFilter),
    )
    list_select_related = ("user", "team__department")
    search_fields = ("employee_number", "user__username", "user__last_name", "user__first_name")
    autocomplete_fields = ("user", "team")

    @display(description=_("agent"), ordering="user__last_name")
    def full_name(self, obj):
        return obj.user.get_full_name() or obj.user.username

    @display(description=_("department"), ordering="team__department__name")
    def department(self, obj):
        return obj.team.department


@admin.register(SubscriberAccount)
class SubscriberAccountAdmin(ImportExportModelAdmin):
    resource_classes = [SubscriberAccountResource]
    list_display = (
        "number",
        "customer",
        "payment",
        "financial_block",
        "service_list",
        "region",
    )
    list_display_links = ("number", "customer")
    list_filter = (
        ("payment_model", ChoicesDropdownFilter),
        "financial_block",
        ("services", RelatedDropdownFilter),
        "region",
    )
    search_fields = ("=number", "surname", "first_name", "contact_phone", "email")
    autocomplete_fields = ("services", "offers")
    readonly_fields = ("crm_updated_at", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("number", "surname", "first_name", "patronymic", "region")}),
        (_("Payment"), {"fields": ("payment_model", "balance", "financial_block")}),
        (_("Services and offers"), {"fields": ("services", "offers")}),
        (_("Contacts"), {"fields": ("contact_phone", "email")}),
        (
            _("Dates"),
            {"fields": ("crm_updated_at", "created_at", "updated_at"), "classes": ["collapse"]},
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("services")

    @display(description=_("payment"), ordering="balance")
    def payment(self, obj):
        """«Авансовая · 224,55 ₽»: the payment model and the balance in one column."""
        balance = number_format(obj.balance, decimal_pos=2, use_l10n=True)
        return f"{obj.get_payment_model_display()} · {balance} ₽"

    @display(description=_("customer"), ordering="surname")
    def customer(self, obj):
        return " ".join(part for part in (obj.surname, obj.initials_name) if part) or "—"

    @display(description=_("connected services"))
    def service_list(self, obj):
        return joined_names(obj.services.all())

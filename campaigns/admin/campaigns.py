"""Campaigns, their target lists, subscriber accounts and the sales floor in the admin."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone
from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import (
    AutocompleteSelectFilter,
    ChoicesDropdownFilter,
    RangeDateFilter,
    RelatedDropdownFilter,
)
from unfold.decorators import display

from campaigns.models import (
    AgentProfile,
    Campaign,
    CampaignStatus,
    Department,
    SubscriberAccount,
    Team,
)
from campaigns.resources import CampaignResource, SubscriberAccountResource
from campaigns.scripts import PLACEHOLDERS, ScriptContext, render_script
from campaigns.services.campaigns import campaigns_set_status
from config.floor.admin import (
    HistoryModelAdmin,
    ImportExportHistoryModelAdmin,
    ImportExportModelAdmin,
    PortalModelAdmin,
)
from offers.admin import joined_names

# The customer the script preview is read to (the deck's example).
SAMPLE_CUSTOMER = "Евгений Михайлович"

MSG_STATUS_CHANGED = _("Campaigns moved to «%(status)s»: %(moved)d of %(selected)d selected.")
MSG_STATUS_SKIPPED = _(
    "The others were left as they are: their status does not allow the move "
    "(or, for activation, their end date has passed)."
)

STATUS_LABELS = {
    CampaignStatus.DRAFT: "info",
    CampaignStatus.ACTIVE: "success",
    CampaignStatus.PAUSED: "warning",
    CampaignStatus.ARCHIVED: "danger",
}


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
        "surname",
        "first_name",
        "patronymic",
        "payment_model",
        "balance",
        "financial_block",
        "service_list",
        "region",
    )
    list_display_links = ("number", "surname")
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

    @display(description=_("connected services"))
    def service_list(self, obj):
        return joined_names(obj.services.all())


@admin.register(Campaign)
class CampaignAdmin(ImportExportHistoryModelAdmin):
    resource_classes = [CampaignResource]
    list_display = (
        "code",
        "name",
        "offer",
        "show_status",
        "starts_on",
        "ends_on",
        "priority",
        "segment_list",
        "target_count",
        "owner",
    )
    list_display_links = ("code", "name")
    list_filter = (
        ("status", ChoicesDropdownFilter),
        ("offer", AutocompleteSelectFilter),
        ("segments", RelatedDropdownFilter),
        ("starts_on", RangeDateFilter),
        ("ends_on", RangeDateFilter),
    )
    list_select_related = ("offer", "owner")
    search_fields = ("code", "name", "offer__name", "offer__code")
    autocomplete_fields = ("offer", "segments", "articles")
    readonly_fields = ("status", "script_preview", "placeholder_help", "created_at", "updated_at")
    actions = ("activate", "pause", "archive")
    fieldsets = (
        (None, {"fields": ("code", "name", "offer", "status", "priority", "owner")}),
        (
            _("Script"),
            {
                "fields": (
                    "script_template",
                    "connection_script_template",
                    "placeholder_help",
                    "script_preview",
                    "articles",
                )
            },
        ),
        (
            _("Audience and dates"),
            {"fields": ("segments", "starts_on", "ends_on", "cooldown_days")},
        ),
        (_("Dates"), {"fields": ("created_at", "updated_at"), "classes": ["collapse"]}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("offer__service", "owner")
            .prefetch_related("segments")
            .annotate(target_total=Count("targets", distinct=True))
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            kwargs["queryset"] = (
                get_user_model().objects.filter(is_staff=True).order_by("last_name", "username")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change and obj.owner_id is None:
            obj.owner = request.user
        super().save_model(request, obj, form, change)

    @display(description=_("status"), ordering="status", label=STATUS_LABELS)
    def show_status(self, obj):
        return obj.status, obj.get_status_display()

    @display(description=_("segments"))
    def segment_list(self, obj):
        return joined_names(obj.segments.all())

    @display(description=_("targets"), ordering="target_total")
    def target_count(self, obj):
        return obj.target_total

    @display(description=_("Allowed placeholders"))
    def placeholder_help(self, obj):
        return format_html(
            '<ul class="flex flex-col gap-1">{}</ul>',
            format_html_join(
                "",
                "<li><code>{{{}}}</code> — {}</li>",
                ((name, label) for name, label in PLACEHOLDERS.items()),
            ),
        )

    @display(description=_("Script preview"))
    def script_preview(self, obj):
        if obj is None or obj.pk is None or obj.offer_id is None:
            return _("Save the campaign to see its script as the agent will read it.")
        offer = obj.offer
        context = ScriptContext(
            customer=SAMPLE_CUSTOMER,
            offer=offer.name,
            monthly_price=offer.monthly_price,
            promo_days=offer.promo_days,
            speed=offer.speed_mbps,
            on=timezone.localdate(),
        )
        parts = [(_("Script"), obj.script_template)]
        if obj.connection_script_template:
            parts.append((_("Connection script"), obj.connection_script_template))
        return format_html_join(
            "",
            '<div class="script-preview mb-4"><div class="font-semibold mb-1">{}</div>{}</div>',
            (
                (title, mark_safe(linebreaks(render_script(text, context), autoescape=True)))
                for title, text in parts
            ),
        )

    def _move(self, request, queryset, status):
        moved = campaigns_set_status(campaigns=queryset, status=status, by=request.user)
        selected = len(queryset)
        label = CampaignStatus(status).label
        message = MSG_STATUS_CHANGED % {"status": label, "moved": moved, "selected": selected}
        self.message_user(request, message, messages.SUCCESS if moved else messages.WARNING)
        if moved < selected:
            self.message_user(request, MSG_STATUS_SKIPPED, messages.WARNING)

    @admin.action(description=_("Activate the selected campaigns"), permissions=["change"])
    def activate(self, request, queryset):
        self._move(request, queryset, CampaignStatus.ACTIVE)

    @admin.action(description=_("Pause the selected campaigns"), permissions=["change"])
    def pause(self, request, queryset):
        self._move(request, queryset, CampaignStatus.PAUSED)

    @admin.action(description=_("Archive the selected campaigns"), permissions=["change"])
    def archive(self, request, queryset):
        self._move(request, queryset, CampaignStatus.ARCHIVED)

"""Subscriber accounts and the sales floor in the admin (the campaigns: campaigns.admin.campaign)."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from import_export.results import RowResult
from unfold.contrib.filters.admin import (
    ChoicesDropdownFilter,
    RangeDateFilter,
    RelatedDropdownFilter,
)
from unfold.decorators import action, display
from unfold.widgets import UnfoldAdminDateWidget, UnfoldAdminSelectWidget

from campaigns import selectors
from campaigns.models import (
    AgentProfile,
    Department,
    SubjectType,
    SubscriberAccount,
    Team,
    TeamMembership,
    ViewSurface,
)
from campaigns.resources import SubscriberAccountResource
from campaigns.services.org import MoveError, agent_team_move
from campaigns.services.personal_views import AUDITED_FIELDS, personal_data_viewed
from config.floor import personal
from config.floor.admin import (
    HistoryModelAdmin,
    ImportExportModelAdmin,
    PortalModelAdmin,
)
from config.floor.ids import parse_id
from offers.admin import joined_names
from offers.models import Segment

CONTACT_FIELDS = AUDITED_FIELDS[SubjectType.ACCOUNT]
MSG_MOVED = _("%(agent)s moved to %(team)s from %(day)s.")


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


@admin.register(TeamMembership)
class TeamMembershipAdmin(PortalModelAdmin):
    """The agents' teams over time (R10): written by «Move to another team», read-only here."""

    list_display = ("agent", "team", "valid_from", "valid_to", "moved_by", "created_at")
    list_filter = (("team", RelatedDropdownFilter), ("valid_from", RangeDateFilter))
    list_select_related = ("agent", "team", "moved_by")
    search_fields = ("agent__username", "agent__last_name", "team__name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MoveForm(forms.Form):
    """Where and from when an agent moves."""

    team = forms.ModelChoiceField(
        label=_("new team"),
        queryset=Team.objects.select_related("department").order_by("department__name", "name"),
        widget=UnfoldAdminSelectWidget,
    )
    on = forms.DateField(
        label=_("from"),
        widget=UnfoldAdminDateWidget,
        help_text=_(
            "Orders registered from this day on count for the new team; earlier ones stay with "
            "the old team. Today or earlier within the running month."
        ),
    )


@admin.register(AgentProfile)
class AgentProfileAdmin(HistoryModelAdmin):
    list_display = ("full_name", "employee_number", "team", "department", "started_on")
    actions_detail = ["move_to_team"]
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

    def get_readonly_fields(self, request, obj=None):
        # Once the agent exists, the team changes only by a move, which keeps the history.
        return ("team", "team_history") if obj is not None else ()

    def get_fields(self, request, obj=None):
        fields = ["user", "team", "employee_number", "started_on"]
        return [*fields, "team_history"] if obj is not None else fields

    @display(description=_("team history"))
    def team_history(self, obj):
        periods = TeamMembership.objects.filter(agent_id=obj.user_id).select_related("team")
        rows = [
            (
                period.team.name,
                f"{period.valid_from:%d.%m.%Y}",
                f"{period.valid_to:%d.%m.%Y}" if period.valid_to else "…",
            )
            for period in periods.order_by("-valid_from")
        ]
        if not rows:
            return _("In %(team)s since the start; never moved.") % {"team": obj.team}
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}: {} – {}</li>", rows))

    @action(description=_("Move to another team"), url_path="move-to-team", permissions=["change"])
    def move_to_team(self, request, object_id):
        profile = self.get_object(request, object_id)
        if profile is None:
            raise Http404
        form = MoveForm(request.POST or None, initial={"on": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            try:
                agent_team_move(
                    agent=profile.user,
                    team=form.cleaned_data["team"],
                    on=form.cleaned_data["on"],
                    by=request.user,
                )
            except MoveError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    MSG_MOVED
                    % {
                        "agent": profile,
                        "team": form.cleaned_data["team"],
                        "day": form.cleaned_data["on"],
                    },
                )
                return redirect(reverse("admin:campaigns_agentprofile_change", args=[profile.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Move %(agent)s to another team") % {"agent": profile},
            "profile": profile,
            "form": form,
        }
        return TemplateResponse(request, "admin/campaigns/agent_move.html", context)


class SegmentFilter(admin.SimpleListFilter):
    """R12: the segment an account falls into by the services that define segments; the option
    «in no segment» says how many accounts fall into none."""

    title = _("segment")
    parameter_name = "segment"
    NONE = "none"

    def lookups(self, request, model_admin):
        outside = selectors.accounts_in_no_segment().count()
        segments = Segment.objects.order_by("name").values_list("pk", "name")
        return [
            (self.NONE, _("In no segment (%(count)d)") % {"count": outside}),
            *((str(pk), name) for pk, name in segments),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.NONE:
            return queryset.filter(pk__in=selectors.accounts_in_no_segment())
        segment_id = parse_id(value)
        if segment_id is not None:
            return queryset.filter(pk__in=selectors.accounts_in_segment(segment_id=segment_id))
        return queryset


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
        SegmentFilter,
        "region",
    )
    # The phone and e-mail are encrypted: a manager finds an account by either, typed whole.
    search_fields = ("=number", "surname", "first_name")
    digest_search_fields = {"contact_phone": "contact_phone_hash", "email": "email_hash"}
    search_help_text = _("Account number, surname or first name; a phone or e-mail typed whole.")
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

    # The phone and e-mail leave the admin in clear in three places, each audited as it happens
    # (campaigns.services.personal_views): the account's form, the export, the import's preview
    # (its diff shows the values an update replaces).
    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            self._audit(request, ViewSurface.ADMIN, [obj])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_data_for_export(self, request, queryset, **kwargs):
        data = super().get_data_for_export(request, queryset, **kwargs)
        chosen = self.get_export_resource_fields_from_form(kwargs.get("export_form"))
        shown = [name for name in CONTACT_FIELDS if chosen is None or name in chosen]
        if shown:
            self._audit(request, ViewSurface.EXPORT, queryset.only("pk", *shown), shown)
        return data

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        result = (getattr(response, "context_data", None) or {}).get("result")
        if result is not None:
            updated = [
                row.object_id
                for row in result.valid_rows()
                if row.import_type == RowResult.IMPORT_TYPE_UPDATE and row.object_id
            ]
            accounts = SubscriberAccount.objects.filter(pk__in=updated).only("pk", *CONTACT_FIELDS)
            self._audit(request, ViewSurface.IMPORT, accounts)
        return response

    def _audit(self, request, surface, accounts, fields=CONTACT_FIELDS):
        if all(personal.may_see(request.user, SubscriberAccount, name) for name in fields):
            personal_data_viewed(
                user=request.user,
                surface=surface,
                subject_type=SubjectType.ACCOUNT,
                records=accounts.iterator(chunk_size=1000)
                if hasattr(accounts, "iterator")
                else accounts,
                fields=fields,
            )

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

"""A campaign managed from its own page: launch (with the warnings first), pause, archive, clone;
its live funnel and its target list; the script previewed on a chosen account while it is typed.
From the list: launch, pause, archive, and the same dates and priority for many at once."""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from unfold.contrib.filters.admin import (
    AutocompleteSelectFilter,
    ChoicesDropdownFilter,
    RangeDateFilter,
    RelatedDropdownFilter,
)
from unfold.decorators import action, display
from unfold.widgets import (
    UnfoldAdminDateWidget,
    UnfoldAdminIntegerFieldWidget,
    UnfoldBooleanSwitchWidget,
)

from campaigns import selectors
from campaigns.models import Campaign, CampaignStatus, SubscriberAccount
from campaigns.models.accounts import is_account_number
from campaigns.orders.selectors import campaign_order_counts
from campaigns.reach import reach_preview
from campaigns.resources import CampaignResource
from campaigns.scripts import PLACEHOLDERS, ScriptContext, render_script
from campaigns.services.campaigns import (
    campaign_clone,
    campaigns_bulk_update,
    campaigns_launch,
    campaigns_set_status,
)
from config.floor.admin import ImportExportHistoryModelAdmin, breakable, owner_field
from config.floor.errors import DomainError
from offers.models import Offer

# The customer the script preview is read to when no account is chosen (the deck's example).
SAMPLE_CUSTOMER = "Евгений Михайлович"
SHOWN_TARGETS = 10

MSG_STATUS_CHANGED = _("Campaigns moved to «%(status)s»: %(moved)d of %(selected)d selected.")
MSG_STATUS_SKIPPED = _(
    "The others were left as they are: their status does not allow the move "
    "(or, for activation, their end date has passed)."
)
MSG_CLONED = _("A draft copy of «%(code)s» was made: check its dates and launch it.")
MSG_NOT_LAUNCHED = _("The campaign was not launched: its status or its end date does not allow it.")

# The reach preview is shown before a campaign runs: while a draft or paused.
PREVIEW_STATUSES = (CampaignStatus.DRAFT, CampaignStatus.PAUSED)

STATUS_LABELS = {
    CampaignStatus.DRAFT: "info",
    CampaignStatus.SCHEDULED: "info",
    CampaignStatus.ACTIVE: "success",
    CampaignStatus.PAUSED: "warning",
    CampaignStatus.ARCHIVED: "danger",
}


MSG_LAUNCHED = _(
    "Campaigns launched: %(moved)d of %(selected)d selected (those that start later are scheduled)."
)
MSG_ACTIVE = _("The campaign is launched: agents see it now.")
MSG_SCHEDULED = _("The campaign is scheduled: it starts by itself on %(date)s.")


def short_period(starts_on, ends_on) -> str:
    """«01.10–31.12.2026» (the year once when it is the same), «с 01.10.2026» without an end:
    a list column that fits."""
    end = ""
    if ends_on is None:
        return FROM_DATE % {"date": date_format(starts_on, "SHORT_DATE_FORMAT")}
    end = date_format(ends_on, "SHORT_DATE_FORMAT")
    if starts_on.year == ends_on.year:
        return f"{date_format(starts_on, 'd.m')}–{end}"
    return f"{date_format(starts_on, 'SHORT_DATE_FORMAT')}–{end}"


FROM_DATE = _("from %(date)s")


class BulkEditForm(forms.Form):
    """The same dates and priority for the selected campaigns (each field optional)."""

    starts_on = forms.DateField(label=_("starts"), required=False, widget=UnfoldAdminDateWidget)
    ends_on = forms.DateField(label=_("ends"), required=False, widget=UnfoldAdminDateWidget)
    clear_end = forms.BooleanField(
        label=_("No end date"), required=False, widget=UnfoldBooleanSwitchWidget
    )
    priority = forms.IntegerField(
        label=_("priority"), required=False, min_value=0, widget=UnfoldAdminIntegerFieldWidget
    )


@admin.register(Campaign)
class CampaignAdmin(ImportExportHistoryModelAdmin):
    resource_classes = [CampaignResource]
    list_display = (
        "code_and_name",
        "offer",
        "show_status",
        "period",
        "priority",
        "target_count",
        "owner_name",
    )
    list_display_links = ("code_and_name",)
    list_filter = (
        ("status", ChoicesDropdownFilter),
        ("offer", AutocompleteSelectFilter),
        ("segments", RelatedDropdownFilter),
        ("starts_on", RangeDateFilter),
        ("ends_on", RangeDateFilter),
    )
    list_select_related = ("offer", "owner")
    search_fields = ("code", "name", "offer__name", "offer__code")
    autocomplete_fields = ("offer", "segments")
    readonly_fields = ("status", "script_preview", "placeholder_help", "created_at", "updated_at")
    actions = ("activate", "pause", "archive", "edit_dates_and_priority")
    actions_detail = ("launch_detail", "pause_detail", "archive_detail", "clone_detail")
    change_form_after_template = "admin/campaigns/campaign_panel.html"
    fieldsets = (
        (None, {"fields": ("code", "name", "offer", "status", "priority", "owner")}),
        (
            _("Audience and dates"),
            {"fields": ("segments", "starts_on", "ends_on", "cooldown_days")},
        ),
        (
            _("Ranking"),
            {"fields": ("value_basis", "value_amount", "exploration_share")},
        ),
        (
            _("Script"),
            {
                "fields": (
                    "script_template",
                    "connection_script_template",
                    "placeholder_help",
                    "script_preview",
                )
            },
        ),
        (_("Dates"), {"fields": ("created_at", "updated_at"), "classes": ["collapse"]}),
    )

    class Media:
        js = ["portal/live_preview.js"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("offer__service", "owner")
            .annotate(target_total=Count("targets", distinct=True))
        )

    def get_urls(self):
        preview = path(
            "script-preview/",
            self.admin_site.admin_view(self.script_preview_view),
            name="campaigns_campaign_script_preview",
        )
        return [preview, *super().get_urls()]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            kwargs = owner_field(db_field, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change and obj.owner_id is None:
            obj.owner = request.user
        super().save_model(request, obj, form, change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        campaign = self.get_object(request, object_id)
        extra = extra_context or {}
        if campaign is not None:
            extra = {**self.panel_context(campaign), **extra}
        return super().change_view(request, object_id, form_url, extra)

    def panel_context(self, campaign):
        targets = selectors.campaign_target_counts(campaign=campaign)
        orders = campaign_order_counts(campaign_id=campaign.pk)
        funnel = [
            (_("On the target list"), targets["targets"]),
            (_("Offered"), targets["offered"]),
            (_("Customer not interested"), targets["not_interested"]),
            (_("Customer is thinking"), targets["thinking"]),
            (_("Customer agreed"), targets["agreed"]),
            (_("Orders"), orders["orders"]),
            (_("Connected"), orders["connected"]),
        ]
        recent = campaign.targets.select_related("account").order_by("-added_at")[:SHOWN_TARGETS]
        target_list = reverse("admin:campaigns_campaigntarget_changelist")
        return {
            "panel_campaign": campaign,
            "panel_reach": self.reach_context(campaign),
            "panel_funnel": funnel,
            "panel_targets": recent,
            "panel_target_total": targets["targets"],
            "panel_import_url": reverse("admin:campaigns_campaigntarget_import_target_list")
            + f"?campaign={campaign.pk}",
            "panel_targets_url": f"{target_list}?campaign__id__exact={campaign.pk}",
            "panel_export_url": reverse("admin:campaigns_campaigntarget_export")
            + f"?campaign__id__exact={campaign.pk}",
        }

    def reach_context(self, campaign):
        """Before it runs (a draft or a paused campaign): its reach now, reasons as bars."""
        if campaign.status not in PREVIEW_STATUSES:
            return None
        reach = reach_preview(campaign=campaign)
        widest = max([n for _code, _label, n in reach.reasons] or [1])
        bars = [
            {"code": code, "label": label, "count": n, "percent": round(100 * n / widest)}
            for code, label, n in reach.reasons
        ]
        percent = None
        if reach.learned_rate is not None:
            percent = (reach.learned_rate * 100).quantize(Decimal("0.1"))
        return {"reach": reach, "bars": bars, "percent": percent}

    @display(description=_("status"), ordering="status", label=STATUS_LABELS)
    def show_status(self, obj):
        return obj.status, obj.get_status_display()

    @display(description=_("campaign"), ordering="code")
    def code_and_name(self, obj):
        """The code (which may break after its underscores) over the name: one column."""
        return format_html('{}<div class="text-xs">{}</div>', breakable(obj.code), obj.name)

    @display(description=_("dates"), ordering="starts_on")
    def period(self, obj):
        return format_html(
            '<span class="portal-nowrap">{}</span>', short_period(obj.starts_on, obj.ends_on)
        )

    @display(description=_("on the list"), ordering="target_total")
    def target_count(self, obj):
        return obj.target_total

    @display(description=_("owner"), ordering="owner__last_name")
    def owner_name(self, obj):
        """«Смирнова О.»: the owner's surname and initial, short enough for the list."""
        if obj.owner is None:
            return "—"
        initial = f"{obj.owner.first_name[:1]}." if obj.owner.first_name else ""
        return f"{obj.owner.last_name} {initial}".strip() or obj.owner.username

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
        """The preview box; portal/live_preview.js redraws it as the scripts are typed."""
        rendered = ""
        if obj is not None and obj.offer_id is not None:
            rendered = render_preview(
                obj.offer, obj.script_template, obj.connection_script_template, None
            )
        return preview_box(
            reverse("admin:campaigns_campaign_script_preview"),
            "offer,script_template,connection_script_template",
            rendered,
        )

    def script_preview_view(self, request):
        """The scripts being typed, rendered for the chosen account (or the sample customer)."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return _script_preview(request)

    # The list's actions.
    def _report(self, request, moved, selected, label):
        message = MSG_STATUS_CHANGED % {"status": label, "moved": moved, "selected": selected}
        self.message_user(request, message, messages.SUCCESS if moved else messages.WARNING)
        if moved < selected:
            self.message_user(request, MSG_STATUS_SKIPPED, messages.WARNING)

    def _move(self, request, queryset, status):
        moved = campaigns_set_status(campaigns=queryset, status=status, by=request.user)
        self._report(request, moved, len(queryset), CampaignStatus(status).label)

    @admin.action(description=_("Launch the selected campaigns"), permissions=["change"])
    def activate(self, request, queryset):
        moved = campaigns_launch(campaigns=queryset, by=request.user)
        message = MSG_LAUNCHED % {"moved": moved, "selected": len(queryset)}
        self.message_user(request, message, messages.SUCCESS if moved else messages.WARNING)
        if moved < len(queryset):
            self.message_user(request, MSG_STATUS_SKIPPED, messages.WARNING)

    @admin.action(description=_("Pause the selected campaigns"), permissions=["change"])
    def pause(self, request, queryset):
        self._move(request, queryset, CampaignStatus.PAUSED)

    @admin.action(description=_("Archive the selected campaigns"), permissions=["change"])
    def archive(self, request, queryset):
        self._move(request, queryset, CampaignStatus.ARCHIVED)

    @admin.action(description=_("Set dates and priority of the selected"), permissions=["change"])
    def edit_dates_and_priority(self, request, queryset):
        form = BulkEditForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            try:
                count = campaigns_bulk_update(
                    campaigns=queryset, by=request.user, **form.cleaned_data
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                message = ngettext(
                    "Dates and priority set on %(count)d campaign.",
                    "Dates and priority set on %(count)d campaigns.",
                    count,
                ) % {"count": count}
                self.message_user(request, message, messages.SUCCESS)
                return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Dates and priority"),
            "form": form,
            "campaigns": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/campaigns/campaign_bulk_edit.html", context)

    # The campaign page's actions.
    @action(description=_("Launch"), url_path="launch", permissions=["change"])
    def launch_detail(self, request, object_id):
        campaign = get_object_or_404(Campaign, pk=object_id)
        page = reverse("admin:campaigns_campaign_change", args=[campaign.pk])
        if request.method == "POST":
            if campaigns_launch(campaigns=[campaign], by=request.user):
                campaign.refresh_from_db()
                if campaign.status == CampaignStatus.SCHEDULED:
                    date = date_format(campaign.starts_on, "SHORT_DATE_FORMAT")
                    messages.success(request, MSG_SCHEDULED % {"date": date})
                else:
                    messages.success(request, MSG_ACTIVE)
            else:
                messages.warning(request, MSG_NOT_LAUNCHED)
            return redirect(page)
        today = timezone.localdate()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Launch the campaign «%(code)s»") % {"code": campaign.code},
            "campaign": campaign,
            "warnings": selectors.campaign_launch_warnings(campaign=campaign, today=today),
            "launchable": campaign.status in (CampaignStatus.DRAFT, CampaignStatus.PAUSED)
            and not (campaign.ends_on and campaign.ends_on < today),
            "starts_later": campaign.starts_on > today,
            "page_url": page,
        }
        return TemplateResponse(request, "admin/campaigns/campaign_launch.html", context)

    def _detail_move(self, request, object_id, status):
        campaign = get_object_or_404(Campaign, pk=object_id)
        moved = campaigns_set_status(campaigns=[campaign], status=status, by=request.user)
        label = CampaignStatus(status).label
        self._report(request, moved, 1, label)
        return redirect(reverse("admin:campaigns_campaign_change", args=[object_id]))

    @action(description=_("Pause"), url_path="pause", permissions=["change"])
    def pause_detail(self, request, object_id):
        return self._detail_move(request, object_id, CampaignStatus.PAUSED)

    @action(description=_("Archive"), url_path="archive", permissions=["change"])
    def archive_detail(self, request, object_id):
        return self._detail_move(request, object_id, CampaignStatus.ARCHIVED)

    def has_clone_permission(self, request, object_id=None):
        return self.has_add_permission(request)

    @action(description=_("Clone"), url_path="clone", permissions=["clone"])
    def clone_detail(self, request, object_id):
        campaign = get_object_or_404(Campaign, pk=object_id)
        clone = campaign_clone(campaign=campaign, by=request.user)
        messages.success(request, MSG_CLONED % {"code": campaign.code})
        return redirect(reverse("admin:campaigns_campaign_change", args=[clone.pk]))


def preview_box(url, fields, rendered) -> str:
    """A script preview redrawn as the fields named are typed (portal/live_preview.js), read to the
    customer of the account typed in its own box (never saved with the form)."""
    return format_html(
        '<div class="live-preview script-preview-box" data-url="{}" data-fields="{}">'
        '<label class="block text-sm mb-1" for="script-preview-account">{}</label>'
        '<input id="script-preview-account" data-name="account" class="border border-base-200 '
        'rounded-default px-3 py-2 mb-3 w-56" inputmode="numeric" autocomplete="off" '
        'placeholder="{}">'
        '<div id="script-preview-output" class="live-preview-output" aria-live="polite">{}</div>'
        "</div>",
        url,
        fields,
        _("Read to the customer of account"),
        "352011070411",
        rendered or _("Choose the offer and type the script to see it as the agent will."),
    )


def render_preview(offer, script, connection_script, account) -> str:
    """The two scripts as the agent reads them to this account's customer (or the sample one)."""
    today = timezone.localdate()
    context = ScriptContext(
        customer=account.initials_name if account else SAMPLE_CUSTOMER,
        offer=offer.name,
        monthly_price=offer.monthly_price,
        promo_days=offer.promo_days,
        speed=offer.speed_mbps,
        on=today,
    )
    parts = [(_("Script"), script or "")]
    if connection_script:
        parts.append((_("Connection script"), connection_script))
    return format_html_join(
        "",
        '<div class="script-preview mb-4"><div class="font-semibold mb-1">{}</div>{}</div>',
        (
            (title, mark_safe(linebreaks(render_script(text, context), autoescape=True)))
            for title, text in parts
        ),
    )


@require_POST
def _script_preview(request):
    offer = Offer.objects.filter(pk=request.POST.get("offer") or None).first()
    return script_preview_response(request, offer)


def script_preview_response(request, offer, default_connection_script="") -> JsonResponse:
    """The scripts posted, rendered for the account typed (or the sample customer); a connection
    script left empty reads `default_connection_script` (a version's falls back to its campaign's)."""
    if offer is None:
        message = _("Choose the offer and type the script to see it as the agent will.")
        return JsonResponse({"html": str(message), "customer": ""})
    number = "".join(ch for ch in request.POST.get("account", "") if ch.isdigit())
    account = (
        SubscriberAccount.objects.filter(number=number).first()
        if is_account_number(number)
        else None
    )
    html = render_preview(
        offer,
        request.POST.get("script_template", ""),
        request.POST.get("connection_script_template", "") or default_connection_script,
        account,
    )
    customer = account.initials_name if account else SAMPLE_CUSTOMER
    return JsonResponse({"html": str(html), "customer": customer})

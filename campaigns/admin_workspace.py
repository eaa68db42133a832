"""Admin for the workspace: peak hours and outages (R9), appeals and contact history (read-only),
and the target-list import on campaign targets."""

import uuid
from pathlib import PurePath

from django import forms
from django.contrib import admin, messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.decorators import action, display

from campaigns.admin import CampaignTargetAdmin
from campaigns.models import Appeal, CampaignTarget, ContactHistoryEntry, Outage, PeakHours
from campaigns.services.targets import TargetFileError, read_target_file, targets_import
from config.admin import PortalModelAdmin

UPLOAD_DIR = "target-imports"
SHOWN_REJECTS = 200
ERR_FILE_TYPE = _("Upload a .csv or .xlsx file.")
ERR_UPLOAD_GONE = _("The uploaded file is gone; upload it again.")
MSG_IMPORTED = _("%(created)d targets added from %(rows)d rows.")


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
    list_display = ("created_at", "account", "campaign", "action", "result", "comment", "agent")
    list_filter = ("result", "department", "created_at")
    list_select_related = ("target__account", "target__campaign", "agent", "department")
    search_fields = ("=target__account__number", "target__campaign__code", "comment")
    date_hierarchy = "created_at"

    @display(description=_("account"), ordering="target__account__number")
    def account(self, obj):
        return obj.target.account.number

    @display(description=_("campaign"), ordering="target__campaign__code")
    def campaign(self, obj):
        return obj.target.campaign.code


class TargetListForm(forms.Form):
    file = forms.FileField(
        label=_("Target list"),
        help_text=_("A .csv or .xlsx file: account number and campaign code in each row."),
    )
    skip_rejected = forms.BooleanField(
        label=_("Import the valid rows even if some are rejected"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if PurePath(upload.name).suffix.lower() not in (".csv", ".xlsx"):
            raise forms.ValidationError(ERR_FILE_TYPE, code="file_type")
        return upload


admin.site.unregister(CampaignTarget)


@admin.register(CampaignTarget)
class TargetListAdmin(CampaignTargetAdmin):
    """Campaign targets, with the import of whole target lists (preview, then confirm)."""

    actions_list = ["import_target_list"]

    @action(description=_("Import a target list"), url_path="import-list", permissions=["add"])
    def import_target_list(self, request):
        if request.method == "POST" and request.POST.get("token"):
            return self._confirm(request)
        form = TargetListForm(request.POST or None, request.FILES or None)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form}
        context["title"] = _("Import a target list")
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            suffix = PurePath(upload.name).suffix.lower()
            name = default_storage.save(
                f"{UPLOAD_DIR}/{uuid.uuid4().hex}{suffix}", ContentFile(upload.read())
            )
            try:
                report = targets_import(rows=self._rows(name), apply=False)
            except TargetFileError as error:
                default_storage.delete(name)
                form.add_error("file", str(error))
            else:
                context.update(
                    report=report,
                    rejected=report.rejected[:SHOWN_REJECTS],
                    token=PurePath(name).name,
                    skip_rejected=form.cleaned_data["skip_rejected"],
                )
        return TemplateResponse(request, "admin/campaigns/target_list_import.html", context)

    def _rows(self, name):
        with default_storage.open(name, "rb") as handle:
            return list(read_target_file(name, handle.read()))

    def _confirm(self, request):
        name = f"{UPLOAD_DIR}/{PurePath(request.POST['token']).name}"
        changelist = reverse("admin:campaigns_campaigntarget_changelist")
        if not default_storage.exists(name):
            messages.error(request, ERR_UPLOAD_GONE)
            return redirect(changelist)
        try:
            report = targets_import(
                rows=self._rows(name), skip_rejected=bool(request.POST.get("skip_rejected"))
            )
        except TargetFileError as error:
            messages.error(request, str(error))
            return redirect(changelist)
        finally:
            default_storage.delete(name)
        if report.applied:
            messages.success(
                request, MSG_IMPORTED % {"created": report.created, "rows": report.rows}
            )
        else:
            messages.error(request, _("Nothing was imported: some rows are rejected."))
        return redirect(changelist)

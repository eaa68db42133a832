"""Campaign targets in the admin: the import of whole target lists (choose the campaign, check the
file, confirm), a template to fill in, and the export of a list."""

import io
import uuid
from pathlib import PurePath

from django import forms
from django.contrib import admin, messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ExportMixin
from unfold.contrib.filters.admin import AutocompleteSelectFilter, ChoicesDropdownFilter
from unfold.contrib.import_export.forms import SelectableFieldsExportForm
from unfold.decorators import action, display
from unfold.widgets import (
    UnfoldAdminFileFieldWidget,
    UnfoldAdminSelectWidget,
    UnfoldBooleanSwitchWidget,
)

from campaigns.models import Campaign, CampaignStatus, CampaignTarget
from campaigns.resources import CampaignTargetResource
from campaigns.services.targets import TargetFileError, read_target_file, targets_import
from config.floor.admin import PortalModelAdmin, StyledExportMixin
from config.floor.spreadsheets import PortalCSV, PortalXLSX

UPLOAD_DIR = "target-imports"
SHOWN_ROWS = 200
TEMPLATE_NAME = "target-list.xlsx"
ERR_FILE_TYPE = _("Upload a .csv or .xlsx file.")
ERR_UPLOAD_GONE = _("The uploaded file is gone; upload it again.")
ERR_NOTHING_IMPORTED = _("Nothing was imported: some rows are rejected.")
TEMPLATE_HEADER = _("account number")
TEMPLATE_EXAMPLE = "352011070411"


def imported_message(report) -> str:
    return ngettext(
        "%(created)d account added to the list.",
        "%(created)d accounts added to the list.",
        report.created,
    ) % {"created": report.created}


class TargetListForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.exclude(status=CampaignStatus.ARCHIVED).order_by("code"),
        required=False,
        widget=UnfoldAdminSelectWidget,
        help_text=_(
            "The list is for this campaign: the file needs only account numbers. Leave empty "
            "when the file has a campaign column."
        ),
    )
    file = forms.FileField(
        label=_("Target list"),
        widget=UnfoldAdminFileFieldWidget,
        help_text=_(
            "A .xlsx or .csv file (also as saved by Russian Excel): an account number in each "
            "row, and a campaign code when no campaign is chosen above."
        ),
    )
    skip_rejected = forms.BooleanField(
        label=_("Import the valid rows even if some are rejected"),
        required=False,
        widget=UnfoldBooleanSwitchWidget,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if PurePath(upload.name).suffix.lower() not in (".csv", ".xlsx"):
            raise forms.ValidationError(ERR_FILE_TYPE, code="file_type")
        return upload


@admin.register(CampaignTarget)
class CampaignTargetAdmin(StyledExportMixin, ExportMixin, PortalModelAdmin):
    """Campaign targets, with the import of whole target lists and their export."""

    list_display = ("campaign", "account", "customer", "result", "result_at", "added_at")
    list_filter = (
        ("campaign", AutocompleteSelectFilter),
        ("campaign__status", ChoicesDropdownFilter),
        ("result", ChoicesDropdownFilter),
        "added_at",
    )
    list_select_related = ("campaign", "account")
    search_fields = ("campaign__code", "=account__number", "account__surname")
    autocomplete_fields = ("campaign", "account")
    readonly_fields = ("added_at",)
    actions_list = ["import_target_list"]
    resource_classes = [CampaignTargetResource]
    formats = [PortalXLSX, PortalCSV]
    export_form_class = SelectableFieldsExportForm

    def get_urls(self):
        template = path(
            "import-list/template/",
            self.admin_site.admin_view(self.list_template_view),
            name="campaigns_campaigntarget_import_template",
        )
        return [template, *super().get_urls()]

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).select_related("campaign", "account")

    @display(description=_("customer"), ordering="account__surname")
    def customer(self, obj):
        account = obj.account
        return " ".join(part for part in (account.surname, account.initials_name) if part)

    def list_template_view(self, request):
        """An empty list to fill in: the account-number column, with one example row."""
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = str(_("Target list"))[:31]
        sheet.append([str(TEMPLATE_HEADER)])
        sheet.append([TEMPLATE_EXAMPLE])
        sheet.column_dimensions["A"].width = 22
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{TEMPLATE_NAME}"'
        return response

    @action(description=_("Import a target list"), url_path="import-list", permissions=["add"])
    def import_target_list(self, request):
        if request.method == "POST" and request.POST.get("token"):
            return self._confirm(request)
        initial = {"campaign": request.GET.get("campaign")}
        form = TargetListForm(request.POST or None, request.FILES or None, initial=initial)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("Import a target list"),
            "template_url": reverse("admin:campaigns_campaigntarget_import_template"),
        }
        if request.method == "POST" and form.is_valid():
            context.update(self._preview(form))
        return TemplateResponse(request, "admin/campaigns/target_list_import.html", context)

    def _preview(self, form):
        upload = form.cleaned_data["file"]
        campaign = form.cleaned_data["campaign"]
        suffix = PurePath(upload.name).suffix.lower()
        name = default_storage.save(
            f"{UPLOAD_DIR}/{uuid.uuid4().hex}{suffix}", ContentFile(upload.read())
        )
        try:
            report = targets_import(rows=self._rows(name, campaign), apply=False)
        except TargetFileError as error:
            default_storage.delete(name)
            form.add_error("file", str(error))
            return {}
        return {
            "report": report,
            "campaign": campaign,
            "rejected": report.rejected[:SHOWN_ROWS],
            "outside": report.outside_segments[:SHOWN_ROWS],
            "already": report.already[:SHOWN_ROWS],
            "shown_rows": SHOWN_ROWS,
            "token": PurePath(name).name,
            "skip_rejected": form.cleaned_data["skip_rejected"],
        }

    def _rows(self, name, campaign):
        with default_storage.open(name, "rb") as handle:
            code = campaign.code if campaign else None
            return list(read_target_file(name, handle.read(), campaign=code))

    def _confirm(self, request):
        name = f"{UPLOAD_DIR}/{PurePath(request.POST['token']).name}"
        campaign = Campaign.objects.filter(pk=request.POST.get("campaign") or None).first()
        back = (
            reverse("admin:campaigns_campaign_change", args=[campaign.pk])
            if campaign
            else reverse("admin:campaigns_campaigntarget_changelist")
        )
        if not default_storage.exists(name):
            messages.error(request, ERR_UPLOAD_GONE)
            return redirect(back)
        try:
            report = targets_import(
                rows=self._rows(name, campaign),
                skip_rejected=bool(request.POST.get("skip_rejected")),
            )
        except TargetFileError as error:
            messages.error(request, str(error))
            return redirect(back)
        finally:
            default_storage.delete(name)
        if report.applied:
            messages.success(request, imported_message(report))
        else:
            messages.error(request, ERR_NOTHING_IMPORTED)
        return redirect(back)

"""Campaign targets in the admin, with the import of whole target lists (preview, then confirm)."""

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
from unfold.contrib.filters.admin import AutocompleteSelectFilter, ChoicesDropdownFilter
from unfold.decorators import action, display

from campaigns.models import CampaignTarget
from campaigns.services.targets import TargetFileError, read_target_file, targets_import
from config.floor.admin import PortalModelAdmin

UPLOAD_DIR = "target-imports"
SHOWN_REJECTS = 200
ERR_FILE_TYPE = _("Upload a .csv or .xlsx file.")
ERR_UPLOAD_GONE = _("The uploaded file is gone; upload it again.")
MSG_IMPORTED = _("%(created)d targets added from %(rows)d rows.")


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


@admin.register(CampaignTarget)
class CampaignTargetAdmin(PortalModelAdmin):
    """Campaign targets, with the import of whole target lists (preview, then confirm)."""

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

    @display(description=_("customer"), ordering="account__surname")
    def customer(self, obj):
        account = obj.account
        return " ".join(part for part in (account.surname, account.initials_name) if part)

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

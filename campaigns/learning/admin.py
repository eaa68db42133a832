"""The manager's side of the learning: script versions (edited, previewed, imported like
scripts; «Promote»), and per campaign a page with the A/B table, the propensities per segment
and context with their intervals, and their trend by week."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from unfold.decorators import action, display

from campaigns.admin.campaign import preview_box, render_preview, script_preview_response
from campaigns.learning import selectors, services
from campaigns.learning.models import ScriptVersion, VersionStatus
from campaigns.models import Campaign
from config.floor.admin import ImportExportHistoryModelAdmin
from config.floor.errors import DomainError
from offers.resources import CatalogueResource, code_field

MSG_PROMOTED = _("Version «%(label)s» is now the campaign's only script; the others are retired.")
MSG_STARTED = _("The campaign's scripts are now version «%(label)s», the control: add a version B.")
MSG_REFRESHED = _("Propensities recomputed from the results: %(rows)d rows.")
CHART_WIDTH, CHART_HEIGHT = 640, 180


class ScriptVersionResource(CatalogueResource):
    """Versions keyed by campaign code and label."""

    campaign = code_field("campaign", Campaign)

    class Meta(CatalogueResource.Meta):
        model = ScriptVersion
        import_id_fields = ["campaign", "label"]
        fields = [
            "campaign",
            "label",
            "script_template",
            "connection_script_template",
            "weight",
            "is_control",
        ]
        export_order = fields


@admin.register(ScriptVersion)
class ScriptVersionAdmin(ImportExportHistoryModelAdmin):
    resource_classes = [ScriptVersionResource]
    list_display = ("campaign", "label", "weight", "is_control", "status", "created_at")
    list_filter = ("status", "is_control")
    list_select_related = ("campaign",)
    search_fields = ("campaign__code", "label", "script_template")
    autocomplete_fields = ("campaign",)
    readonly_fields = ("status", "retired_at", "created_at", "preview")
    fields = (
        "campaign",
        "label",
        "weight",
        "is_control",
        "script_template",
        "connection_script_template",
        "preview",
        "status",
        "retired_at",
        "created_at",
    )
    actions_detail = ("promote_detail",)

    class Media:
        js = ["portal/live_preview.js"]

    def get_urls(self):
        extra = [
            path(
                "campaign/<int:campaign_id>/",
                self.admin_site.admin_view(self.learning_view),
                name="campaigns_campaign_learning",
            ),
            path(
                "campaign/<int:campaign_id>/start/",
                self.admin_site.admin_view(self.start_view),
                name="campaigns_campaign_versions_start",
            ),
            path(
                "script-preview/",
                self.admin_site.admin_view(self.script_preview_view),
                name="campaigns_scriptversion_script_preview",
            ),
            path(
                "refresh/",
                self.admin_site.admin_view(self.refresh_view),
                name="campaigns_propensities_refresh",
            ),
        ]
        return [*extra, *super().get_urls()]

    @display(description=_("Script preview"))
    def preview(self, obj):
        """Redrawn as the version is typed, like the campaign's scripts (portal/live_preview.js)."""
        rendered = ""
        if obj is not None and obj.pk is not None:
            connection = obj.connection_script_template or obj.campaign.connection_script_template
            rendered = render_preview(obj.campaign.offer, obj.script_template, connection, None)
        return preview_box(
            reverse("admin:campaigns_scriptversion_script_preview"),
            "campaign,script_template,connection_script_template",
            rendered,
        )

    def script_preview_view(self, request):
        """The version being typed, read with its campaign's offer (and connection script when
        the version has none of its own) to the account typed, or the sample customer."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        campaign = (
            Campaign.objects.select_related("offer")
            .filter(pk=_int_or_none(request.POST.get("campaign")))
            .first()
        )
        if campaign is None:
            return script_preview_response(request, None)
        return script_preview_response(request, campaign.offer, campaign.connection_script_template)

    @action(description=_("Promote"), url_path="promote", permissions=["change"])
    def promote_detail(self, request, object_id):
        version = get_object_or_404(ScriptVersion, pk=object_id)
        if request.method != "POST":
            return self._confirm(request, version)
        try:
            services.version_promote(version=version)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, MSG_PROMOTED % {"label": version.label})
        return redirect(reverse("admin:campaigns_campaign_learning", args=[version.campaign_id]))

    def _confirm(self, request, version):
        context = {
            **self.admin_site.each_context(request),
            "title": _("Promote version «%(label)s»?") % {"label": version.label},
            "version": version,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/campaigns/learning/promote.html", context)

    def learning_view(self, request, campaign_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        campaign = get_object_or_404(Campaign.objects.select_related("offer"), pk=campaign_id)
        versions, needed = selectors.version_table(campaign=campaign)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Learning: %(code)s") % {"code": campaign.code},
            "campaign": campaign,
            "versions": versions,
            "needed": needed,
            "propensities": selectors.propensity_table(campaign=campaign),
            "chart": trend_chart(selectors.weekly_trend(campaign=campaign)),
            "opts": self.model._meta,
            "can_change": self.has_change_permission(request),
            "running": VersionStatus.RUNNING,
        }
        return TemplateResponse(request, "admin/campaigns/learning/campaign.html", context)

    def start_view(self, request, campaign_id):
        if request.method != "POST" or not self.has_change_permission(request):
            raise PermissionDenied
        campaign = get_object_or_404(Campaign, pk=campaign_id)
        try:
            version = services.versions_start(campaign=campaign)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, MSG_STARTED % {"label": version.label})
        return redirect(reverse("admin:campaigns_campaign_learning", args=[campaign_id]))

    def refresh_view(self, request):
        if request.method != "POST" or not self.has_change_permission(request):
            raise PermissionDenied
        rows = services.propensities_refresh()
        messages.success(request, MSG_REFRESHED % {"rows": rows})
        return redirect(request.POST.get("next") or reverse("admin:index"))


def trend_chart(rows) -> dict:
    """Two lines (cold, need heard): the share agreeing by week, as SVG geometry."""
    weeks = sorted({row["week"] for row in rows})
    if not weeks:
        return {"lines": [], "weeks": []}
    step = (CHART_WIDTH - 60) / max(len(weeks) - 1, 1)
    lines = []
    for heard in (False, True):
        points = []
        for i, week in enumerate(weeks):
            row = next((r for r in rows if r["week"] == week and r["need_heard"] == heard), None)
            if row and row["offered"]:
                rate = row["agreed"] / row["offered"]
                x = 40 + i * step
                y = CHART_HEIGHT - 20 - (CHART_HEIGHT - 40) * rate
                points.append((round(x, 1), round(y, 1), rate, row["agreed"], row["offered"]))
        lines.append(
            {
                "heard": heard,
                "points": points,
                "path": " ".join(f"{x},{y}" for x, y, *_ in points),
            }
        )
    labels = [(round(40 + i * step, 1), week) for i, week in enumerate(weeks)]
    grid = [
        (f"{p}%", round(CHART_HEIGHT - 20 - (CHART_HEIGHT - 40) * p / 100, 1)) for p in (0, 50, 100)
    ]
    return {
        "lines": lines,
        "weeks": labels,
        "grid": grid,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
    }


def _int_or_none(value):
    return int(value) if value and str(value).isdigit() else None

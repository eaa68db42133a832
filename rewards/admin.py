"""The rewards in the admin: rules with their bands, monthly targets, the job's figures, month locks
and the campaign funnel."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.contrib.filters.admin import (
    ChoicesDropdownFilter,
    RangeDateFilter,
    RelatedDropdownFilter,
)
from unfold.decorators import action, display
from unfold.widgets import UnfoldAdminDateWidget, UnfoldAdminTextInputWidget

from campaigns.models import CALLBACK_GRACE
from config.floor.admin import (
    HistoryModelAdmin,
    ImportExportHistoryModelAdmin,
    PortalModelAdmin,
    month_label,
)
from offers.admin import joined_names
from rewards import calendar, consistency, funnels, services
from rewards.consistency import BandSpec, Period
from rewards.models import (
    AgentMonth,
    CampaignMonth,
    ConversionRun,
    MonthLock,
    MonthlyTarget,
    RewardBand,
    RewardKind,
    RewardRule,
)
from rewards.resources import RewardRuleResource

MSG_UNLOCKED = _("%(count)d month(s) unlocked and computed again.")
MSG_REVISED = _("«%(name)s» revised: the new period starts on %(day)s.")

KIND_LABELS = {
    RewardKind.FIXED: "info",
    RewardKind.ARPU_SHARE: "success",
    RewardKind.TIERED: "warning",
}


class RewardBandFormSet(BaseInlineFormSet):
    """The bands of a rule, checked together: each error on the band (and bound) it is about."""

    def bands(self) -> list[BandSpec]:
        return [
            BandSpec(
                f.cleaned_data["min_increase"],
                f.cleaned_data.get("max_increase"),
                f.cleaned_data["amount"],
            )
            for f in self._kept()
        ]

    def _kept(self):
        return [
            f
            for f in self.forms
            if f.cleaned_data
            and not f.cleaned_data.get("DELETE")
            and f.cleaned_data.get("min_increase") is not None
            and f.cleaned_data.get("amount") is not None
        ]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept, bands = self._kept(), self.bands()
        for index, errors in consistency.band_errors(bands).items():
            for bound, message in errors:
                kept[index].add_error(bound, message)
        if self.instance.kind == RewardKind.TIERED and not bands:
            raise forms.ValidationError(consistency.ERR_TIERED_NEEDS_BANDS, code="no_bands")
        if self.instance.kind != RewardKind.TIERED and bands:
            raise forms.ValidationError(consistency.ERR_BANDS_NOT_TIERED, code="not_tiered")


class RewardBandInline(TabularInline):
    model = RewardBand
    formset = RewardBandFormSet
    fields = ("min_increase", "max_increase", "amount")
    extra = 0
    tab = False


class RewardRuleForm(forms.ModelForm):
    """The rule's own fields, with its period checked against the other periods of its code."""

    class Meta:
        model = RewardRule
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets choose what is shown

    def clean(self):
        data = super().clean()
        code, start = data.get("code"), data.get("valid_from")
        if code and start:
            others = [
                Period(c, f, t, key=pk)
                for pk, c, f, t in RewardRule.objects.filter(code=code)
                .exclude(pk=self.instance.pk)
                .values_list("pk", "code", "valid_from", "valid_to")
            ]
            period = Period(code, start, data.get("valid_to"), key=self.instance.pk)
            conflict = consistency.period_conflict(period, others)
            if conflict:
                self.add_error("valid_from", conflict)
        return data


class ReviseForm(forms.Form):
    """The next period of a rule: from when, and what it pays."""

    valid_from = forms.DateField(
        label=_("new period from"),
        widget=UnfoldAdminDateWidget,
        help_text=_(
            "The current period ends the day before. Orders connected from this day on earn "
            "the new amount."
        ),
    )
    amount = forms.DecimalField(
        label=_("amount, ₽"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        widget=UnfoldAdminTextInputWidget,
    )
    arpu_share = forms.DecimalField(
        label=_("share of ARPU"),
        required=False,
        min_value=0,
        max_value=1,
        max_digits=4,
        decimal_places=3,
        widget=UnfoldAdminTextInputWidget,
    )


@admin.register(RewardRule)
class RewardRuleAdmin(ImportExportHistoryModelAdmin):
    form = RewardRuleForm
    resource_classes = [RewardRuleResource]
    inlines = [RewardBandInline]
    actions_detail = ["revise"]
    # What a manager compares fits a 1366 px screen: the payout (amount, share or bands) in one
    # column, the period in another.
    list_display = ("rule", "service", "show_kind", "payout", "offer_list", "period")
    list_display_links = ("rule",)
    list_filter = (
        ("kind", ChoicesDropdownFilter),
        ("service", RelatedDropdownFilter),
        ("valid_from", RangeDateFilter),
        ("valid_to", RangeDateFilter),
    )
    list_select_related = ("service",)
    search_fields = ("name", "code", "offers__name", "offers__code")
    autocomplete_fields = ("service", "offers")
    fieldsets = (
        (None, {"fields": ("name", "code", "service", "kind", "order")}),
        (_("Reward"), {"fields": ("amount", "arpu_share", "offers")}),
        (_("Validity"), {"fields": ("valid_from", "valid_to")}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("service")
            .prefetch_related("offers", "bands")
        )

    @display(description=_("kind"), ordering="kind", label=KIND_LABELS)
    def show_kind(self, obj):
        return obj.kind, obj.get_kind_display()

    @display(description=_("rule"), ordering="name", header=True)
    def rule(self, obj):
        return [obj.name, obj.code]

    @display(description=_("pays, ₽"))
    def payout(self, obj):
        if obj.kind == RewardKind.ARPU_SHARE:
            return gettext("%(share)s of ARPU") % {
                "share": formats.number_format(obj.arpu_share * 100, decimal_pos=0) + " %"
            }
        bands = obj.bands.all()
        if bands:
            return "; ".join(format_band_words(band) for band in bands)
        return money(obj.amount) if obj.amount is not None else "—"

    @display(description=_("valid"), ordering="valid_from")
    def period(self, obj):
        start = formats.date_format(obj.valid_from, "SHORT_DATE_FORMAT")
        if obj.valid_to is None:
            return gettext("from %(start)s") % {"start": start}
        end = formats.date_format(obj.valid_to, "SHORT_DATE_FORMAT")
        return f"{start} – {end}"

    @display(description=_("offers"))
    def offer_list(self, obj):
        return joined_names(obj.offers.all())

    def save_formset(self, request, form, formset, change):
        if formset.model is not RewardBand:
            return super().save_formset(request, form, formset, change)
        # The bands are replaced as a whole, in ascending order (never two overlapping at once).
        before = [(b.min_increase, b.max_increase, b.amount) for b in form.instance.bands.all()]
        bands = formset.bands()
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if [(b.low, b.high, b.amount) for b in bands] != before:
            services.reward_bands_replace(rule=form.instance, bands=bands)
        return None

    @action(
        description=_("Revise: close this period, open the next"),
        url_path="revise",
        permissions=["change"],
    )
    def revise(self, request, object_id):
        rule = self.get_object(request, object_id)
        if rule is None:
            raise Http404
        form = ReviseForm(
            request.POST or None,
            initial={
                "valid_from": timezone.localdate(),
                "amount": rule.amount,
                "arpu_share": rule.arpu_share,
            },
        )
        if request.method == "POST" and form.is_valid():
            changes = {
                name: form.cleaned_data[name]
                for name in ("amount", "arpu_share")
                if form.cleaned_data[name] is not None
            }
            try:
                new = services.reward_rule_revise(
                    rule=rule, valid_from=form.cleaned_data["valid_from"], **changes
                )
            except ValidationError as error:
                for field, messages_ in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages_)
            else:
                messages.success(request, MSG_REVISED % {"name": new.name, "day": new.valid_from})
                return redirect(reverse("admin:rewards_rewardrule_change", args=[new.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Revise «%(name)s»") % {"name": rule.name},
            "rule": rule,
            "form": form,
        }
        return TemplateResponse(request, "admin/rewards/rule_revise.html", context)


def format_band_words(band) -> str:
    """A band as a manager reads it: «+0–100: 50», «+300 и более: 150»."""
    low = formats.number_format(band.min_increase.normalize())
    amount = money(band.amount)
    if band.max_increase is None:
        return gettext("+%(low)s and more: %(amount)s") % {"low": low, "amount": amount}
    high = formats.number_format(band.max_increase.normalize())
    return f"+{low}–{high}: {amount}"


def money(amount, *, signed=False) -> str:
    """An amount of roubles as the admin shows it: «1 240,50» (locale grouping), «+50» when signed."""
    text = formats.number_format(
        amount, decimal_pos=2 if amount % 1 else 0, use_l10n=True, force_grouping=True
    )
    return f"+{text}" if signed and amount > 0 else text


# Conversions (issue 5): targets managers set, the job's figures, month locks and the funnel.


@admin.register(MonthlyTarget)
class MonthlyTargetAdmin(HistoryModelAdmin):
    list_display = ("team", "month", "target")
    list_editable = ("target",)
    list_filter = (("team", RelatedDropdownFilter), ("month", RangeDateFilter))
    list_select_related = ("team",)
    search_fields = ("team__name",)
    autocomplete_fields = ("team",)
    ordering = ("-month", "team__name")


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AgentMonth)
class AgentMonthAdmin(ReadOnlyMixin, PortalModelAdmin):
    # Eight columns that fit a 1366 px screen: related figures share a cell (a second line under
    # the main figure), the month reads as a month.
    list_display = (
        "agent_cell",
        "month_label",
        "team",
        "plan",
        "connected_cancelled",
        "reward",
        "locked",
        "computed_at",
    )
    list_filter = (("team", RelatedDropdownFilter), ("month", RangeDateFilter), "locked")
    list_select_related = ("agent", "team")
    search_fields = ("agent__username", "agent__last_name", "agent__agent_profile__employee_number")

    @display(description=_("agent"), ordering="agent__last_name", header=True)
    def agent_cell(self, obj):
        return [obj.agent.get_full_name() or obj.agent.username, obj.agent.username]

    @display(description=_("month"), ordering="month")
    def month_label(self, obj):
        return month_label(obj.month)

    @display(description=_("orders / target"), ordering="orders", header=True)
    def plan(self, obj):
        if not obj.target:
            return [str(obj.orders), gettext("no target")]
        return [
            f"{obj.orders} / {obj.target}",
            gettext("prorated from %(target)s") % {"target": obj.base_target}
            if obj.prorated
            else "",
        ]

    @display(description=_("connected / cancelled"))
    def connected_cancelled(self, obj):
        return f"{obj.connected} / {obj.cancelled}"

    @display(description=_("reward, ₽"), ordering="reward_total", header=True)
    def reward(self, obj):
        notes = []
        if obj.reward_pending:
            notes.append(gettext("pending %(sum)s") % {"sum": money(obj.reward_pending)})
        if obj.locked and obj.adjustment_reward:
            notes.append(
                gettext("since locking %(sum)s")
                % {"sum": money(obj.adjustment_reward, signed=True)}
            )
        return [money(obj.reward_total), "; ".join(notes)]

    ordering = ("-month", "-orders")

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(ConversionRun)
class ConversionRunAdmin(ReadOnlyMixin, PortalModelAdmin):
    list_display = ("month", "runs", "agents", "orders", "started_at", "finished_at")


@admin.register(MonthLock)
class MonthLockAdmin(ReadOnlyMixin, PortalModelAdmin):
    list_display = ("team", "month", "locked_by", "locked_at")
    list_filter = (("team", RelatedDropdownFilter),)
    list_select_related = ("team", "locked_by")
    actions = ["unlock"]

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("rewards.delete_monthlock")

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Unlock the selected months"), permissions=["delete"])
    def unlock(self, request, queryset):
        for lock in queryset.select_related("team"):
            services.month_unlock(team=lock.team, month=lock.month, user=request.user)
        messages.success(request, MSG_UNLOCKED % {"count": len(queryset)})


@admin.register(CampaignMonth)
class CampaignFunnelAdmin(ReadOnlyMixin, PortalModelAdmin):
    """The campaign funnel for managers: per campaign and month, a chart and a table."""

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            month = calendar.parse_month(request.GET.get("month"))
        except calendar.MonthError as error:
            messages.error(request, error.message)
            month = timezone.localdate().replace(day=1)
        funnel = funnels.campaign_funnel(month, campaign=request.GET.get("campaign"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Campaign funnel"),
            "month": month,
            "month_key": calendar.month_key(month),
            "months": funnels.months_for_picker(),
            "grace_minutes": int(CALLBACK_GRACE.total_seconds()) // 60,
            **funnel,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/rewards/campaign_funnel.html", context)


# Statement disputes: a sub-package of its own, registered here for Django's autodiscovery.
from rewards.disputes import admin as disputes_admin  # noqa: E402, F401

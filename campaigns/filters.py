import django_filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campaigns.models import Appeal, Callback, Campaign, CampaignStatus
from campaigns.models.accounts import normalise_account_number
from config.floor.filters import LocalIsoDateTimeFilter


class AccountNumberFilter(django_filters.CharFilter):
    """An account number as people paste it («352-011-070-411», «352 011 070 411»)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("field_name", "account__number")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        return super().filter(qs, normalise_account_number(value) if value else value)


class CampaignFilter(django_filters.FilterSet):
    """Shared by the API and the pages."""

    status = django_filters.MultipleChoiceFilter(choices=CampaignStatus.choices)
    offer = django_filters.CharFilter(field_name="offer__code")
    service = django_filters.CharFilter(field_name="offer__service__code")
    segment = django_filters.CharFilter(field_name="segments__code", distinct=True)
    running_on = django_filters.DateFilter(method="filter_running_on")
    search = django_filters.CharFilter(method="filter_search")

    class Meta:
        model = Campaign
        fields = ["status", "offer", "service", "segment"]

    def filter_running_on(self, queryset, name, value):
        return queryset.running_on(value)

    def filter_search(self, queryset, name, value):
        return queryset.filter(code__icontains=value) | queryset.filter(name__icontains=value)


class AppealFilter(django_filters.FilterSet):
    account = AccountNumberFilter()
    open = django_filters.BooleanFilter(field_name="closed_at", lookup_expr="isnull")
    started_after = django_filters.DateFilter(field_name="started_at", lookup_expr="date__gte")

    class Meta:
        model = Appeal
        fields = ["account", "theme", "open"]


class CallbackFilter(django_filters.FilterSet):
    """`due_before`: an ISO date-time (a date alone is its local midnight, local when no zone)."""

    STATE_CHOICES = (
        ("open", pgettext_lazy("callbacks", "Open")),
        ("made", _("Made")),
        ("all", _("All")),
    )

    due_before = LocalIsoDateTimeFilter(field_name="due_at", lookup_expr="lt")
    due_after = LocalIsoDateTimeFilter(field_name="due_at", lookup_expr="gte")
    agent = django_filters.CharFilter(field_name="agent__username")
    account = AccountNumberFilter()
    state = django_filters.ChoiceFilter(
        choices=STATE_CHOICES, method="filter_state", empty_label=None
    )

    class Meta:
        model = Callback
        fields = ["due_before", "due_after", "agent", "account", "state"]

    def filter_queryset(self, queryset):
        # Open callbacks unless another state is asked for.
        if not self.form.cleaned_data.get("state"):
            queryset = queryset.filter(closed_at__isnull=True)
        return super().filter_queryset(queryset)

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(closed_at__isnull=True)
        if value == "made":
            return queryset.filter(closed_at__isnull=False)
        return queryset

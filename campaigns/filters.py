import django_filters

from campaigns.models import Appeal, Campaign, CampaignStatus


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
    account = django_filters.CharFilter(field_name="account__number")
    open = django_filters.BooleanFilter(field_name="closed_at", lookup_expr="isnull")
    started_after = django_filters.DateFilter(field_name="started_at", lookup_expr="date__gte")

    class Meta:
        model = Appeal
        fields = ["account", "theme", "open"]

import datetime

import django_filters

from rewards import calendar
from rewards.models import DisputeKind, DisputeStatus, RewardKind, RewardRule, StatementDispute


class RewardRuleFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=RewardKind.choices)
    service = django_filters.CharFilter(field_name="service__code")
    offer = django_filters.CharFilter(field_name="offers__code", distinct=True)
    valid_on = django_filters.DateFilter(method="filter_valid_on")

    class Meta:
        model = RewardRule
        fields = ["kind", "service", "offer"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.valid_on(value)


class StatementDisputeFilter(django_filters.FilterSet):
    """Disputes by status, kind, statement month (YYYY-MM) and agent (username)."""

    status = django_filters.ChoiceFilter(choices=DisputeStatus.choices)
    kind = django_filters.ChoiceFilter(choices=DisputeKind.choices)
    month = django_filters.CharFilter(method="filter_month")
    agent = django_filters.CharFilter(field_name="agent__username")

    class Meta:
        model = StatementDispute
        fields = ["status", "kind", "agent"]

    def filter_month(self, queryset, name, value):
        try:
            month = calendar.parse_month(value, today=datetime.date.max)
        except calendar.MonthError:
            return queryset.none()
        return queryset.filter(month=month)

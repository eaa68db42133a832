import django_filters

from rewards.models import RewardKind, RewardRule


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

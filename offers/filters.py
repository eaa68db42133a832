import django_filters

from offers.models import Offer, OfferKind, ServiceCode


class OfferFilter(django_filters.FilterSet):
    """Shared by the API and the pages."""

    kind = django_filters.MultipleChoiceFilter(choices=OfferKind.choices)
    service = django_filters.ChoiceFilter(field_name="service__code", choices=ServiceCode.choices)
    segment = django_filters.CharFilter(field_name="segments__code", distinct=True)
    active = django_filters.BooleanFilter(field_name="is_active")
    search = django_filters.CharFilter(method="filter_search")

    class Meta:
        model = Offer
        fields = ["kind", "service", "segment", "active"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(name__icontains=value) | queryset.filter(code__icontains=value)

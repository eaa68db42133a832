"""The FilterSet of connection orders, shared by the API and the order pages."""

import django_filters

from campaigns.filters import AccountNumberFilter
from campaigns.orders.models import ConnectionOrder, OrderStatus


class ConnectionOrderFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OrderStatus.choices)
    account = AccountNumberFilter()
    agent = django_filters.CharFilter(field_name="agent__username")
    campaign = django_filters.CharFilter(field_name="campaign__code")
    registered_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    registered_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = ConnectionOrder
        fields = ["status", "account", "agent", "campaign"]

"""Read-only catalogue endpoints: `/api/v1/offers/`."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from offers import pricing
from offers.filters import OfferFilter
from offers.models import Offer
from offers.selectors import offer_list


class OfferSerializer(serializers.ModelSerializer):
    service = serializers.CharField(source="service.code")
    segments = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    price_per_day = serializers.SerializerMethodField()

    class Meta:
        model = Offer
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "service",
            "monthly_price",
            "price_per_day",
            "promo_days",
            "speed_mbps",
            "description",
            "is_active",
            "segments",
        ]

    @extend_schema_field(serializers.DecimalField(max_digits=10, decimal_places=2))
    def get_price_per_day(self, offer):
        today = self.context.get("today") or timezone.localdate()
        return str(pricing.price_per_day(offer.monthly_price, on=today))


class OfferViewSet(viewsets.ReadOnlyModelViewSet):
    """The offer catalogue, filterable by kind, service, segment and activity."""

    serializer_class = OfferSerializer
    filterset_class = OfferFilter
    ordering_fields = ["name", "monthly_price", "code"]

    def get_queryset(self):
        return offer_list()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

"""Campaign endpoints: `/api/v1/campaigns/`."""

from rest_framework import serializers, viewsets

from campaigns.filters import CampaignFilter
from campaigns.models import Campaign
from campaigns.selectors import campaign_list


class CampaignOfferSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    service = serializers.CharField(source="service.code")
    monthly_price = serializers.DecimalField(max_digits=10, decimal_places=2)


class CampaignSerializer(serializers.ModelSerializer):
    offer = CampaignOfferSerializer()
    segments = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "code",
            "name",
            "offer",
            "segments",
            "starts_on",
            "ends_on",
            "priority",
            "status",
            "cooldown_days",
            "script_template",
            "connection_script_template",
        ]


class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    """Campaigns, filterable by status, offer, service, segment and the day they run on."""

    serializer_class = CampaignSerializer
    filterset_class = CampaignFilter
    ordering_fields = ["priority", "code", "starts_on"]

    def get_queryset(self):
        return campaign_list()

"""The reward catalogue: `/api/v1/rewards/rules/`."""

from rest_framework import serializers, viewsets

from rewards.filters import RewardRuleFilter
from rewards.models import RewardBand, RewardRule
from rewards.selectors import reward_rule_list


class RewardBandSerializer(serializers.ModelSerializer):
    class Meta:
        model = RewardBand
        fields = ["min_increase", "max_increase", "amount"]


class RewardRuleSerializer(serializers.ModelSerializer):
    service = serializers.CharField(source="service.code")
    offers = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    bands = RewardBandSerializer(many=True, read_only=True)

    class Meta:
        model = RewardRule
        fields = [
            "id",
            "code",
            "name",
            "service",
            "kind",
            "amount",
            "arpu_share",
            "bands",
            "offers",
            "valid_from",
            "valid_to",
        ]


class RewardRuleViewSet(viewsets.ReadOnlyModelViewSet):
    """The reward catalogue of R11, filterable by kind, service, offer and the day it applies."""

    serializer_class = RewardRuleSerializer
    filterset_class = RewardRuleFilter

    def get_queryset(self):
        return reward_rule_list()

"""`/api/v1/callbacks/`: callbacks after «Клиент думает» (agents their own, the CRM by agent)."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from campaigns import selectors, services
from campaigns.filters import CallbackFilter
from campaigns.models import Callback
from config.floor import roles
from config.floor.ids import parse_id
from config.floor.permissions import role_required


class CallbackOfferSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CallbackSerializer(serializers.ModelSerializer):
    account = serializers.CharField(source="account.number")
    offer = CallbackOfferSerializer()
    campaign = serializers.CharField(source="target.campaign.code")
    agent = serializers.CharField(source="agent.get_username")
    overdue = serializers.SerializerMethodField()
    made_on_time = serializers.BooleanField(allow_null=True)
    outcome = serializers.CharField(
        help_text="The result that made it (a result code); empty while it is open."
    )

    class Meta:
        model = Callback
        fields = [
            "id",
            "account",
            "offer",
            "campaign",
            "agent",
            "due_at",
            "created_at",
            "closed_at",
            "outcome",
            "overdue",
            "made_on_time",
        ]

    def get_overdue(self, callback) -> bool:
        return callback.is_overdue(self.context.get("now") or timezone.now())


class RescheduleSerializer(serializers.Serializer):
    due_at = serializers.DateTimeField(help_text="The new time (local time when no zone is given).")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "due_before", str, description="ISO date-time: callbacks due before it."
            ),
            OpenApiParameter("agent", str, description="An agent's login (CRM, supervisors)."),
            OpenApiParameter(
                "state", str, enum=["open", "made", "all"], description="Default open."
            ),
        ]
    )
)
class CallbackViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Agents see their own callbacks, supervisors their teams', the CRM and managers all."""

    serializer_class = CallbackSerializer
    filterset_class = CallbackFilter
    ordering_fields = ["due_at", "created_at"]
    ordering = ["due_at", "id"]

    def get_permissions(self):
        if self.action == "reschedule":
            return [role_required(roles.AGENTS)()]
        return [role_required(roles.AGENTS, roles.SUPERVISORS, roles.MANAGERS, roles.CRM)()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Callback.objects.none()
        return selectors.callbacks_visible_to(self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    @extend_schema(request=RescheduleSerializer, responses={200: CallbackSerializer})
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        """Move one's own open callback to another time (ahead, at most 30 days, not in peak
        hours)."""
        data = RescheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        callback_id = parse_id(pk) or 0
        services.callback_reschedule(
            callback_id=callback_id, agent=request.user, due_at=data.validated_data["due_at"]
        )
        callback = selectors.callbacks_visible_to(request.user).get(pk=callback_id)
        return Response(self.get_serializer(callback).data)

"""`/api/v1/disputes/`: statement disputes for both sides.

- agents list their own disputes and flag a line of a statement or a missing order (POST, with
  `Idempotency-Key`), and withdraw an open one;
- supervisors list their teams' agents' disputes and accept (with the adjustment) or reject them,
  each with a reason; managers list and decide every one;
- `open` in the list's answer counts the open disputes the caller sees; `?status=open` lists them.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.floor import roles
from config.floor.api.pagination import PageNumberPagination
from config.floor.errors import NotFound
from config.floor.idempotency import idempotent
from config.floor.ids import parse_id
from config.floor.permissions import role_required
from rewards import calendar
from rewards.disputes import selectors, services
from rewards.filters import StatementDisputeFilter
from rewards.models import DisputeKind, StatementDispute

READ_ROLES = (roles.AGENTS, roles.SUPERVISORS, roles.MANAGERS)
DECIDE_ROLES = (roles.SUPERVISORS, roles.MANAGERS)


class DisputeSerializer(serializers.ModelSerializer):
    agent = serializers.CharField(source="agent.username")
    agent_name = serializers.CharField(source="agent.get_full_name")
    month = serializers.SerializerMethodField()
    order = serializers.IntegerField(source="order_id", allow_null=True)
    order_label = serializers.CharField(source="order", default=None, allow_null=True)
    offer = serializers.CharField(source="offer.code", default=None, allow_null=True)
    offer_name = serializers.CharField(source="offer.name", default=None, allow_null=True)
    status_label = serializers.CharField(source="get_status_display")
    kind_label = serializers.CharField(source="get_kind_display")
    resolved_by = serializers.CharField(
        source="resolved_by.username", default=None, allow_null=True
    )
    adjustment_month = serializers.SerializerMethodField()

    class Meta:
        model = StatementDispute
        fields = [
            "id",
            "agent",
            "agent_name",
            "month",
            "kind",
            "kind_label",
            "order",
            "order_label",
            "offer",
            "offer_name",
            "reference",
            "comment",
            "status",
            "status_label",
            "created_at",
            "resolved_by",
            "resolved_at",
            "resolution",
            "amount",
            "adjustment_month",
        ]

    def get_month(self, dispute) -> str:
        return calendar.month_key(dispute.month)

    def get_adjustment_month(self, dispute) -> str | None:
        return calendar.month_key(dispute.adjustment_month) if dispute.adjustment_month else None


class DisputeInputSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM: the statement's month.")
    kind = serializers.ChoiceField(choices=DisputeKind.choices)
    order = serializers.IntegerField(required=False, allow_null=True, default=None)
    offer = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The item; the main one if left out.",
    )
    reference = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    comment = serializers.CharField(max_length=2000, allow_blank=True)


class AcceptSerializer(serializers.Serializer):
    amount = serializers.CharField(help_text="The adjustment in roubles, e.g. 40.00 (not 0).")
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class DisputePagination(PageNumberPagination):
    """A page of disputes; the list adds `open`, the open disputes the caller sees."""

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["open"] = {
            "type": "integer",
            "description": "Open disputes the caller sees.",
        }
        response["required"] = [*response["required"], "open"]
        return response


class DisputeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Statement disputes: the agent's own, the supervisor's teams', every one for managers."""

    serializer_class = DisputeSerializer
    pagination_class = DisputePagination
    filterset_class = StatementDisputeFilter

    def get_permissions(self):
        if self.action in ("create", "withdraw"):
            return [role_required(roles.AGENTS)()]
        if self.action in ("accept", "reject"):
            return [role_required(*DECIDE_ROLES)()]
        return [role_required(*READ_ROLES)()]

    def get_queryset(self):
        month = self.request.query_params.get("month")
        if month:
            services.month_of(month)  # a malformed or future month is a 400 with its code
        return selectors.disputes_visible_to(self.request.user)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        response.data["open"] = selectors.open_count(request.user)
        return response

    @extend_schema(request=DisputeInputSerializer, responses={201: DisputeSerializer})
    def create(self, request):
        """Flag a line of your statement (`kind=line`, `order`, optional `offer`) or an order
        missing from it (`kind=missing_order`, `reference`), with a comment."""
        data = DisputeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data

        def flag():
            dispute = services.dispute_flag(
                agent=request.user,
                month=services.month_of(values["month"]),
                kind=values["kind"],
                comment=values["comment"],
                order_id=values["order"],
                offer_id=values["offer"],
                reference=values["reference"],
            )
            return Response(self._out(dispute.pk), status=status.HTTP_201_CREATED)

        return idempotent(request, flag)

    def _out(self, pk):
        return DisputeSerializer(selectors.disputes_visible_to(self.request.user).get(pk=pk)).data

    def _id(self, pk) -> int:
        # What is not a dispute's id, or what the caller may not see, does not exist for them
        # (404, not 400 or 403).
        dispute_id = parse_id(pk)
        if (
            dispute_id is None
            or not selectors.disputes_visible_to(self.request.user).filter(pk=dispute_id).exists()
        ):
            raise NotFound(services.ERR_NO_DISPUTE, code="dispute_not_found")
        return dispute_id

    @extend_schema(request=AcceptSerializer, responses={200: DisputeSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept: the adjustment is booked in the next open month, with the reason."""
        data = AcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dispute = services.dispute_accept(
            dispute_id=self._id(pk),
            user=request.user,
            amount=data.validated_data["amount"],
            reason=data.validated_data["reason"],
        )
        return Response(self._out(dispute.pk))

    @extend_schema(request=RejectSerializer, responses={200: DisputeSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject, with the reason the agent will read."""
        data = RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dispute = services.dispute_reject(
            dispute_id=self._id(pk), user=request.user, reason=data.validated_data["reason"]
        )
        return Response(self._out(dispute.pk))

    @extend_schema(request=None, responses={200: DisputeSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The agent takes back an open dispute."""
        dispute = services.dispute_withdraw(dispute_id=self._id(pk), user=request.user)
        return Response(self._out(dispute.pk))

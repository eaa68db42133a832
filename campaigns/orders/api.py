"""`/api/v1/orders/`: connection orders (R8), masked in every response; `reveal` shows, audited.

Who may do what (the access matrix, tested in tests/campaigns/test_orders_access.py):
- agents list, read and register their own orders, cancel them and reveal their personal data;
- supervisors list and read their teams' orders and may reveal them (with a reason, audited);
- managers list and read every order, masked, and reveal nothing;
- the fulfilment system reports status changes (`POST /orders/{id}/status/`);
- anyone else, and any order outside what a user may see: 404 (403 for a role with no access).
"""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from campaigns import personal_data
from campaigns.models.accounts import (
    ERR_ACCOUNT_NUMBER,
    ERR_NO_ACCOUNT,
    is_account_number,
    normalise_account_number,
)
from campaigns.orders import selectors, services
from campaigns.orders.filters import ConnectionOrderFilter
from campaigns.orders.models import ConnectionOrder, OrderStatus, RevealChannel, StatusSource
from campaigns.selectors import account_get
from config.floor import roles
from config.floor.api.schema import ErrorSerializer
from config.floor.errors import Conflict, DomainError, NotFound
from config.floor.idempotency import idempotent
from config.floor.permissions import role_required

READ_ROLES = (roles.AGENTS, roles.SUPERVISORS, roles.MANAGERS)


@contextmanager
def conflict_on_transition():
    """A lifecycle step the order cannot take (e.g. connecting a cancelled order) is a 409."""
    try:
        yield
    except ValidationError as exc:
        messages = exc.message_dict.get("status")
        if messages:
            raise Conflict(messages[0], code="invalid_transition") from None
        raise


class OrderCodeNameSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class OrderOfferSerializer(OrderCodeNameSerializer):
    kind = serializers.CharField()
    monthly_price = serializers.DecimalField(max_digits=10, decimal_places=2)


class MaskedPassportSerializer(serializers.Serializer):
    series = serializers.CharField()
    number = serializers.CharField()
    issued_on = serializers.CharField()
    issued_by = serializers.CharField()
    erased = serializers.BooleanField()


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.CharField()
    source = serializers.CharField()
    changed_by = serializers.SerializerMethodField()
    reason = serializers.CharField()
    changed_at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_changed_by(self, change):
        return change.changed_by.get_username() if change.changed_by_id else None


class SlotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class DeliveryWindowSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(source="delivery_starts_at")
    ends_at = serializers.DateTimeField(source="delivery_ends_at")


class OrderSerializer(serializers.ModelSerializer):
    """An order with its personal data masked: phone, addresses and passport.

    `kind` follows what is sold: `connection` (technology, tariff, installer visit), `activation`
    (remote, no visit) or `delivery` (equipment: `delivery` window); blocks a kind does not use are
    null."""

    account = serializers.CharField(source="account.number")
    agent = serializers.CharField(source="agent.username")
    campaign = serializers.CharField(source="campaign.code", allow_null=True, default=None)
    product = OrderOfferSerializer(allow_null=True)
    contact_phone = serializers.SerializerMethodField()
    connection_address = serializers.SerializerMethodField()
    registration_address = serializers.SerializerMethodField()
    passport = serializers.SerializerMethodField()
    technology = OrderCodeNameSerializer(allow_null=True)
    service = serializers.CharField(source="service.code")
    sales_channel = OrderCodeNameSerializer()
    tariff = OrderOfferSerializer(allow_null=True)
    equipment = OrderOfferSerializer(many=True)
    extras = OrderOfferSerializer(many=True)
    slot = SlotSerializer(allow_null=True)
    delivery = serializers.SerializerMethodField()
    history = StatusChangeSerializer(source="status_changes", many=True)

    class Meta:
        model = ConnectionOrder
        fields = [
            "id",
            "reference",
            "kind",
            "status",
            "account",
            "agent",
            "campaign",
            "appeal",
            "product",
            "full_name",
            "contact_phone",
            "connection_address",
            "registration_address",
            "passport",
            "technology",
            "service",
            "sales_channel",
            "tariff",
            "equipment",
            "extras",
            "slot",
            "delivery",
            "comment",
            "external_id",
            "cancel_reason",
            "clawback",
            "created_at",
            "sent_at",
            "connected_at",
            "cancelled_at",
            "history",
        ]

    @extend_schema_field(DeliveryWindowSerializer(allow_null=True))
    def get_delivery(self, order):
        if order.delivery_starts_at is None:
            return None
        return DeliveryWindowSerializer(order).data

    @extend_schema_field(serializers.CharField())
    def get_contact_phone(self, order):
        return personal_data.mask_phone(order.contact_phone)

    @extend_schema_field(serializers.CharField())
    def get_connection_address(self, order):
        return personal_data.mask_address(order.connection_address)

    @extend_schema_field(serializers.CharField())
    def get_registration_address(self, order):
        return personal_data.mask_address(order.registration_address)

    @extend_schema_field(MaskedPassportSerializer)
    def get_passport(self, order):
        return personal_data.mask_passport_stored(order)


class OrderInputSerializer(serializers.Serializer):
    """A new order. Its main item is `product` (an offer code) or the offer of `campaign`; which
    blocks it needs follows that offer's kind (see the README): a connection the addresses,
    passport, `technology`, `tariff` (a tariff move: the plan itself, by default) and `slot`; an
    activation the contact phone only; a delivery `connection_address` (delivered there) and
    `delivery_from` (the start of an offered window). `service` defaults to the product's."""

    account = serializers.CharField(max_length=40)
    campaign = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    product = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    appeal = serializers.IntegerField(required=False, allow_null=True, default=None)
    full_name = serializers.CharField(max_length=255, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=40, allow_blank=True, default="")
    connection_address = serializers.CharField(max_length=500, allow_blank=True, default="")
    registration_address = serializers.CharField(max_length=500, allow_blank=True, default="")
    passport_series = serializers.CharField(max_length=10, allow_blank=True, default="")
    passport_number = serializers.CharField(max_length=10, allow_blank=True, default="")
    passport_issued_on = serializers.DateField(required=False, allow_null=True, default=None)
    passport_issued_by = serializers.CharField(max_length=255, allow_blank=True, default="")
    technology = serializers.CharField(max_length=30, allow_blank=True, default="")
    service = serializers.CharField(max_length=20, allow_blank=True, default="")
    sales_channel = serializers.CharField(
        max_length=30, allow_blank=True, default="", help_text="Empty: the default channel."
    )
    tariff = serializers.CharField(max_length=60, allow_blank=True, default="")
    equipment = serializers.ListField(child=serializers.CharField(max_length=60), default=list)
    extras = serializers.ListField(child=serializers.CharField(max_length=60), default=list)
    slot = serializers.IntegerField(required=False, allow_null=True, default=None)
    delivery_from = serializers.DateTimeField(required=False, allow_null=True, default=None)
    comment = serializers.CharField(max_length=2000, allow_blank=True, default="")


class RevealInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why you need the data (audited).")
    fields = serializers.ListField(
        child=serializers.ChoiceField(choices=services.REVEALABLE_FIELDS),
        required=False,
        help_text="Which fields; all when left out.",
    )


class RevealedPassportSerializer(serializers.Serializer):
    series = serializers.CharField()
    number = serializers.CharField()
    issued_on = serializers.DateField()
    issued_by = serializers.CharField()


class RevealedValuesSerializer(serializers.Serializer):
    passport = RevealedPassportSerializer(required=False, allow_null=True)
    contact_phone = serializers.CharField(required=False)
    connection_address = serializers.CharField(required=False)
    registration_address = serializers.CharField(required=False)


class RevealOutputSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    fields = RevealedValuesSerializer()
    audit = serializers.IntegerField()
    revealed_at = serializers.DateTimeField()


class CancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class StatusInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[OrderStatus.SENT, OrderStatus.CONNECTED, OrderStatus.CANCELLED]
    )
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    external_id = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )


class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Connection orders; personal data masked in every response."""

    serializer_class = OrderSerializer
    filterset_class = ConnectionOrderFilter
    ordering_fields = ["created_at", "status"]

    def get_permissions(self):
        if self.action in ("create", "cancel"):
            return [role_required(roles.AGENTS)()]
        if self.action == "reveal":
            return [role_required(roles.AGENTS, roles.SUPERVISORS)()]
        if self.action == "status":
            return [role_required(roles.FULFILMENT)()]
        return [role_required(*READ_ROLES)()]

    def get_queryset(self):
        if self.action == "status":
            return ConnectionOrder.objects.all()
        return selectors.orders_visible_to(self.request.user)

    @extend_schema(
        request=OrderInputSerializer,
        responses={201: OrderSerializer, 404: OpenApiResponse(ErrorSerializer)},
    )
    def create(self, request):
        """Register a connection order (R8). Send an `Idempotency-Key` header to make retries safe.

        Every rule is checked at once; field errors come back in `errors` (400)."""
        data = OrderInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        number = normalise_account_number(values.pop("account"))
        if not is_account_number(number):
            raise DomainError(ERR_ACCOUNT_NUMBER, code="invalid_account_number")
        account = account_get(number=number)
        if account is None:
            raise NotFound(ERR_NO_ACCOUNT, code="account_not_found")
        campaign, appeal = values.pop("campaign"), values.pop("appeal")

        def handler():
            order = services.order_register(
                agent=request.user,
                account=account,
                data=services.OrderInput(**values),
                campaign_code=campaign,
                appeal_id=appeal,
            )
            order = selectors.order_visible(user=request.user, order_id=order.pk)
            return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)

        return idempotent(request, handler)

    @extend_schema(
        request=RevealInputSerializer,
        responses={200: RevealOutputSerializer, 403: OpenApiResponse(ErrorSerializer)},
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """The unmasked personal data, for the agent who registered the order and the team's
        supervisors; a reason is required and every call is audited."""
        order = self.get_object()
        data = RevealInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values, audit = services.order_reveal(
            order=order,
            user=request.user,
            reason=data.validated_data["reason"],
            fields=data.validated_data.get("fields"),
            channel=RevealChannel.API,
            ip_address=request.META.get("REMOTE_ADDR"),
        )
        body = {
            "order": order.pk,
            "fields": values,
            "audit": audit.pk,
            "revealed_at": audit.revealed_at,
        }
        response = Response(RevealOutputSerializer(body).data)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(request=CancelInputSerializer, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel the order (the agent who registered it), with a reason."""
        order = self.get_object()
        data = CancelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with conflict_on_transition():
            services.order_cancel(
                order=order, agent=request.user, reason=data.validated_data["reason"]
            )
        order = selectors.order_visible(user=request.user, order_id=order.pk)
        return Response(OrderSerializer(order).data)

    @extend_schema(
        request=StatusInputSerializer,
        responses={200: OpenApiResponse(description="The status was recorded.")},
    )
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        """The fulfilment system reports progress: sent, connected, or cancelled with a reason.

        A repeated report of the status the order already has changes nothing (200)."""
        order = self.get_object()
        data = StatusInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        with conflict_on_transition():
            order = services.order_set_status(
                order=order,
                status=values["status"],
                source=StatusSource.FULFILMENT,
                by=request.user,
                reason=values["reason"],
                external_id=values["external_id"],
            )
        return Response({"id": order.pk, "status": order.status})

"""`/api/v1/accounts/{number}/`: the account, its recommendations and their results."""

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from campaigns import selectors, services
from campaigns.answers import card_answers
from campaigns.api.cards_json import Cards, RecommendationsRenderer
from campaigns.api.serializers import (
    AccountInputSerializer,
    AccountSerializer,
    CardAnswersSerializer,
    RecommendationSerializer,
    ResultInputSerializer,
    ResultOutputSerializer,
    callback_payload,
    card_answers_payload,
    new_entries_payload,
    result_input,
)
from campaigns.models import (
    Appeal,
    ResultCode,
    SearchChannel,
    SubjectType,
    SubscriberAccount,
    ViewSurface,
)
from campaigns.models.accounts import (
    ERR_ACCOUNT_NUMBER,
    ERR_NO_ACCOUNT,
    is_account_number,
    normalise_account_number,
)
from campaigns.services.account_search import account_search_record
from campaigns.services.personal_views import personal_data_viewed
from config.floor import roles
from config.floor.api.schema import ErrorSerializer
from config.floor.errors import DomainError, NotFound
from config.floor.idempotency import idempotent
from config.floor.ids import parse_id
from config.floor.permissions import role_required
from config.floor.throttles import AccountSearchThrottle

ERR_BAD_APPEAL_PARAM = _("The appeal parameter must be a number.")

WORKSPACE_ROLES = (roles.AGENTS, roles.SUPERVISORS, roles.MANAGERS, roles.CRM)


def order_url(account, campaign_code, appeal_id) -> str | None:
    """R7: an agreement leads straight to the connection-order form, prefilled."""
    try:
        base = reverse("orders:new")
    except NoReverseMatch:
        return None
    query = {"account": account.number, "campaign": campaign_code}
    if appeal_id:
        query["appeal"] = appeal_id
    return f"{base}?{urlencode(query)}"


class AccountViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A subscriber account as the CRM reports it, with its recommendations."""

    lookup_field = "number"
    lookup_value_regex = "[^/]+"
    serializer_class = AccountSerializer
    queryset = SubscriberAccount.objects.none()

    def get_permissions(self):
        if self.action == "update":
            return [role_required(roles.CRM, roles.MANAGERS)()]
        if self.action == "result":
            return [role_required(roles.AGENTS, roles.CRM)()]
        return [role_required(*WORKSPACE_ROLES)()]

    def get_throttles(self):
        # People look accounts up one call at a time; the CRM (a service) is not counted.
        if self.action == "retrieve" and not roles.has_role(self.request.user, roles.CRM):
            return [AccountSearchThrottle()]
        return super().get_throttles()

    @extend_schema(responses={200: AccountSerializer, 400: ErrorSerializer})
    def retrieve(self, request, *args, **kwargs):
        """The account (a person's look-up is audited like a search on the page); a number that
        is not 12 digits is a 400 `invalid_account_number`."""
        try:
            response = super().retrieve(request, *args, **kwargs)
        except NotFound:
            self._audit(found=0)
            raise
        self._audit(found=1)
        return response

    def _audit(self, *, found):
        if not roles.has_role(self.request.user, roles.CRM):
            account_search_record(
                user=self.request.user,
                query=self.kwargs["number"],
                found=found,
                channel=SearchChannel.API,
            )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["reveal_contacts"] = roles.has_role(self.request.user, roles.CRM, roles.MANAGERS)
        return context

    def get_serializer(self, *args, **kwargs):
        """An account shown with its phone and e-mail unmasked is audited as it is shown."""
        serializer = super().get_serializer(*args, **kwargs)
        account = args[0] if args else None
        if isinstance(account, SubscriberAccount) and serializer.context["reveal_contacts"]:
            personal_data_viewed(
                user=self.request.user,
                surface=ViewSurface.API,
                subject_type=SubjectType.ACCOUNT,
                records=[account],
            )
        return serializer

    def get_number(self) -> str:
        number = normalise_account_number(self.kwargs["number"])
        if not is_account_number(number):
            raise DomainError(ERR_ACCOUNT_NUMBER, code="invalid_account_number")
        return number

    def get_object(self):
        account = selectors.account_get(number=self.get_number())
        if account is None:
            raise NotFound(ERR_NO_ACCOUNT, code="account_not_found")
        return account

    @extend_schema(
        request=AccountInputSerializer, responses={200: AccountSerializer, 201: AccountSerializer}
    )
    def update(self, request, number=None):
        """Create or update the account (the CRM integration and managers)."""
        number = self.get_number()
        data = AccountInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        account, created = services.account_upsert(
            number=number,
            data=fields,
            service_codes=fields.pop("services", None),
            offer_codes=fields.pop("offers", None),
        )
        account = selectors.account_get(number=account.number)
        return Response(
            self.get_serializer(account).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        parameters=[OpenApiParameter("appeal", int, description="The appeal whose flags apply.")],
        responses={200: RecommendationSerializer(many=True)},
    )
    # The whole list, best first: neither paginated nor sorted by the caller; its JSON written
    # straight from the cards (campaigns.api.cards_json: the bytes JSONRenderer makes of them).
    @action(
        detail=True,
        methods=["get"],
        pagination_class=None,
        filter_backends=[],
        renderer_classes=[RecommendationsRenderer],
    )
    def recommendations(self, request, number=None):
        """The account's campaigns, best first, eligible or not with every reason."""
        account = selectors.account_for_workspace(
            number=self.get_number(), agent=request.user, with_targets=True
        )
        if account is None:
            raise NotFound(ERR_NO_ACCOUNT, code="account_not_found")
        appeal = self._appeal(request, account)
        recs = selectors.recommendations_for(account=account, appeal=appeal)
        return Response(Cards(recs, get_language()))

    @extend_schema(
        parameters=[
            OpenApiParameter("rec_id", int, OpenApiParameter.PATH),
            OpenApiParameter("appeal", int, description="The appeal whose needs heard apply."),
        ],
        responses={200: CardAnswersSerializer},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"recommendations/(?P<rec_id>[^/.]+)/answers",
        url_name="answers",
        pagination_class=None,
        filter_backends=[],
    )
    def answers(self, request, number=None, rec_id=None):
        """The recommendation card's objection answers (В.З.О.Р., for its offer) and business
        bridges, their blanks filled from the offer and the account."""
        account = selectors.account_for_workspace(number=self.get_number(), agent=request.user)
        if account is None:
            raise NotFound(ERR_NO_ACCOUNT, code="account_not_found")
        targets = {t.id: t for t in selectors.targets_of(account.pk, with_history=False)}
        target = targets.get(parse_id(rec_id))
        if target is None:
            raise NotFound(services.ERR_NOT_ON_ACCOUNT, code="not_on_account")
        offer = target.campaign.offer
        on_card = card_answers(
            account=account,
            offers=[offer],
            appeal=self._appeal(request, account),
            on=timezone.localdate(),
        )
        return Response(card_answers_payload(target.id, offer, on_card[offer.pk]))

    def _appeal(self, request, account):
        raw = request.query_params.get("appeal")
        if raw is None:
            if account.open_appeal_id is None:
                return None
            return Appeal.objects.filter(pk=account.open_appeal_id).first()
        appeal_id = parse_id(raw)
        if appeal_id is None:
            raise DomainError(ERR_BAD_APPEAL_PARAM, code="invalid_appeal")
        appeal = selectors.appeal_visible(user=request.user, appeal_id=appeal_id)
        if appeal is None or appeal.account_id != account.pk:
            raise DomainError(services.ERR_INVALID_APPEAL, code="invalid_appeal")
        return appeal

    @extend_schema(
        request=ResultInputSerializer,
        responses={201: ResultOutputSerializer},
        parameters=[OpenApiParameter("rec_id", int, OpenApiParameter.PATH)],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"recommendations/(?P<rec_id>[^/.]+)/result",
        url_name="result",
    )
    def result(self, request, number=None, rec_id=None):
        """Record a result (R5), set on every campaign of the same product (R6).

        Send an `Idempotency-Key` header to make retries safe."""
        number = self.get_number()
        target_id = parse_id(rec_id)
        if target_id is None:
            raise DomainError(services.ERR_NOT_ON_ACCOUNT, code="not_on_account")
        values = result_input(request.data)
        # The service finds the account as it locks it (404 account_not_found when there is none).
        return idempotent(request, lambda: self._record(request, number, target_id, values))

    def _record(self, request, number, target_id, values):
        entries = services.recommendation_record_result(
            number=number,
            target_id=target_id,
            result=values["result"],
            agent=request.user,
            objection_codes=values["objections"],
            comment=values["comment"],
            appeal_id=values["appeal"],
            callback_at=values["callback_at"],
            need_heard=values["need_heard"],
        )
        body = {
            "result": values["result"],
            "state": entries[0].state,
            "recommendations": [e.target_id for e in entries],
            "history": new_entries_payload(entries),
            "order_url": order_url(
                SubscriberAccount(number=number), entries[0].campaign.code, entries[0].appeal_id
            )
            if values["result"] == ResultCode.AGREED
            else None,
            "callback": callback_payload(entries[0].callback),
        }
        return Response(body, status=status.HTTP_201_CREATED)

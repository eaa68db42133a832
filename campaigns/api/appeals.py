"""`/api/v1/appeals/`: customer contacts (calls) with their flags and the results pulled into them."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from campaigns import selectors, services
from campaigns.api.accounts import WORKSPACE_ROLES
from campaigns.api.serializers import AppealFlagsSerializer, AppealInputSerializer, AppealSerializer
from campaigns.filters import AppealFilter
from campaigns.models import Appeal
from campaigns.models.accounts import ERR_NO_ACCOUNT
from config.floor import roles
from config.floor.errors import Forbidden, NotFound
from config.floor.idempotency import idempotent
from config.floor.permissions import role_required

ERR_NOT_YOURS = _("Only the agent who took the call can change the appeal.")


class AppealViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Agents see their own appeals, supervisors their teams', managers and the CRM all."""

    serializer_class = AppealSerializer
    filterset_class = AppealFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self):
        if self.action in ("create", "partial_update", "close"):
            return [role_required(roles.AGENTS)()]
        return [role_required(*WORKSPACE_ROLES)()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Appeal.objects.none()
        return selectors.appeals_visible_to(self.request.user)

    @extend_schema(request=AppealInputSerializer, responses={201: AppealSerializer})
    def create(self, request):
        """Open an appeal on an account with the flags only the agent knows."""
        data = AppealInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        account = selectors.account_get(number=values.pop("account"))
        if account is None:
            raise NotFound(ERR_NO_ACCOUNT, code="account_not_found")

        def handler():
            appeal = services.appeal_open(account=account, agent=request.user, **values)
            appeal = selectors.appeal_visible(user=request.user, appeal_id=appeal.pk)
            return Response(AppealSerializer(appeal).data, status=status.HTTP_201_CREATED)

        return idempotent(request, handler)

    @extend_schema(request=AppealFlagsSerializer, responses={200: AppealSerializer})
    def partial_update(self, request, pk=None):
        """Change the appeal's flags (question resolved, negative customer, ...)."""
        appeal = self._own_appeal()
        data = AppealFlagsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.appeal_update(appeal=appeal, **data.validated_data)
        return Response(AppealSerializer(self._own_appeal()).data)

    @extend_schema(request=None, responses={200: AppealSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close (save) the appeal."""
        services.appeal_close(appeal=self._own_appeal())
        return Response(AppealSerializer(self._own_appeal()).data)

    def _own_appeal(self):
        appeal = self.get_object()
        if appeal.agent_id != self.request.user.pk:
            raise Forbidden(ERR_NOT_YOURS, code="not_your_appeal")
        return appeal

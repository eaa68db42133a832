"""`POST /api/v1/auth/token/`: a token for the CRM integration (and any user of the API)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny

from config.api.schema import ERROR_RESPONSES


class TokenView(ObtainAuthToken):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_token",
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField()}),
            **ERROR_RESPONSES,
        },
        tags=["auth"],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

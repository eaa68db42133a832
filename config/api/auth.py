"""`POST /api/v1/auth/token/`: a token for the CRM integration (and any user of the API)."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.settings import api_settings

from config import views
from config.floor.api.schema import ErrorSerializer
from config.floor.throttles import LoginThrottle

TokenSerializer = inline_serializer("Token", {"token": serializers.CharField()})


class CredentialsSerializer(AuthTokenSerializer):
    """No username longer than a user's can reach authentication (or django-axes' records of
    failures, whose columns are bounded too: a 400-character name was a DataError there)."""

    username = serializers.CharField(
        label=AuthTokenSerializer().fields["username"].label,
        max_length=get_user_model()._meta.get_field("username").max_length,
        write_only=True,
    )
    password = serializers.CharField(
        label=AuthTokenSerializer().fields["password"].label,
        style={"input_type": "password"},
        trim_whitespace=False,
        max_length=4096,
        write_only=True,
    )


class TokenView(ObtainAuthToken):
    """Exchange a username and password for the user's API token (created on first use).

    Wrong credentials give 400 with the code `authorization`; django-axes counts the failures
    like those on the login page and, at the limit, answers 429 `locked_out` even to the right
    password.
    """

    # Credentials travel in the body: a stale session or token header must not get in the way.
    authentication_classes = []
    permission_classes = [AllowAny]
    # The portal's parsers (bounded size and nesting), not the token view's own list.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES
    serializer_class = CredentialsSerializer
    # Sign-in attempts per client address, beyond django-axes' lockout of one username.
    throttle_classes = [LoginThrottle]

    @extend_schema(
        operation_id="auth_token",
        responses={200: TokenSerializer, 429: ErrorSerializer},
        tags=["auth"],
    )
    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except exceptions.ValidationError:
            # django-axes marks the request it was given: here DRF's, not Django's.
            if getattr(request, "axes_locked_out", False):
                return views.locked_out(request)
            raise

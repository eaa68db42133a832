"""`POST /api/v1/auth/token/`: a token for the CRM integration (and any user of the API)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny

from config import views
from config.floor.api.schema import ErrorSerializer

TokenSerializer = inline_serializer("Token", {"token": serializers.CharField()})


class TokenView(ObtainAuthToken):
    """Exchange a username and password for the user's API token (created on first use).

    Wrong credentials give 400 with the code `authorization`; django-axes counts the failures
    like those on the login page and, at the limit, answers 429 `locked_out` even to the right
    password.
    """

    # Credentials travel in the body: a stale session or token header must not get in the way.
    authentication_classes = []
    permission_classes = [AllowAny]

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

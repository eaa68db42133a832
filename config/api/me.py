"""`GET /api/v1/auth/me/`: who the caller is and which roles they hold."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from config.floor import roles


class MeView(APIView):
    """The authenticated user: username, full name and portal roles."""

    @extend_schema(
        operation_id="auth_me",
        responses=inline_serializer(
            "Me",
            {
                "username": serializers.CharField(),
                "full_name": serializers.CharField(),
                "roles": serializers.ListField(child=serializers.CharField()),
            },
        ),
        tags=["auth"],
    )
    def get(self, request):
        user = request.user
        return Response(
            {
                "username": user.get_username(),
                "full_name": user.get_full_name(),
                "roles": sorted(roles.user_roles(user)),
            }
        )

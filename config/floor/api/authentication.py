"""Token authentication that reads the caller's roles with the token (PostgreSQL).

Every API request asks for the caller's roles (the permission classes, config.floor.roles); read
apart, they cost a second query per request. On PostgreSQL the token's query reads them too, as an
array; elsewhere they are read apart, on first use, as before.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from config.floor import roles


class TokenWithRolesAuthentication(TokenAuthentication):
    model = Token

    def authenticate_credentials(self, key):
        if not settings.IS_POSTGRES:
            return super().authenticate_credentials(key)
        names = Group.objects.filter(user=OuterRef("user_id")).values("name")
        token = (
            self.get_model()
            .objects.select_related("user")
            .annotate(role_names=ArraySubquery(names))
            .filter(key=key)
            .first()
        )
        if token is None or not token.user.is_active:
            return super().authenticate_credentials(key)  # its refusal, in its words
        roles.remember_roles(token.user, token.role_names)
        return (token.user, token)

"""The API's role permission classes (config.floor.permissions)."""

import pytest
from rest_framework.test import APIRequestFactory

from config.floor import roles
from config.floor.permissions import role_required
from tests.config.factories import CrmUserFactory, ManagerFactory, SupervisorFactory

pytestmark = pytest.mark.django_db


def test_a_set_of_roles_gets_one_class_made_once():
    assert role_required(roles.AGENTS, roles.CRM) is role_required(roles.AGENTS, roles.CRM)
    assert role_required(roles.AGENTS, roles.CRM) is not role_required(roles.CRM)


@pytest.mark.parametrize(
    ("factory", "method", "allowed"),
    [
        (CrmUserFactory, "post", True),
        (ManagerFactory, "post", False),
        (ManagerFactory, "get", True),
        (SupervisorFactory, "get", False),
    ],
)
def test_the_made_once_class_still_asks_each_callers_roles(factory, method, allowed):
    permission = role_required(roles.CRM, read_roles=(roles.MANAGERS,))()
    request = getattr(APIRequestFactory(), method)("/api/v1/")
    request.user = factory()
    assert permission.has_permission(request, view=None) is allowed

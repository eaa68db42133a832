"""Schemathesis over the whole API as every role (issue 11 §2): no 5xx, answers as documented.

The schema is the one drf-spectacular serves (`/api/schema/`), loaded through the WSGI
application in-process; the requests go through the whole middleware stack to the test database
(PostgreSQL: the database the portal runs on, whose errors SQLite would not raise), which holds
the demo data (`seed_demo`, once for the module, rolled back at the end).

Two kinds of runs, both with a fixed seed (reproducible in CI and locally):

- every operation as every role (agent, supervisor, manager, the CRM and fulfilment services,
  anonymous): Hypothesis' fuzzing phase, positive and negative data, a few examples each;
- every operation as the role it is for: Schemathesis' coverage phase, its deterministic boundary
  and invalid values of every parameter and body field, and methods the path does not allow.

Path parameters are drawn from the schema and from the keys the database has, so that requests
reach existing orders, appeals, disputes... and not only 404.

Each response passes: no server error, the status code documented for the operation, the content
type documented, the body valid against the documented schema. README «Tests» says why.
"""

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from campaigns.models import (
    Appeal,
    Callback,
    Campaign,
    CampaignTarget,
    ConnectionOrder,
    SubscriberAccount,
)
from knowledge_base.models import Article, Bridge, Category, ClosingPhrase, ObjectionType
from offers.models import Offer
from rewards.models import RewardRule, StatementDispute
from tests.conftest import requires_postgres

pytestmark = [pytest.mark.postgres, requires_postgres]

User = get_user_model()
SEED = 20261130
ROLES = ["agent", "supervisor", "manager", "crm", "fulfilment", "anonymous"]
# Each role's demo login has the role's name (the fulfilment login: campaigns.orders.demo).
LOGINS = [role for role in ROLES if role != "anonymous"]
# The role each operation is for (agent unless named): the coverage run gets past permissions.
OWNER = {
    "PUT /api/v1/accounts/{number}/": "crm",
    "POST /api/v1/auth/token/": "anonymous",
    "POST /api/v1/disputes/{id}/accept/": "supervisor",
    "POST /api/v1/disputes/{id}/reject/": "supervisor",
    "GET /api/v1/leaderboard/": "supervisor",
    "POST /api/v1/orders/{id}/status/": "fulfilment",
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Fuzzing: examples per operation and role; anonymous callers meet 401 before anything else.
EXAMPLES = 6
PHASES_OFF = {"examples": {"enabled": False}, "stateful": {"enabled": False}}


def _config(*, fuzzing: bool, coverage: bool):
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "mode": "all",
                "max-examples": EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
            "phases": {
                **PHASES_OFF,
                "fuzzing": {"enabled": fuzzing},
                "coverage": {"enabled": coverage},
            },
        }
    )


APP = WSGIHandler()
every_role = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json", APP, config=_config(fuzzing=True, coverage=False)
)
its_role = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json", APP, config=_config(fuzzing=False, coverage=True)
)


def _keys(queryset, field="pk"):
    return list(queryset.order_by(field).values_list(field, flat=True)[:20])


# Path parameters the database has, per path (the schema says only "an integer", "a string").
REAL_KEYS = {
    "/api/v1/accounts/{number}/": lambda: {"number": _keys(SubscriberAccount.objects, "number")},
    "/api/v1/accounts/{number}/recommendations/": lambda: {
        "number": _keys(SubscriberAccount.objects, "number")
    },
    "/api/v1/accounts/{number}/recommendations/{rec_id}/result/": lambda: {
        "number": _keys(SubscriberAccount.objects, "number"),
        "rec_id": _keys(CampaignTarget.objects),
    },
    "/api/v1/appeals/{id}/": lambda: {"id": _keys(Appeal.objects)},
    "/api/v1/appeals/{id}/close/": lambda: {"id": _keys(Appeal.objects)},
    "/api/v1/callbacks/{id}/": lambda: {"id": _keys(Callback.objects)},
    "/api/v1/callbacks/{id}/reschedule/": lambda: {"id": _keys(Callback.objects)},
    "/api/v1/campaigns/{id}/": lambda: {"id": _keys(Campaign.objects)},
    "/api/v1/disputes/{id}/": lambda: {"id": _keys(StatementDispute.objects)},
    "/api/v1/disputes/{id}/accept/": lambda: {"id": _keys(StatementDispute.objects)},
    "/api/v1/disputes/{id}/reject/": lambda: {"id": _keys(StatementDispute.objects)},
    "/api/v1/disputes/{id}/withdraw/": lambda: {"id": _keys(StatementDispute.objects)},
    "/api/v1/kb/articles/{id}/": lambda: {"id": _keys(Article.objects)},
    "/api/v1/kb/bridges/{id}/": lambda: {"id": _keys(Bridge.objects)},
    "/api/v1/kb/categories/{id}/": lambda: {"id": _keys(Category.objects)},
    "/api/v1/kb/closing-phrases/{id}/": lambda: {"id": _keys(ClosingPhrase.objects)},
    "/api/v1/kb/objections/{code}/": lambda: {"code": _keys(ObjectionType.objects, "code")},
    "/api/v1/offers/{id}/": lambda: {"id": _keys(Offer.objects)},
    "/api/v1/orders/{id}/": lambda: {"id": _keys(ConnectionOrder.objects)},
    "/api/v1/orders/{id}/cancel/": lambda: {"id": _keys(ConnectionOrder.objects)},
    "/api/v1/orders/{id}/reveal/": lambda: {"id": _keys(ConnectionOrder.objects)},
    "/api/v1/orders/{id}/status/": lambda: {"id": _keys(ConnectionOrder.objects)},
    "/api/v1/rewards/rules/{id}/": lambda: {"id": _keys(RewardRule.objects)},
}


def _existing(path):
    def build():
        return st.fixed_dictionaries(
            {name: st.sampled_from(values) for name, values in REAL_KEYS[path]().items() if values}
        )

    return st.deferred(build)


for _schema in (every_role, its_role):

    @_schema.hook
    def before_generate_path_parameters(context, strategy):
        path = context.operation.path
        if path not in REAL_KEYS:
            return strategy
        return st.one_of(strategy, _existing(path))


@pytest.fixture(scope="module")
def tokens(django_db_setup, django_db_blocker):
    """The demo data and every role's API token, once for the module; rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--quiet")
        keys = {
            role: Token.objects.get_or_create(user=User.objects.get(username=role))[0].key
            for role in LOGINS
        }
        yield keys
        transaction.set_rollback(True)


@pytest.fixture
def api(tokens, db):
    """Requests through the WSGI handler inside the test's transaction (as Django's test client
    does: the handler's signals would otherwise close the connection between requests)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield tokens
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _call(case, tokens, role):
    headers = {"Authorization": f"Token {tokens[role]}"} if role in tokens else {}
    case.call_and_validate(headers=headers, checks=CHECKS)


# Every example of a test shares its transaction (the `api` fixture), rolled back after the test;
# generation may be slow on a loaded CI machine, and nothing here measures it.
HYPOTHESIS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("role", ROLES)
@every_role.parametrize()
@HYPOTHESIS
def test_every_operation_as_every_role(case, role, api):
    _call(case, api, role)


@its_role.parametrize()
@HYPOTHESIS
def test_every_operation_at_its_boundaries_as_its_role(case, api):
    _call(case, api, OWNER.get(case.operation.label, "agent"))

"""Every view of unmasked personal data writes an audit row (issue 11 §1), tested as a table.

SURFACES × roles → masked / audited (unmasked, with an audit row) / refused, as README.md
(privacy) writes it. Beyond the table, the walk: wherever a stored clear value (an account's phone
or e-mail, an order's phone or addresses) appears in any response, an audit row exists for that
user, that record and that field — a `PersonalDataView`, or for an order's reveal its
`PersonalDataReveal`.
"""

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from campaigns.models import (
    PersonalDataReveal,
    PersonalDataView,
    SubjectType,
    SubscriberAccount,
    ViewSurface,
)
from config.floor import roles
from tests.campaigns.factories import (
    AgentProfileFactory,
    ConnectionOrderFactory,
    SubscriberAccountFactory,
)
from tests.config.factories import (
    CrmUserFactory,
    ManagerFactory,
    SupervisorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NUMBER = "352011070411"
ACCOUNT_VALUES = {"contact_phone": "+79220601346", "email": "petrov@example.com"}
ORDER_VALUES = {
    "contact_phone": "+79161234568",
    "connection_address": "г. Москва, ул. Льва Толстого, д. 16, кв. 5",
    "registration_address": "г. Москва, ул. Тимура Фрунзе, д. 11, кв. 2",
}
REASON = {"reason": "Клиент просит уточнить адрес"}
CSV_HEADER = (
    "number,surname,first_name,patronymic,payment_model,balance,financial_block,services,"
    "offers,contact_phone,email,region\n"
)


@pytest.fixture
def world():
    agent = AgentProfileFactory(user__username="agent").user
    supervisor = SupervisorFactory(username="supervisor")
    agent.agent_profile.team.supervisors.add(supervisor)
    account = SubscriberAccountFactory(number=NUMBER, surname="Петров", **ACCOUNT_VALUES)
    order = ConnectionOrderFactory(agent=agent, account=account, **ORDER_VALUES)
    people = {
        "agent": agent,
        "supervisor": supervisor,
        "manager": ManagerFactory(username="manager"),
        "crm": CrmUserFactory(username="crm"),
        "fulfilment": UserFactory(username="fulfilment", role=roles.FULFILMENT),
    }
    return {"people": people, "account": account, "order": order}


def _page(user):
    client = Client()
    client.force_login(user)
    return client


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _upload(content):
    file = io.BytesIO(content.encode())
    file.name = "accounts.csv"
    return file


def _export_fields():
    from campaigns.resources import SubscriberAccountResource

    return {
        f"subscriberaccountresource_{name}": "on" for name in SubscriberAccountResource().fields
    }


# Surface → how a user reaches it (the world's account and order at hand).
SURFACES = {
    "account API": lambda user, w: _api(user).get(f"/api/v1/accounts/{NUMBER}/"),
    "account API update": lambda user, w: _api(user).put(
        f"/api/v1/accounts/{NUMBER}/",
        {"surname": "Петров", "first_name": "Пётр", "payment_model": "advance", "balance": "1"},
        format="json",
    ),
    "admin account form": lambda user, w: _page(user).get(
        reverse("admin:campaigns_subscriberaccount_change", args=[w["account"].pk])
    ),
    "admin account list": lambda user, w: _page(user).get(
        reverse("admin:campaigns_subscriberaccount_changelist")
    ),
    "admin account export": lambda user, w: _page(user).post(
        reverse("admin:campaigns_subscriberaccount_export"),
        {"resource": "0", "format": "0", **_export_fields()},
    ),
    "admin account import preview": lambda user, w: _page(user).post(
        reverse("admin:campaigns_subscriberaccount_import"),
        {
            "resource": "0",
            "format": "0",
            "import_file": _upload(
                CSV_HEADER + f"{NUMBER},Петров,Пётр,,advance,1,0,,,+79005550000,,Москва\n"
            ),
        },
    ),
    "order page": lambda user, w: _page(user).get(f"/orders/{w['order'].pk}/"),
    "order page reveal": lambda user, w: _page(user).post(
        f"/orders/{w['order'].pk}/reveal/", REASON
    ),
    "order list and export": lambda user, w: _page(user).get("/orders/export.csv"),
    "order API": lambda user, w: _api(user).get(f"/api/v1/orders/{w['order'].pk}/"),
    "order API reveal": lambda user, w: _api(user).post(
        f"/api/v1/orders/{w['order'].pk}/reveal/", REASON, format="json"
    ),
    "admin order form": lambda user, w: _page(user).get(
        reverse("admin:campaigns_connectionorder_change", args=[w["order"].pk])
    ),
}

MASKED, AUDITED, REFUSED = "masked", "audited", "refused"
# The README's table: surface → role → outcome (a role not named: refused).
TABLE = {
    "account API": {
        "agent": MASKED,
        "supervisor": MASKED,
        "manager": AUDITED,
        "crm": AUDITED,
    },
    "account API update": {"manager": AUDITED, "crm": AUDITED},
    "admin account form": {"manager": AUDITED},
    "admin account list": {"manager": MASKED},
    "admin account export": {"manager": AUDITED},
    "admin account import preview": {"manager": AUDITED},
    "order page": {"agent": MASKED, "supervisor": MASKED},
    "order page reveal": {"agent": AUDITED, "supervisor": AUDITED},
    "order list and export": {"agent": MASKED, "supervisor": MASKED},
    "order API": {"agent": MASKED, "supervisor": MASKED, "manager": MASKED},
    "order API reveal": {"agent": AUDITED, "supervisor": AUDITED},
    "admin order form": {"manager": MASKED},
}
ROLES = ("agent", "supervisor", "manager", "crm", "fulfilment")
CASES = [
    (surface, role, TABLE[surface].get(role, REFUSED)) for surface in SURFACES for role in ROLES
]


def _shown(response, world) -> list[tuple[str, int, str]]:
    """(kind of record, id, field) of every stored clear value the response carries."""
    text = response.content.decode("utf-8-sig", errors="replace")
    records = [
        (SubjectType.ACCOUNT, world["account"].pk, ACCOUNT_VALUES),
        (SubjectType.ORDER, world["order"].pk, ORDER_VALUES),
    ]
    return [
        (kind, pk, field)
        for kind, pk, values in records
        for field, value in values.items()
        if value in text
    ]


def _audited(user, kind, pk, field) -> bool:
    views = PersonalDataView.objects.filter(user=user, subject_type=kind, subject_id=pk)
    if any(field in view.fields for view in views):
        return True
    if kind == SubjectType.ORDER:
        reveals = PersonalDataReveal.objects.filter(user=user, order_id=pk)
        return any(field in reveal.fields for reveal in reveals)
    return False


def test_the_table_names_every_surface():
    assert set(TABLE) == set(SURFACES)


@pytest.mark.parametrize(("surface", "role", "outcome"), CASES)
def test_personal_data_is_masked_audited_or_refused(world, surface, role, outcome):
    user = world["people"][role]

    response = SURFACES[surface](user, world)
    shown = _shown(response, world)

    if outcome == REFUSED:
        assert response.status_code in (302, 403, 404), response.status_code
        assert shown == []
        return
    assert response.status_code in (200, 201), (response.status_code, response.content[:300])
    if outcome == MASKED:
        assert shown == []
    else:
        assert shown
    for kind, pk, field in shown:  # the walk: nothing clear without its audit row
        assert _audited(user, kind, pk, field), (surface, role, kind, field)


def test_an_account_without_contacts_is_shown_nothing_and_audited_for_nothing(world):
    manager = world["people"]["manager"]
    bare = SubscriberAccountFactory(number="352011070499", contact_phone="", email="")

    _page(manager).get(reverse("admin:campaigns_subscriberaccount_change", args=[bare.pk]))

    assert not PersonalDataView.objects.filter(subject_id=bare.pk).exists()


def test_an_export_of_chosen_columns_audits_only_those(world):
    manager = world["people"]["manager"]
    chosen = {key: value for key, value in _export_fields().items() if not key.endswith("_email")}

    response = _page(manager).post(
        reverse("admin:campaigns_subscriberaccount_export"),
        {"resource": "0", "format": "0", **chosen},
    )

    assert ACCOUNT_VALUES["email"] not in response.content.decode("utf-8-sig")
    view = PersonalDataView.objects.get(user=manager, surface=ViewSurface.EXPORT)
    assert view.fields == ["contact_phone"]


def test_managers_read_the_audit_in_the_admin(world):
    manager = world["people"]["manager"]
    _api(manager).get(f"/api/v1/accounts/{NUMBER}/")

    response = _page(manager).get(reverse("admin:campaigns_personaldataview_changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    with translation.override("ru"):
        names = [str(SubscriberAccount._meta.get_field(f).verbose_name) for f in ACCOUNT_VALUES]
    assert ", ".join(names) in response.content.decode()

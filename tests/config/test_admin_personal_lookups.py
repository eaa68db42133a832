"""No admin list is narrowed, searched or sorted by personal data its viewer may not see (issue 11 §1).

The walk: every changelist of the admin × every path from its model to a personal field (the
field itself, and through one relation either way) × `__startswith`, `__icontains`, `__exact`,
`__regex` × every role (and a superuser); paths through two relations with `__startswith` as
the superuser (who opens every list; Django itself refuses a lookup across relations that no
list filter names, the portal's guard comes first). Where the role may not see the field the
answer is 400; where it may, the list opens; where the role cannot open the list, nothing opens.
Then `o=` on every column of every list as every role: 400 exactly where the column sorts by a
field the role may not see. Then searching: no search field in effect reaches such a field.
"""

import logging

import pytest
from django.contrib import admin
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.auth.models import Group, Permission
from django.test import Client, RequestFactory
from django.urls import reverse
from unfold.decorators import display

from campaigns.orders.admin import ConnectionOrderAdmin
from campaigns.orders.models import ConnectionOrder
from campaigns.personal_data.fields import EncryptedCharField
from config.floor import personal, roles
from config.floor.admin import PersonalDataAdminMixin, _order_field
from tests.campaigns.factories import (
    AgentProfileFactory,
    ConnectionOrderFactory,
    SubscriberAccountFactory,
)
from tests.config.factories import CrmUserFactory, ManagerFactory, SupervisorFactory, UserFactory

pytestmark = pytest.mark.django_db

LOOKUPS = ("startswith", "icontains", "exact", "regex")
MAX_HOPS = 2


def personal_paths(model, hops=MAX_HOPS, prefix="", seen=()):
    """Every lookup path from `model` to a personal field, through at most `hops` relations."""
    for name in personal.fields_of(model):
        yield prefix + name
    if hops == 0:
        return
    for field in model._meta.get_fields():
        target = field.related_model if field.is_relation else None
        if target is None or target in seen or not _reaches_personal(target, hops - 1):
            continue
        yield from personal_paths(target, hops - 1, f"{prefix}{field.name}__", (*seen, model))


def _reaches_personal(model, hops):
    if personal.fields_of(model):
        return True
    if hops == 0:
        return False
    return any(
        f.related_model is not None and _reaches_personal(f.related_model, hops - 1)
        for f in model._meta.get_fields()
        if f.is_relation
    )


@pytest.fixture
def people(db):
    roles.sync_roles(Group, Permission)
    fulfilment = UserFactory(username="fulfilment", role=roles.FULFILMENT)
    return {
        "manager": ManagerFactory(username="manager"),
        "supervisor": SupervisorFactory(username="supervisor"),
        "agent": AgentProfileFactory(user__username="agent").user,
        "crm": CrmUserFactory(username="crm"),
        "fulfilment": fulfilment,
        "superuser": UserFactory(username="root", is_superuser=True, is_staff=True),
    }


@pytest.fixture(autouse=True)
def quiet_refusals():
    """Each refused lookup logs a traceback (django.security): thousands of them here."""
    logger = logging.getLogger("django.security")
    request_logger = logging.getLogger("django.request")
    levels = logger.level, request_logger.level
    logger.setLevel(logging.CRITICAL)
    request_logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(levels[0])
    request_logger.setLevel(levels[1])


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def changelists():
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        yield model, model_admin, reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


def test_every_admin_guards_personal_data():
    for model, model_admin, _url in changelists():
        assert isinstance(model_admin, PersonalDataAdminMixin), model


def test_the_walk_covers_orders_and_accounts_through_their_relations():
    registered = personal.registered()
    assert set(registered) >= {"campaigns.connectionorder", "campaigns.subscriberaccount"}
    reached = {
        path
        for model, _admin, _url in changelists()
        for path in personal_paths(model)
        if "__" in path
    }
    assert "account__contact_phone" in reached
    assert "order__contact_phone" in reached
    assert "orders__contact_phone" in reached
    assert "user__connection_orders__contact_phone" in reached


def test_lookups_on_personal_fields_are_refused_with_a_400_for_every_role(people):
    ConnectionOrderFactory(contact_phone="+79161234568")
    SubscriberAccountFactory(contact_phone="+79161234569", email="ivanov@example.com")
    failures, refused, allowed = [], 0, 0
    for who, user in people.items():
        client = client_of(user)
        for model, _model_admin, url in changelists():
            paths = list(personal_paths(model))
            if not paths:
                continue
            opened = client.get(url)
            if opened.status_code != 200:
                for path in paths[:1]:
                    status = client.get(url, {f"{path}__startswith": "+7"}).status_code
                    if status == 200 or status >= 500:
                        failures.append((who, url, path, status))
                continue
            if "cl" not in opened.context:
                continue  # a page of its own (the campaign funnel): no lookups from the URL
            for path in paths:
                must_refuse = personal.refused_path(user, model, path)
                hops = path.count("__")
                if hops > 1 and who != "superuser":
                    continue
                for lookup in LOOKUPS if hops <= 1 else LOOKUPS[:1]:
                    status = client.get(url, {f"{path}__{lookup}": "+7"}).status_code
                    if status >= 500 or ((must_refuse or lookup == "regex") and status != 400):
                        failures.append((who, url, f"{path}__{lookup}", status))
                    refused += must_refuse
                    allowed += not must_refuse and status == 200
    assert not failures, failures
    assert refused > 50 and allowed > 0


@pytest.mark.parametrize("lookup", ["regex", "iregex"])
def test_regular_expressions_in_a_list_url_are_refused_on_any_field(people, lookup):
    client = client_of(people["manager"])
    url = reverse("admin:campaigns_campaign_changelist")

    assert client.get(url, {f"code__{lookup}": "+7("}).status_code == 400
    assert client.get(url, {"code__startswith": "+7("}).status_code == 200


def _columns(model_admin, request):
    columns = list(model_admin.get_list_display(request))
    return ["action_checkbox", *columns] if model_admin.get_actions(request) else columns


def test_sorting_by_a_personal_column_is_refused_with_a_400(people):
    """Every column of every list that sorts by a personal field, as every role that opens the
    list: 400 where the role may not see the field, the list where it may."""
    failures, tried = [], 0
    factory = RequestFactory()
    for who, user in people.items():
        client = client_of(user)
        for model, model_admin, url in changelists():
            request = factory.get(url)
            request.user = user
            for index, column in enumerate(_columns(model_admin, request)):
                order_field = _order_field(model_admin, column)
                if not order_field or not personal.personal_field_on_path(model, order_field):
                    continue
                must_refuse = personal.refused_path(user, model, order_field)
                for order in (str(index), f"-{index}"):
                    status = client.get(url, {"o": order}).status_code
                    tried += 1
                    if status >= 500 or (status == 400) != (must_refuse and status != 302):
                        failures.append((who, url, column, order, status))
    assert not failures, failures
    assert tried > 0


class PhoneSortingOrderAdmin(ConnectionOrderAdmin):
    """An order list that would sort by the phone, as a careless change might write it."""

    list_display = ("__str__", "contact_phone", "phone_column")

    @display(description="phone", ordering="contact_phone")
    def phone_column(self, obj):
        return "•••"


@pytest.mark.parametrize(("order", "refused"), [("0", False), ("1", True), ("-2", True)])
def test_a_column_sorting_by_a_hidden_field_is_refused_and_not_sortable(people, order, refused):
    model_admin = PhoneSortingOrderAdmin(ConnectionOrder, admin.site)
    request = RequestFactory().get("/", {"o": order})
    request.user = people["manager"]

    assert model_admin.get_sortable_by(request) == ["__str__"]
    if refused:
        with pytest.raises(DisallowedModelAdminLookup):
            model_admin._refuse_personal_ordering(request)
    else:
        model_admin._refuse_personal_ordering(request)


def test_no_search_field_in_effect_reaches_what_its_viewer_may_not_see(people):
    factory = RequestFactory()
    walked = 0
    for user in people.values():
        for model, model_admin, url in changelists():
            request = factory.get(url)
            request.user = user
            for name in model_admin.get_search_fields(request):
                assert not personal.refused_path(user, model, name.lstrip("=^@")), (model, name)
                walked += 1
    assert walked > 0


def test_no_list_searches_an_encrypted_field_by_its_column():
    """A ciphertext cannot be searched: encrypted fields are found through their digest only."""
    for model, model_admin, _url in changelists():
        for name in model_admin.search_fields or ():
            field = personal.personal_field_on_path(model, name.lstrip("=^@"))
            if field is not None:
                target = field[0]._meta.get_field(field[1])
                assert not isinstance(target, EncryptedCharField), (model, name)


# Who finds an account by its phone or e-mail typed whole, in any spelling (the digest's search).
DIGEST_SEARCH = [
    ("manager", "ivanov@example.com", 1),
    ("manager", " Ivanov@Example.COM ", 1),
    ("manager", "ivanov@example", 0),  # only whole values: a digest has no prefix
    ("manager", "+7 916 123-45-68", 1),
    ("manager", "8 (916) 1234568", 1),
    ("manager", "916123456", 0),
    ("supervisor", "ivanov@example.com", 0),
    ("supervisor", "+79161234568", 0),
]


@pytest.mark.parametrize(("role", "typed", "found"), DIGEST_SEARCH)
def test_an_account_is_found_by_its_whole_phone_or_e_mail_by_who_may_see_them(
    people, role, typed, found
):
    SubscriberAccountFactory(
        number="352011070411", email="ivanov@example.com", contact_phone="+79161234568"
    )
    response = client_of(people[role]).get(
        reverse("admin:campaigns_subscriberaccount_changelist"), {"q": typed}
    )

    if response.status_code == 403:  # a role without the list finds nothing either
        assert found == 0
        return
    assert response.context["cl"].result_count == found


def test_no_list_is_sorted_by_personal_data_by_default(people):
    factory = RequestFactory()
    for user in people.values():
        for model, model_admin, url in changelists():
            request = factory.get(url)
            request.user = user
            for name in model_admin.get_ordering(request) or ():
                assert personal.personal_field_on_path(model, str(name)) is None, (model, name)


def test_a_manager_finds_an_account_by_its_e_mail_but_an_order_not_by_its_phone(people):
    client = client_of(people["manager"])
    SubscriberAccountFactory(number="352011070411", email="ivanov@example.com")
    ConnectionOrderFactory(contact_phone="+79161234568", full_name="Журавлев Евгений")
    accounts = reverse("admin:campaigns_subscriberaccount_changelist")
    orders = reverse("admin:campaigns_connectionorder_changelist")

    found = client.get(accounts, {"q": "ivanov@example.com"})
    by_phone = client.get(orders, {"q": "9161234568"})
    filtered = client.get(orders, {"contact_phone__startswith": "+7916"})

    assert found.context["cl"].result_count == 1
    assert by_phone.context["cl"].result_count == 0
    assert filtered.status_code == 400

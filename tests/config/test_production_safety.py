"""Production safety (issue 11 §4): demo logins refused, a wrong passport key stops the start.

| case                                                        | answer                         |
|-------------------------------------------------------------|--------------------------------|
| demo login + its published password, production             | refused (page, token), E001    |
| demo login + another password, production                   | signs in, no error             |
| demo login + published password, inactive, production      | no error                       |
| demo login + published password, development               | signs in, no error             |
| passport key that decrypts the newest passport              | no error                       |
| a new key first, the old one after it (rotation)            | no error                       |
| a key that does not decrypt it                              | E003, the start stops (wsgi)   |
| not a Fernet key                                            | E002                           |
| no passport stored yet                                      | no error                       |
"""

import importlib

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from campaigns import checks as campaign_checks
from campaigns import personal_data
from config import demo
from tests.campaigns.factories import ConnectionOrderFactory
from tests.config.factories import ManagerFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def demo_manager(db):
    return ManagerFactory(username="manager", password=demo.demo_credentials()["manager"])


@pytest.fixture
def production(settings):
    settings.DEMO_LOGINS_ALLOWED = False
    return settings


def test_a_demo_login_with_its_published_password_is_refused_in_production(
    client, api_client, demo_manager, production
):
    password = demo.demo_credentials()["manager"]

    page = client.post("/login/", {"username": "manager", "password": password})
    token = api_client.post(TOKEN_URL, {"username": "manager", "password": password})

    assert page.status_code == 200 and "_auth_user_id" not in client.session
    assert token.status_code == 400
    assert [e.id for e in demo.check_demo_logins(databases=["default"])] == ["portal.E001"]


def test_a_demo_username_with_a_password_of_its_own_signs_in_in_production(
    client, demo_manager, production
):
    demo_manager.set_password("a-password-of-this-deployment")
    demo_manager.save()

    response = client.post(
        "/login/", {"username": "manager", "password": "a-password-of-this-deployment"}
    )

    assert response.status_code == 302
    assert demo.check_demo_logins(databases=["default"]) == []


def test_an_inactive_demo_login_is_no_error(demo_manager, production):
    demo_manager.is_active = False
    demo_manager.save()

    assert demo.check_demo_logins(databases=["default"]) == []


def test_demo_logins_work_where_they_are_allowed(client, demo_manager, settings):
    settings.DEMO_LOGINS_ALLOWED = True

    response = client.post(
        "/login/", {"username": "manager", "password": demo.demo_credentials()["manager"]}
    )

    assert response.status_code == 302
    assert demo.check_demo_logins(databases=["default"]) == []


# The passport key


def _key():
    return Fernet.generate_key().decode()


@pytest.fixture
def stored_under(settings):
    """An order whose passport was encrypted with a key of its own; that key."""
    key = _key()
    settings.ORDER_PASSPORT_KEY = key
    ConnectionOrderFactory()
    return key


def test_the_key_that_encrypted_the_passports_passes(stored_under):
    assert campaign_checks.check_passport_key(databases=["default"]) == []


def test_a_rotation_with_the_old_key_after_the_new_passes(stored_under, settings):
    settings.ORDER_PASSPORT_KEY = f"{_key()},{stored_under}"

    assert campaign_checks.check_passport_key(databases=["default"]) == []


def test_a_wrong_key_is_an_error_naming_fingerprints_not_keys(stored_under, settings):
    wrong = _key()
    settings.ORDER_PASSPORT_KEY = wrong

    errors = campaign_checks.check_passport_key(databases=["default"])

    assert [e.id for e in errors] == ["portal.E003"]
    assert campaign_checks.fingerprints()[0] in errors[0].msg
    assert wrong not in errors[0].msg


def test_not_a_fernet_key_is_an_error(settings, db):
    settings.ORDER_PASSPORT_KEY = "not-a-key"

    assert [e.id for e in campaign_checks.check_passport_key(databases=["default"])] == [
        "portal.E002"
    ]


def test_no_stored_passport_is_no_error(settings, db):
    settings.ORDER_PASSPORT_KEY = _key()

    assert campaign_checks.check_passport_key(databases=["default"]) == []


def test_the_wsgi_application_refuses_to_start_with_a_wrong_key(stored_under, settings):
    import config.wsgi

    settings.ORDER_PASSPORT_KEY = _key()

    with pytest.raises(ImproperlyConfigured, match=r"portal\.E003"):
        importlib.reload(config.wsgi)
    settings.ORDER_PASSPORT_KEY = stored_under
    importlib.reload(config.wsgi)
    assert personal_data.fernet_keys()


def test_the_secrets_checks_read_the_database_only_when_one_is_named(
    stored_under, settings, django_assert_num_queries
):
    """`check --deploy` without a database (a build step) reads nothing; a key that is no Fernet
    key is still refused there."""
    settings.ORDER_PASSPORT_KEY = _key()  # would be E003 with the database read
    with django_assert_num_queries(0):
        assert campaign_checks.check_passport_key() == []
        assert demo.check_demo_logins() == []
    settings.ORDER_PASSPORT_KEY = "not-a-key"
    assert [e.id for e in campaign_checks.check_passport_key()] == ["portal.E002"]
    settings.ORDER_PASSPORT_KEY = stored_under

"""Personal data at rest (issue 11 §1): an order's phone and addresses, an account's phone and
e-mail are stored encrypted, with keyed digests for exact look-ups; the migration encrypts the
rows already stored (and decrypts them back); a rotation re-keys every value; wrong keys stop
the start."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from campaigns import checks as campaign_checks
from campaigns.models import SubscriberAccount
from campaigns.orders.models import ConnectionOrder
from campaigns.personal_data import crypto
from tests.campaigns.factories import ConnectionOrderFactory, SubscriberAccountFactory

PHONE = "+79161234568"
ADDRESS = "г. Москва, ул. Льва Толстого, д. 16, кв. 5"
REGISTRATION = "г. Москва, ул. Тимура Фрунзе, д. 11, кв. 2"
EMAIL = "ivanov@example.com"

# Table → the encrypted columns and what the factories below store in them.
STORED = {
    "campaigns_connectionorder": {
        "contact_phone": PHONE,
        "connection_address": ADDRESS,
        "registration_address": REGISTRATION,
    },
    "campaigns_subscriberaccount": {"contact_phone": "+79220601346", "email": EMAIL},
}


def _raw(table, pk, columns):
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(map(quote, columns))} FROM {quote(table)} WHERE id = %s", [pk]
        )
        return dict(zip(columns, cursor.fetchone(), strict=True))


def _key():
    return Fernet.generate_key().decode()


@pytest.fixture
def stored(db):
    account = SubscriberAccountFactory(contact_phone="+79220601346", email=EMAIL)
    order = ConnectionOrderFactory(
        account=account,
        contact_phone=PHONE,
        connection_address=ADDRESS,
        registration_address=REGISTRATION,
    )
    return {"campaigns_connectionorder": order.pk, "campaigns_subscriberaccount": account.pk}


def _assert_encrypted(stored):
    for table, values in STORED.items():
        raw = _raw(table, stored[table], [*values, "contact_phone_hash"])
        for column, clear in values.items():
            assert crypto.is_token(raw[column]), (table, column)
            assert clear not in raw[column]
            assert crypto.decrypt_text(raw[column]) == clear
        assert raw["contact_phone_hash"] == crypto.phone_digest(values["contact_phone"])


def test_the_columns_hold_tokens_and_the_models_read_them_clear(stored):
    _assert_encrypted(stored)
    order = ConnectionOrder.objects.get(pk=stored["campaigns_connectionorder"])
    account = SubscriberAccount.objects.get(pk=stored["campaigns_subscriberaccount"])

    assert (order.contact_phone, order.connection_address) == (PHONE, ADDRESS)
    assert (account.contact_phone, account.email) == ("+79220601346", EMAIL)
    assert account.email_hash == crypto.digest(" Ivanov@Example.com", "email")


@pytest.mark.parametrize(
    "lookup", ["contact_phone", "contact_phone__startswith", "connection_address__icontains"]
)
def test_an_encrypted_column_cannot_be_filtered(stored, lookup):
    """A filter on a ciphertext would silently match nothing: it is an error where written."""
    with pytest.raises(FieldError):
        list(ConnectionOrder.objects.filter(**{lookup: PHONE}))


@pytest.mark.parametrize("typed", [PHONE, "8 (916) 123-45-68", "+7 916 123 45 68", "9161234568"])
def test_the_digest_finds_the_phone_however_it_is_typed(stored, typed):
    found = ConnectionOrder.objects.filter(contact_phone_hash=crypto.phone_digest(typed))

    assert list(found.values_list("pk", flat=True)) == [stored["campaigns_connectionorder"]]


def test_the_digest_key_is_its_own(stored, settings):
    """Without PERSONAL_DATA_HASH_KEY nobody can test guesses against the column."""
    before = crypto.phone_digest(PHONE)
    settings.PERSONAL_DATA_HASH_KEY = "another-deployment-s-own-digest-key-32+"

    assert crypto.phone_digest(PHONE) != before


# The migration, both ways, on tables with rows

BEFORE = [("campaigns", "0017_learning_db_defaults")]
AFTER = [("campaigns", "0018_personal_data_at_rest")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.fixture
def back_to_the_latest_schema():
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest_schema")
def test_the_migration_decrypts_backward_and_encrypts_forward(stored):
    _migrate(BEFORE)
    for table, values in STORED.items():
        assert _raw(table, stored[table], list(values)) == values

    _migrate(AFTER)
    _assert_encrypted(stored)
    account = _raw(
        "campaigns_subscriberaccount", stored["campaigns_subscriberaccount"], ["email_hash"]
    )
    assert account["email_hash"] == crypto.digest(EMAIL, "email")


# Rotation


def test_rekey_moves_every_value_to_the_first_key_and_encrypts_what_sql_left_clear(
    stored, settings
):
    old, new = settings.ORDER_PASSPORT_KEY, _key()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:  # an account loaded by plain SQL, around the models
        cursor.execute(
            f"UPDATE {quote('campaigns_subscriberaccount')} SET contact_phone = %s, "
            "contact_phone_hash = '' WHERE id = %s",
            ["+79001112233", stored["campaigns_subscriberaccount"]],
        )
    settings.ORDER_PASSPORT_KEY = f"{new},{old}"
    settings.PERSONAL_DATA_HASH_KEY = "a-new-digest-key-of-this-deployment-0001"

    call_command("personal_data_rekey", verbosity=0)

    settings.ORDER_PASSPORT_KEY = new  # the old key can go now
    order = ConnectionOrder.objects.get(pk=stored["campaigns_connectionorder"])
    account = SubscriberAccount.objects.get(pk=stored["campaigns_subscriberaccount"])
    assert (order.contact_phone, order.registration_address) == (PHONE, REGISTRATION)
    assert order.passport.number == "123456"
    assert order.contact_phone_hash == crypto.phone_digest(PHONE)
    assert (account.contact_phone, account.email) == ("+79001112233", EMAIL)
    assert account.contact_phone_hash == crypto.phone_digest("+79001112233")
    assert crypto.is_token(
        _raw("campaigns_subscriberaccount", account.pk, ["contact_phone"])["contact_phone"]
    )


# Start-up checks of the keys


def test_a_wrong_fernet_key_is_found_on_the_phones_when_no_passport_is_kept(stored, settings):
    ConnectionOrder.objects.update(passport_ciphertext="")
    settings.ORDER_PASSPORT_KEY = _key()

    assert [e.id for e in campaign_checks.check_passport_key(databases=["default"])] == [
        "portal.E003"
    ]


def test_a_changed_digest_key_is_an_error_until_rekeyed(stored, settings):
    settings.PERSONAL_DATA_HASH_KEY = "a-new-digest-key-of-this-deployment-0002"

    errors = campaign_checks.check_hash_key(databases=["default"])
    assert [e.id for e in errors] == ["portal.E005"]
    assert settings.PERSONAL_DATA_HASH_KEY not in errors[0].msg

    call_command("personal_data_rekey", verbosity=0)
    assert campaign_checks.check_hash_key(databases=["default"]) == []


# (key, demo logins allowed (false: production settings), error)
HASH_KEYS = [
    (campaign_checks.LOCAL_HASH_KEY, True, False),
    (campaign_checks.LOCAL_HASH_KEY, False, True),
    ("", True, True),
    ("short", True, True),
    ("x" * 31, False, True),
    ("a-deployment-s-own-digest-key-0123456789", False, False),
]


@pytest.mark.parametrize(("key", "local", "error"), HASH_KEYS)
def test_a_weak_digest_key_is_an_error(settings, key, local, error):
    settings.PERSONAL_DATA_HASH_KEY = key
    settings.DEMO_LOGINS_ALLOWED = local

    assert [e.id for e in campaign_checks.check_hash_key()] == (["portal.E004"] if error else [])

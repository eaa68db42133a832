"""Each validation rule of the order form, the lifecycle, clawback, encryption and retention."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from campaigns import personal_data
from campaigns.models import ConnectionOrder, OrderStatus, StatusSource
from campaigns.orders import services
from campaigns.orders.services import rules
from tests.campaigns.factories import (
    AppealFactory,
    ConnectionOrderFactory,
    InstallerSlotFactory,
    SubscriberAccountFactory,
)
from tests.campaigns.orders_support import MSK, future_slot

pytest_plugins = ["tests.campaigns.orders_fixtures"]
pytestmark = pytest.mark.django_db


def valid_input(slot, /, **overrides) -> services.OrderInput:
    values = {
        "product": "bb-100",
        "full_name": "Журавлев Евгений Михайлович",
        "contact_phone": "8 (916) 123-45-68",
        "connection_address": "г. Москва, ул. Льва Толстого, д. 16, кв. 5",
        "registration_address": "г. Москва, ул. Тимура Фрунзе, д. 11, кв. 2",
        "passport_series": "45 12",
        "passport_number": "123456",
        "passport_issued_on": datetime.date(2015, 6, 1),
        "passport_issued_by": "ОВД района Хамовники г. Москвы",
        "technology": "fttb",
        "service": "broadband",
        "tariff": "bb-100",
        "equipment": ["router-wifi6"],
        "extras": ["iptv-kino"],
        "slot": slot.pk,
    }
    values.update(overrides)
    return services.OrderInput(**values)


def errors_of(agent, account, data) -> dict:
    with pytest.raises(ValidationError) as caught:
        services.order_register(agent=agent, account=account, data=data)
    assert ConnectionOrder.objects.count() == 0
    return {field: [e.code for e in errs] for field, errs in caught.value.error_dict.items()}


def test_a_valid_order_is_registered_with_normalised_values(agent, account, catalogue, slot):
    order = services.order_register(agent=agent, account=account, data=valid_input(slot))
    assert order.status == OrderStatus.REGISTERED
    assert order.contact_phone == "+79161234568"
    assert order.sales_channel.name == "26 Обслуживание МЦ НТТ"
    assert order.passport.series == "4512"
    assert [c.status for c in order.status_changes.all()] == ["registered"]
    assert order.status_changes.get().changed_by == agent


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"contact_phone": ""}, "contact_phone", "required"),
        ({"contact_phone": "12345"}, "contact_phone", "invalid_phone"),
        ({"contact_phone": "+1 202 555 0143"}, "contact_phone", "invalid_phone"),
        ({"contact_phone": "+7 000 000-00-00"}, "contact_phone", "invalid_phone"),
        ({"passport_series": "451"}, "passport_series", "invalid_passport_series"),
        ({"passport_series": "45AB"}, "passport_series", "invalid_passport_series"),
        ({"passport_number": "12345"}, "passport_number", "invalid_passport_number"),
        ({"passport_issued_on": None}, "passport_issued_on", "required"),
        (
            {"passport_issued_on": datetime.date(1996, 5, 1)},
            "passport_issued_on",
            "invalid_passport_date",
        ),
        ({"passport_issued_by": " "}, "passport_issued_by", "required"),
        ({"connection_address": ""}, "connection_address", "required"),
        ({"registration_address": "Москва"}, "registration_address", "invalid_address"),
        ({"full_name": "Журавлев"}, "full_name", "invalid_full_name"),
        ({"technology": "wimax"}, "technology", "invalid_technology"),
        (
            {"product": "iptv-basic", "technology": "adsl", "tariff": ""},
            "technology",
            "technology_service_mismatch",
        ),
        ({"technology": "adsl", "equipment": []}, "tariff", "invalid_tariff"),
        ({"tariff": "adsl-8"}, "tariff", "tariff_mismatch"),
        ({"tariff": "iptv-basic"}, "tariff", "tariff_mismatch"),
        ({"product": ""}, "product", "required"),
        ({"product": "no-such-offer"}, "product", "invalid_product"),
        ({"service": "iptv"}, "service", "service_mismatch"),
        ({"extras": ["bb-100"]}, "extras", "extra_is_product"),
        ({"equipment": ["adsl-modem"]}, "equipment", "invalid_equipment"),
        ({"extras": ["bb-100"]}, "extras", "invalid_extras"),
        ({"sales_channel": "nope"}, "sales_channel", "invalid_sales_channel"),
        ({"slot": None}, "slot", "required"),
        ({"slot": 999999}, "slot", "invalid_slot"),
    ],
)
def test_each_rule_gives_its_field_error(agent, account, catalogue, slot, overrides, field, code):
    assert code in errors_of(agent, account, valid_input(slot, **overrides)).get(field, [])


def test_a_passport_issued_in_the_future_is_refused(agent, account, catalogue, slot):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    errors = errors_of(agent, account, valid_input(slot, passport_issued_on=tomorrow))
    assert errors == {"passport_issued_on": ["invalid_passport_date"]}


def test_every_error_comes_at_once(agent, account, catalogue, slot):
    errors = errors_of(
        agent, account, valid_input(slot, contact_phone="1", passport_number="1", slot=None)
    )
    assert set(errors) == {"contact_phone", "passport_number", "slot"}


def test_messages_are_translated(agent, account, catalogue, slot):
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.order_register(
            agent=agent, account=account, data=valid_input(slot, passport_series="1")
        )
    assert caught.value.message_dict["passport_series"] == [str(rules.ERR_PASSPORT_SERIES)]


def test_a_slot_that_has_started_is_refused(agent, account, catalogue):
    started = InstallerSlotFactory(
        starts_at=timezone.now() - datetime.timedelta(minutes=5),
        ends_at=timezone.now() + datetime.timedelta(hours=2),
    )
    errors = errors_of(agent, account, valid_input(started))
    assert errors == {"slot": ["slot_in_past"]}


@pytest.mark.parametrize(("hour", "hours"), [(7, 3), (19, 3), (22, 1)])
def test_a_slot_outside_working_hours_is_refused(agent, account, catalogue, hour, hours):
    early = future_slot(days=3, hour=hour, hours=hours)
    assert errors_of(agent, account, valid_input(early)) == {"slot": ["slot_outside_hours"]}


def test_a_full_slot_is_refused_and_a_cancelled_order_frees_its_visit(agent, account, catalogue):
    one_visit = future_slot(days=4, capacity=1)
    first = services.order_register(agent=agent, account=account, data=valid_input(one_visit))
    # A neighbour's order (the same product twice on one account is a duplicate, not a booking).
    neighbour = SubscriberAccountFactory(
        number="352011070412", region=account.region, payment_model="credit"
    )
    assert errors_of_after(agent, neighbour, one_visit) == {"slot": ["slot_full"]}
    services.order_cancel(order=first, agent=agent, reason="Клиент передумал")
    again = services.order_register(agent=agent, account=account, data=valid_input(one_visit))
    assert again.slot == one_visit


def errors_of_after(agent, account, slot):
    with pytest.raises(ValidationError) as caught:
        services.order_register(agent=agent, account=account, data=valid_input(slot))
    return {f: [e.code for e in errs] for f, errs in caught.value.error_dict.items()}


def test_a_slot_of_another_region_is_refused(agent, account, catalogue):
    spb = future_slot(days=5)
    spb.region = "Санкт-Петербург"
    spb.save()
    assert errors_of(agent, account, valid_input(spb)) == {"slot": ["slot_other_region"]}


def test_an_appeal_of_another_agent_is_refused(agent, account, catalogue, slot):
    foreign = AppealFactory(account=account)
    with pytest.raises(ValidationError) as caught:
        services.order_register(
            agent=agent, account=account, data=valid_input(slot), appeal_id=foreign.pk
        )
    assert "appeal" in caught.value.message_dict


def test_the_passport_is_encrypted_at_rest(agent, account, catalogue, slot):
    order = services.order_register(agent=agent, account=account, data=valid_input(slot))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT passport_ciphertext FROM campaigns_connectionorder WHERE id = %s", [order.pk]
        )
        stored = cursor.fetchone()[0]
    assert "123456" not in stored and "4512" not in stored and "Хамовники" not in stored
    assert personal_data.decrypt_passport(stored).number == "123456"


def test_a_rotated_key_still_reads_old_passports(settings, agent, account, catalogue, slot):
    from cryptography.fernet import Fernet

    order = services.order_register(agent=agent, account=account, data=valid_input(slot))
    settings.ORDER_PASSPORT_KEY = Fernet.generate_key().decode() + "," + settings.ORDER_PASSPORT_KEY
    assert ConnectionOrder.objects.get(pk=order.pk).passport.number == "123456"


def test_lifecycle_with_history_and_no_way_back(agent, account, catalogue, slot):
    order = services.order_register(agent=agent, account=account, data=valid_input(slot))
    for status in (OrderStatus.SENT, OrderStatus.CONNECTED):
        services.order_set_status(order=order, status=status, source=StatusSource.FULFILMENT)
    with pytest.raises(ValidationError):
        services.order_set_status(
            order=order, status=OrderStatus.SENT, source=StatusSource.FULFILMENT
        )
    order.refresh_from_db()
    assert order.status == OrderStatus.CONNECTED
    assert [c.status for c in order.status_changes.all()] == ["registered", "sent", "connected"]


def test_cancelling_needs_a_reason(agent, account, catalogue, slot):
    order = services.order_register(agent=agent, account=account, data=valid_input(slot))
    with pytest.raises(ValidationError) as caught:
        services.order_cancel(order=order, agent=agent, reason="  ")
    assert caught.value.error_dict["reason"][0].code == "reason_required"


@pytest.mark.parametrize(("days_after", "clawback"), [(10, True), (31, False)])
def test_a_cancellation_after_connection_within_the_window_claws_back(
    settings, agent, account, catalogue, slot, days_after, clawback
):
    settings.ORDER_CLAWBACK_DAYS = 30
    order = services.order_register(agent=agent, account=account, data=valid_input(slot))
    connected = timezone.now()
    services.order_set_status(
        order=order, status=OrderStatus.CONNECTED, source=StatusSource.FULFILMENT, now=connected
    )
    services.order_set_status(
        order=order,
        status=OrderStatus.CANCELLED,
        source=StatusSource.FULFILMENT,
        reason="Расторжение договора",
        now=connected + datetime.timedelta(days=days_after),
    )
    order.refresh_from_db()
    assert order.clawback is clawback
    assert order.cancel_reason == "Расторжение договора"


def test_retention_erases_passports_phones_and_addresses_of_closed_orders_only_after_the_period(
    settings, agent
):
    settings.ORDER_RETENTION_DAYS = 90
    now = timezone.now()
    old = now - datetime.timedelta(days=91)
    recent = now - datetime.timedelta(days=10)
    connected_long_ago = ConnectionOrderFactory(
        agent=agent, status=OrderStatus.CONNECTED, connected_at=old
    )
    cancelled_long_ago = ConnectionOrderFactory(
        agent=agent, status=OrderStatus.CANCELLED, cancelled_at=old, cancel_reason="Отказ"
    )
    connected_recently = ConnectionOrderFactory(
        agent=agent, status=OrderStatus.CONNECTED, connected_at=recent
    )
    still_open = ConnectionOrderFactory(agent=agent, status=OrderStatus.SENT)
    from campaigns.orders.tasks import erase_expired_passports

    assert erase_expired_passports.apply().get() == 2
    for order in (connected_long_ago, cancelled_long_ago):
        order.refresh_from_db()
        assert order.passport is None and order.passport_ciphertext == ""
        assert (order.contact_phone, order.contact_phone_hash) == ("", "")
        assert (order.connection_address, order.registration_address) == ("", "")
        assert order.full_name  # whose order it was stays
        assert order.passport_erased_at is not None
    for order in (connected_recently, still_open):
        order.refresh_from_db()
        assert order.passport.number == "123456"
        assert order.contact_phone == "+79161234568" and order.contact_phone_hash
    assert services.orders_erase_expired_passports() == 0


def test_standard_slots_are_opened_once_with_the_default_capacity(settings):
    settings.INSTALLER_SLOT_CAPACITY = 4
    day = datetime.date(2030, 3, 4)
    assert services.installer_slots_open(start_day=day, days=2) == 8
    assert services.installer_slots_open(start_day=day, days=2) == 0
    from campaigns.models import InstallerSlot

    first = InstallerSlot.objects.order_by("starts_at").first()
    assert first.capacity == 4
    assert first.starts_at == datetime.datetime(2030, 3, 4, 9, tzinfo=MSK)
    assert rules.slot_fits_hours(InstallerSlot.objects.order_by("starts_at").last())

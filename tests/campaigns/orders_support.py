"""Shared set-up of the connection-order tests: the catalogue an order chooses from, a valid form,
and a real HTTP server on loopback standing in for the fulfilment system."""

import datetime

from django.utils import timezone

from campaigns.orders.fulfilment import standin as fulfilment_standin
from tests.campaigns.factories import InstallerSlotFactory

MSK = datetime.timezone(datetime.timedelta(hours=3))


def future_slot(days=2, hour=9, hours=3, capacity=3):
    day = timezone.localdate() + datetime.timedelta(days=days)
    starts = datetime.datetime.combine(day, datetime.time(hour), tzinfo=MSK)
    return InstallerSlotFactory(
        starts_at=starts, ends_at=starts + datetime.timedelta(hours=hours), capacity=capacity
    )


def form_data(account, slot, /, **overrides):
    """A valid order as the API takes it."""
    data = {
        "account": account.number,
        "product": "bb-100",
        "full_name": "Журавлев Евгений Михайлович",
        "contact_phone": "+7 916 123-45-68",
        "connection_address": "г. Москва, ул. Льва Толстого, д. 16, кв. 5",
        "registration_address": "г. Москва, ул. Тимура Фрунзе, д. 11, кв. 2",
        "passport_series": "4512",
        "passport_number": "123456",
        "passport_issued_on": "2015-06-01",
        "passport_issued_by": "ОВД района Хамовники г. Москвы",
        "technology": "fttb",
        "service": "broadband",
        "tariff": "bb-100",
        "equipment": ["router-wifi6"],
        "extras": ["iptv-kino"],
        "slot": slot.pk,
        "comment": "",
    }
    data.update(overrides)
    return data


PERSONAL_VALUES = (
    "9161234568",
    "916 123-45-68",
    "Льва Толстого",
    "Тимура Фрунзе",
    "4512",
    "123456",
    "Хамовники",
    "2015-06-01",
    "01.06.2015",
)


def leaked(text: str) -> list[str]:
    """The personal values of form_data() found in `text`."""
    return [value for value in PERSONAL_VALUES if value in text]


class FulfilmentStandIn(fulfilment_standin.FulfilmentStandIn):
    """The stand-in of campaigns/orders/fulfilment/standin.py on a free port, serving from a thread.

    It makes no status callbacks: the tests post those themselves when they need them.
    """

    def __init__(self):
        super().__init__(port=0)
        self.start()

"""An account's `service_mask` (its services as bits, read by the reach preview) follows every
change of its services: the ORM's both sides, the CRM's upsert, a connected order's new service,
and the bulk writers' refresh."""

import pytest

from campaigns import services as campaign_services
from campaigns.models import SubscriberAccount
from campaigns.models.accounts import SERVICE_BITS, service_mask
from campaigns.services.service_masks import account_service_masks_refresh
from offers.models import ServiceCode
from tests.campaigns.factories import SubscriberAccountFactory
from tests.offers.factories import ServiceFactory

pytestmark = pytest.mark.django_db

BB, TV, PHONE, MOBILE = (
    ServiceCode.BROADBAND,
    ServiceCode.IPTV,
    ServiceCode.PHONE,
    ServiceCode.MOBILE,
)


@pytest.fixture
def svc():
    return {code: ServiceFactory(code=code) for code in ServiceCode}


def _mask(account) -> int:
    return SubscriberAccount.objects.values_list("service_mask", flat=True).get(pk=account.pk)


def test_every_service_code_has_its_own_bit():
    assert sorted(SERVICE_BITS.values()) == [1 << i for i in range(len(ServiceCode))]
    assert service_mask([BB, TV, TV]) == SERVICE_BITS[BB] | SERVICE_BITS[TV]
    assert service_mask([]) == 0


# (start, change, codes after)
CHANGES = [
    ([], lambda a, s: a.services.set([s[BB], s[TV]]), [BB, TV]),
    ([BB], lambda a, s: a.services.add(s[MOBILE]), [BB, MOBILE]),
    ([BB, TV], lambda a, s: a.services.remove(s[TV]), [BB]),
    ([BB, PHONE], lambda a, s: a.services.clear(), []),
    ([], lambda a, s: s[PHONE].accounts.add(a), [PHONE]),
    ([BB, PHONE], lambda a, s: s[PHONE].accounts.remove(a), [BB]),
    ([TV, PHONE], lambda a, s: s[TV].accounts.clear(), [PHONE]),
    ([BB], lambda a, s: campaign_services.account_upsert(
        number=a.number, data={}, service_codes=[TV, PHONE]), [TV, PHONE]),
]  # fmt: skip


@pytest.mark.parametrize(("start", "change", "after"), CHANGES)
def test_the_mask_follows_the_services(svc, start, change, after):
    account = SubscriberAccountFactory(services=[svc[c] for c in start])
    assert _mask(account) == service_mask(start)
    change(account, svc)
    assert _mask(account) == service_mask(after)


def test_the_refresh_rewrites_masks_after_a_bulk_insert_of_links(svc):
    account, other = SubscriberAccountFactory(), SubscriberAccountFactory()
    through = SubscriberAccount.services.through
    through.objects.bulk_create(
        [through(subscriberaccount=account, service=svc[code]) for code in (BB, MOBILE)]
    )  # bulk_create sends no m2m_changed
    assert _mask(account) == 0
    assert account_service_masks_refresh(account_ids=[account.pk]) == 1
    assert (_mask(account), _mask(other)) == (service_mask([BB, MOBILE]), 0)
    SubscriberAccount.objects.filter(pk=other.pk).update(service_mask=7)
    account_service_masks_refresh()
    assert _mask(other) == 0


@pytest.mark.parametrize(
    "change",
    [
        lambda fresh, s: fresh.services.add(s[TV]),
        lambda fresh, s: s[TV].accounts.add(fresh),
        lambda fresh, s: campaign_services.account_upsert(
            number=fresh.number, data={}, service_codes=[BB, TV]
        ),
    ],
)
def test_a_copy_loaded_before_the_services_changed_saves_without_its_old_mask(svc, change):
    """Two requests hold the same account: one connects a service, the other saves the copy it
    loaded before (the mask in that copy is the old one); the stored mask stays right."""
    account = SubscriberAccountFactory(services=[svc[BB]])
    stale = SubscriberAccount.objects.get(pk=account.pk)
    change(SubscriberAccount.objects.get(pk=account.pk), svc)
    stale.region = "Казань"
    stale.save()
    assert _mask(account) == service_mask([BB, TV])
    stored = SubscriberAccount.objects.get(pk=account.pk)
    assert stored.region == "Казань"
    stored.service_mask = 0  # not the mask's way of changing: a save leaves it alone
    stored.save()
    assert _mask(account) == service_mask([BB, TV])


def test_a_new_account_is_inserted_by_save_with_its_mask_at_zero(svc):
    account = SubscriberAccount(number="350000000777", surname="Иванов", first_name="Иван",
                                payment_model="credit")  # fmt: skip
    account.save()
    account.region = "Москва"
    account.save()
    assert _mask(account) == 0
    assert SubscriberAccount.objects.get(pk=account.pk).region == "Москва"

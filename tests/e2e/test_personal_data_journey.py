"""A manager, in Chromium at 768 px and from the keyboard, finds a customer's account in the admin
by the phone the customer gives (typed as people type it: the phone is encrypted, found by its
digest), opens it, and then reads in the audit that they were shown its phone and e-mail."""

from urllib.parse import urlsplit

import pytest

from campaigns.models import PersonalDataView, SubjectType, ViewSurface
from tests.campaigns.factories import SubscriberAccountFactory
from tests.config.factories import ManagerFactory
from tests.conftest import requires_chromium
from tests.e2e.admin_walk import log_in, watch

pytestmark = [pytest.mark.e2e, requires_chromium]

NUMBER = "352011070411"


@pytest.fixture
def manager(transactional_db):
    manager = ManagerFactory(username="manager", first_name="Ольга", last_name="Смирнова")
    manager.set_password("demo-manager-1")
    manager.save()
    SubscriberAccountFactory(number="352011070499", surname="Сидоров", contact_phone="+79001112233")
    account = SubscriberAccountFactory(
        number=NUMBER, surname="Петров", contact_phone="+79220601346", email="petrov@example.com"
    )
    return manager, account


def test_manager_finds_an_account_by_phone_and_reads_the_audit_of_it(
    browser_context, live_server, manager
):
    from playwright.sync_api import expect

    user, account = manager
    page = browser_context.new_page()
    page.set_viewport_size({"width": 768, "height": 1000})
    errors = watch(page)
    log_in(page, live_server.url, "manager", "demo-manager-1")

    page.goto("/admin/campaigns/subscriberaccount/")
    search = page.locator("#searchbar")
    search.focus()
    page.keyboard.type("8 (922) 060-13-46")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda address: "q=" in address)
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    link = page.get_by_role("link", name=NUMBER)
    link.focus()
    page.keyboard.press("Enter")
    change = f"/admin/campaigns/subscriberaccount/{account.pk}/change/"
    page.wait_for_url(lambda address: urlsplit(address).path == change)
    expect(page.locator("#id_contact_phone")).to_have_value("+79220601346")

    view = PersonalDataView.objects.get(user=user, subject_id=account.pk)
    assert (view.subject_type, view.surface) == (SubjectType.ACCOUNT, ViewSurface.ADMIN)
    assert view.fields == ["contact_phone", "email"]

    page.goto("/admin/campaigns/personaldataview/")
    row = page.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Форма в админке")
    expect(row).to_contain_text("контактный телефон, эл. почта")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 768, width
    assert errors == []

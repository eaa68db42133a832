"""The marketing manager, in Chromium, from one campaign page: clones last season's campaign,
gives it dates, previews its script on a real account while typing, imports its target list
(saved by Russian Excel), launches it after reading the warnings, and finds it scheduled. No
console error on any page of the way; the lists fit a 1366 px screen."""

import datetime

import pytest
from django.utils import timezone

from campaigns.models import Campaign, CampaignStatus, CampaignTarget
from tests.campaigns.factories import CampaignFactory, SubscriberAccountFactory
from tests.config.factories import ManagerFactory
from tests.conftest import requires_chromium
from tests.e2e.admin_walk import log_in, watch
from tests.e2e.russian import wrong_russian
from tests.offers.factories import OfferFactory, SegmentFactory, ServiceFactory
from tests.rewards.factories import RewardRuleFactory

pytestmark = [pytest.mark.e2e, requires_chromium]

NUMBERS = ["352000000001", "352000000002", "352000000003"]


@pytest.fixture
def season(transactional_db):
    manager = ManagerFactory(username="manager", first_name="Ольга", last_name="Смирнова")
    manager.set_password("demo-manager-1")
    manager.save()
    broadband, tv = ServiceFactory(code="broadband"), ServiceFactory(code="iptv")
    segment = SegmentFactory(name="ШПД + ТВ", services=[broadband, tv])
    offer = OfferFactory(name="Кино", service=tv)
    RewardRuleFactory(service=tv, offers=[offer])
    for number in NUMBERS:
        SubscriberAccountFactory(
            number=number, first_name="Евгений", patronymic="Михайлович", services=[broadband, tv]
        )
    return CampaignFactory(
        code="Кино_осень",
        name="Кино осенью",
        offer=offer,
        segments=[segment],
        status=CampaignStatus.ARCHIVED,
        starts_on=datetime.date(2025, 9, 1),
        ends_on=datetime.date(2025, 11, 30),
        script_template="{customer}, пакет {offer} за {price_per_day} ₽ в день.",
    )


def excel_list(tmp_path):
    path = tmp_path / "список.csv"
    rows = ["Лицевой счёт;Примечание", *(f"{n[:3]} {n[3:6]} {n[6:]};" for n in NUMBERS)]
    path.write_bytes("\r\n".join(rows).encode("cp1251"))
    return path


def test_manager_clones_schedules_and_launches_a_campaign_from_its_page(
    browser_context, live_server, season, tmp_path
):
    from playwright.sync_api import expect

    page = browser_context.new_page()
    page.set_viewport_size({"width": 1366, "height": 900})
    errors = watch(page)
    seen_text = []

    def look():
        seen_text.append(page.inner_text("body"))
        assert not errors, errors

    log_in(page, live_server.url, "manager", "demo-manager-1")
    page.goto(f"{live_server.url}/admin/campaigns/campaign/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    look()

    page.get_by_role("link", name="Кино_осень").first.click()
    page.get_by_role("link", name="Копировать").click()
    expect(page.locator("body")).to_contain_text("Создан черновик — копия кампании «Кино_осень»")
    clone = Campaign.objects.get(code="Кино_осень_2")
    assert clone.status == CampaignStatus.DRAFT
    look()

    start = timezone.localdate() + datetime.timedelta(days=1)
    end = start + datetime.timedelta(days=30)
    page.fill("#id_starts_on", start.strftime("%d.%m.%Y"))
    page.fill("#id_ends_on", end.strftime("%d.%m.%Y"))
    page.fill("#script-preview-account", "352 000 000 001")
    page.fill(
        "#id_script_template", "{customer}, новинки {offer} — всего {price_per_day} ₽ в день."
    )
    expect(page.locator("#script-preview-output")).to_contain_text(
        "Евгений Михайлович, новинки Кино"
    )
    page.click("button[name=_continue]")
    expect(page.locator("body")).to_contain_text("Сохранено: кампания «Кино_осень_2»")
    look()

    page.click("#campaign-import")
    expect(page.locator("#id_campaign")).to_have_value(str(clone.pk))
    page.set_input_files("input[type=file]", str(excel_list(tmp_path)))
    page.click("#target-upload button[type=submit]")
    expect(page.locator('[data-count="to_add"]')).to_have_text("3")
    look()
    page.click("#target-confirm button[type=submit]")
    expect(page.locator("body")).to_contain_text("В список добавлено 3 лицевых счёта.")
    expect(page.locator("#campaign-funnel")).to_contain_text("3")
    assert CampaignTarget.objects.filter(campaign=clone).count() == 3
    look()

    page.get_by_role("link", name="Запустить").click()
    expect(page.locator("#launch-ready")).to_be_visible()  # list, rule, segments: all there
    look()
    page.get_by_role("button", name="Запланировать").click()
    expect(page.locator("body")).to_contain_text("Кампания запланирована")
    clone.refresh_from_db()
    assert clone.status == CampaignStatus.SCHEDULED
    assert (clone.starts_on, clone.ends_on) == (start, end)
    look()

    for text in seen_text:
        assert not wrong_russian(text), wrong_russian(text)

"""A campaign managed from its own page (campaigns.admin.campaign): launch with warnings, pause,
archive, clone, the live funnel and target list, the live script preview, the owner picker, and
dates and priority for many from the list."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, CampaignStatus
from tests.campaigns.factories import (
    CampaignFactory,
    CampaignTargetFactory,
    SubscriberAccountFactory,
)
from tests.config.factories import ManagerFactory, SupervisorFactory, UserFactory
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db

S = CampaignStatus


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def page(campaign):
    return reverse("admin:campaigns_campaign_change", args=[campaign.pk])


def detail(name, campaign):
    return reverse(f"admin:campaigns_campaign_{name}", args=[campaign.pk])


def texts(response):
    return [str(message) for message in response.context["messages"]]


def test_the_page_shows_the_live_funnel_and_the_target_list(manager_client):
    campaign = CampaignFactory()
    CampaignTargetFactory.create_batch(2, campaign=campaign, result="thinking")
    CampaignTargetFactory(campaign=campaign, result="agreed")
    html = manager_client.get(page(campaign)).content.decode()
    assert 'id="campaign-funnel"' in html
    assert (
        '<span class="campaign-funnel-count">3</span> <span class="campaign-funnel-label">В целевом списке'
        in html
    )
    assert (
        '<span class="campaign-funnel-count">2</span> <span class="campaign-funnel-label">Клиент думает'
        in html
    )
    import_url = reverse("admin:campaigns_campaigntarget_import_target_list")
    assert f'href="{import_url}?campaign={campaign.pk}"' in html
    assert "В списке 3 лицевых счёта" in html


def test_the_page_costs_the_same_queries_with_one_target_or_many(
    manager_client, django_assert_max_num_queries
):
    campaign = CampaignFactory()
    CampaignTargetFactory(campaign=campaign)
    manager_client.get(page(campaign))
    with CaptureQueriesContext(connection) as one:
        manager_client.get(page(campaign))
    CampaignTargetFactory.create_batch(8, campaign=campaign)
    with django_assert_max_num_queries(len(one.captured_queries)):
        manager_client.get(page(campaign))


def test_launch_shows_the_warnings_first_then_schedules_a_later_start(manager_client, manager):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    campaign = CampaignFactory(status=S.DRAFT, starts_on=tomorrow)
    confirm = manager_client.get(detail("launch_detail", campaign))
    html = confirm.content.decode()
    assert "У кампании нет целевого списка" in html
    assert "Запланировать" in html
    campaign.refresh_from_db()
    assert campaign.status == S.DRAFT  # looking is not launching
    done = manager_client.post(detail("launch_detail", campaign), follow=True)
    campaign.refresh_from_db()
    assert campaign.status == S.SCHEDULED
    assert campaign.history.first().history_user == manager
    assert any("запланирована" in text for text in texts(done))


def test_launch_of_a_started_campaign_makes_it_active(manager_client):
    campaign = CampaignFactory(status=S.PAUSED, starts_on=timezone.localdate())
    done = manager_client.post(detail("launch_detail", campaign), follow=True)
    campaign.refresh_from_db()
    assert campaign.status == S.ACTIVE
    assert texts(done) == ["Кампания запущена: операторы уже видят её."]


def test_an_ended_campaign_offers_no_launch(manager_client):
    campaign = CampaignFactory(
        status=S.DRAFT, starts_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2020, 2, 1)
    )
    html = manager_client.get(detail("launch_detail", campaign)).content.decode()
    assert "Дата окончания прошла" in html
    assert '<form method="post"' not in html.split('id="campaign-launch"')[1]


def test_pause_and_archive_from_the_page(manager_client):
    campaign = CampaignFactory(status=S.ACTIVE)
    manager_client.get(detail("pause_detail", campaign))
    campaign.refresh_from_db()
    assert campaign.status == S.PAUSED
    manager_client.get(detail("archive_detail", campaign))
    campaign.refresh_from_db()
    assert campaign.status == S.ARCHIVED


def test_clone_opens_the_new_draft(manager_client, manager):
    campaign = CampaignFactory(code="Кино_01", status=S.ARCHIVED)
    response = manager_client.get(detail("clone_detail", campaign))
    clone = Campaign.objects.get(code="Кино_01_2")
    assert response.url == page(clone)
    assert (clone.status, clone.owner) == (S.DRAFT, manager)


def test_a_supervisor_may_neither_launch_nor_clone(client):
    client.force_login(SupervisorFactory())
    campaign = CampaignFactory(status=S.DRAFT)
    for name in ("launch_detail", "clone_detail", "pause_detail"):
        assert client.post(detail(name, campaign)).status_code == 403, name
    campaign.refresh_from_db()
    assert campaign.status == S.DRAFT
    assert Campaign.objects.count() == 1


def test_dates_and_priority_for_many_from_the_list(manager_client):
    first, second = CampaignFactory.create_batch(2, priority=100)
    changelist = reverse("admin:campaigns_campaign_changelist")
    selection = {"action": "edit_dates_and_priority", "_selected_action": [first.pk, second.pk]}
    form = manager_client.post(changelist, selection)
    assert "Даты и приоритет" in form.content.decode()
    done = manager_client.post(
        changelist,
        {**selection, "apply": "1", "ends_on": "31.12.2026", "priority": "250"},
        follow=True,
    )
    for campaign in (first, second):
        campaign.refresh_from_db()
        assert (campaign.ends_on, campaign.priority) == (datetime.date(2026, 12, 31), 250)
    assert texts(done) == ["Даты и приоритет изменены: 2 кампании."]


def test_the_script_preview_reads_to_the_chosen_account(manager_client):
    offer = OfferFactory(name="Антивирус")
    SubscriberAccountFactory(number="352011070411", first_name="Евгений", patronymic="Михайлович")
    url = reverse("admin:campaigns_campaign_script_preview")
    response = manager_client.post(
        url,
        {
            "offer": offer.pk,
            "script_template": "{customer}, предлагаем {offer}.",
            "account": "352 011 070 411",
        },
    )
    data = response.json()
    assert "Евгений Михайлович, предлагаем Антивирус." in data["html"]
    assert manager_client.post(url, {"script_template": "x"}).json()["customer"] == ""


def test_the_owner_picker_lists_managers_by_name(manager_client, manager):
    manager.first_name, manager.last_name = "Ольга", "Смирнова"
    manager.save()
    UserFactory(username="agent-login")
    ManagerFactory(username="other", first_name="Пётр", last_name="Иванов")
    form = manager_client.get(reverse("admin:campaigns_campaign_add")).context["adminform"].form
    labels = [label for _value, label in form.fields["owner"].choices][1:]
    assert labels == ["Иванов Пётр", "Смирнова Ольга"]

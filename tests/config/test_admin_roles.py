"""The three roles on the admin, the sidebar each one sees, and the unfold look of the system admins."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from django_celery_results.models import TaskResult
from unfold.admin import ModelAdmin
from unfold.forms import UserChangeForm

from campaigns.models import Campaign
from knowledge_base.models import Article
from offers.models import Offer, ServiceCode
from rewards.models import RewardRule
from tests.campaigns.factories import CampaignFactory
from tests.config.factories import ManagerFactory, UserFactory
from tests.offers.factories import OfferFactory, SegmentFactory, ServiceFactory
from tests.rewards.factories import RewardRuleFactory

pytestmark = pytest.mark.django_db

# The catalogue a manager keeps and a supervisor may only look at.
VIEWABLE_BY_SUPERVISORS = ["offers_offer", "campaigns_campaign", "rewards_rewardrule"]


@pytest.fixture
def catalogue(db):
    offer = OfferFactory(
        service=ServiceFactory(code=ServiceCode.BROADBAND),
        segments=[SegmentFactory()],
    )
    return {
        "offers_service": offer.service,
        "offers_segment": offer.segments.get(),
        "offers_offer": offer,
        "campaigns_campaign": CampaignFactory(offer=offer),
        "rewards_rewardrule": RewardRuleFactory(service=offer.service),
    }


def offer_data(service, **changes):
    return {
        "name": "Антивирус",
        "code": "kaspersky-2",
        "kind": "subscription",
        "service": service.pk,
        "is_active": "on",
        "monthly_price": "139.00",
        "promo_days": "30",
        "speed_mbps": "",
        "description": "",
        "segments": [],
        **changes,
    }


def test_a_manager_adds_changes_and_deletes_catalogue_objects(client, manager, catalogue):
    client.force_login(manager)
    service = catalogue["offers_service"]
    for name in (
        "offers_service",
        "offers_segment",
        "offers_offer",
        "campaigns_campaign",
        "rewards_rewardrule",
    ):
        assert client.get(reverse(f"admin:{name}_add")).status_code == 200, name

    response = client.post(reverse("admin:offers_offer_add"), offer_data(service))
    assert response.status_code == 302, response.content.decode()[:2000]
    offer = Offer.objects.get(code="kaspersky-2")

    response = client.post(
        reverse("admin:offers_offer_change", args=[offer.pk]),
        offer_data(service, monthly_price="238.00"),
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.monthly_price == Decimal("238.00")

    response = client.post(reverse("admin:offers_offer_delete", args=[offer.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Offer.objects.filter(pk=offer.pk).exists()

    campaign = catalogue["campaigns_campaign"]
    response = client.post(
        reverse("admin:campaigns_campaign_delete", args=[campaign.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Campaign.objects.filter(pk=campaign.pk).exists()

    rule = catalogue["rewards_rewardrule"]
    response = client.post(
        reverse("admin:rewards_rewardrule_delete", args=[rule.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not RewardRule.objects.filter(pk=rule.pk).exists()


@pytest.mark.parametrize(
    "name", ["campaigns_department", "campaigns_team", "campaigns_agentprofile"]
)
def test_a_manager_only_looks_at_the_sales_floor(client, manager, name):
    client.force_login(manager)
    assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{name}_add")).status_code == 403


@pytest.mark.parametrize("name", VIEWABLE_BY_SUPERVISORS)
def test_a_supervisor_views_but_cannot_change_the_catalogue(client, supervisor, catalogue, name):
    client.force_login(supervisor)
    obj = catalogue[name]
    assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{name}_change", args=[obj.pk])).status_code == 200

    assert client.get(reverse(f"admin:{name}_add")).status_code == 403
    assert client.post(reverse(f"admin:{name}_add"), {"name": "x"}).status_code == 403
    assert client.post(reverse(f"admin:{name}_change", args=[obj.pk]), {}).status_code == 403
    assert (
        client.post(reverse(f"admin:{name}_delete", args=[obj.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert client.get(reverse(f"admin:{name}_import")).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_a_supervisor_does_not_see_services_segments_or_accounts(client, supervisor, catalogue):
    client.force_login(supervisor)
    for name in ("offers_service", "offers_segment", "campaigns_subscriberaccount"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 403, name


@pytest.mark.parametrize(
    "url_name",
    ["admin:index", "admin:offers_offer_changelist", "admin:campaigns_campaign_changelist"],
)
def test_an_agent_is_sent_to_the_admin_login(client, agent, url_name):
    client.force_login(agent)
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_an_anonymous_visitor_is_sent_to_the_admin_login(client):
    response = client.get(reverse("admin:offers_offer_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def sidebar_titles(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return {
        str(item["title"])
        for group in response.context["sidebar_navigation"]
        for item in group["items"]
        if item["has_permission"]
    }


def sidebar_links(client):
    response = client.get(reverse("admin:index"))
    return {
        str(item["link_callback"])
        for group in response.context["sidebar_navigation"]
        for item in group["items"]
        if item["has_permission"]
    }


def test_the_sidebar_shows_each_role_only_what_it_may_view(client, manager, supervisor):
    client.force_login(manager)
    manager_links = sidebar_links(client)
    for name in (
        "offers_service",
        "offers_segment",
        "offers_offer",
        "campaigns_campaign",
        "campaigns_campaigntarget",
        "campaigns_subscriberaccount",
        "campaigns_department",
        "campaigns_team",
        "campaigns_agentprofile",
        "rewards_rewardrule",
        "django_celery_results_taskresult",
        "django_celery_beat_periodictask",
    ):
        assert reverse(f"admin:{name}_changelist") in manager_links, name
    assert reverse("admin:auth_user_changelist") not in manager_links
    assert reverse("admin:auth_group_changelist") not in manager_links

    client.force_login(supervisor)
    assert sidebar_links(client) == {
        reverse("admin:offers_offer_changelist"),
        reverse("admin:campaigns_campaign_changelist"),
        reverse("admin:campaigns_team_changelist"),
        reverse("admin:campaigns_agentprofile_changelist"),
        reverse("admin:rewards_rewardrule_changelist"),
    }


def test_every_sidebar_link_opens_for_a_superuser(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    links = sidebar_links(client)
    assert reverse("admin:auth_user_changelist") in links
    assert reverse("admin:auth_group_changelist") in links
    for link in links:
        assert client.get(link).status_code == 200, link


def test_the_knowledge_base_is_in_the_sidebar_once_its_admin_is_registered(client, manager):
    client.force_login(manager)
    links = sidebar_links(client)
    if admin.site.is_registered(Article):
        assert reverse("admin:knowledge_base_article_changelist") in links
    else:
        assert not any("knowledge_base" in link for link in links)


def test_users_and_groups_have_the_unfold_admin(client):
    user_admin = admin.site._registry[get_user_model()]
    assert isinstance(user_admin, ModelAdmin)
    assert user_admin.form is UserChangeForm
    assert isinstance(admin.site._registry[Group], ModelAdmin)

    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    someone = ManagerFactory()
    for url in (
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_add"),
        reverse("admin:auth_user_change", args=[someone.pk]),
        reverse("admin:auth_user_password_change", args=[someone.pk]),
        reverse("admin:auth_group_changelist"),
        reverse("admin:auth_group_change", args=[Group.objects.first().pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_a_manager_reads_task_results_and_periodic_tasks(client, manager):
    assert isinstance(admin.site._registry[TaskResult], ModelAdmin)
    assert isinstance(admin.site._registry[PeriodicTask], ModelAdmin)
    TaskResult.objects.create(task_id="t-1", task_name="campaigns.tasks.archive_expired_campaigns")
    schedule = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    task = PeriodicTask.objects.create(
        name="archive", task="campaigns.tasks.archive_expired_campaigns", interval=schedule
    )
    client.force_login(manager)
    for url in (
        reverse("admin:django_celery_results_taskresult_changelist"),
        reverse("admin:django_celery_beat_periodictask_changelist"),
        reverse("admin:django_celery_beat_periodictask_change", args=[task.pk]),
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("admin:django_celery_beat_periodictask_add")).status_code == 403

"""The campaigns admin: pages and query counts, the script preview, status actions, import/export."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import escape

from campaigns.models import Campaign, CampaignStatus
from campaigns.resources import CampaignResource
from campaigns.services.campaigns import campaigns_set_status
from offers import pricing
from offers.models import ServiceCode
from tests.campaigns.factories import (
    AgentProfileFactory,
    CampaignFactory,
    CampaignTargetFactory,
    DepartmentFactory,
    SubscriberAccountFactory,
    TeamFactory,
)
from tests.config.factories import UserFactory
from tests.offers.factories import OfferFactory, SegmentFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def make_team(n=0, supervisors=1):
    return TeamFactory(supervisors=UserFactory.create_batch(supervisors))


def make_campaign(n=0, segments=2, targets=2):
    campaign = CampaignFactory(segments=SegmentFactory.create_batch(segments))
    CampaignTargetFactory.create_batch(targets, campaign=campaign)
    return campaign


def make_account(n=0, services=2):
    codes = list(ServiceCode)[:services]
    return SubscriberAccountFactory(services=[ServiceFactory(code=code) for code in codes])


def make_department(n=0, teams=1):
    department = DepartmentFactory()
    TeamFactory.create_batch(teams, department=department)
    return department


CHANGELISTS = {
    "department": make_department,
    "team": make_team,
    "agentprofile": lambda n: AgentProfileFactory(),
    "subscriberaccount": make_account,
    "campaign": make_campaign,
    "campaigntarget": lambda n: CampaignTargetFactory(),
}


@pytest.mark.parametrize("model", CHANGELISTS)
def test_changelist_runs_the_same_queries_for_one_row_and_five(client, manager, model):
    client.force_login(manager)
    url = reverse(f"admin:campaigns_{model}_changelist")
    CHANGELISTS[model](0)
    client.get(url)  # warm the per-process caches
    one = count_queries(client, url)
    for n in range(1, 5):
        CHANGELISTS[model](n)
    five = count_queries(client, url)
    assert one == five


# Objects with one related row and with five: the change page must not grow with them.
CHANGE_PAGES = {
    "department": lambda size: make_department(teams=size),
    "team": lambda size: make_team(supervisors=size),
    "agentprofile": lambda size: AgentProfileFactory(),
    "subscriberaccount": lambda size: make_account(services=min(size, 4)),
    "campaign": lambda size: make_campaign(segments=size, targets=size),
    "campaigntarget": lambda size: CampaignTargetFactory(),
}


@pytest.mark.parametrize("model", CHANGE_PAGES)
def test_change_page_loads_with_constant_queries(client, superuser_client, model):
    small = CHANGE_PAGES[model](1)
    large = CHANGE_PAGES[model](5)
    url = f"admin:campaigns_{model}_change"
    superuser_client.get(reverse(url, args=[small.pk]))
    baseline = count_queries(superuser_client, reverse(url, args=[small.pk]))
    assert count_queries(superuser_client, reverse(url, args=[large.pk])) == baseline


@pytest.mark.parametrize("model", CHANGE_PAGES)
def test_manager_opens_every_change_page(client, manager, model):
    client.force_login(manager)
    obj = CHANGE_PAGES[model](1)
    assert client.get(reverse(f"admin:campaigns_{model}_change", args=[obj.pk])).status_code == 200


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_campaign_page_previews_the_script_for_a_sample_customer(client, manager):
    client.force_login(manager)
    offer = OfferFactory(name="Антивирус", monthly_price=Decimal("139.00"))
    campaign = CampaignFactory(
        offer=offer,
        script_template="{customer}, предлагаем {offer} за {price_per_day} ₽ в день.\n<b>Да?</b>",
        connection_script_template="Подключаю {offer}.",
    )
    page = client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk]))
    html = page.content.decode()

    today = timezone.localdate()
    per_day = number_format(pricing.price_per_day(Decimal("139.00"), on=today), decimal_pos=2)
    assert per_day.replace(".", ",") == per_day  # Russian: a decimal comma
    assert f"Евгений Михайлович, предлагаем Антивирус за {per_day} ₽ в день." in html
    assert "Подключаю Антивирус." in html
    # The script is text: markup in it is shown, not obeyed.
    assert "&lt;b&gt;Да?&lt;/b&gt;" in html
    assert "<b>Да?</b>" not in html
    for name in ("customer", "price_per_day", "first_charge", "promo_days"):
        assert "{" + name + "}" in html


def test_campaign_add_page_explains_that_the_preview_comes_after_saving(client, manager):
    client.force_login(manager)
    assert client.get(reverse("admin:campaigns_campaign_add")).status_code == 200


def test_a_campaign_added_in_the_admin_starts_as_a_draft_owned_by_its_author(client, manager):
    client.force_login(manager)
    offer = OfferFactory()
    response = client.post(
        reverse("admin:campaigns_campaign_add"),
        {
            "code": "Антивирус_vo12_CRM_MR03",
            "name": "Антивирус",
            "offer": offer.pk,
            "priority": 100,
            "owner": "",
            "script_template": "{customer}, антивирус за {price_per_day} ₽ в день.",
            "connection_script_template": "",
            "segments": [],
            "starts_on": "2026-11-01",
            "ends_on": "",
            "cooldown_days": 30,
            # The learning's settings as the form offers them (issue 13).
            "value_basis": "monthly_fee",
            "value_amount": "0",
            "exploration_share": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    campaign = Campaign.objects.get(code="Антивирус_vo12_CRM_MR03")
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.owner == manager


def run_action(client, action, campaigns):
    return client.post(
        reverse("admin:campaigns_campaign_changelist"),
        {"action": action, "_selected_action": [c.pk for c in campaigns]},
        follow=True,
    )


def test_status_actions_move_campaigns_through_the_service(client, manager):
    client.force_login(manager)
    draft = CampaignFactory(status=CampaignStatus.DRAFT)
    archived = CampaignFactory(status=CampaignStatus.ARCHIVED)

    response = run_action(client, "activate", [draft, archived])
    assert response.status_code == 200
    draft.refresh_from_db()
    archived.refresh_from_db()
    assert draft.status == CampaignStatus.ACTIVE
    assert archived.status == CampaignStatus.ARCHIVED  # archived stays archived
    assert draft.history.first().history_user == manager
    messages = [str(m) for m in response.context["messages"]]
    assert any("1" in m and "2" in m for m in messages), messages

    run_action(client, "pause", [draft])
    draft.refresh_from_db()
    assert draft.status == CampaignStatus.PAUSED

    run_action(client, "archive", [draft])
    draft.refresh_from_db()
    assert draft.status == CampaignStatus.ARCHIVED


def test_activation_skips_campaigns_that_have_already_ended(manager):
    ended = CampaignFactory(
        status=CampaignStatus.PAUSED,
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2020, 2, 1),
    )
    moved = campaigns_set_status(campaigns=[ended], status=CampaignStatus.ACTIVE, by=manager)
    assert moved == 0
    ended.refresh_from_db()
    assert ended.status == CampaignStatus.PAUSED


def test_campaigns_cannot_be_moved_back_to_draft(manager):
    campaign = CampaignFactory(status=CampaignStatus.ACTIVE)
    with pytest.raises(ValueError):
        campaigns_set_status(campaigns=[campaign], status=CampaignStatus.DRAFT, by=manager)


def test_a_supervisor_cannot_run_status_actions(client, supervisor):
    client.force_login(supervisor)
    campaign = CampaignFactory(status=CampaignStatus.DRAFT)
    response = run_action(client, "activate", [campaign])
    assert response.status_code in (200, 403)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


CSV_HEADER = "code,name,offer,script_template,segments,starts_on,ends_on,priority,status\n"


def preview(client, content):
    file = io.BytesIO(content.encode())
    file.name = "campaigns.csv"
    return client.post(
        reverse("admin:campaigns_campaign_import"),
        {"resource": "0", "format": "0", "import_file": file},
    )


@pytest.fixture
def kaspersky(db):
    broadband = ServiceFactory(code=ServiceCode.BROADBAND)
    SegmentFactory(code="bb", services=[broadband])
    return OfferFactory(code="kaspersky-2", name="Антивирус", service=broadband)


def test_import_creates_draft_campaigns_owned_by_the_importer(client, manager, kaspersky):
    client.force_login(manager)
    response = preview(
        client,
        CSV_HEADER
        + "Антивирус_vo12_CRM_MR03,Антивирус,kaspersky-2,"
        + '"{customer}, антивирус за {price_per_day} ₽ в день.",bb,2026-11-01,,100,active\n',
    )
    confirm_form = response.context["confirm_form"]
    response = client.post(reverse("admin:campaigns_campaign_process_import"), confirm_form.initial)
    assert response.status_code == 302

    campaign = Campaign.objects.get(code="Антивирус_vo12_CRM_MR03")
    assert campaign.offer == kaspersky
    assert list(campaign.segments.values_list("code", flat=True)) == ["bb"]
    assert campaign.starts_on == datetime.date(2026, 11, 1)
    # An import never switches a campaign on: that goes through the status actions.
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.owner == manager


@pytest.mark.parametrize(
    ("bad_row", "field"),
    [
        ("B,Б,no-such-offer,Текст,bb,2026-11-01,,100,draft\n", "offer"),
        ("B,Б,kaspersky-2,{customer} {discount},bb,2026-11-01,,100,draft\n", "script_template"),
        ("B,Б,kaspersky-2,Текст,bb,2026-11-01,2026-10-01,100,draft\n", "ends_on"),
    ],
    ids=["unknown offer", "unknown placeholder", "ends before it starts"],
)
def test_a_campaign_file_with_one_bad_row_imports_nothing(
    client, manager, kaspersky, bad_row, field
):
    client.force_login(manager)
    good_row = "A,А,kaspersky-2,Текст,bb,2026-11-01,,100,draft\n"
    response = preview(client, CSV_HEADER + good_row + bad_row)
    assert "confirm_form" not in response.context
    result = response.context["result"]
    assert [row.number for row in result.invalid_rows] == [2]
    assert field in result.invalid_rows[0].error_dict
    assert escape(result.invalid_rows[0].error_dict[field][0]) in response.content.decode()
    assert not Campaign.objects.exists()


def test_campaign_export_csv_and_xlsx(client, manager, kaspersky):
    client.force_login(manager)
    CampaignFactory(code="Антивирус_vo12_CRM_MR03", offer=kaspersky, owner=manager)
    url = reverse("admin:campaigns_campaign_export")
    selected = {f"campaignresource_{name}": "on" for name in CampaignResource().fields}

    csv_response = client.post(url, {"resource": "0", "format": "0", **selected})
    assert csv_response.status_code == 200
    lines = csv_response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("code,name,offer,script_template")
    assert lines[1].startswith("Антивирус_vo12_CRM_MR03,")
    assert ",kaspersky-2," in lines[1]
    assert lines[1].endswith(",active,manager")

    xlsx_response = client.post(url, {"resource": "0", "format": "1", **selected})
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx_response.content)).active.values)
    assert rows[1][0] == "Антивирус_vo12_CRM_MR03"


@pytest.mark.parametrize(
    ("model", "make"),
    [
        ("campaign", lambda: CampaignFactory()),
        ("team", lambda: TeamFactory()),
        ("agentprofile", lambda: AgentProfileFactory()),
    ],
)
def test_history_pages_load_for_a_manager(client, manager, model, make):
    client.force_login(manager)
    obj = make()
    response = client.get(reverse(f"admin:campaigns_{model}_history", args=[obj.pk]))
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == obj.history.count() > 0


def test_a_manager_looks_up_offers_by_name_while_editing_a_campaign(client, manager):
    client.force_login(manager)
    offer = OfferFactory(name="Антивирус Касперского")
    OfferFactory(name="Пакет «Кино»")
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "campaigns",
            "model_name": "campaign",
            "field_name": "offer",
            "term": "Антивирус",
        },
    )
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [str(offer.pk)]

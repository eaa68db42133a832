"""Admin for peak hours, outages, appeals, history, target lists and account imports."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import CampaignTarget, SubscriberAccount
from tests.campaigns.factories import (
    AppealFactory,
    CampaignFactory,
    CampaignTargetFactory,
    ContactHistoryEntryFactory,
    OutageFactory,
    PeakHoursFactory,
    SubscriberAccountFactory,
)
from tests.offers.factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


MAKERS = {
    "peakhours": lambda: PeakHoursFactory(),
    "outage": lambda: OutageFactory(),
    "appeal": lambda: AppealFactory(),
    "contacthistoryentry": lambda: ContactHistoryEntryFactory(),
}


@pytest.mark.parametrize("model", MAKERS)
def test_changelist_runs_the_same_queries_for_one_row_and_five(manager_client, model):
    url = reverse(f"admin:campaigns_{model}_changelist")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert manager_client.get(url).status_code == 200
        return len(ctx)

    MAKERS[model]()
    one = count()
    for _ in range(4):
        MAKERS[model]()
    assert count() == one


def test_appeal_change_page_shows_its_history_read_only(manager_client):
    entry = ContactHistoryEntryFactory(appeal=AppealFactory())
    url = reverse("admin:campaigns_appeal_change", args=[entry.appeal_id])
    response = manager_client.get(url)
    assert response.status_code == 200
    assert entry.comment in response.content.decode()
    assert manager_client.post(url, {}).status_code == 403


def test_manager_switches_an_outage_on_in_the_admin(manager_client):
    response = manager_client.post(
        reverse("admin:campaigns_outage_add"),
        {
            "title": "Авария ШПД, Тверь",
            "region": "Тверь",
            "starts_at_0": "25.11.2026",
            "starts_at_1": "10:00",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def upload(text, name="targets.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_target_list_import_previews_then_confirms(manager_client):
    SubscriberAccountFactory(number="352011070411")
    CampaignFactory(code="Антивирус_vo12_CRM_MR03")
    url = reverse("admin:campaigns_campaigntarget_import_target_list")
    preview = manager_client.post(url, {"file": upload("352011070411;Антивирус_vo12_CRM_MR03\n")})
    assert preview.status_code == 200
    assert preview.context["report"].ok
    assert not CampaignTarget.objects.exists()
    done = manager_client.post(url, {"token": preview.context["token"]})
    assert done.status_code == 302
    assert CampaignTarget.objects.count() == 1


def test_target_list_with_a_bad_row_shows_it_and_cannot_be_confirmed(manager_client):
    CampaignFactory(code="C1")
    url = reverse("admin:campaigns_campaigntarget_import_target_list")
    preview = manager_client.post(url, {"file": upload("123;C1\n")})
    html = preview.content.decode()
    assert "Номер лицевого счёта — ровно 12 цифр." in html
    assert 'name="token"' not in html
    assert not CampaignTarget.objects.exists()


def test_a_list_for_a_chosen_campaign_from_russian_excel_lands_on_the_campaign_page(
    manager_client,
):
    SubscriberAccountFactory(number="352011070411")
    campaign = CampaignFactory(code="Антивирус_vo12_CRM_MR03")
    url = reverse("admin:campaigns_campaigntarget_import_target_list")
    assert manager_client.get(f"{url}?campaign={campaign.pk}").context["form"][
        "campaign"
    ].value() == str(campaign.pk)
    data = "Лицевой счёт;Примечание\n352 011 070 411;звонил\n".encode("cp1251")
    file = SimpleUploadedFile("список.csv", data, content_type="text/csv")
    preview = manager_client.post(url, {"campaign": campaign.pk, "file": file})
    assert preview.context["report"].to_add == 1
    assert 'data-count="to_add">1<' in preview.content.decode()
    done = manager_client.post(url, {"token": preview.context["token"], "campaign": campaign.pk})
    assert done.url == reverse("admin:campaigns_campaign_change", args=[campaign.pk])
    assert CampaignTarget.objects.get().campaign == campaign


def test_the_list_template_is_a_spreadsheet_with_the_account_column(manager_client):
    response = manager_client.get(reverse("admin:campaigns_campaigntarget_import_template"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [cell.value for cell in book.active[1]] == ["номер лицевого счёта"]


def test_a_target_list_is_exported_with_labels_and_local_times(manager_client):
    target = CampaignTargetFactory(result="thinking")
    response = manager_client.post(
        reverse("admin:campaigns_campaigntarget_export"),
        {
            "format": "0",
            "campaigntargetresource_campaign": "on",
            "campaigntargetresource_account": "on",
            "campaigntargetresource_result": "on",
            "resource": "0",
        },
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book.active.values)
    assert rows[1][:3] == (target.campaign.code, target.account.number, "Клиент думает")


def test_target_list_import_refuses_other_file_types(manager_client):
    url = reverse("admin:campaigns_campaigntarget_import_target_list")
    response = manager_client.post(url, {"file": upload("x", name="list.pdf")})
    assert response.context["form"].errors["file"]


def test_supervisor_cannot_import_target_lists(client, supervisor):
    client.force_login(supervisor)
    url = reverse("admin:campaigns_campaigntarget_import_target_list")
    assert client.get(url).status_code == 403


def test_accounts_import_from_csv_with_preview(manager_client):
    ServiceFactory(code="broadband")
    content = (
        "number,surname,first_name,patronymic,payment_model,balance,financial_block,services,offers,contact_phone,email,region\n"
        "352000000123,Иванов,Иван,Иванович,advance,100.50,0,broadband,,+79160000000,,Москва\n"
    )
    response = manager_client.post(
        reverse("admin:campaigns_subscriberaccount_import"),
        {"resource": "0", "format": "0", "import_file": upload(content, "accounts.csv")},
    )
    confirm = response.context["confirm_form"]
    manager_client.post(
        reverse("admin:campaigns_subscriberaccount_process_import"), confirm.initial
    )
    account = SubscriberAccount.objects.get(number="352000000123")
    assert [s.code for s in account.services.all()] == ["broadband"]
    assert account.balance == 100.5
    assert account.created_at.date() <= datetime.date.today()

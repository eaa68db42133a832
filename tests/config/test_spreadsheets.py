"""xlsx exports a manager reads at once (config.floor.spreadsheets): widths, money, dates."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from config.floor.spreadsheets import DATE, DATETIME, MONEY, NUMBER, styled
from tests.campaigns.factories import CampaignFactory


def workbook(rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_columns_fit_their_contents_and_numbers_have_their_formats():
    data = workbook(
        [
            ["Кампания", "Вознаграждение, ₽", "Доля ARPU", "Начало", "Записано", "Заявок"],
            [
                "Антивирус_vo12_CRM_MR03",
                87.5,
                0.75,
                datetime.date(2026, 10, 1),
                datetime.datetime(2026, 10, 1, 9, 30),
                12,
            ],
        ]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(styled(data))).active
    _name, money, share, day, moment, count = sheet[2]
    assert (money.number_format, share.number_format) == (MONEY, NUMBER)
    assert (day.number_format, moment.number_format) == (DATE, DATETIME)
    assert count.number_format == "0"
    assert sheet.column_dimensions["A"].width == len("Антивирус_vo12_CRM_MR03") + 2
    assert sheet.column_dimensions["B"].width == len("Вознаграждение, ₽") + 2
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"


@pytest.mark.django_db
def test_the_admins_xlsx_export_is_styled(client, manager):
    client.force_login(manager)
    CampaignFactory(code="Антивирус_vo12_CRM_MR03", starts_on=datetime.date(2026, 10, 1))
    response = client.post(
        reverse("admin:campaigns_campaign_export"),
        {
            "format": "1",
            "resource": "0",
            "campaignresource_code": "on",
            "campaignresource_starts_on": "on",
        },
    )
    assert response.status_code == 200, response.content.decode()[:1000]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.column_dimensions["A"].width >= len("Антивирус_vo12_CRM_MR03")
    assert sheet.freeze_panes == "A2"
    starts = sheet["B2"]
    assert starts.value == datetime.datetime(2026, 10, 1)  # a date, not the text «01.10.2026»
    assert starts.number_format == DATE

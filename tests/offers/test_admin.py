"""The catalogue admin: pages, query counts, history with revert, import and export."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.text import capfirst

from offers.models import Offer, Service, ServiceCode
from tests.offers.factories import OfferFactory, SegmentFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def make_offer(**kwargs):
    segments = SegmentFactory.create_batch(2)
    return OfferFactory(segments=segments, **kwargs)


CHANGELISTS = [
    ("offers_service", lambda n: ServiceFactory(code=list(ServiceCode)[n % 4])),
    ("offers_segment", lambda n: SegmentFactory(services=[ServiceFactory()])),
    ("offers_offer", lambda n: make_offer()),
]


@pytest.mark.parametrize(("name", "make"), CHANGELISTS, ids=[c[0] for c in CHANGELISTS])
def test_changelist_runs_the_same_queries_for_one_row_and_five(client, manager, name, make):
    client.force_login(manager)
    url = reverse(f"admin:{name}_changelist")
    make(0)
    client.get(url)  # warm the caches (content types, permissions of the session)
    one = count_queries(client, url)
    for n in range(1, 5):
        make(n)
    five = count_queries(client, url)
    assert one == five


@pytest.mark.parametrize("size", [1, 5])
def test_offer_change_page_queries_do_not_grow_with_segments(client, manager, size):
    client.force_login(manager)
    small = OfferFactory(segments=SegmentFactory.create_batch(1))
    large = OfferFactory(segments=SegmentFactory.create_batch(size))
    client.get(reverse("admin:offers_offer_change", args=[small.pk]))
    baseline = count_queries(client, reverse("admin:offers_offer_change", args=[small.pk]))
    assert count_queries(client, reverse("admin:offers_offer_change", args=[large.pk])) == baseline


def test_segment_and_service_change_pages_load(client, manager):
    client.force_login(manager)
    service = ServiceFactory()
    segment = SegmentFactory(services=[service])
    for url in (
        reverse("admin:offers_service_change", args=[service.pk]),
        reverse("admin:offers_segment_change", args=[segment.pk]),
        reverse("admin:offers_segment_add"),
        reverse("admin:offers_offer_add"),
    ):
        assert client.get(url).status_code == 200, url


def test_offer_changelist_speaks_russian_with_labelled_columns(client, manager):
    client.force_login(manager)
    make_offer(name="Антивирус")
    response = client.get(reverse("admin:offers_offer_changelist"))
    page = response.content.decode()
    assert '<html lang="ru"' in page
    assert "Антивирус" in page
    with translation.override("ru"):
        for label in (
            Offer._meta.verbose_name_plural,
            Offer._meta.get_field("monthly_price").verbose_name,
            Offer._meta.get_field("segments").verbose_name,
        ):
            assert escape(capfirst(str(label))) in page, label


def offer_form_data(offer, **changes):
    data = {
        "name": offer.name,
        "code": offer.code,
        "kind": offer.kind,
        "service": offer.service_id,
        "is_active": "on" if offer.is_active else "",
        "monthly_price": str(offer.monthly_price),
        "promo_days": offer.promo_days,
        "speed_mbps": "",
        "description": offer.description,
        "segments": [s.pk for s in offer.segments.all()],
    }
    data.update(changes)
    return data


def test_changing_a_price_records_history_shows_the_diff_and_reverts(client, manager):
    client.force_login(manager)
    offer = make_offer(monthly_price=Decimal("139.00"))
    change_url = reverse("admin:offers_offer_change", args=[offer.pk])
    records_before = offer.history.count()

    response = client.post(change_url, offer_form_data(offer, monthly_price="238.00"))
    assert response.status_code == 302, response.content.decode()[:2000]
    offer.refresh_from_db()
    assert offer.monthly_price == Decimal("238.00")
    assert offer.history.count() == records_before + 1
    latest = offer.history.first()
    assert latest.history_user == manager

    history_page = client.get(reverse("admin:offers_offer_history", args=[offer.pk]))
    assert history_page.status_code == 200
    html = history_page.content.decode()
    assert "139,00" in html or "139.00" in html
    assert "238,00" in html or "238.00" in html

    original = offer.history.all()[1]
    assert original.monthly_price == Decimal("139.00")
    revert_url = reverse("admin:offers_offer_simple_history", args=[offer.pk, original.pk])
    assert client.get(revert_url).status_code == 200
    response = client.post(revert_url, offer_form_data(offer, monthly_price="139.00"))
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.monthly_price == Decimal("139.00")
    assert offer.history.count() == records_before + 2


CSV_HEADER = "code,name,kind,service,monthly_price,promo_days,segments\n"


def import_file(content, name="offers.csv"):
    file = io.BytesIO(content.encode())
    file.name = name
    return file


def preview(client, content):
    return client.post(
        reverse("admin:offers_offer_import"),
        {"resource": "0", "format": "0", "import_file": import_file(content)},
    )


@pytest.fixture
def catalogue():
    broadband = ServiceFactory(code=ServiceCode.BROADBAND)
    iptv = ServiceFactory(code=ServiceCode.IPTV)
    SegmentFactory(code="bb", services=[broadband])
    SegmentFactory(code="bb-tv", services=[broadband, iptv])
    return {"broadband": broadband, "iptv": iptv}


GOOD_ROWS = (
    'kaspersky-2,Kaspersky для 2-х устройств,subscription,broadband,139.00,30,"bb, bb-tv"\n'
    "kino,Пакет «Кино»,package,iptv,199.00,0,bb-tv\n"
)


def test_import_previews_then_confirms_and_creates_the_offers(client, manager, catalogue):
    client.force_login(manager)
    response = preview(client, CSV_HEADER + GOOD_ROWS)
    assert response.status_code == 200
    assert not Offer.objects.exists()
    confirm_form = response.context["confirm_form"]
    assert confirm_form is not None

    response = client.post(reverse("admin:offers_offer_process_import"), confirm_form.initial)
    assert response.status_code == 302

    kaspersky = Offer.objects.get(code="kaspersky-2")
    assert kaspersky.monthly_price == Decimal("139.00")
    assert kaspersky.promo_days == 30
    assert kaspersky.service == catalogue["broadband"]
    assert sorted(kaspersky.segments.values_list("code", flat=True)) == ["bb", "bb-tv"]
    assert Offer.objects.get(code="kino").service == catalogue["iptv"]


BAD_ROWS = {
    "negative price": ("kino,Пакет «Кино»,package,iptv,-1.00,0,bb-tv\n", "monthly_price", "0"),
    "unknown service": ("kino,Пакет «Кино»,package,cable,199.00,0,bb-tv\n", "service", "cable"),
    "unknown segment": ('kino,Пакет «Кино»,package,iptv,199.00,0,"bb, nope"\n', "segments", "nope"),
    "unreadable price": (
        "kino,Пакет «Кино»,package,iptv,дорого,0,bb-tv\n",
        "monthly_price",
        "дорого",
    ),
}


@pytest.mark.parametrize("case", BAD_ROWS, ids=list(BAD_ROWS))
def test_a_file_with_one_bad_row_shows_the_row_error_and_imports_nothing(
    client, manager, catalogue, case
):
    client.force_login(manager)
    bad_row, field, text = BAD_ROWS[case]
    good_row = GOOD_ROWS.splitlines(keepends=True)[0]
    response = preview(client, CSV_HEADER + good_row + bad_row)
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    result = response.context["result"]
    assert [row.number for row in result.invalid_rows] == [2]
    messages = result.invalid_rows[0].error_dict[field]
    assert any(text in message for message in messages), messages
    assert escape(messages[0]) in response.content.decode()
    assert not Offer.objects.exists()


def test_confirming_a_file_that_went_bad_after_the_preview_imports_nothing(
    client, manager, catalogue
):
    client.force_login(manager)
    response = preview(client, CSV_HEADER + GOOD_ROWS)
    confirm_form = response.context["confirm_form"]
    # Between preview and confirmation the service of row 2 disappears.
    Service.objects.filter(code=ServiceCode.IPTV).delete()

    response = client.post(
        reverse("admin:offers_offer_process_import"), confirm_form.initial, follow=True
    )
    assert response.status_code == 200
    assert not Offer.objects.exists()
    messages = [str(m) for m in response.context["messages"]]
    assert any("2" in m for m in messages), messages


def test_reimporting_an_export_changes_nothing_and_writes_no_history(client, manager, catalogue):
    client.force_login(manager)
    offer = make_offer(code="kino", service=catalogue["iptv"])
    records_before = offer.history.count()
    response = client.post(
        reverse("admin:offers_offer_export"),
        {"resource": "0", "format": "0", **_all_fields_selected()},
    )
    exported = response.content.decode()
    response = preview(client, exported)
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == 1
    assert offer.history.count() == records_before


def _all_fields_selected():
    from offers.resources import OfferResource

    return {f"offerresource_{name}": "on" for name in OfferResource().fields}


def test_export_returns_csv_and_xlsx(client, manager, catalogue):
    client.force_login(manager)
    make_offer(code="kino", name="Пакет «Кино»", service=catalogue["iptv"])
    url = reverse("admin:offers_offer_export")
    assert client.get(url).status_code == 200

    csv_response = client.post(url, {"resource": "0", "format": "0", **_all_fields_selected()})
    assert csv_response.status_code == 200
    assert csv_response["Content-Type"].startswith("text/csv")
    body = csv_response.content.decode("utf-8-sig")
    assert body.splitlines()[0].startswith("code,name,kind,service,monthly_price")
    # CSV is for a Russian spreadsheet: a decimal comma (the import reads either).
    assert 'kino,Пакет «Кино»,option,iptv,"139,00"' in body

    xlsx_response = client.post(url, {"resource": "0", "format": "1", **_all_fields_selected()})
    assert xlsx_response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_response.content)).active
    rows = list(sheet.values)
    assert rows[0][:4] == ("code", "name", "kind", "service")
    assert rows[1][0] == "kino"
    assert rows[1][4] == 139  # a number in a spreadsheet, not text


def test_import_needs_the_change_permission(client, supervisor):
    client.force_login(supervisor)
    assert client.get(reverse("admin:offers_offer_import")).status_code == 403


def test_segment_change_page_queries_do_not_grow_with_services(client, manager):
    client.force_login(manager)
    small = SegmentFactory(services=[ServiceFactory()])
    large = SegmentFactory(services=[ServiceFactory(code=code) for code in ServiceCode])
    url = "admin:offers_segment_change"
    client.get(reverse(url, args=[small.pk]))
    baseline = count_queries(client, reverse(url, args=[small.pk]))
    assert count_queries(client, reverse(url, args=[large.pk])) == baseline


def test_segment_history_page_lists_its_changes(client, manager):
    client.force_login(manager)
    segment = SegmentFactory(services=[ServiceFactory()])
    response = client.get(reverse("admin:offers_segment_history", args=[segment.pk]))
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == segment.history.count() > 0


def test_import_and_export_buttons_show_by_permission(client, manager, supervisor):
    client.force_login(manager)
    page = client.get(reverse("admin:offers_offer_changelist")).content.decode()
    assert reverse("admin:offers_offer_import") in page
    assert reverse("admin:offers_offer_export") in page

    client.force_login(supervisor)
    page = client.get(reverse("admin:offers_offer_changelist")).content.decode()
    assert reverse("admin:offers_offer_import") not in page
    assert reverse("admin:offers_offer_export") in page

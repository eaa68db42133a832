"""The reward catalogue admin: pages and query counts, bands inline, import and export."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from offers.models import ServiceCode
from rewards.models import RewardKind, RewardRule
from rewards.resources import RewardRuleResource
from tests.offers.factories import OfferFactory, ServiceFactory
from tests.rewards.factories import RewardBandFactory, RewardRuleFactory

pytestmark = pytest.mark.django_db


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def make_tiered_rule(bands=2, offers=2):
    rule = RewardRuleFactory(
        kind=RewardKind.TIERED, amount=None, offers=OfferFactory.create_batch(offers)
    )
    for i in range(bands):
        last = i == bands - 1
        RewardBandFactory(
            rule=rule,
            min_increase=Decimal(100 * i),
            max_increase=None if last else Decimal(100 * i + 100),
        )
    return rule


def test_changelist_runs_the_same_queries_for_one_rule_and_five(client, manager):
    client.force_login(manager)
    url = reverse("admin:rewards_rewardrule_changelist")
    make_tiered_rule()
    client.get(url)
    one = count_queries(client, url)
    for _ in range(4):
        make_tiered_rule()
    assert count_queries(client, url) == one


def test_change_page_queries_do_not_grow_with_bands_and_offers(client, manager):
    client.force_login(manager)
    small = make_tiered_rule(bands=1, offers=1)
    large = make_tiered_rule(bands=5, offers=5)
    url = "admin:rewards_rewardrule_change"
    client.get(reverse(url, args=[small.pk]))
    baseline = count_queries(client, reverse(url, args=[small.pk]))
    assert count_queries(client, reverse(url, args=[large.pk])) == baseline
    assert client.get(reverse("admin:rewards_rewardrule_add")).status_code == 200


def test_a_manager_adds_a_tiered_rule_with_its_bands_inline(client, manager):
    client.force_login(manager)
    service = ServiceFactory(code=ServiceCode.BROADBAND)
    response = client.post(
        reverse("admin:rewards_rewardrule_add"),
        {
            "name": "Смена ТП ШПД на более дорогой",
            "code": "broadband-upgrade",
            "service": service.pk,
            "kind": RewardKind.TIERED,
            "order": 17,
            "amount": "",
            "arpu_share": "",
            "offers": [],
            "valid_from": "2019-01-01",
            "valid_to": "",
            "bands-TOTAL_FORMS": "2",
            "bands-INITIAL_FORMS": "0",
            "bands-MIN_NUM_FORMS": "0",
            "bands-MAX_NUM_FORMS": "1000",
            "bands-0-min_increase": "0",
            "bands-0-max_increase": "100",
            "bands-0-amount": "15",
            "bands-1-min_increase": "100",
            "bands-1-max_increase": "",
            "bands-1-amount": "50",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    rule = RewardRule.objects.get(code="broadband-upgrade")
    assert [(b.min_increase, b.max_increase, b.amount) for b in rule.bands.all()] == [
        (Decimal("0"), Decimal("100"), Decimal("15")),
        (Decimal("100"), None, Decimal("50")),
    ]
    assert rule.history.count() == 1


CSV_HEADER = "code,valid_from,name,service,kind,offers,amount,arpu_share,bands,order\n"
PERIOD_HEADER = "code,valid_from,valid_to,name,service,kind,offers,amount,arpu_share,bands,order\n"


def preview(client, content):
    file = io.BytesIO(content.encode())
    file.name = "rules.csv"
    return client.post(
        reverse("admin:rewards_rewardrule_import"),
        {"resource": "0", "format": "0", "import_file": file},
    )


def confirm(client, response):
    return client.post(
        reverse("admin:rewards_rewardrule_process_import"), response.context["confirm_form"].initial
    )


@pytest.fixture
def catalogue(db):
    broadband = ServiceFactory(code=ServiceCode.BROADBAND)
    ServiceFactory(code=ServiceCode.IPTV)
    OfferFactory(code="kaspersky-2", service=broadband)
    OfferFactory(code="safe-kids", service=broadband)
    return broadband


GOOD_ROWS = (
    'kaspersky,2019-01-01,Kaspersky,broadband,fixed,"kaspersky-2, safe-kids",15,,,12\n'
    "iptv-upsell,2019-01-01,Допродажа ИТВ,iptv,arpu_share,,,0.75,,16\n"
    "broadband-upgrade,2019-01-01,Смена ТП,broadband,tiered,,,,0..100=15; 100..300=50; 300..=100,17\n"
)


def test_import_creates_rules_keyed_by_code_and_period_with_their_bands(client, manager, catalogue):
    client.force_login(manager)
    response = confirm(client, preview(client, CSV_HEADER + GOOD_ROWS))
    assert response.status_code == 302

    kaspersky = RewardRule.objects.get(code="kaspersky")
    assert kaspersky.amount == Decimal("15")
    assert sorted(kaspersky.offers.values_list("code", flat=True)) == ["kaspersky-2", "safe-kids"]
    assert RewardRule.objects.get(code="iptv-upsell").arpu_share == Decimal("0.75")
    upgrade = RewardRule.objects.get(code="broadband-upgrade")
    assert [(b.min_increase, b.max_increase, b.amount) for b in upgrade.bands.all()] == [
        (0, 100, 15),
        (100, 300, 50),
        (300, None, 100),
    ]

    # The same code and period updates the rule; a new period is a new rule.
    response = confirm(
        client,
        preview(
            client,
            PERIOD_HEADER
            + "kaspersky,2019-01-01,2025-12-31,Kaspersky,broadband,fixed,kaspersky-2,20,,,12\n"
            + "kaspersky,2026-01-01,,Kaspersky,broadband,fixed,kaspersky-2,25,,,12\n"
            + "broadband-upgrade,2019-01-01,,Смена ТП,broadband,tiered,,,,0..200=20; 200..=30,17\n",
        ),
    )
    assert response.status_code == 302
    periods = RewardRule.objects.filter(code="kaspersky").order_by("valid_from")
    assert [(r.valid_from, r.amount) for r in periods] == [
        (datetime.date(2019, 1, 1), Decimal("20")),
        (datetime.date(2026, 1, 1), Decimal("25")),
    ]
    assert [(b.min_increase, b.max_increase, b.amount) for b in upgrade.bands.all()] == [
        (0, 200, 20),
        (200, None, 30),
    ]


@pytest.mark.parametrize(
    ("bad_row", "field"),
    [
        ("broken,2019-01-01,X,cable,fixed,,15,,,1\n", "service"),
        ("broken,2019-01-01,X,broadband,fixed,,,,,1\n", "amount"),
        ("broken,2019-01-01,X,broadband,fixed,no-such-offer,15,,,1\n", "offers"),
        ("broken,2019-01-01,X,broadband,tiered,,,,100..50=15,1\n", "bands"),
        ("broken,2019-01-01,X,broadband,tiered,,,,0..100=15; 0..50=10,1\n", "bands"),
        ("broken,2019-01-01,X,broadband,tiered,,,,много,1\n", "bands"),
    ],
    ids=[
        "unknown service",
        "fixed without amount",
        "unknown offer",
        "band upside down",
        "bands start twice",
        "unreadable band",
    ],
)
def test_a_rule_file_with_one_bad_row_imports_nothing(client, manager, catalogue, bad_row, field):
    client.force_login(manager)
    response = preview(client, CSV_HEADER + GOOD_ROWS + bad_row)
    assert "confirm_form" not in response.context
    result = response.context["result"]
    assert [row.number for row in result.invalid_rows] == [4]
    assert field in result.invalid_rows[0].error_dict
    assert escape(result.invalid_rows[0].error_dict[field][0]) in response.content.decode()
    assert not RewardRule.objects.exists()


def test_export_round_trips_the_bands_in_csv_and_xlsx(client, manager, catalogue):
    client.force_login(manager)
    rule = RewardRuleFactory(
        code="broadband-upgrade", kind=RewardKind.TIERED, amount=None, service=catalogue
    )
    RewardBandFactory(rule=rule, min_increase=0, max_increase=100, amount=15)
    RewardBandFactory(rule=rule, min_increase=100, max_increase=None, amount=50)
    url = reverse("admin:rewards_rewardrule_export")
    selected = {f"rewardruleresource_{name}": "on" for name in RewardRuleResource().fields}

    csv_response = client.post(url, {"resource": "0", "format": "0", **selected})
    body = csv_response.content.decode("utf-8-sig")
    assert body.splitlines()[0].startswith("code,valid_from,valid_to,name,service,kind")
    assert "0..100=15; 100..=50" in body

    xlsx_response = client.post(url, {"resource": "0", "format": "1", **selected})
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx_response.content)).active.values)
    assert rows[1][0] == "broadband-upgrade"
    assert "0..100=15; 100..=50" in rows[1]

    # Importing the export back changes nothing.
    records = rule.history.count()
    response = preview(client, body)
    assert response.context["result"].totals["skip"] == 1
    assert rule.history.count() == records


def test_rule_history_page_shows_the_changed_amount(client, manager):
    client.force_login(manager)
    rule = RewardRuleFactory(amount=Decimal("15.00"))
    rule.amount = Decimal("20.00")
    rule.save()
    response = client.get(reverse("admin:rewards_rewardrule_history", args=[rule.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "15,00" in html or "15.00" in html
    assert "20,00" in html or "20.00" in html

"""The reward catalogue cannot contradict itself (R11, issue 10 §3): the table of cases for bands
and periods, in the pure checks, in the database (SQLite triggers, PostgreSQL exclusion
constraints), in the admin (row errors, inline too), in the import, and in the revision action;
and every item of an order earns its own line."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from offers.models import OfferKind, ServiceCode
from rewards import consistency, selectors, services
from rewards.consistency import BandSpec, Period
from rewards.engine import Engine
from rewards.models import RewardBand, RewardKind, RewardRule
from tests.rewards.factories import RewardBandFactory, RewardRuleFactory
from tests.rewards.support import NOV, agent, arpu_rule, fixed_rule, offer, order, service

pytestmark = pytest.mark.django_db

D = Decimal
LOW, HIGH = consistency.LOW, consistency.HIGH


def bands(*spans):
    return [BandSpec(D(low), None if high is None else D(high), D(1)) for low, high in spans]


# (bands, {index of the band at fault: bound at fault}) — an empty dict: consistent.
BAND_CASES = [
    ([(0, 100), (100, 300), (300, None)], {}),
    ([(0, None)], {}),
    ([(300, None), (0, 100), (100, 300)], {}),  # any order given
    ([(50, None)], {0: LOW}),  # increases below 50 ₽ in no band
    ([(0, 100), (150, None)], {1: LOW}),  # a hole between 100 and 150
    ([(0, 100), (50, None)], {1: LOW}),  # overlap: 50–100 in both
    ([(0, 100), (100, 300)], {1: HIGH}),  # nothing holds increases of 300 ₽ and more
    ([(0, None), (100, None)], {0: HIGH}),  # an open band that is not the last
    ([(0, 100), (100, 100.01), (100.01, None)], {}),  # a kopeck wide is still a band
]


@pytest.mark.parametrize(("spans", "faults"), BAND_CASES)
def test_bands_cover_every_increase_once_and_each_error_names_its_band(spans, faults):
    errors = consistency.band_errors(bands(*spans))
    assert {index: next(bound for bound, _m in found) for index, found in errors.items()} == faults


JAN19, OCT31, NOV1 = (
    datetime.date(2019, 1, 1),
    datetime.date(2025, 10, 31),
    datetime.date(2025, 11, 1),
)
PERIOD_CASES = [
    # (existing period, new period, overlaps)
    (("kino", JAN19, None), ("kino", NOV1, None), True),  # the «40 + 50 = 90» of the issue
    (("kino", JAN19, OCT31), ("kino", NOV1, None), False),  # a revision: back to back
    (("kino", JAN19, NOV1), ("kino", NOV1, None), True),  # both ends are days of the period
    (("kino", NOV1, NOV1), ("kino", JAN19, OCT31), False),
    (("kino", JAN19, None), ("vip", NOV1, None), False),  # another rule
]


@pytest.mark.parametrize(("old", "new", "overlaps"), PERIOD_CASES)
def test_periods_of_one_rule_never_overlap(old, new, overlaps):
    conflict = consistency.period_conflict(Period(*new, key=2), [Period(*old, key=1)])
    assert (conflict is not None) == overlaps


@pytest.mark.parametrize(("old", "new", "overlaps"), PERIOD_CASES)
def test_the_database_refuses_overlapping_periods_of_one_code(old, new, overlaps):
    for code, start, end in (old, new):
        kwargs = {"code": code, "valid_from": start, "valid_to": end}
        if (code, start, end) == new and overlaps:
            with pytest.raises(IntegrityError), transaction.atomic():
                RewardRuleFactory(**kwargs)
        else:
            RewardRuleFactory(**kwargs)


def test_the_database_refuses_overlapping_bands_and_moving_a_band_onto_another():
    rule = RewardRuleFactory(kind=RewardKind.TIERED, amount=None)
    RewardBandFactory(rule=rule, min_increase=0, max_increase=100)
    top = RewardBandFactory(rule=rule, min_increase=100, max_increase=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        RewardBandFactory(rule=rule, min_increase=50, max_increase=70, amount=999)
    top.min_increase = D(80)
    with pytest.raises(IntegrityError), transaction.atomic():
        top.save()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's commit-time check")
def test_postgresql_refuses_a_hole_in_the_bands_when_the_transaction_commits():
    rule = RewardRuleFactory(kind=RewardKind.TIERED, amount=None)
    RewardBandFactory(rule=rule, min_increase=0, max_increase=100)
    RewardBandFactory(rule=rule, min_increase=150, max_increase=None)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    rule.bands.all().delete()  # the test's own transaction ends consistent


def test_replacing_bands_refuses_a_contradiction_and_keeps_the_old_ones():
    rule = RewardRuleFactory(kind=RewardKind.TIERED, amount=None)
    services.reward_bands_replace(rule=rule, bands=bands((0, 100), (100, None)))
    with pytest.raises(Exception) as error, transaction.atomic():
        services.reward_bands_replace(rule=rule, bands=bands((0, 100), (50, None)))
    assert "bands" in error.value.message_dict
    assert [(b.min_increase, b.max_increase) for b in rule.bands.all()] == [(0, 100), (100, None)]
    # Moving the boundary is one replacement: no moment with two bands overlapping.
    services.reward_bands_replace(rule=rule, bands=bands((0, 150), (150, None)))
    assert [(b.min_increase, b.max_increase) for b in rule.bands.all()] == [(0, 150), (150, None)]


# The admin -----------------------------------------------------------------------------------


def rule_form(rule=None, *, service_pk, valid_from="2019-01-01", band_rows=(), initial=0):
    data = {
        "name": "Смена ТП ШПД на более дорогой",
        "code": "broadband-upgrade",
        "service": service_pk,
        "kind": RewardKind.TIERED,
        "order": 17,
        "amount": "",
        "arpu_share": "",
        "valid_from": valid_from,
        "valid_to": "",
        "bands-TOTAL_FORMS": str(len(band_rows)),
        "bands-INITIAL_FORMS": str(initial),
        "bands-MIN_NUM_FORMS": "0",
        "bands-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(band_rows):
        for name, value in row.items():
            data[f"bands-{i}-{name}"] = value
    return data


def band_row(low, high, amount, pk=None, rule=None):
    row = {"min_increase": low, "max_increase": high, "amount": amount}
    if pk:
        row.update(id=pk, rule=rule)
    return row


def test_the_admin_shows_a_band_error_on_the_row_at_fault_and_saves_nothing(client, manager):
    client.force_login(manager)
    broadband = service()
    response = client.post(
        reverse("admin:rewards_rewardrule_add"),
        rule_form(
            service_pk=broadband.pk,
            band_rows=[band_row("0", "100", "15"), band_row("50", "", "999")],
        ),
    )
    assert response.status_code == 200
    inline = response.context["inline_admin_formsets"][0].formset
    assert inline.forms[0].errors == {}
    assert "min_increase" in inline.forms[1].errors
    assert not RewardRule.objects.exists()


def test_the_admin_moves_a_boundary_in_place_through_the_inline(client, manager):
    client.force_login(manager)
    rule = RewardRuleFactory(kind=RewardKind.TIERED, amount=None, code="upgrade")
    low = RewardBandFactory(rule=rule, min_increase=0, max_increase=100, amount=15)
    high = RewardBandFactory(rule=rule, min_increase=100, max_increase=None, amount=50)
    data = rule_form(
        service_pk=rule.service_id,
        band_rows=[
            band_row("0", "150", "15", low.pk, rule.pk),
            band_row("150", "", "50", high.pk, rule.pk),
        ],
        initial=2,
    )
    data["code"] = "upgrade"
    response = client.post(reverse("admin:rewards_rewardrule_change", args=[rule.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [(b.min_increase, b.max_increase) for b in rule.bands.all()] == [(0, 150), (150, None)]


def test_the_admin_refuses_a_second_open_period_of_a_rule_on_its_date(client, manager):
    client.force_login(manager)
    existing = RewardRuleFactory(code="broadband-upgrade", kind=RewardKind.TIERED,
                                           amount=None)  # fmt: skip
    RewardBandFactory(rule=existing)
    response = client.post(
        reverse("admin:rewards_rewardrule_add"),
        rule_form(
            service_pk=existing.service_id,
            valid_from="2025-11-01",
            band_rows=[band_row("0", "", "15")],
        ),
    )
    assert response.status_code == 200
    assert "valid_from" in response.context["adminform"].form.errors
    assert RewardRule.objects.count() == 1


def test_revising_a_rule_is_one_admin_action(client, manager):
    client.force_login(manager)
    kino = fixed_rule("40", [offer("299", kind=OfferKind.PACKAGE)], code="iptv-kino")
    today = datetime.date.today()
    url = reverse("admin:rewards_rewardrule_revise", args=[kino.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"valid_from": today.isoformat(), "amount": "50"})
    assert response.status_code == 302
    old, new = RewardRule.objects.filter(code="iptv-kino").order_by("valid_from")
    assert (old.amount, old.valid_to) == (D(40), today - datetime.timedelta(days=1))
    assert (new.amount, new.valid_from, new.valid_to) == (D(50), today, None)
    assert list(new.offers.all()) == list(old.offers.all())


def test_a_revision_into_a_closed_month_is_refused_on_the_form(client, manager):
    client.force_login(manager)
    kino = fixed_rule("40", [offer("299", kind=OfferKind.PACKAGE)], code="iptv-kino")
    response = client.post(
        reverse("admin:rewards_rewardrule_revise", args=[kino.pk]),
        {"valid_from": "2020-01-01", "amount": "50"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["valid_from"]
    assert RewardRule.objects.filter(code="iptv-kino").count() == 1


# The import ----------------------------------------------------------------------------------

HEADER = "code,valid_from,valid_to,name,service,kind,offers,amount,arpu_share,bands,order\n"


def preview(client, body):
    import io

    upload = io.BytesIO((HEADER + body).encode())
    upload.name = "rules.csv"
    return client.post(
        reverse("admin:rewards_rewardrule_import"),
        {"resource": "0", "format": "0", "import_file": upload},
    )


@pytest.mark.parametrize(
    ("rows", "bad_row", "field"),
    [
        (
            "kino,2019-01-01,,Кино,iptv,fixed,,40,,,1\nkino,2025-11-01,,Кино,iptv,fixed,,50,,,1\n",
            [1, 2],  # each row contradicts the other
            "valid_from",
        ),
        ("up,2019-01-01,,Смена,broadband,tiered,,,,0..100=15; 150..=50,1\n", 1, "bands"),
        ("up,2019-01-01,,Смена,broadband,tiered,,,,0..100=15; 100..300=50,1\n", 1, "bands"),
        ("up,2019-01-01,,Смена,broadband,tiered,,,,0..100=15; 50..=999,1\n", 1, "bands"),
        ("up,2019-01-01,,Смена,broadband,tiered,,,,,1\n", 1, "bands"),
    ],
    ids=["overlapping periods", "hole", "last band bounded", "overlapping bands", "no bands"],
)
def test_an_import_row_that_contradicts_the_catalogue_is_a_row_error(
    client, manager, rows, bad_row, field
):
    client.force_login(manager)
    service(ServiceCode.IPTV)
    service(ServiceCode.BROADBAND)
    response = preview(client, rows)
    result = response.context["result"]
    assert [row.number for row in result.invalid_rows] == (
        bad_row if isinstance(bad_row, list) else [bad_row]
    )
    assert field in result.invalid_rows[0].error_dict
    assert not RewardRule.objects.exists()


def test_an_import_may_close_a_period_and_open_the_next_in_one_file(client, manager):
    client.force_login(manager)
    service(ServiceCode.IPTV)
    RewardRuleFactory(code="kino", valid_from=JAN19)
    response = preview(
        client,
        "kino,2019-01-01,2025-10-31,Кино,iptv,fixed,,40,,,1\n"
        "kino,2025-11-01,,Кино,iptv,fixed,,50,,,1\n",
    )
    assert not response.context["result"].invalid_rows
    assert "confirm_form" in response.context


# Every item of an order earns its own line -------------------------------------------------


def iptv_catalogue():
    new_iptv = offer("320", kind=OfferKind.SERVICE, service_code=ServiceCode.IPTV)
    kino = offer("299", kind=OfferKind.PACKAGE, service_code=ServiceCode.IPTV)
    vip = offer("399", kind=OfferKind.PACKAGE, service_code=ServiceCode.IPTV)
    arpu_rule("0.75", service_code=ServiceCode.IPTV)
    fixed_rule("40", [kino], code="iptv-kino")
    fixed_rule("75", [vip], code="iptv-vip")
    return new_iptv, kino, vip


ITEM_CASES = [
    # (extras, main is the new IPTV?, reward, lines)
    (("kino", "vip"), True, "355.00", 3),  # 240 + 40 + 75: the example
    (("kino",), True, "280.00", 2),
    ((), True, "240.00", 1),
    (("kino", "kino"), True, "280.00", 2),  # an extra counts once
    (("vip",), False, "75.00", 1),  # the main item «VIP» again as an extra: earns once
]


@pytest.mark.parametrize(("extras", "main_new", "reward", "lines"), ITEM_CASES)
def test_every_item_of_an_order_earns_its_own_line(extras, main_new, reward, lines):
    new_iptv, kino, vip = iptv_catalogue()
    items = {"kino": kino, "vip": vip}
    user = agent()
    main = new_iptv if main_new else vip
    placed = order(
        user, main, created=datetime.date(2025, 11, 3), connected=datetime.date(2025, 11, 5)
    )
    placed.extras.set([items[name] for name in extras])
    (row,) = selectors.agent_month_rows(NOV, agent_ids=[user.pk])
    statement = selectors.statements(NOV, agent_ids=[user.pk])[user.pk]
    assert row.reward_total == statement.total == D(reward)
    assert len(statement.lines) == lines
    assert row.orders == 1  # the extras are items, not orders


def test_a_revised_rule_pays_the_amount_of_the_day_of_connection_never_both():
    kino = offer("299", kind=OfferKind.PACKAGE)
    old = fixed_rule("40", [kino], code="iptv-kino", valid_from=JAN19)
    old.valid_to = OCT31
    old.save()
    fixed_rule("50", [kino], code="iptv-kino", valid_from=NOV1)
    user = agent()
    # Registered in October under the old amount, connected in November: the new amount.
    order(user, kino, created=datetime.date(2025, 10, 31), connected=datetime.date(2025, 11, 1))
    order(user, kino, created=datetime.date(2025, 11, 2), connected=datetime.date(2025, 11, 3))
    (row,) = selectors.agent_month_rows(NOV, agent_ids=[user.pk])
    assert row.reward_total == D("100.00")
    statement = selectors.statements(NOV, agent_ids=[user.pk], engine=Engine.load())[user.pk]
    assert [line.amount for line in statement.lines if line.counted] == [D(50), D(50)]


def test_an_overlapping_band_cannot_pay_999():
    rule = RewardRuleFactory(kind=RewardKind.TIERED, amount=None)
    RewardBandFactory(rule=rule, min_increase=0, max_increase=None, amount=15)
    with pytest.raises(IntegrityError), transaction.atomic():
        RewardBand.objects.create(rule=rule, min_increase=50, max_increase=60, amount=999)

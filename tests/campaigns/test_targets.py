"""Target lists: import_targets and the service behind it (issue 3, item 6)."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from campaigns.models import CampaignTarget
from campaigns.services.targets import TargetFileError, read_target_file, targets_import
from tests.campaigns.factories import (
    CampaignFactory,
    CampaignTargetFactory,
    SubscriberAccountFactory,
)
from tests.offers.factories import SegmentFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    accounts = [SubscriberAccountFactory(number=f"3520000000{i:02d}") for i in range(3)]
    campaign = CampaignFactory(code="Антивирус_vo12_CRM_MR03")
    return accounts, campaign


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_with_header_attaches_accounts(world, tmp_path):
    path = write(
        tmp_path,
        "list.csv",
        "лицевой счёт;кампания\n352000000000;Антивирус_vo12_CRM_MR03\n352000000001;Антивирус_vo12_CRM_MR03\n",
    )
    out = io.StringIO()
    call_command("import_targets", str(path), stdout=out)
    assert CampaignTarget.objects.count() == 2
    assert "2 targets added" in out.getvalue() or "2" in out.getvalue()


def test_xlsx_without_header_is_read(world, tmp_path):
    accounts, _campaign = world
    book = Workbook()
    sheet = book.active
    sheet.append([352000000002, "Антивирус_vo12_CRM_MR03"])  # a number cell, as Excel keeps it
    path = tmp_path / "list.xlsx"
    book.save(path)
    call_command("import_targets", str(path), stdout=io.StringIO())
    assert CampaignTarget.objects.get().account == accounts[2]


def test_every_rejected_row_is_reported_and_nothing_is_half_imported(world, tmp_path):
    accounts, campaign = world
    CampaignTargetFactory(account=accounts[2], campaign=campaign)
    path = write(
        tmp_path,
        "list.csv",
        "\n".join(
            [
                "352000000000,Антивирус_vo12_CRM_MR03",
                "35200000000,Антивирус_vo12_CRM_MR03",
                "352000000001,НЕТ_ТАКОЙ",
                "352999999999,Антивирус_vo12_CRM_MR03",
                "352000000000,Антивирус_vo12_CRM_MR03",
                "352000000002,Антивирус_vo12_CRM_MR03",
            ]
        ),
    )
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_targets", str(path), stdout=out)
    text = out.getvalue()
    for line in ("line 2", "line 3", "line 4", "line 5"):
        assert line in text or line.replace("line", "строка") in text
    # Line 6 is already on the list: reported as such, not rejected.
    assert "line 6" not in text and "строка 6" not in text
    assert CampaignTarget.objects.count() == 1  # only the one that was there before


def test_a_list_saved_by_russian_excel_is_read(world):
    """Windows-1251, «;», a header in Russian, numbers with spaces and dashes."""
    _accounts, campaign = world
    text = "Лицевой счёт;Кампания\n352 000 000 000;Антивирус_vo12_CRM_MR03\n352-000-000-001;Антивирус_vo12_CRM_MR03\n"
    rows = list(read_target_file("список.csv", text.encode("cp1251")))
    assert rows == [
        (2, "352000000000", campaign.code),
        (3, "352000000001", campaign.code),
    ]


def test_utf8_with_excels_mark_is_read(world):
    text = "\ufeffлицевой счёт,кампания\n352000000000,Антивирус_vo12_CRM_MR03\n"
    assert list(read_target_file("l.csv", text.encode("utf-8"))) == [
        (2, "352000000000", "Антивирус_vo12_CRM_MR03")
    ]


def test_a_chosen_campaign_needs_only_account_numbers(world):
    _accounts, campaign = world
    other = CampaignFactory(code="Другая")
    data = "Лицевой счёт\n352000000000\n352000000001\n".encode("cp1251")
    rows = list(read_target_file("l.csv", data, campaign=other.code))
    assert rows == [(2, "352000000000", "Другая"), (3, "352000000001", "Другая")]
    headerless = list(read_target_file("l.csv", b"352000000002\n", campaign=campaign.code))
    assert headerless == [(1, "352000000002", campaign.code)]


def test_the_report_says_what_is_added_already_there_and_outside_the_segments(world):
    accounts, _campaign = world
    broadband = ServiceFactory(code="broadband")
    tv = ServiceFactory(code="iptv")
    segment = SegmentFactory(services=[broadband, tv])
    campaign = CampaignFactory(code="Кино", segments=[segment])
    accounts[0].services.set([broadband, tv])  # in the segment
    accounts[1].services.set([broadband])  # not
    CampaignTargetFactory(account=accounts[2], campaign=campaign)
    rows = [(i + 1, account.number, "Кино") for i, account in enumerate(accounts)]
    report = targets_import(rows=rows)
    assert report.to_add == report.created == 2
    assert [row.account for row in report.already] == [accounts[2].number]
    assert [row.account for row in report.outside_segments] == [accounts[1].number]
    assert CampaignTarget.objects.filter(campaign=campaign).count() == 3


def test_binary_rubbish_is_not_read_as_windows_1251():
    with pytest.raises(TargetFileError):
        list(read_target_file("bad.csv", b"\xff\xfe\x00bad"))


def test_rejections_carry_their_reason_codes(world):
    _accounts, campaign = world
    rows = [
        (1, "352000000000", campaign.code),
        (2, "12", campaign.code),
        (3, "352000000001", "NOPE"),
        (4, "352999999999", campaign.code),
        (5, "352000000000", campaign.code),
    ]
    report = targets_import(rows=rows, apply=False)
    assert [(r.line, r.code) for r in report.rejected] == [
        (2, "invalid_account_number"),
        (3, "unknown_campaign"),
        (4, "unknown_account"),
        (5, "duplicate"),
    ]
    assert not CampaignTarget.objects.exists()


def test_skip_rejected_imports_the_valid_rows(world, tmp_path):
    path = write(
        tmp_path, "l.csv", "352000000000,Антивирус_vo12_CRM_MR03\n1,Антивирус_vo12_CRM_MR03\n"
    )
    call_command("import_targets", str(path), "--skip-rejected", stdout=io.StringIO())
    assert CampaignTarget.objects.count() == 1


def test_dry_run_writes_nothing(world, tmp_path):
    path = write(tmp_path, "l.csv", "352000000000,Антивирус_vo12_CRM_MR03\n")
    call_command("import_targets", str(path), "--dry-run", stdout=io.StringIO())
    assert not CampaignTarget.objects.exists()


def test_unreadable_or_empty_file_is_a_clear_error(world, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(CommandError):
        call_command("import_targets", str(path), stdout=io.StringIO())
    empty = write(tmp_path, "empty.csv", "")
    with pytest.raises(CommandError):
        call_command("import_targets", str(empty), stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("import_targets", str(tmp_path / "missing.csv"), stdout=io.StringIO())


def test_large_list_is_checked_in_a_constant_number_of_queries_per_batch(
    world, django_assert_max_num_queries
):
    _accounts, campaign = world
    rows = [(i, f"{352100000000 + i}", campaign.code) for i in range(12000)]
    SubscriberAccountFactory.create_batch(1)
    with django_assert_max_num_queries(16):
        report = targets_import(rows=rows, apply=False)
    assert len(report.rejected) == 12000


def test_reading_a_broken_xlsx_raises_a_file_error():
    with pytest.raises(TargetFileError):
        list(read_target_file("x.xlsx", b"not a zip"))

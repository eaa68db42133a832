"""Campaign target lists: attach accounts to campaigns from a file, all or nothing.

Set-based: campaigns and accounts are looked up a batch at a time and targets are written with
bulk inserts, so 100,000 rows take seconds, not hours.
"""

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, CampaignTarget, SubscriberAccount
from campaigns.models.accounts import ERR_ACCOUNT_NUMBER, is_account_number

BATCH = 5000
ACCOUNT_HEADERS = {
    "account",
    "account_number",
    "number",
    "лицевой счёт",
    "лицевой счет",
    "л/с",
    "лс",
}
CAMPAIGN_HEADERS = {"campaign", "campaign_code", "code", "кампания", "код кампании"}

REJECT_MESSAGES = {
    "invalid_account_number": ERR_ACCOUNT_NUMBER,
    "unknown_account": _("No such account."),
    "unknown_campaign": _("No such campaign."),
    "duplicate": _("The same account and campaign appear earlier in the file."),
    "already_targeted": _("The account is already on this campaign's list."),
}
ERR_UNREADABLE = _("The file cannot be read: %(error)s")
ERR_NO_ROWS = _("The file has no rows.")


class TargetFileError(Exception):
    """The file as a whole cannot be imported (format, encoding, empty)."""


@dataclass(frozen=True)
class Rejected:
    line: int
    account: str
    campaign: str
    code: str

    @property
    def message(self) -> str:
        return str(REJECT_MESSAGES[self.code])


@dataclass
class TargetImportReport:
    rows: int = 0
    created: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.rejected


Progress = Callable[[str, int, int], None]


def read_target_file(name: str, data: bytes) -> Iterator[tuple[int, str, str]]:
    """(line, account, campaign) from a .csv or .xlsx file with or without a header row."""
    try:
        rows = _xlsx_rows(data) if name.lower().endswith(".xlsx") else _csv_rows(data)
        yield from _with_header_skipped(rows)
    except (
        UnicodeDecodeError,
        csv.Error,
        ValueError,
        KeyError,
        OSError,
        zipfile.BadZipFile,
    ) as error:
        raise TargetFileError(ERR_UNREADABLE % {"error": error}) from error


def _csv_rows(data: bytes):
    text = data.decode("utf-8-sig")
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    yield from enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1)


def _xlsx_rows(data: bytes):
    # openpyxl is heavy and only an .xlsx upload needs it: imported on that path alone.
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = book.worksheets[0]
    for line, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield line, ["" if cell is None else _cell(cell) for cell in row]
    book.close()


def _cell(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _with_header_skipped(rows):
    columns = (0, 1)
    for line, row in rows:
        cells = [str(c).strip() for c in row]
        if not any(cells):
            continue
        lowered = [c.lower() for c in cells]
        if line == 1 and (set(lowered) & (ACCOUNT_HEADERS | CAMPAIGN_HEADERS)):
            columns = (
                next(i for i, c in enumerate(lowered) if c in ACCOUNT_HEADERS),
                next(i for i, c in enumerate(lowered) if c in CAMPAIGN_HEADERS),
            )
            continue
        account, campaign = (cells[i] if i < len(cells) else "" for i in columns)
        yield line, "".join(account.split()), campaign


def targets_import(
    *,
    rows: Iterable[tuple[int, str, str]],
    apply: bool = True,
    skip_rejected: bool = False,
    progress: Progress | None = None,
) -> TargetImportReport:
    """Validate every row, then write all targets in one transaction, or none if any row was
    rejected (unless `skip_rejected`)."""
    progress = progress or (lambda stage, done, total: None)
    rows = list(rows)
    report = TargetImportReport(rows=len(rows))
    if not rows:
        raise TargetFileError(ERR_NO_ROWS)
    campaigns = dict(Campaign.objects.values_list("code", "id"))
    pairs = _validate(rows, campaigns, report, progress)
    if not apply or (report.rejected and not skip_rejected):
        return report
    with transaction.atomic():
        for start in range(0, len(pairs), BATCH):
            chunk = pairs[start : start + BATCH]
            CampaignTarget.objects.bulk_create(
                [CampaignTarget(account_id=a, campaign_id=c) for a, c in chunk],
                batch_size=BATCH,
                ignore_conflicts=True,
            )
            progress("write", min(start + BATCH, len(pairs)), len(pairs))
    report.created = len(pairs)
    report.applied = True
    return report


def _validate(rows, campaigns, report, progress) -> list[tuple[int, int]]:
    seen: set[tuple[str, str]] = set()
    pairs: list[tuple[int, int]] = []
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        numbers = {n for _, n, _ in chunk if is_account_number(n)}
        accounts = dict(
            SubscriberAccount.objects.filter(number__in=numbers).values_list("number", "id")
        )
        existing = set(
            CampaignTarget.objects.filter(account_id__in=accounts.values()).values_list(
                "account_id", "campaign_id"
            )
        )
        for line, number, code in chunk:
            reason = _reason(number, code, accounts, campaigns, seen, existing)
            if reason:
                report.rejected.append(Rejected(line, number, code, reason))
                continue
            seen.add((number, code))
            pairs.append((accounts[number], campaigns[code]))
        progress("check", min(start + BATCH, len(rows)), len(rows))
    return pairs


def _reason(number, code, accounts, campaigns, seen, existing) -> str | None:
    if not is_account_number(number):
        return "invalid_account_number"
    if code not in campaigns:
        return "unknown_campaign"
    if number not in accounts:
        return "unknown_account"
    if (number, code) in seen:
        return "duplicate"
    if (accounts[number], campaigns[code]) in existing:
        return "already_targeted"
    return None

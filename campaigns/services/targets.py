"""Campaign target lists: attach accounts to campaigns from a file, all or nothing.

Set-based: campaigns and accounts are looked up a batch at a time and targets are written with
bulk inserts, so 100,000 rows take seconds, not hours.

Files come as managers have them: .xlsx, or .csv saved by Russian Excel (Windows-1251, «;»), with
or without a header row; account numbers with spaces or dashes. The campaign is a column of the
file, or chosen once for the whole file (then the file needs the account numbers alone). An account
already on the campaign's list is reported and left as it is, so importing a list twice is
harmless. An account outside the campaign's segments is added but reported: the campaign will not
be shown on it while its services stay as they are.
"""

import csv
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, CampaignTarget, SubscriberAccount
from campaigns.models.accounts import ERR_ACCOUNT_NUMBER, is_account_number
from offers.models import Segment

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
}
ERR_UNREADABLE = _("The file cannot be read: %(error)s")
ERR_NOT_TEXT = _("The file cannot be read: it is neither a table nor text.")
ERR_NO_ROWS = _("The file has no rows.")
# Spaces (also the non-breaking ones Excel puts in numbers) and dashes people type in numbers.
NUMBER_NOISE = re.compile(r"[\s\u00a0\u202f-]+")


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


@dataclass(frozen=True)
class Noted:
    """A row that is imported (or left) as it is, but that the manager should know about."""

    line: int
    account: str
    campaign: str


@dataclass
class TargetImportReport:
    rows: int = 0
    created: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    # On the campaign's list already: left as they are.
    already: list[Noted] = field(default_factory=list)
    # Added, but the campaign is not for the account's services (its segments).
    outside_segments: list[Noted] = field(default_factory=list)
    to_add: int = 0
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.rejected


Progress = Callable[[str, int, int], None]


def read_target_file(
    name: str, data: bytes, *, campaign: str | None = None
) -> Iterator[tuple[int, str, str]]:
    """(line, account, campaign) from a .csv or .xlsx file with or without a header row.

    With `campaign` (a code), every row is for that campaign and the file's first column (or the
    one headed «лицевой счёт») holds the account numbers; any campaign column is ignored.
    """
    try:
        rows = _xlsx_rows(data) if name.lower().endswith(".xlsx") else _csv_rows(data)
        for line, account, code in _with_header_skipped(rows):
            yield line, account, campaign if campaign is not None else code
    except (
        UnicodeDecodeError,
        csv.Error,
        ValueError,
        KeyError,
        OSError,
        zipfile.BadZipFile,
    ) as error:
        raise TargetFileError(ERR_UNREADABLE % {"error": error}) from error


def _decode(data: bytes) -> str:
    """UTF-8 (with or without Excel's mark), else Windows-1251, as Russian Excel saves CSV."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1251")
    if "\x00" in text:
        raise TargetFileError(ERR_NOT_TEXT)
    return text


def _csv_rows(data: bytes):
    text = _decode(data)
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
                next((i for i, c in enumerate(lowered) if c in ACCOUNT_HEADERS), 0),
                next((i for i, c in enumerate(lowered) if c in CAMPAIGN_HEADERS), None),
            )
            continue
        account, campaign = (cells[i] if i is not None and i < len(cells) else "" for i in columns)
        yield line, NUMBER_NOISE.sub("", account), campaign


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
    report.to_add = len(pairs)
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
    segment_sets = _segment_sets({code for _, _, code in rows} & campaigns.keys())
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
        services = _services_of(accounts.values())
        for line, number, code in chunk:
            reason = _reason(number, code, accounts, campaigns, seen)
            if reason:
                report.rejected.append(Rejected(line, number, code, reason))
                continue
            seen.add((number, code))
            account_id, campaign_id = accounts[number], campaigns[code]
            if (account_id, campaign_id) in existing:
                report.already.append(Noted(line, number, code))
                continue
            sets = segment_sets.get(campaign_id)
            if sets and services.get(account_id, frozenset()) not in sets:
                report.outside_segments.append(Noted(line, number, code))
            pairs.append((account_id, campaign_id))
        progress("check", min(start + BATCH, len(rows)), len(rows))
    return pairs


def _segment_sets(codes) -> dict[int, set[frozenset]]:
    """For each campaign (by id) that has segments, the service sets its segments stand for."""
    services_of = defaultdict(set)
    for segment_id, service_id in Segment.services.through.objects.filter(
        segment__campaigns__code__in=codes
    ).values_list("segment_id", "service_id"):
        services_of[segment_id].add(service_id)
    sets = defaultdict(set)
    for campaign_id, segment_id in Campaign.segments.through.objects.filter(
        campaign__code__in=codes
    ).values_list("campaign_id", "segment_id"):
        sets[campaign_id].add(frozenset(services_of[segment_id]))
    return sets


def _services_of(account_ids) -> dict[int, frozenset]:
    """The accounts' services that define segments (R12: mobile leaves a household in its own)."""
    services = defaultdict(set)
    defining = Segment.services.through.objects.values("service_id")
    for account_id, service_id in SubscriberAccount.services.through.objects.filter(
        subscriberaccount_id__in=list(account_ids), service_id__in=defining
    ).values_list("subscriberaccount_id", "service_id"):
        services[account_id].add(service_id)
    return {account_id: frozenset(ids) for account_id, ids in services.items()}


def _reason(number, code, accounts, campaigns, seen) -> str | None:
    if not is_account_number(number):
        return "invalid_account_number"
    if code not in campaigns:
        return "unknown_campaign"
    if number not in accounts:
        return "unknown_account"
    if (number, code) in seen:
        return "duplicate"
    return None

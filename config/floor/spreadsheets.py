"""xlsx files a manager opens in Excel and reads at once: columns as wide as their contents, money
with two decimals (and «₽» where the header says so), dates as dates, the header bold and frozen.

`styled(data)` takes a workbook's bytes and returns them styled; the admin's exports
(`PortalXLSX`, django-import-export) and the leaderboard's go through it.

No exported cell runs as a formula (issue 11: an order named `=HYPERLINK(…)` went raw into the
CSV). A text cell starting with `= + - @`, a tab or a line break is a formula to Excel or
LibreOffice: in CSV it gets a leading apostrophe (`neutralised`, `PortalCSV`, the orders' CSV);
in xlsx it stays exactly as typed but is stored as text with Excel's «quote prefix», so it is
shown, edited and re-imported as text. Plain numbers («-150.00») are numbers, not formulas, and
are left alone.
"""

import datetime
import io
import re

import tablib
from import_export.formats import base_formats

MIN_WIDTH, MAX_WIDTH = 8, 60
MONEY = '#,##0.00" ₽"'
NUMBER = "#,##0.00"
INTEGER = "0"
DATE = "DD.MM.YYYY"
DATETIME = "DD.MM.YYYY HH:MM"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def is_formula_like(value) -> bool:
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not _PLAIN_NUMBER.fullmatch(value)
    )


def neutralised(value):
    """A CSV cell that no spreadsheet runs as a formula: text led by an apostrophe when it
    would (OWASP's advice); anything else as it is."""
    return "'" + value if is_formula_like(value) else value


def neutralised_row(values) -> list:
    return [neutralised(value) for value in values]


def _width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return 16
    if isinstance(value, datetime.date):
        return 10
    if isinstance(value, float):
        return len(f"{value:,.2f}") + 2
    return max(len(line) for line in str(value).splitlines() or [""])


def _number_format(value, header: str) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, datetime.datetime):
        return DATE if value.time() == datetime.time(0) else DATETIME
    if isinstance(value, datetime.date):
        return DATE
    if isinstance(value, float):
        return MONEY if "₽" in header else NUMBER
    if isinstance(value, int):
        return INTEGER
    return None


def style_sheet(sheet) -> None:
    """Widths, number formats and a bold frozen header on one worksheet (not write-only)."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    rows = list(sheet.iter_rows())
    if not rows:
        return
    headers = [str(cell.value or "") for cell in rows[0]]
    for cell in rows[0]:
        cell.font = Font(bold=True)
    widths = [_width(header) for header in headers]
    for row in rows:
        for cell in row:
            _as_text(cell)
    for row in rows[1:]:
        for index, cell in enumerate(row):
            header = headers[index] if index < len(headers) else ""
            number_format = _number_format(cell.value, header)
            if number_format:
                cell.number_format = number_format
            if index < len(widths):
                widths[index] = max(widths[index], _width(cell.value))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(
            max(width + 2, MIN_WIDTH), MAX_WIDTH
        )
    sheet.freeze_panes = "A2"


def _as_text(cell) -> None:
    """A formula-like cell as text with Excel's quote prefix (the workbook's writer stored any
    text starting with «=» as a formula: none of the portal's exports means one)."""
    if cell.data_type == "f" or is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


def styled(data: bytes) -> bytes:
    """The workbook in `data`, every sheet styled for reading."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        style_sheet(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class PortalXLSX(base_formats.XLSX):
    """django-import-export's xlsx, styled for reading (widths, money, dates)."""

    def export_data(self, dataset, **kwargs):
        return styled(super().export_data(dataset, **kwargs))


class PortalCSV(base_formats.CSV):
    """django-import-export's CSV with formula-like cells neutralised on export."""

    def export_data(self, dataset, **kwargs):
        safe = tablib.Dataset(headers=neutralised_row(dataset.headers or []), title=dataset.title)
        for row in dataset:
            safe.append(neutralised_row(row))
        return super().export_data(safe, **kwargs)

"""xlsx files a manager opens in Excel and reads at once: columns as wide as their contents, money
with two decimals (and «₽» where the header says so), dates as dates, the header bold and frozen.

`styled(data)` takes a workbook's bytes and returns them styled; the admin's exports
(`PortalXLSX`, django-import-export) and the leaderboard's go through it.
"""

import datetime
import io

from import_export.formats import base_formats

MIN_WIDTH, MAX_WIDTH = 8, 60
MONEY = '#,##0.00" ₽"'
NUMBER = "#,##0.00"
INTEGER = "0"
DATE = "DD.MM.YYYY"
DATETIME = "DD.MM.YYYY HH:MM"


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

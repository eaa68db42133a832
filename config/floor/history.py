"""Change history a person can read (django-simple-history in the admin).

Values are shown as the form shows them: choice labels, not codes; «Да»/«Нет»; dates and times in
the portal's time zone; «—» for nothing. A long or multi-line text (a script, an article in
Markdown) is shown as the lines that changed, not as two walls of text.
"""

import datetime
import difflib
from decimal import Decimal

from django.db import models
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

NOTHING = "—"
# A text longer than this, or with a line break, is shown as its changed lines.
SHORT_TEXT = 80


def readable(field, value) -> str:
    """One value of a field as a person reads it."""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or NOTHING
    if value is None or value == "":
        return NOTHING
    if isinstance(value, DeletedObject) and value.pk is None:
        return NOTHING  # simple-history's stand-in for an empty link, not a deleted object
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):
        return formats.number_format(value)
    return str(value)


def is_long_text(field, old, new) -> bool:
    if not isinstance(field, models.TextField):
        return False
    texts = [value or "" for value in (old, new)]
    return any("\n" in text or len(text) > SHORT_TEXT for text in texts)


def changed_lines(old: str, new: str) -> str:
    """The lines removed (−) and added (+) between two texts, as HTML."""
    lines = difflib.ndiff((old or "").splitlines(), (new or "").splitlines())
    changed = [(line[0], line[2:]) for line in lines if line[:1] in "-+"]
    return format_html(
        '<div class="history-diff font-mono text-xs">{}</div>',
        format_html_join(
            "",
            '<div class="history-diff-{}">{} {}</div>',
            (
                ("del" if sign == "-" else "ins", "−" if sign == "-" else "+", text)
                for sign, text in changed
            ),
        ),
    )


class ReadableHistory(HistoricalRecordContextHelper):
    """simple-history's delta context with readable values and line diffs for long texts."""

    def context_for_delta_changes(self, delta):
        rows = []
        for change in delta.changes:
            field = self.model._meta.get_field(change.field)
            row = {"field": str(field.verbose_name).capitalize(), "old": "", "new": "", "diff": ""}
            old = self.prepare_delta_change_value(change, change.old)
            new = self.prepare_delta_change_value(change, change.new)
            if is_long_text(field, old, new):
                row["diff"] = changed_lines(old, new)
            else:
                row["old"], row["new"] = readable(field, old), readable(field, new)
            rows.append(row)
        return rows

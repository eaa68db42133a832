"""Row ids read from text (a path, a query string): ASCII digits within bigint, or nothing."""

import re

# PostgreSQL's bigint: an id beyond it is no row's (and SQLite cannot even bind it).
MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(value) -> int | None:
    """`value` as a row id, or None when it cannot be one.

    Only ASCII digits: `str.isdigit()` also takes «²» (which `int()` refuses: a 500) and «١»
    (which `int()` reads as 1: another row than the one written). Within bigint, so that the
    database is never asked to compare an id it cannot hold.
    """
    if value is None:
        return None
    text = str(value)
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_ID else None

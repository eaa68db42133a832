"""Highlighted titles and snippets: the query's words marked where they are in a text.

A word is marked when it is one of the query's terms (same stem, a word the typed word begins,
or a corrected spelling), whole, never a piece of it. A snippet is the window of the text with
the most different terms in it; it starts and ends at word boundaries, with «…» where the text
goes on. Markdown's marks are removed from what is shown; the text is escaped before the marks
are added, so an article's HTML never runs.
"""

import functools
import html
import re

from django.utils.safestring import SafeString, mark_safe

from knowledge_base.search.words import Query, fold

WIDTH = 180
# How much of the text before the first matching word the window keeps, if it can.
LEAD = 50

_MARKDOWN_NOISE = re.compile(r"[*#>|`_\[\]]+|-{3,}")
_SPACES = re.compile(r"\s+")
_WORD_CHAR = re.compile(r"[^\W_]", re.UNICODE)


def _is_word_char(char: str) -> bool:
    return bool(_WORD_CHAR.match(char))


@functools.lru_cache(maxsize=256)
def _candidates(heads: frozenset[str]) -> re.Pattern:
    """The words that begin with one of the heads (one regular expression per query)."""
    alternatives = "|".join(map(re.escape, sorted(heads, key=len, reverse=True)))
    return re.compile(r"(?<![^\W_])(?:" + alternatives + r")[^\W_]*", re.IGNORECASE)


def _matches(query: Query, text: str) -> list[tuple[int, int, int]]:
    """(start, end, term index) of every word of the text that is a term of the query."""
    if not query.terms:
        return []
    # Stems are the words' beginnings (Latin ones but for a last letter): find the words that
    # may match with one regular expression, then check each by its stem.
    heads = frozenset(s[: max(3, len(s) - 1)] for t in query.terms for s in t.stems if s)
    pattern = _candidates(heads)
    found = []
    for hit in pattern.finditer(fold(text)):
        word = hit.group().lower()
        for index, term in enumerate(query.terms):
            if term.matches_word(word):
                found.append((hit.start(), hit.end(), index))
                break
    return found


def _marked(text: str, matches, start: int, end: int) -> str:
    """Escaped text[start:end] with the matching words in <mark>, Markdown marks removed."""
    parts, position = [], start
    for hit_start, hit_end, _index in matches:
        if hit_start < start or hit_end > end:
            continue
        parts.append(_plain(text[position:hit_start]))
        parts.append("<mark>" + html.escape(text[hit_start:hit_end]) + "</mark>")
        position = hit_end
    parts.append(_plain(text[position:end]))
    return "".join(parts)


def _plain(text: str) -> str:
    return html.escape(_SPACES.sub(" ", _MARKDOWN_NOISE.sub(" ", text)))


def highlight(query: Query, text: str) -> SafeString:
    """The whole (short) text, escaped, with the query's words marked."""
    return mark_safe(_marked(text, _matches(query, text), 0, len(text)).strip())


def snippet(query: Query, text: str, width: int = WIDTH) -> SafeString:
    """The window of the text that shows the most of the query's words, marked."""
    text = text.strip()
    if not text:
        return mark_safe("")
    matches = _matches(query, text)
    start, end = _to_word_boundaries(text, _best_start(matches, width, len(text)), width)
    body = _marked(text, matches, start, end).strip()
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + body + suffix)


def _best_start(matches, width: int, length: int) -> int:
    """Where the window with the most different terms (then the most matches) begins."""
    best, best_key = 0, (0, 0, 0)
    for anchor, _end, _index in matches:
        start = max(0, anchor - LEAD)
        inside = [m for m in matches if m[0] >= start and m[1] <= start + width]
        key = (len({m[2] for m in inside}), len(inside), -anchor)
        if key > best_key:
            best, best_key = start, key
    if length - best < width:  # show a full window near the end of the text
        best = max(0, min(best, length - width))
    return best


def _to_word_boundaries(text: str, start: int, width: int) -> tuple[int, int]:
    """The window of at most `width` characters from about `start`: it starts at the beginning
    of a word (or of the line, when that is close) and ends before the word it would cut."""
    if start > 0:
        line = text.rfind("\n", 0, start)
        if line >= 0 and start - line <= LEAD // 2:
            start = line + 1
        while start < len(text) and _is_word_char(text[start - 1]) and _is_word_char(text[start]):
            start += 1
        while start < len(text) and not _is_word_char(text[start]) and text[start] not in '«"(':
            start += 1  # no leading «. » from the sentence before
    end = min(len(text), start + width)
    if end < len(text) and _is_word_char(text[end - 1]) and _is_word_char(text[end]):
        cut = end
        while cut > start and _is_word_char(text[cut - 1]):
            cut -= 1
        if cut > start:
            end = cut
    return start, end

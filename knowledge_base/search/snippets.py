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

# Markdown's marks and runs of white space, each run shown as one space (a rule, «---», too:
# looked for only in a text that has one, the plain character class is read much faster).
_NOISE_AND_SPACES = re.compile(r"[\s*#>|`_\[\]]+")
_NOISE_RULES_AND_SPACES = re.compile(r"(?:[\s*#>|`_\[\]]|-{3,})+")
_WORD_CHAR = re.compile(r"[^\W_]", re.UNICODE)
_WORD_TAIL = re.compile(r"[^\W_]*")


def _is_word_char(char: str) -> bool:
    return bool(_WORD_CHAR.match(char))


class _Words:
    """What one query marks: the beginnings of the words that may be its terms (their stems'),
    and which term each word of the texts is, remembered per word."""

    def __init__(self, terms):
        self.terms = terms
        # Stems are the words' beginnings (Latin ones but for a last letter): find the words that
        # begin with one of them, then check each by its stem.
        self.heads = sorted({s[: max(3, len(s) - 1)] for t in terms for s in t.stems if s})
        self.term_of: dict[str, int] = {}

    def spans(self, lowered: str) -> list[tuple[int, int]]:
        """(start, end) of the words of a lower-cased text that begin with a head: str.find for
        each head (several times faster than one regular expression read at every letter)."""
        ends = {}
        for head in self.heads:
            at = lowered.find(head)
            while at >= 0:
                if at == 0 or not lowered[at - 1].isalnum():  # a word's beginning
                    ends[at] = _WORD_TAIL.match(lowered, at).end()
                at = lowered.find(head, at + 1)
        return sorted(ends.items())

    @functools.cached_property
    def any_case(self) -> re.Pattern:
        """The same words in a text of any case (when lower-casing would move its letters)."""
        alternatives = "|".join(map(re.escape, sorted(self.heads, key=len, reverse=True)))
        return re.compile(r"(?<![^\W_])(?:" + alternatives + r")[^\W_]*", re.IGNORECASE)

    def index(self, word: str) -> int:
        """The index of the term the (lower-cased) word is, or -1."""
        index = self.term_of.get(word)
        if index is None:
            index = next((i for i, t in enumerate(self.terms) if t.matches_word(word)), -1)
            if len(self.term_of) < 10_000:
                self.term_of[word] = index
        return index


@functools.lru_cache(maxsize=256)
def _words(terms) -> _Words:
    """One per query (its terms, with their corrections), kept for the queries searched last."""
    return _Words(terms)


def _matches(query: Query, text: str) -> list[tuple[int, int, int]]:
    """(start, end, term index) of every word of the text that is a term of the query."""
    if not query.terms:
        return []
    words = _words(query.terms)
    folded = fold(text)
    lowered = folded.lower()
    if len(lowered) == len(folded):  # each letter lower-cased in its place
        spans = words.spans(lowered)
    else:  # a letter that lower-cases to two («İ»): the words are found in the text as it is
        spans = [hit.span() for hit in words.any_case.finditer(folded)]
        lowered = None
    found = []
    for start, end in spans:
        word = lowered[start:end] if lowered is not None else folded[start:end].lower()
        index = words.index(word)
        if index >= 0:
            found.append((start, end, index))
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
    noise = _NOISE_RULES_AND_SPACES if "---" in text else _NOISE_AND_SPACES
    return html.escape(noise.sub(" ", text))


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

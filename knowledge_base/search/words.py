"""Words of a query and of a text, the same way on PostgreSQL and on SQLite.

A query becomes terms: its words less the stop words (PostgreSQL's Russian list, which the index
drops from every text anyway) and, when other words remain, less the words an agent uses to frame
what the customer said («клиент говорит …»). Each term matches a text word with the same Snowball
stem (the stemmer PostgreSQL's `russian` configuration uses), or a word it begins when it is the
word being typed, or — when no text has it — the lexicon's nearest spellings (see `lexicon`).
"""

import bisect
import functools
import re
from dataclasses import dataclass, field

import snowballstemmer
from django.utils.translation import gettext_lazy as _

from config.floor.errors import DomainError

MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
# A word being typed matches the words it begins from this many letters on.
MIN_PREFIX = 3

ERR_QUERY_TOO_LONG = _("The search query is too long (at most %(limit)s characters).")

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_RUSSIAN = snowballstemmer.stemmer("russian")
_ENGLISH = snowballstemmer.stemmer("english")

# PostgreSQL's `russian` configuration drops these words (its russian.stop, the Snowball
# project's list) from every text and query; the fallback drops the same ones, so both databases
# search the same words. tests/knowledge_base/test_search.py checks the two lists agree.
# «не» is one of them: the index cannot find it, and it is in nearly every text. In «не работает
# интернет» the words that carry the problem, «работает» and «интернет», are searched.
_RUSSIAN_STOP = """
и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне
было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до
вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы
тебя их чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому
этого какой совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем всех
никогда можно при наконец два об другой хоть после над больше тот через эти нас про всего них
какая много разве три эту моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой
им более всегда конечно всю между
"""
STOP_WORDS = frozenset(_RUSSIAN_STOP.split())

# How an agent frames the customer's words: «клиент говорит дорого», «абонент спрашивает про
# пульт». They name who speaks, not the problem, and «клиент» is in most texts of the base, so
# they are dropped while the query has other words («клиент» alone is still searched). Verbs of
# the problem itself («не работает», «жалуется», «думает», «хочет») are never in this list.
_FRAME = """
клиент клиента клиенту клиентом клиентка клиентке абонент абонента абоненту абонентом
говорит говорят говорю сказал сказала сказали скажет спрашивает спросил спросила спрашивают
отвечает ответил ответила пишет написал написала
"""
FRAME_WORDS = frozenset(_FRAME.split())


class QueryTooLong(DomainError):
    """The query is longer than MAX_QUERY_LENGTH (the API answers 400 `query_too_long`)."""

    def __init__(self):
        super().__init__(
            ERR_QUERY_TOO_LONG, code="query_too_long", params={"limit": MAX_QUERY_LENGTH}
        )


def fold(text: str) -> str:
    """«ё» read as «е» (the index does the same), keeping every other character in its place."""
    return text.replace("ё", "е").replace("Ё", "Е")


def tokens(text: str) -> list[str]:
    """The text's words, lower-cased with «ё» as «е» (punctuation and operators are not words)."""
    return _WORD.findall(fold(text).lower())


def words_of(query: str) -> list[str]:
    """The query's word tokens; raises QueryTooLong."""
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryTooLong
    return tokens(query)[:MAX_WORDS]


@functools.lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The word's Snowball stem, as PostgreSQL's `russian` configuration makes it: the Russian
    stemmer for Cyrillic words, the English one for Latin words («антивирусы» → «антивирус»)."""
    return (_ENGLISH if word.isascii() else _RUSSIAN).stemWord(word)


@dataclass(frozen=True)
class Term:
    """One searched word: its stem, whether it is being typed, and the spellings it was
    corrected to when no text of the base has it («дорага» → «дорого»)."""

    word: str
    prefix: bool = False
    alternatives: tuple[str, ...] = ()

    @functools.cached_property
    def stems(self) -> frozenset[str]:
        return frozenset([stem(self.word), *(stem(w) for w in self.alternatives)])

    @functools.cached_property
    def prefix_stem(self) -> str:
        return stem(self.word) if self.prefix else ""

    def found_in(self, stems: frozenset[str]) -> bool:
        """Whether a text with these word stems contains the term."""
        if not self.stems.isdisjoint(stems):
            return True
        if self.prefix:
            return _has_prefix(stems, self.prefix_stem)
        return False

    def matches_word(self, word: str) -> bool:
        """Whether one word of a text (lower-cased, folded) is this term."""
        word_stem = stem(word)
        return word_stem in self.stems or (self.prefix and word_stem.startswith(self.prefix_stem))

    def tsquery(self) -> str:
        """The term in to_tsquery syntax: «'word':* | 'alternative'» (words are letters and
        digits only, so nothing in them is an operator)."""
        first = f"'{self.word}'" + (":*" if self.prefix else "")
        return "(" + " | ".join([first, *(f"'{w}'" for w in self.alternatives)]) + ")"


@dataclass(frozen=True)
class Query:
    """What the agent typed, as terms."""

    text: str
    terms: tuple[Term, ...] = field(default=())

    def __bool__(self) -> bool:
        return bool(self.terms)

    def with_alternatives(self, alternatives: dict[str, tuple[str, ...]]) -> "Query":
        terms = tuple(
            Term(t.word, t.prefix, alternatives.get(t.word, ())) if alternatives.get(t.word) else t
            for t in self.terms
        )
        return Query(self.text, terms)

    @property
    def corrections(self) -> dict[str, list[str]]:
        return {t.word: list(t.alternatives) for t in self.terms if t.alternatives}


def parse(text: str) -> Query:
    """The query's terms (at most MAX_WORDS words are read); raises QueryTooLong.

    The last word is matched as a prefix while it is being typed (no space after it yet).
    """
    words = words_of(text)
    significant = [w for w in words if w not in STOP_WORDS]
    framed = [w for w in significant if w not in FRAME_WORDS]
    chosen, seen = [], set()
    for word in framed or significant:
        if stem(word) not in seen:
            seen.add(stem(word))
            chosen.append(word)
    typing = bool(words) and not text[-1:].isspace() and chosen[-1:] == words[-1:]
    terms = [Term(w) for w in chosen]
    if typing and len(chosen[-1]) >= MIN_PREFIX:
        terms[-1] = Term(chosen[-1], prefix=True)
    return Query(text, tuple(terms))


@dataclass(frozen=True)
class Match:
    """How well a text answers a query: the terms it contains, and how many are in its title."""

    matched: int
    in_title: int
    terms: int

    @property
    def all_words(self) -> bool:
        return self.terms > 0 and self.matched == self.terms

    @property
    def score(self) -> float:
        """Terms matched, then the share of them in the title: the order of the results."""
        return round(self.matched + self.in_title / (self.terms + 1), 3)


@functools.lru_cache(maxsize=4096)
def stems_of(text: str) -> frozenset[str]:
    """The stems of a text's words (memoised on the text itself, so an edit is a new entry)."""
    return frozenset(stem(w) for w in tokens(text))


@functools.lru_cache(maxsize=4096)
def _in_order(stems: frozenset[str]) -> tuple[str, ...]:
    """The stems sorted (memoised on the set: stems_of returns the same set for the same text)."""
    return tuple(sorted(stems))


def _has_prefix(stems: frozenset[str], prefix: str) -> bool:
    """Whether a stem begins with `prefix`: a binary search instead of a look at every stem."""
    ordered = _in_order(stems)
    at = bisect.bisect_left(ordered, prefix)
    return at < len(ordered) and ordered[at].startswith(prefix)


def match(query: Query, title: str, body: str) -> Match:
    """Which of the query's terms the title and body contain."""
    return match_stems(query, stems_of(title), stems_of(body))


def match_stems(query: Query, title_stems: frozenset[str], body_stems: frozenset[str]) -> Match:
    """Which of the query's terms a title and body with these stems (`stems_of`) contain."""
    in_title = sum(t.found_in(title_stems) for t in query.terms)
    matched = sum(t.found_in(title_stems) or t.found_in(body_stems) for t in query.terms)
    return Match(matched, in_title, len(query.terms))

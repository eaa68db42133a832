"""Typo correction against the lexicon: the distinct words of every text in the base.

A query word of MIN_WORD letters or more that no text of the base has (no lexicon word with its
stem; for the word being typed, none whose stem begins with its stem) is searched together with
its nearest lexicon words: at most CANDIDATES of them, by trigram similarity (pg_trgm's measure),
each at least SIMILARITY alike («дорага» ~ «дорого» is 0.27) and with the same first letter
(people rarely mistype the first letter; «пароход» ~ «доход» is 0.27 too). The same corrects
the stemmer's misses: «дорогой» (stem «дорог») finds «дорого» (stem «дор»). PostgreSQL finds them with the GiST trigram index; SQLite
reads the word list and measures in Python the same way.

Corrections are remembered per process until the base's search version moves (see `version`).
"""

import threading

from django.conf import settings
from django.db import connection

from knowledge_base.models import SearchWord
from knowledge_base.search import version
from knowledge_base.search.words import STOP_WORDS, Query, stem, tokens

MIN_WORD = 4
MAX_WORD = 100
CANDIDATES = 3
SIMILARITY = 0.25
_MEMO_SIZE = 10_000

_memo: dict[tuple[str, str, bool], tuple[str, ...]] = {}
_lock = threading.Lock()


def lexicon_words(text: str) -> set[str]:
    """The words of a text worth keeping for typo correction."""
    return {w for w in tokens(text) if MIN_WORD <= len(w) <= MAX_WORD and w not in STOP_WORDS}


def correct(query: Query, *, current: str | None = None) -> Query:
    """The query with each unknown word's nearest spellings as its alternatives (`current`: the
    search version, when the caller has read it already)."""
    current = current or version.current()
    wanted = [t for t in query.terms if len(t.word) >= MIN_WORD]
    missing = [t for t in wanted if (current, t.word, t.prefix) not in _memo]
    if missing:
        found = _nearest_postgres(missing) if settings.IS_POSTGRES else _nearest_python(missing)
        with _lock:
            if len(_memo) > _MEMO_SIZE:
                _memo.clear()
            for term in missing:
                _memo[(current, term.word, term.prefix)] = found.get(term.word, ())
    alternatives = {t.word: _memo.get((current, t.word, t.prefix), ()) for t in wanted}
    return query.with_alternatives(alternatives)


def forget() -> None:
    """Drop the remembered corrections (tests)."""
    with _lock:
        _memo.clear()


# A word is known when a lexicon word starts with its stem and has the same stem (or, for the
# word being typed, any lexicon word starts with its stem). Otherwise its nearest words (GiST KNN
# on the trigram index) that are close enough.
_NEAREST_SQL = """
SELECT q.word, ARRAY(
    SELECT near.word FROM (
        SELECT s.word, s.word <-> q.word AS distance FROM knowledge_base_searchword s
        WHERE s.word LIKE q.initial ORDER BY distance LIMIT %s
    ) near WHERE near.distance <= %s ORDER BY near.distance, near.word
)
FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[]) AS q(word, tsquery, pattern, initial)
WHERE NOT EXISTS (
    SELECT 1 FROM knowledge_base_searchword s WHERE s.word LIKE q.pattern
    AND to_tsvector('russian', s.word) @@ to_tsquery('russian', q.tsquery)
)
"""


def _nearest_postgres(terms) -> dict[str, tuple[str, ...]]:
    words = [t.word for t in terms]
    tsqueries = [f"'{t.word}'" + (":*" if t.prefix else "") for t in terms]
    patterns = [_like_prefix(stem(t.word)) for t in terms]
    initials = [_like_prefix(t.word[0]) for t in terms]
    params = [CANDIDATES, 1 - SIMILARITY, words, tsqueries, patterns, initials]
    with connection.cursor() as cursor:
        cursor.execute(_NEAREST_SQL, params)
        rows = cursor.fetchall()
    return {word: tuple(w for w in near if w not in STOP_WORDS) for word, near in rows}


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _nearest_python(terms) -> dict[str, tuple[str, ...]]:
    """The same answer as PostgreSQL's, from the word list read in Python (SQLite)."""
    found = {}
    for term in terms:
        word_stem = stem(term.word)
        starting = SearchWord.objects.filter(word__startswith=word_stem).values_list(
            "word", flat=True
        )
        if any(term.matches_word(w) for w in starting):
            continue
        grams = trigrams(term.word)
        near = SearchWord.objects.filter(word__startswith=term.word[0])
        scored = [
            (similarity(grams, trigrams(w)), w)
            for w in near.values_list("word", flat=True).iterator()
        ]
        nearest = sorted(scored, key=lambda s: (-s[0], s[1]))[:CANDIDATES]
        found[term.word] = tuple(
            w for sim, w in nearest if sim >= SIMILARITY and w not in STOP_WORDS
        )
    return found


def trigrams(word: str) -> frozenset[str]:
    """pg_trgm's trigrams of one word: lower-cased, two spaces before and one after."""
    padded = f"  {word.lower()} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """pg_trgm's similarity: shared trigrams over all trigrams of the two words."""
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared) if a or b else 0.0

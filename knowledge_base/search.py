"""Search in Russian.

Articles: on PostgreSQL, one SQL statement per search: full-text search (`russian`
configuration, title weight A over body B, GIN indexes on the stored vectors); the candidates
are every title match and a bounded number of body matches, and only they are ranked; snippets
are made in Python for the rows shown. A word no article contains is corrected
inside the same statement against the word list (lexicon, GiST trigram index), so typos
(«дорага») become index terms instead of trigram scans of bodies. On SQLite, an honest fallback:
every query word, with its Russian ending stripped, must occur in the title or body.

Bridges, objections and closing phrases are a few dozen rows: they are matched in Python, the same
way on every database, by word stems with prefix and small-edit-distance tolerance.

Queries are reduced to word tokens first, so quotes, operators and SQL never reach a query parser.
"""

import functools
import re

import snowballstemmer
from django.conf import settings
from django.contrib.postgres.search import (
    SearchQueryField,
    SearchRank,
)
from django.db.models import (
    BooleanField,
    Case,
    Expression,
    F,
    Func,
    IntegerField,
    Q,
    Value,
    When,
)
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
MIN_TRIGRAM_WORD = 4
# ts_rank must read the long (out-of-line) search vector: only this many of the matches, the
# best by their title, get it; the rest follow in title and date order.
# Body-only matches ranked at most (title matches always are): see _search_postgres.
BODY_CANDIDATES = 60
# Title matches ranked at most, the best by the small title vector.
TITLE_CANDIDATES = 40
# Lexicon words tried for one misspelt query word, and how close they must be (pg_trgm
# similarity: «дорага» ~ «дорого» is 0.27).
TYPO_CANDIDATES = 3
TYPO_SIMILARITY = 0.25

ERR_QUERY_TOO_LONG = _("The search query is too long (at most %(limit)s characters).")

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_RUSSIAN = snowballstemmer.stemmer("russian")
_ENGLISH = snowballstemmer.stemmer("english")
# PostgreSQL's `russian` configuration drops these words (its russian.stop, the Snowball
# project's list) from every text and query; the fallback drops the same ones, so both databases
# search the same words. tests/knowledge_base/test_search.py checks the two lists agree.
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


class QueryTooLong(ValueError):
    """The query is longer than MAX_QUERY_LENGTH; the caller answers 400 `query_too_long`."""


def fold(text: str) -> str:
    return text.replace("ё", "е").replace("Ё", "Е")


def tokens(text: str) -> list[str]:
    """The text's words, lower-cased with «ё» as «е» (punctuation and operators are not words)."""
    return _WORD.findall(fold(text).lower())


def words_of(query: str) -> list[str]:
    """The query's word tokens; raises QueryTooLong."""
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryTooLong(query)
    return tokens(query)[:MAX_WORDS]


@functools.lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The word's Snowball stem, as PostgreSQL's `russian` configuration makes it: the Russian
    stemmer for Cyrillic words, the English one for Latin words («антивирусы» → «антивирус»)."""
    return (_ENGLISH if word.isascii() else _RUSSIAN).stemWord(word)


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (limit + 1) once it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _word_score(word: str, text_words: set[str], text_stems: set[str]) -> float:
    """1 for the same stem, 0.8 for a word the query word begins, 0.6 for a near spelling."""
    if stem(word) in text_stems:
        return 1.0
    best = 0.0
    limit = 1 if len(word) <= 5 else 2
    for text_word in text_words:
        if len(word) >= 3 and text_word.startswith(word):
            return 0.8
        if len(word) >= 4 and _distance(word, text_word, limit) <= limit:
            best = 0.6
    return best


def text_score(words: list[str], text: str) -> float:
    """How well the text answers the query words: 0 (not at all) to 1 (every word)."""
    query_words = [w for w in words if w not in STOP_WORDS and len(w) >= 2]
    if not query_words:
        return 0.0
    text_words = set(tokens(text))
    text_stems = {stem(w) for w in text_words}
    return sum(_word_score(w, text_words, text_stems) for w in query_words) / len(query_words)


def rank_in_python(rows, words, text_of, threshold=0.3):
    """The rows whose text matches, best first (stable for ties)."""
    scored = [(text_score(words, text_of(row)), index, row) for index, row in enumerate(rows)]
    return [
        row for score, _i, row in sorted(scored, key=lambda t: (-t[0], t[1])) if score >= threshold
    ]


# Articles -------------------------------------------------------------------------------------

HL_START, HL_STOP = "\x02", "\x03"
_MARKDOWN_NOISE = re.compile(r"[*#>|`_\[\]]+|-{3,}")


def _clean_snippet(text: str) -> str:
    return _MARKDOWN_NOISE.sub(" ", text)


def highlight_html(snippet: str) -> str:
    """Escape the snippet, then turn the sentinels into <mark>: the body's HTML never runs."""
    safe = escape(_clean_snippet(snippet))
    return mark_safe(safe.replace(HL_START, "<mark>").replace(HL_STOP, "</mark>"))


def lexicon_words(text: str) -> set[str]:
    """The words of a text worth keeping for typo correction."""
    return {w for w in _WORD.findall(fold(text).lower()) if MIN_TRIGRAM_WORD <= len(w) <= 100}


class ArticleTsQuery(Expression):
    """The query's tsquery, with misspelt words corrected inside the same SQL statement.

    A word of four letters or more that matches no lexicon word (the articles' words) is OR'ed with its nearest lexicon words (GiST trigram index, `<->` distance, similarity at
    least TYPO_SIMILARITY): «дорага» becomes «дорага | дорого | дорогой», which the Russian
    stemmer turns into index terms. The probes are evaluated once per statement (InitPlans), so
    a search stays one query whether or not it needed correcting.
    """

    output_field = SearchQueryField()

    def __init__(self, words):
        super().__init__()
        self.words = list(words)

    def __repr__(self):
        return f"{self.__class__.__name__}({self.words!r})"

    def as_sql(self, compiler, connection):
        terms = [w for w in self.words if w not in STOP_WORDS] or self.words
        parts, params = [], []
        for index, word in enumerate(terms):
            term = "to_tsquery('russian', %s)"
            term_params = [word + (":*" if index == len(terms) - 1 else "")]
            if len(word) >= MIN_TRIGRAM_WORD:
                # A word that matches no word of the articles is a typo or a stemmer miss
                # («дорогой» vs «дорого»): OR it with its nearest known words. Both probes are
                # index lookups on the word list.
                term = (
                    f"CASE WHEN EXISTS ({_KNOWN}) THEN {term} "
                    f"ELSE {term} || coalesce(({_CORRECTIONS}), ''::tsquery) END"
                )
                term_params = [
                    stem(word) + "%",
                    *term_params,
                    *term_params,
                    *term_params,
                    word,
                    TYPO_CANDIDATES,
                    1 - TYPO_SIMILARITY,
                ]
            parts.append(f"({term})")
            params += term_params
        # A scalar subquery: PostgreSQL builds the tsquery once per statement instead of once
        # per row (to_tsquery is only STABLE, so it is not folded).
        return "(SELECT {})".format(" && ".join(parts)), params


# Some word of the articles starts like the query word and matches it after stemming.
_KNOWN = (
    "SELECT 1 FROM knowledge_base_searchword WHERE word LIKE %s "
    "AND to_tsvector('russian', word) @@ to_tsquery('russian', %s)"
)
# The nearest lexicon words (GiST KNN), those close enough OR'ed into one tsquery, else NULL.
_CORRECTIONS = (
    "SELECT to_tsquery('russian', string_agg(near.word, ' | ')) FROM ("
    "SELECT word, word <-> %s AS distance FROM knowledge_base_searchword "
    "ORDER BY distance LIMIT %s) near WHERE near.distance <= %s"
)


def search_articles(queryset, words):
    """Articles of `queryset` matching the words, best first, with `rank` and `headline`."""
    if not words:
        return queryset.none()
    if settings.IS_POSTGRES:
        return _search_postgres(queryset, words)
    return _search_fallback(queryset, words)


def _search_postgres(queryset, words):
    """One statement: the candidates are every article whose title matches (GIN index on the
    title vector) and the first BODY_CANDIDATES whose body matches (GIN index on the full
    vector, no ordering); only the candidates are ranked by the full vector, title A over body B.
    Ranking every match of a common word reads and sorts every matching row, which costs far
    more than finding them; a title match always competes, a body-only match of a very common
    word may not. Filters must be applied to `queryset` before the search (the candidates are
    chosen within it). Snippets are made in Python from the rows fetched (`python_headline`)."""
    tsquery = ArticleTsQuery(words)
    base = queryset.order_by()
    title_hits = (
        base.filter(TsMatch(F("title_vector"), tsquery))
        .annotate(title_rank=SearchRank(F("title_vector"), tsquery))
        .order_by("-title_rank")
        .values("pk")[:TITLE_CANDIDATES]
    )
    body_hits = base.filter(TsMatch(F("search_vector"), tsquery)).values("pk")[:BODY_CANDIDATES]
    return (
        queryset.filter(pk__in=title_hits.union(body_hits))
        .defer("search_vector", "title_vector")
        .annotate(rank=SearchRank(F("search_vector"), tsquery))
        .order_by("-rank", "-published_at", "pk")
    )


class TsMatch(Func):
    """`vector @@ query` as a filter condition (the query here is an expression, not a string)."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _contains_any_case(field, fragment):
    variants = {fragment, fragment.capitalize(), fragment.upper()}
    condition = Q()
    for variant in variants:
        condition |= Q(**{f"{field}__contains": variant})
    return condition


def _search_fallback(queryset, words):
    stems = [stem(w) for w in words if w not in STOP_WORDS] or [stem(w) for w in words]
    title_hits = []
    for fragment in stems:
        in_title = _contains_any_case("title", fragment)
        queryset = queryset.filter(in_title | _contains_any_case("body", fragment))
        title_hits.append(When(in_title, then=Value(1)))
    rank = sum(
        (Case(hit, default=Value(0), output_field=IntegerField()) for hit in title_hits),
        Value(0),
    )
    return queryset.annotate(rank=rank).order_by("-rank", "-published_at", "pk")


def snippet(article, words: list[str]) -> str:
    """The highlighted snippet of a found article (from the database where it made one)."""
    headline = getattr(article, "headline", None)
    if headline is not None:
        return highlight_html(headline)
    return python_headline(article.body, words)


def python_headline(body: str, words: list[str], width: int = 160) -> str:
    """The snippet: the text around the first matching word, marked (cheaper than ts_headline,
    which parses the whole body of every row). Only the window shown is cleaned and marked."""
    stems = sorted({stem(w) for w in words if len(w) >= 2} - {""}, key=len, reverse=True)
    lowered = fold(body.lower())
    positions = [p for p in (lowered.find(s) for s in stems) if p >= 0]
    start = max(min(positions) - width // 3, 0) if positions else 0
    snippet = _clean_snippet(body[start : start + width])
    if stems:
        pattern = re.compile("(" + "|".join(map(re.escape, stems)) + ")", re.IGNORECASE)
        snippet = pattern.sub(HL_START + r"\1" + HL_STOP, snippet)
    prefix = "… " if start else ""
    suffix = " …" if start + width < len(body) else ""
    return highlight_html(prefix + snippet + suffix)

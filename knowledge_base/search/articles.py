"""Articles that answer a query, ranked: the terms they contain, then how many of them are in
the title, then the newest first. Articles with every term come first when there are any.

PostgreSQL: one hand-written statement, prepared once per connection (a generic plan: no
planning per search, and no sequential scan that reads every article's vector when a word is
common). Ranking many full-text matches costs far more than finding them (each match's long
vector must be read), so the statement reads no vector but the titles': it takes a bounded set of
candidates in tiers, each from a GIN index without ordering (the index answers «at least k of
these terms» exactly):
- articles whose title has every term, all but one (3 terms or more), any term (TITLE_TIER each);
- articles whose title and body together have every term, all but one, at least two (5 terms or
  more), any term (BODY_TIER each).
An article counts the terms of the highest tier it was found in (or of its title, if more). A
tier that is not full holds every article of its level, so the counts and the order are exact
whenever the tiers above are not full, page one always: when BODY_TIER articles have every term,
page one is all such articles anyway. A partial match beyond a full tier may be missed.

SQLite (the embedded database): every visible article is matched in Python, by the same rules.
"""

import datetime
import itertools
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from config.floor.prepared import execute_prepared
from knowledge_base.models import Article
from knowledge_base.search.words import Match, Query, match

TITLE_TIER = 20
BODY_TIER = 20


@dataclass(frozen=True)
class ArticleHit:
    id: int
    title: str
    body: str
    category: str
    published_at: datetime.datetime | None
    match: Match


def rank(query: Query, *, statuses, ids=None, limit: int = 20) -> list[ArticleHit]:
    """The best `limit` articles of the given statuses (and among `ids`, when given)."""
    if not query.terms:
        return []
    if settings.IS_POSTGRES:
        return _rank_postgres(query, list(statuses), ids, limit)
    return _rank_python(query, list(statuses), ids, limit)


def _tsqueries(query: Query) -> dict:
    each = [t.tsquery() for t in query.terms]
    n = len(each)

    def at_least(k):  # articles with at least k of the terms: one GIN lookup, exact
        return " | ".join("(" + " & ".join(c) + ")" for c in itertools.combinations(each, k))

    return {
        "all": " & ".join(each) if n > 1 else None,
        "most": at_least(n - 1) if n > 2 else None,
        "two": at_least(2) if n > 3 else None,
        "any": " | ".join(each),
        "each": each,
        "n": n,
    }


_TIER = (
    "(SELECT id, {level} AS level FROM knowledge_base_article "
    "WHERE {vector} @@ (SELECT {q} FROM q) AND status = ANY($6::text[]){only} LIMIT {limit})"
)
_LEVELS = (("q_all", "$8"), ("q_most", "$8 - 1"), ("q_two", "2"), ("q_any", "1"))

# The candidates' vectors are never read (that is what costs): how many terms an article has is
# the highest tier it was found in, or its title's count when higher. A tier that returned fewer
# rows than its limit holds every article of its level, so the count is exact for every article
# when the tiers above it are not full — always on page one for up to four terms.
_STATEMENT = """
WITH q AS MATERIALIZED (
    SELECT to_tsquery('russian', $1) AS q_all, to_tsquery('russian', $2) AS q_most,
           to_tsquery('russian', $3) AS q_two, to_tsquery('russian', $4) AS q_any,
           ARRAY(SELECT to_tsquery('russian', e) FROM unnest($5::text[]) AS e) AS q_each
), candidate AS (
    SELECT id, max(level) AS level FROM (
    {tiers}
    ) tier GROUP BY id
)
SELECT a.id, a.title, a.body, c.name, a.published_at,
       greatest(candidate.level, t.in_title) AS matched, t.in_title
FROM candidate JOIN knowledge_base_article a ON a.id = candidate.id
JOIN knowledge_base_category c ON c.id = a.category_id
CROSS JOIN LATERAL (
    SELECT count(*) AS in_title FROM unnest((SELECT q_each FROM q)) e WHERE a.title_vector @@ e
) t
ORDER BY matched DESC, t.in_title DESC, a.published_at DESC NULLS LAST, a.id
LIMIT $7
"""


def _statement(only_ids: bool) -> str:
    only = " AND id = ANY($9::bigint[])" if only_ids else ""
    tiers = "\n    UNION ALL ".join(
        _TIER.format(vector=vector, q=q, level=level, only=only, limit=limit)
        for vector, limit in (("title_vector", TITLE_TIER), ("search_vector", BODY_TIER))
        for q, level in _LEVELS
        if not (vector == "title_vector" and q == "q_two")
    )
    return _STATEMENT.format(tiers=tiers)


_TYPES = "text, text, text, text, text[], text[], int, int"
_PREPARED = {
    "kb_article_search": (_statement(False), _TYPES),
    "kb_article_search_in": (_statement(True), _TYPES + ", bigint[]"),
}


def _rank_postgres(query, statuses, ids, limit):
    q = _tsqueries(query)
    params = [q["all"], q["most"], q["two"], q["any"], q["each"], statuses, limit, q["n"]]
    if ids is not None:
        params.append(list(ids))
    key = "kb_article_search" if ids is None else "kb_article_search_in"
    with connection.cursor() as cursor:
        execute_prepared(cursor, key, *_PREPARED[key], params)
        rows = cursor.fetchall()
    terms = len(query.terms)
    return [
        ArticleHit(id_, title, body, category, published, Match(matched, in_title, terms))
        for id_, title, body, category, published, matched, in_title in rows
    ]


def _rank_python(query, statuses, ids, limit):
    articles = Article.objects.filter(status__in=statuses)
    if ids is not None:
        articles = articles.filter(pk__in=list(ids))
    hits = []
    rows = articles.values_list("pk", "title", "body", "category__name", "published_at")
    for id_, title, body, category, published in rows.iterator():
        found = match(query, title, body)
        if found.matched:
            hits.append(ArticleHit(id_, title, body, category, published, found))
    hits.sort(key=_python_order)
    return hits[:limit]


def _python_order(hit: ArticleHit):
    published = hit.published_at.timestamp() if hit.published_at else float("-inf")
    return (-hit.match.matched, -hit.match.in_title, -published, hit.id)

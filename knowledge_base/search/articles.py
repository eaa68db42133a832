"""Articles that answer a query, ranked: the terms they contain, then how many of them are in
the title, then the newest first. Articles with every term come first when there are any.

PostgreSQL: one hand-written statement, prepared once per connection (a generic plan: no
planning per search, and no sequential scan that reads every article's vector when a word is
common). Ranking many full-text matches costs far more than finding them, so the statement ranks
a bounded set of candidates, each tier taken from a GIN index without ordering:
- articles whose title has every term, most terms (all but one, for 3 terms or more), any term
  (TITLE_TIER each);
- the same three tiers over title and body together (BODY_TIER each).
Every article with all the terms competes while there are at most BODY_TIER of them (beyond
that, page one is full of them anyway); a partial match beyond the tiers may be missed. Only the
candidates' vectors are read, once each.

SQLite (the embedded database): every visible article is matched in Python, by the same rules.
"""

import datetime
import functools
import hashlib
import weakref
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from knowledge_base.models import Article
from knowledge_base.search.words import Match, Query, match

TITLE_TIER = 20
BODY_TIER = 30


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
    many = len(each) > 1
    most = (
        " | ".join("(" + " & ".join(e for e in each if e is not left) + ")" for left in each)
        if len(each) > 2
        else None
    )
    return {
        "all": " & ".join(each) if many else None,
        "most": most,
        "any": " | ".join(each),
        "each": each,
    }


_TIER = (
    "(SELECT id FROM knowledge_base_article WHERE {vector} @@ (SELECT {q} FROM q) "
    "AND status = ANY($5::text[]){only} LIMIT {limit})"
)

_STATEMENT = """
WITH q AS MATERIALIZED (
    SELECT to_tsquery('russian', $1) AS q_all, to_tsquery('russian', $2) AS q_most,
           to_tsquery('russian', $3) AS q_any,
           ARRAY(SELECT to_tsquery('russian', e) FROM unnest($4::text[]) AS e) AS q_each
), candidate AS (
    {tiers}
), scored AS MATERIALIZED (
    SELECT a.id, a.title, a.body, a.category_id, a.published_at, a.title_vector AS tv,
           a.search_vector || ''::tsvector AS v
    FROM knowledge_base_article a WHERE a.id IN (SELECT id FROM candidate)
)
SELECT s.id, s.title, s.body, c.name, s.published_at,
       (SELECT count(*) FROM unnest((SELECT q_each FROM q)) e WHERE s.v @@ e) AS matched,
       (SELECT count(*) FROM unnest((SELECT q_each FROM q)) e WHERE s.tv @@ e) AS in_title
FROM scored s JOIN knowledge_base_category c ON c.id = s.category_id
ORDER BY matched DESC, in_title DESC, s.published_at DESC NULLS LAST, s.id
LIMIT $6
"""


def _statement(only_ids: bool) -> str:
    only = " AND id = ANY($7::bigint[])" if only_ids else ""
    tiers = "\n    UNION ".join(
        _TIER.format(vector=vector, q=q, only=only, limit=limit)
        for vector, limit in (("title_vector", TITLE_TIER), ("search_vector", BODY_TIER))
        for q in ("q_all", "q_most", "q_any")
    )
    return _STATEMENT.format(tiers=tiers)


_PREPARED = {
    "kb_article_search": (_statement(False), "text, text, text, text[], text[], int"),
    "kb_article_search_in": (_statement(True), "text, text, text, text[], text[], int, bigint[]"),
}
# The statements prepared on each raw connection (a new connection prepares them again). A name
# carries a hash of its SQL, so a changed statement is prepared afresh, never confused with the old.
_prepared_on: "weakref.WeakKeyDictionary[object, set[str]]" = weakref.WeakKeyDictionary()


@functools.lru_cache(maxsize=16)
def _name(key: str, sql: str) -> str:
    return f"{key}_{hashlib.blake2s(sql.encode(), digest_size=4).hexdigest()}"


def _prepared(cursor, key: str) -> str:
    """The name of the statement `key`, prepared on this connection."""
    sql, types = _PREPARED[key]
    name = _name(key, sql)
    names = _prepared_on.setdefault(connection.connection, set())
    if name not in names:
        if not names:
            # Only prepared statements follow this: ours, as Django's queries are not prepared.
            # (SET is undone with its transaction; the statements are not, and stay correct.)
            cursor.execute("SET plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE {name} ({types}) AS {sql}")
        names.add(name)
    return name


def _rank_postgres(query, statuses, ids, limit):
    q = _tsqueries(query)
    params = [q["all"], q["most"], q["any"], q["each"], statuses, limit]
    if ids is not None:
        params.append(list(ids))
    placeholders = ", ".join(["%s"] * len(params))
    with connection.cursor() as cursor:
        name = _prepared(cursor, "kb_article_search" if ids is None else "kb_article_search_in")
        cursor.execute(f"EXECUTE {name} ({placeholders})", params)
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

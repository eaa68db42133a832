"""One ranked list across the knowledge base: articles, business bridges, objections (with their
В.З.О.Р. answers) and closing phrases, each hit with its highlighted title and snippet.

Every hit is ranked by the same measure (`words.Match`): how many of the query's terms it
contains, then how many of them are in its title. Hits with every term come first when there are
any. On a tie the answers an agent reads out come before articles (objections, bridges, closing
phrases, then articles), then each kind keeps its own order.
"""

import functools
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse
from django.utils.safestring import SafeString

from knowledge_base.search import answers, articles, lexicon, snippets, version
from knowledge_base.search.answers import ARTICLE, BRIDGE, CLOSING, OBJECTION
from knowledge_base.search.words import Match, Query, match_stems, parse

KINDS = (OBJECTION, BRIDGE, CLOSING, ARTICLE)
LIMIT = 20
MAX_LIMIT = 50


@dataclass(frozen=True)
class Hit:
    kind: str
    id: int
    key: str
    title: str
    title_html: SafeString
    snippet: SafeString
    url: str
    match: Match
    category: str = ""
    offer_name: str = ""
    offer_price: Decimal | None = None


@dataclass(frozen=True)
class Result:
    query: Query
    hits: list[Hit] = field(default_factory=list)

    @property
    def all_words(self) -> int:
        """How many hits contain every term."""
        return sum(hit.match.all_words for hit in self.hits)


def search(text: str, *, statuses, limit: int = LIMIT) -> Result:
    """The best `limit` hits for what the agent typed (raises words.QueryTooLong)."""
    query = parse(text)
    if not query:
        return Result(query)
    current = version.current()  # read once per search (a round trip when the cache is Redis)
    query = lexicon.correct(query, current=current)
    ranked = [(_answer_key(doc, found, KINDS.index(doc.kind), i), doc, found)
              for i, doc in enumerate(answers.documents(current))
              if (found := match_stems(query, *doc.stems)).matched]  # fmt: skip
    article_hits = articles.rank(query, statuses=statuses, limit=limit)
    ranked += [
        (_answer_key(hit, hit.match, KINDS.index(ARTICLE), i), hit, hit.match)
        for i, hit in enumerate(article_hits)
    ]
    ranked.sort(key=lambda r: r[0])
    return Result(query, [_hit(query, item, found) for _key, item, found in ranked[:limit]])


def _answer_key(_item, found: Match, kind_order: int, position: int):
    return (-found.matched, -found.in_title, kind_order, position)


@functools.cache
def _article_url_parts() -> tuple[str, str]:
    prefix, _sep, suffix = reverse("kb:article", args=[987654321]).partition("987654321")
    return prefix, suffix


def _article_url(pk: int) -> str:
    """reverse("kb:article"), once per process instead of once per hit."""
    prefix, suffix = _article_url_parts()
    return f"{prefix}{pk}{suffix}"


def _hit(query: Query, item, found: Match) -> Hit:
    if isinstance(item, articles.ArticleHit):
        return Hit(
            kind=ARTICLE,
            id=item.id,
            key=str(item.id),
            title=item.title,
            title_html=snippets.highlight(query, item.title),
            snippet=snippets.snippet(query, item.body),
            url=_article_url(item.id),
            match=found,
            category=item.category,
        )
    return Hit(
        kind=item.kind,
        id=item.id,
        key=item.key,
        title=item.title,
        title_html=snippets.highlight(query, item.title),
        snippet=snippets.snippet(query, item.snippet_text),
        url=item.url,
        match=found,
        offer_name=item.offer_name,
        offer_price=item.offer_price,
    )

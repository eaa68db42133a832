"""Knowledge-base search latency on PostgreSQL: our selector vs a bare indexed full-text SELECT.

Run: DATABASE_URL=postgres://... python -m tests.benchmarks kb_search
Builds a throw-away database (test_<name>) with 10,000 generated articles, runs 200 queries
through `search.search_articles` (first page of 20, highlighted snippets included) and the same number of
bare `SELECT id FROM article WHERE search_vector @@ plainto_tsquery(...) LIMIT 20`, and prints
the median and p95 of each and their ratio (goal: at most 3), twice: right after the bulk load
and in the steady state after VACUUM (the GIN pending list merged, as autovacuum would).
"""

import os
import random
import statistics
import sys
import time

import django

ARTICLES = 10_000
QUERIES = 200
PAGE = 20
WORDS_TEXT = (
    "антивирус касперского защита устройств скорость интернет опция мбит пульт телевизор "
    "просмотр архив пауза ребенок контент тариф пакет кино амедиатека видеонаблюдение подписка "
    "клиент возражение дорого подумаю цена день промо период подключение заявка наряд инсталлятор "
    "баланс блокировка лицевой счет рекомендации кампания результат обращение сегмент услуга"
)
WORDS = WORDS_TEXT.split()
SYLLABLES = "ка ло ми ре ту на ве до пры зо шу ли бе ра го нут ск ов ин ет"
QUERY_TEXTS = [
    "антивирусы", "скорость интернета", "пульт", "дорага", "ребёнок", "подключение заявки",
    "касперский", "видеонаблюдение", "тарифы", "блокировки", "промо", "возражения клиента",
]  # fmt: skip


def _percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _filler_words(rng, count):
    syllables = SYLLABLES.split()
    return ["".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(count)]


def _text(rng, filler, length, domain_share):
    return " ".join(
        rng.choice(WORDS) if rng.random() < domain_share else rng.choice(filler)
        for _ in range(length)
    )


def _populate(rng):
    """Articles of a realistic shape: a few domain words among many others."""
    from django.utils import timezone

    from knowledge_base import services
    from knowledge_base.models import Article, ArticleStatus, Category

    category = Category.objects.add_root({"name": "Бенчмарк", "slug": "bench"})
    filler = _filler_words(rng, 5000)
    now = timezone.now()
    batch = [
        Article(
            title=_text(rng, filler, 5, 0.3) + f" {i}",
            body=_text(rng, filler, rng.randint(80, 300), 0.02),
            category=category,
            status=ArticleStatus.PUBLISHED,
            published_at=now,
        )
        for i in range(ARTICLES)
    ]
    Article.objects.bulk_create(batch, batch_size=1000)
    services.article_refresh_search()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE knowledge_base_article")


def _time(function, queries):
    timings = []
    for query in queries:
        started = time.perf_counter()
        function(query)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    if not settings.IS_POSTGRES:
        print("needs PostgreSQL: set DATABASE_URL=postgres://...")
        return 1
    old_config = setup_databases(verbosity=0, interactive=False, serialized_aliases=[])
    try:
        from knowledge_base import search
        from knowledge_base.models import Article

        rng = random.Random(6)
        started = time.perf_counter()
        _populate(rng)
        print(f"populated {ARTICLES} articles in {time.perf_counter() - started:.1f} s")
        queries = [rng.choice(QUERY_TEXTS) for _ in range(QUERIES)]

        def ours(query):
            words = search.words_of(query)
            rows = search.search_articles(Article.objects.published(), words)
            return [(a.pk, search.snippet(a, words)) for a in rows[:PAGE]]

        def bare(query):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id FROM knowledge_base_article "
                    "WHERE search_vector @@ plainto_tsquery('russian', %s) LIMIT %s",
                    [query, PAGE],
                )
                return cursor.fetchall()

        ratios = {}
        # Right after the bulk load the GIN index still has its whole pending list, and the
        # planner scans the table instead of the index; autovacuum soon merges the list, so the
        # steady state (after VACUUM) is what agents meet. Both are measured on the same table.
        for state, statement in (
            ("after bulk load", None),
            ("steady state", "VACUUM ANALYZE knowledge_base_article"),
        ):
            if statement:
                with connection.cursor() as cursor:
                    cursor.execute(statement)
            ratios.update(_measure(state, ours, bare, queries))
    finally:
        teardown_databases(old_config, verbosity=0)
    return ratios


def _measure(state, ours, bare, queries):
    for function in (ours, bare):  # warm the caches
        _time(function, QUERY_TEXTS)
    ours_ms = _time(ours, queries)
    bare_ms = _time(bare, queries)
    median_ratio = statistics.median(ours_ms) / statistics.median(bare_ms)
    p95_ratio = _percentile(ours_ms, 0.95) / _percentile(bare_ms, 0.95)
    print(f"{state}: {len(queries)} queries over {ARTICLES} articles")
    print(f"  search selector: median {statistics.median(ours_ms):.2f} ms, "
          f"p95 {_percentile(ours_ms, 0.95):.2f} ms")  # fmt: skip
    print(f"  bare FTS SELECT: median {statistics.median(bare_ms):.2f} ms, "
          f"p95 {_percentile(bare_ms, 0.95):.2f} ms")  # fmt: skip
    print(f"  ratio: median {median_ratio:.2f}, p95 {p95_ratio:.2f} (goal <= 3)")
    return {f"{state}, median": median_ratio, f"{state}, p95": p95_ratio}


if __name__ == "__main__":
    sys.exit(main())

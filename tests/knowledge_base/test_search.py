import pytest

from knowledge_base import search, selectors, services
from knowledge_base.models import Article, ArticleStatus
from tests.conftest import requires_postgres
from tests.knowledge_base.factories import CategoryFactory


def _article(title, body, **kwargs):
    category = kwargs.pop("category", None) or CategoryFactory()
    return services.article_create(
        title=title,
        category=category,
        body=body,
        status=kwargs.pop("status", ArticleStatus.PUBLISHED),
        **kwargs,
    )


def _titles(queryset):
    return [a.title for a in queryset]


def test_words_are_tokens_only():
    assert search.words_of("\"'; DROP TABLE x; -- & | ! <-> :*") == ["drop", "table", "x"]
    assert search.words_of("Ребёнок") == ["ребенок"]
    with pytest.raises(search.QueryTooLong):
        search.words_of("в" * 10_000)


def test_stem_is_snowballs_as_postgresql_has_it():
    assert search.stem("антивирусы") == "антивирус"
    assert search.stem("антивирусом") == "антивирус"
    assert search.stem("дорого") == "дор"  # an adjective's «-ого»
    assert search.stem("пульт") == "пульт"
    assert search.stem("kids") == "kid"  # Latin words by the English stemmer


@requires_postgres
@pytest.mark.django_db
def test_stems_and_stop_words_are_postgresqls_own():
    """The fallback and the snippets stem and drop words exactly as PostgreSQL's `russian`
    configuration does, on every word of the seed's texts."""
    from django.db import connection

    from knowledge_base import seed

    texts = [a["title"] + " " + a["body"] for a in seed.ARTICLES]
    texts += [" ".join([b["trigger"], b["phrase"], b["keywords"]]) for b in seed.BRIDGES]
    texts += [str(o) for o in seed.OBJECTIONS] + [text for _stage, text in seed.CLOSING]
    words = sorted({w for t in texts for w in search.tokens(t)} - search.STOP_WORDS)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT w, (ts_lexize(CASE WHEN w ~ '^[a-z]+$' THEN 'english_stem' "
            "ELSE 'russian_stem' END::regdictionary, w))[1] FROM unnest(%s::text[]) AS w",
            [words],
        )
        theirs = dict(cursor.fetchall())
        cursor.execute(
            "SELECT w FROM unnest(%s::text[]) AS w WHERE to_tsvector('russian', w) = ''",
            [sorted(search.STOP_WORDS | {"антивирус"})],
        )
        dropped = {row[0] for row in cursor.fetchall()}
    assert {w: search.stem(w) for w in words if theirs[w]} == {
        w: stem for w, stem in theirs.items() if stem
    }
    assert dropped == search.STOP_WORDS


@pytest.mark.django_db
def test_fallback_finds_inflected_words_in_title_and_body():
    a = _article("Антивирус Касперского", "Защита двух устройств.")
    b = _article("Скорость", "Подключите антивирус для защиты.")
    _article("Пульт ДУ", "Управление просмотром.")
    found = search._search_fallback(Article.objects.all(), search.words_of("антивирусы"))
    assert _titles(found) == [a.title, b.title]  # the title match ranks first


@pytest.mark.django_db
def test_fallback_needs_every_word():
    _article("Антивирус", "для двух устройств")
    _article("Антивирус детям", "Safe Kids")
    found = search._search_fallback(Article.objects.all(), search.words_of("антивирус устройств"))
    assert _titles(found) == ["Антивирус"]


def test_python_matcher_tolerates_typos_inflections_and_yo():
    text = "Консультация по ЕЛК: для защиты Вашего ребенка предлагаю Kaspersky Safe Kids"
    assert search.text_score(search.words_of("ребёнок"), text) > 0
    assert search.text_score(search.words_of("ребенку"), text) > 0
    assert search.text_score(search.words_of("дорага"), "У вас дорого") > 0
    assert search.text_score(search.words_of("скорость"), "У вас дорого") == 0


@pytest.mark.django_db
def test_bridges_answer_the_customers_words(seeded):
    def codes(query):
        return [b.code for b in selectors.bridge_search(query=query)]

    assert codes("вирус")[0] == "virus"
    assert codes("у меня вирусы на компьютере")[0] == "virus"
    assert codes("скорость")[0] == "low-speed"
    assert codes("ребёнок")[0] == "elk-child"
    assert codes("пульт")[0] == "remote-control"
    assert codes("вирс")[0] == "virus"  # a typo
    assert codes("пароход") == []


@pytest.mark.django_db
def test_objections_found_by_the_customers_words_with_typos(seeded):
    assert selectors.objection_search(query="у вас дорага")[0].code == "expensive"
    assert selectors.objection_search(query="я подумаю")[0].code == "will_think"


@requires_postgres
@pytest.mark.django_db
def test_postgres_stemming_finds_antivirus_for_antiviruses():
    _article("Антивирус Касперского", "Защита двух устройств от вредоносных программ.")
    _article("Пульт", "Управление просмотром.")
    found = list(search.search_articles(Article.objects.all(), search.words_of("антивирусы")))
    assert _titles(found) == ["Антивирус Касперского"]


@requires_postgres
@pytest.mark.django_db
def test_postgres_typos_still_find_the_article():
    _article("Возражение «У вас дорого»", "Расскажите о качестве и надежности.")
    _article("Скорость", "Опция + 100 Мбит/с.")
    for query in ("дорага", "дорогой", "антивирс"):
        found = _titles(search.search_articles(Article.objects.all(), search.words_of(query)))
        if query == "антивирс":
            assert found == []
        else:
            assert found == ["Возражение «У вас дорого»"], query


@requires_postgres
@pytest.mark.django_db
def test_postgres_title_outranks_body_and_snippets_are_marked():
    body_hit = _article("Скрипты", "Предложите антивирус Касперского клиенту. " * 3)
    title_hit = _article("Антивирус", "Лицензия на два устройства.")
    found = list(search.search_articles(Article.objects.all(), search.words_of("антивирус")))
    assert [a.pk for a in found] == [title_hit.pk, body_hit.pk]
    snippet = search.snippet(found[1], ["антивирус"])
    assert "<mark>антивирус</mark>" in snippet


@requires_postgres
@pytest.mark.django_db
def test_postgres_prefix_answers_as_you_type():
    _article("Антивирус Касперского", "")
    assert _titles(search.search_articles(Article.objects.all(), ["антив"])) == [
        "Антивирус Касперского"
    ]


@requires_postgres
@pytest.mark.django_db
def test_postgres_headline_cannot_inject_html():
    _article("Антивирус", "<script>alert(1)</script> антивирус")
    found = list(search.search_articles(Article.objects.all(), ["антивирус"]))
    snippet = search.snippet(found[0], ["антивирус"])
    assert "<script" not in snippet and "<mark>антивирус</mark>" in snippet


@pytest.mark.django_db
def test_saving_keeps_the_search_vector_in_step(settings):
    article = _article("Пульт", "Управление просмотром.")
    services.article_update(article=article, title="Антивирус")
    found = _titles(search.search_articles(Article.objects.all(), ["антивирус"]))
    assert found == ["Антивирус"]


@requires_postgres
@pytest.mark.django_db
def test_postgres_typo_search_is_still_one_query(django_assert_num_queries):
    _article("Возражение «У вас дорого»", "Расскажите о качестве и надежности.")
    with django_assert_num_queries(1):
        found = _titles(search.search_articles(Article.objects.all(), ["у", "вас", "дорага"]))
    assert found == ["Возражение «У вас дорого»"]


@requires_postgres
@pytest.mark.django_db
def test_postgres_corrects_one_misspelt_word_of_several():
    _article("Скорость интернета", "Опция + 100 Мбит/с.")
    _article("Скорость телевизора", "Каналы.")
    found = _titles(search.search_articles(Article.objects.all(), ["скорость", "интирнета"]))
    assert found == ["Скорость интернета"]


@requires_postgres
@pytest.mark.django_db
def test_postgres_word_list_follows_the_articles():
    from knowledge_base.models import SearchWord

    article = _article("Пульт", "Управление просмотром.")
    services.article_update(article=article, body="Перемотка архива.")
    words = set(SearchWord.objects.values_list("word", flat=True))
    assert {"пульт", "управление", "перемотка", "архива"} <= words
    services.article_refresh_search()
    assert "управление" not in set(SearchWord.objects.values_list("word", flat=True))


@requires_postgres
@pytest.mark.django_db
def test_postgres_filters_before_the_search_lose_no_match(monkeypatch):
    monkeypatch.setattr(search, "BODY_CANDIDATES", 1)
    wanted, other = CategoryFactory(), CategoryFactory()
    for i in range(3):
        _article(f"Антивирус {i}", "антивирус", category=other)
    body_hit = _article("Скрипты", "Предложите антивирус.", category=wanted)
    title_hit = _article("Антивирус детям", "Safe Kids", category=wanted)
    found = search.search_articles(Article.objects.filter(category=wanted), ["антивирус"])
    assert [a.pk for a in found] == [title_hit.pk, body_hit.pk]


@requires_postgres
@pytest.mark.django_db
def test_postgres_title_matches_always_compete_however_many_body_matches(monkeypatch):
    monkeypatch.setattr(search, "BODY_CANDIDATES", 2)
    for i in range(5):
        _article(f"Скрипт {i}", "Предложите антивирус.")
    title_hit = _article("Антивирус детям", "Safe Kids")
    found = list(search.search_articles(Article.objects.all(), ["антивирус"]))
    assert found[0].pk == title_hit.pk
    assert len(found) == 3  # the title match and the two body candidates

import pytest

from knowledge_base import search, selectors, services
from knowledge_base.models import ArticleStatus
from knowledge_base.search import articles, lexicon, snippets
from knowledge_base.search.words import parse
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


def _rank(text, statuses=("published",), **kwargs):
    return articles.rank(lexicon.correct(parse(text)), statuses=list(statuses), **kwargs)


def _titles(text, **kwargs):
    return [hit.title for hit in _rank(text, **kwargs)]


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


def test_a_query_keeps_the_words_that_carry_the_problem():
    assert [t.word for t in parse("не работает интернет после оплаты").terms] == [
        "работает", "интернет", "оплаты",
    ]  # fmt: skip
    # The agent's framing goes while other words remain; alone, it is searched.
    assert [t.word for t in parse("клиент говорит дорого").terms] == ["дорого"]
    assert [t.word for t in parse("Клиент").terms] == ["клиент"]
    assert [t.word for t in parse("что не так").terms] == []
    # One term per stem; the word being typed (no space after it) is a prefix.
    query = parse("антивирусы антивирус")
    assert [(t.word, t.prefix) for t in query.terms] == [("антивирусы", False)]
    assert [t.prefix for t in parse("скорость интер").terms] == [False, True]
    assert [t.prefix for t in parse("скорость интер ").terms] == [False, False]


def test_a_text_matches_terms_by_stem_prefix_and_title():
    found = search.words.match(parse("скорости интернет"), "Низкая скорость", "Домашний интернет")
    assert (found.matched, found.in_title, found.all_words) == (2, 1, True)
    assert search.words.match(parse("антив"), "", "Антивирусы").matched == 1
    assert search.words.match(parse("антив "), "", "Антивирусы").matched == 0


@pytest.mark.django_db
def test_misspelt_words_are_corrected_against_the_words_of_the_base(seeded):
    corrected = lexicon.correct(parse("дорага интирнет"))
    assert "дорого" in corrected.corrections["дорага"]
    assert "интернет" in corrected.corrections["интирнет"]
    # A word the base has, or begins while being typed, is not corrected.
    assert lexicon.correct(parse("скорость антивир")).corrections == {}


@pytest.mark.django_db
def test_inflected_words_find_articles_title_matches_first():
    a = _article("Антивирус Касперского", "Защита двух устройств.")
    b = _article("Скорость", "Подключите антивирус для защиты.")
    _article("Пульт ДУ", "Управление просмотром.")
    assert _titles("антивирусы") == [a.title, b.title]


@pytest.mark.django_db
def test_every_word_first_then_the_most_words_then_title_over_body():
    _article("Антивирус детям", "Safe Kids")
    _article("Антивирус", "для двух устройств")
    _article("Лицензия", "антивирус на два устройства, защита от вирусов")
    _article("Пульт", "перемотка")
    found = _rank("антивирус устройств защита ")
    assert [(h.title, h.match.matched, h.match.in_title) for h in found] == [
        ("Лицензия", 3, 0),
        ("Антивирус", 2, 1),
        ("Антивирус детям", 1, 1),
    ]


@pytest.mark.django_db
def test_typos_and_stemmer_misses_still_find_the_article():
    _article("Возражение «У вас дорого»", "Расскажите о качестве и надежности.")
    _article("Скорость", "Опция + 100 Мбит/с.")
    for query in ("дорага", "дорогой"):
        assert _titles(query) == ["Возражение «У вас дорого»"], query
    assert _titles("скорость интирнета") == ["Скорость"]  # one word of two, corrected or not


@pytest.mark.django_db
def test_the_word_being_typed_finds_the_words_it_begins():
    _article("Антивирус Касперского", "")
    assert _titles("антив") == ["Антивирус Касперского"]


@pytest.mark.django_db
def test_drafts_and_other_articles_only_when_asked():
    draft = _article("Антивирус (черновик)", "", status=ArticleStatus.DRAFT, published_at=None)
    published = _article("Антивирус", "")
    assert _titles("антивирус") == ["Антивирус"]
    assert set(_titles("антивирус", statuses=("published", "draft"))) == {draft.title, "Антивирус"}
    assert _titles("антивирус", statuses=("published", "draft"), ids=[draft.pk]) == [draft.title]
    assert _titles("антивирус", ids=[]) == [] and published


@pytest.mark.django_db
def test_saving_keeps_the_search_in_step():
    article = _article("Пульт", "Управление просмотром.")
    services.article_update(article=article, title="Антивирус")
    assert _titles("антивирус") == ["Антивирус"]
    assert _titles("пульт") == []


def test_snippets_cut_at_word_boundaries_and_mark_whole_words():
    body = (
        ("Вступление без нужных слов. " * 8)
        + "Клиенту предлагаем антивирусы Касперского. "
        + ("Заключение тоже длинное. " * 8)
    )
    html = str(snippets.snippet(parse("антивирус "), body))
    assert "<mark>антивирусы</mark>" in html
    assert html.startswith("… ") and html.endswith(" …")
    inner = html.removeprefix("… ").removesuffix(" …")
    words = set(body.replace(".", " ").split())
    assert inner.split()[0].strip(".") in words and inner.split()[-1].strip(".") in words
    assert len(inner.replace("<mark>", "").replace("</mark>", "")) <= snippets.WIDTH


def test_snippets_show_the_window_with_the_most_query_words():
    body = "Скорость. " + ("Прочее. " * 40) + "Низкая скорость домашнего интернета вечером."
    html = str(snippets.snippet(parse("скорость интернета "), body))
    assert "<mark>интернета</mark>" in html and "<mark>скорость</mark>" in html


def test_marks_stay_on_their_words_in_any_case_and_beside_letters_that_lengthen_in_lower_case():
    # «İ» lower-cases to two characters: the marks must not shift.
    for text in ("Istanbul: АНТИВИРУСЫ и Антивирус", "İstanbul: АНТИВИРУСЫ и Антивирус"):
        html = str(snippets.highlight(parse("антивирус "), text))
        assert html == f"{text[0]}stanbul: <mark>АНТИВИРУСЫ</mark> и <mark>Антивирус</mark>"


def test_snippets_escape_the_text_and_drop_markdown():
    html = str(snippets.snippet(parse("антивирус "), "## <script>x</script> **антивирус** | a |"))
    assert "<script" not in html and "&lt;script" in html
    assert "<mark>антивирус</mark>" in html and "**" not in html and "##" not in html
    html = str(snippets.highlight(parse("антивирус "), "Раз\n---\n**антивирус** -- два"))
    assert html == "Раз <mark>антивирус</mark> -- два"  # a rule is dropped, a dash is not


@pytest.mark.django_db
def test_bridges_answer_the_customers_words(seeded):
    def codes(query):
        bridges = list(selectors.bridge_list().order_by("order", "code"))
        return [b.code for b in selectors.bridge_search(query=query, bridges=bridges)]

    assert codes("вирус")[0] == "virus"
    assert codes("у меня вирусы на компьютере")[0] == "virus"
    assert codes("скорость")[0] == "low-speed"
    assert codes("ребёнок")[0] == "elk-child"
    assert codes("пульт")[0] == "remote-control"
    assert codes("вирс")[0] == "virus"  # a typo
    assert codes("пароход") == []


@pytest.mark.django_db
def test_one_list_across_the_four_kinds_with_marks(seeded, agent):
    hits = selectors.kb_search(user=agent, query="вопросы антивирус").hits
    assert {hit.kind for hit in hits} >= {"article", "bridge", "objection", "closing_phrase"}
    article = next(hit for hit in hits if hit.kind == "article")
    assert "<mark>" in article.snippet and article.url == f"/kb/a/{article.id}/"
    scores = [hit.match.score for hit in hits]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.django_db
def test_an_answer_saved_in_the_admin_is_found_at_once(seeded, agent):
    from knowledge_base.models import Bridge

    assert not selectors.kb_search(user=agent, query="зюзюка").hits
    Bridge.objects.filter(code="virus").update(keywords="зюзюка")  # as a list edit would
    services.answers_changed()
    assert selectors.kb_search(user=agent, query="зюзюка").hits[0].key == "virus"
    assert selectors.kb_search(user=agent, query="зюзюкой").hits[0].key == "virus"


@pytest.mark.django_db
def test_unchanged_content_keeps_the_copies_and_a_bypassing_edit_is_seen(seeded, agent):
    from knowledge_base.models import Bridge
    from knowledge_base.search import version

    selectors.kb_search(user=agent, query="вирус")
    before = version.current()
    version._seen = (*version._seen[:2], version._seen[2] - version.CHECK_EVERY)  # time passes
    assert version.current() == before  # nothing changed: the copies stay
    # An edit no signal sees (no token moves): found once the fingerprint is read again.
    Bridge.objects.filter(code="virus").update(keywords="зюзюка")
    version._seen = (*version._seen[:2], version._seen[2] - version.CHECK_EVERY)
    assert version.current() != before
    assert selectors.kb_search(user=agent, query="зюзюка").hits[0].key == "virus"


@requires_postgres
@pytest.mark.django_db
def test_postgres_a_search_is_one_statement_once_warm(django_assert_num_queries):
    _article("Возражение «У вас дорого»", "Расскажите о качестве и надежности.")
    _rank("у вас дорага")  # prepares the statement on this connection, corrects the word
    with django_assert_num_queries(1):
        assert _titles("у вас дорага") == ["Возражение «У вас дорого»"]


@requires_postgres
@pytest.mark.django_db
def test_postgres_title_matches_always_compete_however_many_body_matches(monkeypatch):
    for i in range(5):
        _article(f"Скрипт {i}", "Предложите антивирус.")
    title_hit = _article("Антивирус детям", "Safe Kids")
    monkeypatch.setattr(articles, "BODY_TIER", 2)
    monkeypatch.setattr(articles, "_PREPARED", {
        name: (articles._statement(only), types)
        for (name, (_sql, types)), only in zip(articles._PREPARED.items(), (False, True), strict=True)
    })  # fmt: skip
    found = _rank("антивирус")
    assert found[0].id == title_hit.pk
    assert 2 <= len(found) <= 3  # the title match and two body candidates (maybe itself)


@pytest.mark.django_db
def test_word_list_follows_the_articles():
    from knowledge_base.models import SearchWord

    article = _article("Пульт", "Управление просмотром.")
    services.article_update(article=article, body="Перемотка архива.")
    words = set(SearchWord.objects.values_list("word", flat=True))
    assert {"пульт", "управление", "перемотка", "архива"} <= words
    services.article_refresh_search()
    assert "управление" not in set(SearchWord.objects.values_list("word", flat=True))

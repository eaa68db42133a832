import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from knowledge_base.models import Article, ArticleStatus
from tests.knowledge_base.factories import (
    ArticleFactory,
    BridgeFactory,
    CategoryFactory,
    ObjectionStepFactory,
    ObjectionTypeFactory,
    TagFactory,
)

BASE = "/api/v1/kb/"


@pytest.fixture
def as_agent(api_client, agent, seeded):
    api_client.force_authenticate(agent)
    return api_client


def test_anonymous_callers_are_refused(api_client, db):
    for path in ("categories/", "articles/", "bridges/", "objections/"):
        assert api_client.get(BASE + path).status_code in (401, 403)


def test_categories_come_in_tree_order_with_parents_and_counts(as_agent):
    rows = as_agent.get(BASE + "categories/").json()
    by_slug = {row["slug"]: row for row in rows}
    assert [row["name"] for row in rows][:5] == [
        "Справочники", "Тарифы и Акции", "Технологические Карты", "Техподдержка", "Услуги и продукты",
    ]  # fmt: skip
    assert by_slug["doprodazhi"]["parent"] == by_slug["uslugi-i-produkty"]["id"]
    assert by_slug["doprodazhi"]["article_count"] == 4
    assert by_slug["spravochniki"]["parent"] is None


def test_articles_filter_by_category_and_tag(as_agent):
    body = as_agent.get(BASE + "articles/", {"category": "uslugi-i-produkty"}).json()
    assert body["count"] == 4
    body = as_agent.get(BASE + "articles/", {"tag": "Речевой Модуль"}).json()
    assert [a["title"] for a in body["results"]] == ["Скрипты для работы с доп. продажами"]
    assert as_agent.get(BASE + "articles/", {"category": "nope"}).json()["count"] == 0


def test_article_search_ranks_and_marks(as_agent):
    body = as_agent.get(BASE + "articles/", {"search": "антивирусы"}).json()
    assert body["results"][0]["title"] == "Скрипты для работы с доп. продажами"
    assert "<mark>" in body["results"][0]["snippet"]


def test_article_detail_has_sanitized_html_and_offers_with_price_per_day(as_agent):
    article = Article.objects.get(title="Скрипты для работы с доп. продажами")
    body = as_agent.get(f"{BASE}articles/{article.pk}/").json()
    assert "<blockquote>" in body["body_html"]
    codes = {offer["code"]: offer for offer in body["offers"]}
    assert "kaspersky-2" in codes and codes["kaspersky-2"]["price_per_day"]


def test_agents_get_no_drafts_from_the_api(as_agent):
    draft = ArticleFactory(status=ArticleStatus.DRAFT, published_at=None, title="Черновик")
    assert as_agent.get(f"{BASE}articles/{draft.pk}/").status_code == 404
    titles = [a["title"] for a in as_agent.get(BASE + "articles/").json()["results"]]
    assert "Черновик" not in titles


def test_bridges_search_by_the_customers_words(as_agent):
    body = as_agent.get(BASE + "bridges/", {"search": "ребёнок"}).json()
    first = body["results"][0]
    assert first["code"] == "elk-child"
    assert first["offer"]["code"] == "kaspersky-safe-kids" and first["offer"]["price_per_day"]


def test_objections_by_code_with_vzor_steps(as_agent):
    body = as_agent.get(BASE + "objections/").json()
    assert [o["code"] for o in body["results"]] == [
        "expensive", "will_think", "no_need", "other_operator",
    ]  # fmt: skip
    expensive = as_agent.get(BASE + "objections/expensive/").json()
    assert [s["letter"] for s in expensive["steps"]] == ["В", "З", "О", "Р"]
    assert expensive["stock_answers"][0]["customer_says"] == "У вас дорого"


@pytest.mark.parametrize("path", ["articles/", "bridges/"])
@pytest.mark.parametrize(
    "query", ['"', "' OR 1=1 --", "a & | ! <-> :*", "\\", "%", "_", "(((", "ё"]
)
def test_hostile_searches_answer_200(as_agent, path, query):
    assert as_agent.get(BASE + path, {"search": query}).status_code == 200


@pytest.mark.parametrize("path", ["articles/", "bridges/"])
def test_huge_searches_answer_400_with_a_code(as_agent, path):
    response = as_agent.get(BASE + path, {"search": "дорого " * 2000})
    assert response.status_code == 400
    assert response.json()["code"] == "query_too_long"


@pytest.mark.parametrize(
    "path,params",
    [
        ("articles/", {}),
        ("articles/", {"search": "антивирус"}),
        ("categories/", {}),
        ("bridges/", {"search": "вирус"}),
        ("objections/", {}),
    ],
)
def test_list_endpoints_take_a_constant_number_of_queries(as_agent, path, params):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert as_agent.get(BASE + path, params).status_code == 200
        return len(ctx.captured_queries)

    count()  # warm up: the first request looks the roles up
    few = count()
    category = Article.objects.first().category
    for i in range(4):
        ArticleFactory(
            category=category,
            title=f"Антивирус {i}",
            body="антивирус",
            tags=[TagFactory()],
        )
        BridgeFactory(code=f"more-{i}")
        objection = ObjectionTypeFactory(code=f"more-{i}")
        ObjectionStepFactory(objection=objection)
        CategoryFactory()
    count()  # the search's per-process copies are rebuilt once after a change (search.version)
    assert count() == few


def test_the_kb_endpoints_are_in_the_schema(as_agent):
    schema = as_agent.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/v1/kb/categories/", "/api/v1/kb/articles/", "/api/v1/kb/bridges/"):
        assert path in schema
    assert "/api/v1/kb/objections/{code}/" in schema


def test_one_search_across_the_knowledge_base(as_agent):
    body = as_agent.get(BASE + "search/", {"q": "клиент говорит дорага"}).json()
    assert body["terms"] == ["дорага"] and "дорого" in body["corrections"]["дорага"]
    first = body["results"][0]
    assert (first["kind"], first["key"]) == ("objection", "expensive")
    assert first["url"] == "/kb/objections/#objection-expensive"
    assert "<mark>дорого</mark>" in first["snippet"] and first["all_words"]
    kinds = {hit["kind"] for hit in as_agent.get(BASE + "search/", {"q": "вопросы антивирус"}).json()["results"]}  # fmt: skip
    assert kinds == {"article", "bridge", "objection", "closing_phrase"}


@pytest.mark.parametrize(
    ("params", "code"),
    [({"q": "дорого " * 40}, "query_too_long"), ({"q": "дорого", "limit": "0"}, "min_value"),
     ({"q": "дорого", "limit": "x"}, "invalid"), ({"q": "дорого", "limit": "51"}, "max_value")],
)  # fmt: skip
def test_search_refuses_bad_input_with_a_code(as_agent, params, code):
    response = as_agent.get(BASE + "search/", params)
    assert response.status_code == 400 and response.json()["code"] == code


def test_search_of_nothing_finds_nothing(as_agent):
    for q in ("", "   ", "что не так", "'; DROP TABLE x; --"):
        body = as_agent.get(BASE + "search/", {"q": q}).json()
        assert body["results"] == [] or q.startswith("'"), q


def test_search_is_in_the_schema_with_its_errors(as_agent):
    schema = as_agent.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/kb/search/"]["get"]
    assert {"200", "400", "401", "403"} <= set(operation["responses"])
    assert {p["name"] for p in operation["parameters"]} >= {"q", "limit"}


def test_objection_variants_name_their_service_or_offer(as_agent):
    expensive = as_agent.get(BASE + "objections/expensive/").json()
    scopes = {(v["service"], v["offer"]) for v in expensive["variants"]}
    assert ("iptv", None) in scopes and (None, "kaspersky-2") in scopes
    assert all(v["letter"] == "О" for v in expensive["variants"])

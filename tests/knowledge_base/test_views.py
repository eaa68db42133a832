import pytest
from django.urls import reverse
from django.utils import timezone

from knowledge_base.models import Article, ArticleFeedback, ArticleStatus
from tests.knowledge_base.factories import (
    ArticleFactory,
    ArticleFeedbackFactory,
    BridgeFactory,
    CategoryFactory,
    TagFactory,
)
from tests.offers.factories import OfferFactory


@pytest.fixture
def draft(seeded):
    category = Article.objects.first().category
    return ArticleFactory(
        title="Черновик про антивирус", category=category, status=ArticleStatus.DRAFT,
        published_at=None,
    )  # fmt: skip


def _article(title):
    return Article.objects.get(title=title)


def test_anonymous_users_are_sent_to_login(client, db):
    response = client.get(reverse("kb:index"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_users_without_a_reading_role_are_refused(client, crm_user):
    client.force_login(crm_user)
    assert client.get(reverse("kb:index")).status_code == 403


def test_index_shows_the_tree_with_counts_and_the_bridges(client, agent, seeded):
    client.force_login(agent)
    response = client.get(reverse("kb:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'Услуги и продукты</a> <span class="kb-count">4</span>' in html
    assert 'Допродажи</a> <span class="kb-count">4</span>' in html
    assert "Абонент в интернете «подхватил» вирус" in html


def test_agents_see_published_articles_only(client, agent, draft):
    client.force_login(agent)
    assert client.get(reverse("kb:article", args=[draft.pk])).status_code == 404
    html = client.get(reverse("kb:category", args=["doprodazhi"])).content.decode()
    assert "Черновик" not in html and "Скрипты для работы с доп. продажами" in html
    html = client.get(reverse("kb:index"), {"q": "черновик"}).content.decode()
    assert "Черновик" not in html


def test_managers_see_drafts(client, manager, draft):
    client.force_login(manager)
    assert client.get(reverse("kb:article", args=[draft.pk])).status_code == 200


def test_search_page_finds_the_bridge_and_the_script(client, agent, seeded):
    client.force_login(agent)
    html = client.get(reverse("kb:index"), {"q": "вирус"}).content.decode()
    assert reverse("kb:bridge", args=["virus"]) in html
    assert "Скрипты для работы с доп. продажами" in html


@pytest.mark.parametrize(
    "query", ["\"'", "' OR 1=1 --", "a & | ! <-> :*", "); DROP TABLE x;", "!!!", "ё"]
)
def test_hostile_queries_never_fail(client, agent, seeded, query):
    client.force_login(agent)
    assert client.get(reverse("kb:index"), {"q": query}).status_code == 200
    assert client.get(reverse("kb:search"), {"q": query}).status_code == 200


def test_huge_queries_are_refused_with_a_code(client, agent, seeded):
    client.force_login(agent)
    response = client.get(reverse("kb:search"), {"q": "в" * 10_000})
    assert response.status_code == 400
    assert 'data-code="query_too_long"' in response.content.decode()


def test_article_page_renders_sanitized_markdown_with_script_passages(client, agent, seeded):
    article = _article("Скрипты для работы с доп. продажами")
    article.body += "\n\n<script>alert(1)</script>"
    article.save()
    client.force_login(agent)
    html = client.get(reverse("kb:article", args=[article.pk])).content.decode()
    assert "<blockquote>" in html and "SAFE KIDS" in html
    assert "<script>alert(1)</script>" not in html
    assert "kb.js" in html


def test_opening_an_article_adds_it_to_recently_viewed(client, agent, seeded):
    article = _article("Инструкция Campaign Managment")
    client.force_login(agent)
    client.get(reverse("kb:article", args=[article.pk]))
    html = client.get(reverse("kb:index")).content.decode()
    assert reverse("kb:article", args=[article.pk]) in html


def test_feedback_with_a_comment_reaches_the_owners_list(client, agent, manager, seeded):
    article = _article("Инструкция Campaign Managment")
    client.force_login(agent)
    response = client.post(
        reverse("kb:feedback", args=[article.pk]), {"helpful": "no", "comment": "Устарело"}
    )
    assert response.status_code == 302
    feedback = ArticleFeedback.objects.get()
    assert (feedback.user, feedback.helpful, feedback.comment) == (agent, False, "Устарело")
    assert client.get(reverse("kb:mine")).status_code == 403
    client.force_login(manager)
    assert "Устарело" in client.get(reverse("kb:mine")).content.decode()


def test_bridge_page_shows_the_phrase_and_price_per_day(client, agent, seeded):
    client.force_login(agent)
    html = client.get(reverse("kb:bridge", args=["virus"])).content.decode()
    assert "антивирус на два устройства" in html
    assert "Kaspersky Internet Security" in html and "₽" in html


def test_objections_page_has_vzor_and_closing(client, agent, seeded):
    client.force_login(agent)
    html = client.get(reverse("kb:objections")).content.decode()
    assert "170 телеканалов" in html and "Отлично!" in html and "Давайте подумаем вместе?" in html


def _count_queries(client, django_assert_max_num_queries, url, params=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


def _more_content(category, n):
    for i in range(n):
        sub = CategoryFactory(parent=category, name=f"Раздел {i}", slug=f"razdel-{i}")
        ArticleFactory(category=sub, title=f"Антивирус {i}", body="антивирус", tags=[TagFactory()])
        BridgeFactory(code=f"extra-{i}", trigger=f"вирус {i}")


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (reverse("kb:index"), None),
        (reverse("kb:index"), {"q": "антивирус"}),
        (reverse("kb:search"), {"q": "антивирус"}),
        (reverse("kb:category", args=["uslugi-i-produkty"]), None),
        (reverse("kb:objections"), None),
    ],
)
def test_pages_take_a_constant_number_of_queries(client, agent, seeded, url, params):
    client.force_login(agent)
    client.get(url, params or {})  # warm the session
    few = _count_queries(client, None, url, params)
    _more_content(Article.objects.first().category, 5)
    _count_queries(client, None, url, params)  # the search's copies are rebuilt after a change
    assert _count_queries(client, None, url, params) == few


def test_article_page_takes_a_constant_number_of_queries(client, agent, seeded):
    article = _article("Скрипты для работы с доп. продажами")
    client.force_login(agent)
    url = reverse("kb:article", args=[article.pk])
    client.get(url)
    few = _count_queries(client, None, url)
    for i in range(5):
        other = ArticleFactory(category=article.category, title=f"Другая {i}")
        client.get(reverse("kb:article", args=[other.pk]))
        article.tags.add(TagFactory())
        article.offers.add(OfferFactory())
    assert _count_queries(client, None, url) == few


ADMIN_MODELS = [
    "category", "tag", "article", "bridge", "objectiontype", "closingphrase", "articlefeedback",
]  # fmt: skip


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_managers_edit_everything_in_the_admin(client, manager, seeded, model):
    ArticleFeedbackFactory(article=Article.objects.first())
    client.force_login(manager)
    url = reverse(f"admin:knowledge_base_{model}_changelist")
    few = _count_queries(client, None, url)
    _more_content(Article.objects.first().category, 3)
    for article in Article.objects.all()[:3]:
        ArticleFeedbackFactory(article=article)
    assert _count_queries(client, None, url) == few
    model_class = {m._meta.model_name: m for m in _kb_models()}[model]
    obj = model_class.objects.first()
    assert (
        client.get(reverse(f"admin:knowledge_base_{model}_change", args=[obj.pk])).status_code
        == 200
    )
    if model != "articlefeedback":
        assert client.get(reverse(f"admin:knowledge_base_{model}_add")).status_code == 200


def _kb_models():
    from django.apps import apps

    return apps.get_app_config("knowledge_base").get_models()


def test_article_change_page_shows_the_markdown_preview(client, manager, seeded):
    article = _article("Предложения для клиентов МОНО услуг (допродажи)")
    client.force_login(manager)
    html = client.get(
        reverse("admin:knowledge_base_article_change", args=[article.pk])
    ).content.decode()
    assert "kb-preview" in html and "<table>" in html


def test_the_stale_list_in_the_admin(client, manager, seeded):
    article = _article("Инструкция Campaign Managment")
    Article.objects.filter(pk=article.pk).update(review_due_at="2020-01-01T00:00:00Z")
    client.force_login(manager)
    url = reverse("admin:knowledge_base_article_changelist")
    html = client.get(url, {"review": "overdue"}).content.decode()
    assert "Инструкция Campaign Managment" in html
    assert "Скрипты для работы" not in html


@pytest.mark.parametrize("user_fixture", ["agent", "supervisor"])
def test_agents_and_supervisors_cannot_edit_articles(client, request, seeded, user_fixture):
    user = request.getfixturevalue(user_fixture)
    client.force_login(user)
    article = Article.objects.first()
    response = client.get(reverse("admin:knowledge_base_article_change", args=[article.pk]))
    assert response.status_code in (302, 403)
    assert not user.has_perm("knowledge_base.change_article")
    assert client.get(reverse("kb:article", args=[article.pk])).status_code == 200


def test_saving_in_the_admin_keeps_review_date_and_history(client, manager, seeded):
    article = _article("Инструкция Campaign Managment")
    client.force_login(manager)
    url = reverse("admin:knowledge_base_article_change", args=[article.pk])
    data = {
        "title": article.title,
        "category": article.category_id,
        "status": "published",
        "owner": manager.pk,
        "tags": list(article.tags.values_list("pk", flat=True)),
        "body": "Новый текст про пульт",
        "published_at_0": "2019-04-04",
        "published_at_1": "16:08:00",
        "verified_at_0": "2026-01-01",
        "verified_at_1": "00:00:00",
        "review_interval_days": 30,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    article.refresh_from_db()
    assert article.body == "Новый текст про пульт"
    assert timezone.localtime(article.review_due_at).date().isoformat() == "2026-01-31"
    assert article.history.first().body == "Новый текст про пульт"

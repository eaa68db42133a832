import datetime

import pytest
from django.core.exceptions import ValidationError

from knowledge_base import selectors, services
from knowledge_base.models import ArticleStatus, RecentView
from tests.config.factories import ManagerFactory
from tests.knowledge_base.factories import CategoryFactory

NOW = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def category(db):
    return CategoryFactory()


def _create(category, owner, **kwargs):
    defaults = {
        "title": "Статья",
        "category": category,
        "owner": owner,
        "status": ArticleStatus.PUBLISHED,
        "published_at": NOW - datetime.timedelta(days=200),
        "review_interval_days": 180,
    }
    return services.article_create(**{**defaults, **kwargs})


def test_review_is_due_an_interval_after_publication(category, manager):
    article = _create(category, manager)
    assert article.review_due_at == NOW - datetime.timedelta(days=20)
    assert list(selectors.stale_articles(now=NOW)) == [article]


def test_verifying_restarts_the_review_clock(category, manager):
    article = _create(category, manager)
    services.article_verify(article=article, now=NOW)
    assert article.review_due_at == NOW + datetime.timedelta(days=180)
    assert list(selectors.stale_articles(now=NOW)) == []


def test_the_stale_list_of_an_owner_holds_only_their_articles(category, manager):
    other = ManagerFactory(username="other")
    mine = _create(category, manager, title="Моя")
    _create(category, other, title="Чужая")
    assert list(selectors.stale_articles(owner=manager, now=NOW)) == [mine]


def test_publishing_a_draft_dates_it(category, manager):
    article = _create(category, manager, status=ArticleStatus.DRAFT, published_at=None)
    assert article.review_due_at is None
    services.article_publish(article=article)
    assert article.published_at is not None and article.review_due_at is not None


def test_update_without_changes_writes_no_history(category, manager):
    article = _create(category, manager)
    before = article.history.count()
    services.article_update(article=article, title="Статья")
    assert article.history.count() == before
    services.article_update(article=article, title="Новое название")
    assert article.history.count() == before + 1


def test_feedback_reaches_the_owner(category, manager, agent):
    article = _create(category, manager)
    services.feedback_create(article=article, user=agent, helpful=False, comment="Цена устарела")
    feedback = list(selectors.feedback_for_owner(owner=manager))
    assert [(f.helpful, f.comment, f.user) for f in feedback] == [(False, "Цена устарела", agent)]
    services.feedback_resolve(feedback=feedback[0])
    assert list(selectors.feedback_for_owner(owner=manager)) == []


def test_feedback_comment_is_capped(category, manager, agent):
    article = _create(category, manager)
    with pytest.raises(ValidationError) as error:
        services.feedback_create(article=article, user=agent, helpful=True, comment="x" * 2001)
    assert error.value.error_dict["comment"][0].code == "comment_too_long"


def test_no_feedback_on_drafts(category, manager, agent):
    article = _create(category, manager, status=ArticleStatus.DRAFT, published_at=None)
    with pytest.raises(ValidationError):
        services.feedback_create(article=article, user=agent, helpful=True)


def test_recent_views_keep_the_latest_ten(category, manager, agent):
    articles = [_create(category, manager, title=f"Статья {i}") for i in range(12)]
    for i, article in enumerate(articles):
        services.recent_view_record(
            user=agent, article=article, now=NOW + datetime.timedelta(minutes=i)
        )
    services.recent_view_record(
        user=agent, article=articles[5], now=NOW + datetime.timedelta(hours=1)
    )
    recent = selectors.recently_viewed(user=agent)
    assert recent[0] == articles[5]
    assert len(recent) == 10 and RecentView.objects.filter(user=agent).count() == 10
    assert articles[0] not in recent

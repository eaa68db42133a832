"""Writes to the knowledge base: articles and their search index, review dates, feedback, views."""

import datetime

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import TextField, Value
from django.db.models.functions import Cast, Replace
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from knowledge_base import search
from knowledge_base.models import (
    Article,
    ArticleFeedback,
    ArticleStatus,
    Bridge,
    Category,
    ClosingPhrase,
    ObjectionStep,
    ObjectionType,
    RecentView,
    SearchWord,
    StockAnswer,
    Tag,
)
from knowledge_base.search import version

ERR_COMMENT_TOO_LONG = _("The comment is too long (at most %(limit)s characters).")
ERR_NOT_PUBLISHED = _("This article is not published.")

COMMENT_LIMIT = 2000
RECENT_VIEWS_KEPT = 10
ARTICLE_FIELDS = (
    "title",
    "body",
    "category",
    "owner",
    "status",
    "published_at",
    "review_interval_days",
    "verified_at",
)


def _folded(field):
    """The field with «ё» read as «е», so «ребёнок» and «ребенок» are one word to the index."""
    text = Cast(field, output_field=TextField())
    letters = [Value(c, output_field=TextField()) for c in "ёеЁЕ"]
    return Replace(Replace(text, letters[0], letters[1]), letters[2], letters[3])


def article_search_vector():
    """Title weighs more than body; the `russian` configuration stems («антивирусы» → «антивирус»)."""
    return SearchVector(_folded("title"), weight="A", config="russian") + SearchVector(
        _folded("body"), weight="B", config="russian"
    )


def article_title_vector():
    return SearchVector(_folded("title"), weight="A", config="russian")


def article_refresh_search(*, article_ids=None) -> None:
    """Recompute the stored search vectors (PostgreSQL; SQLite searches the text itself) and add
    the articles' words to the word list typos are corrected against. Without ids, every
    article is refreshed and the word list rebuilt from the whole base."""
    queryset = Article.objects.all()
    if article_ids is not None:
        queryset = queryset.filter(pk__in=list(article_ids))
    if settings.IS_POSTGRES:
        queryset.update(search_vector=article_search_vector(), title_vector=article_title_vector())
    if article_ids is None:
        SearchWord.objects.all().delete()
        lexicon_add(texts=answer_texts())
    lexicon_add(texts=queryset.values_list("title", "body").iterator())


def answer_texts() -> list[str]:
    """The words of the bridges, objections (steps, stock answers) and closing phrases."""
    texts = [" ".join(row) for row in Bridge.objects.values_list("trigger", "phrase", "keywords")]
    texts += [" ".join(row) for row in ObjectionType.objects.values_list("name", "description")]
    texts += list(ObjectionStep.objects.values_list("phrase", flat=True))
    texts += [" ".join(row) for row in StockAnswer.objects.values_list("customer_says", "answer")]
    texts += list(ClosingPhrase.objects.values_list("text", flat=True))
    return texts


@transaction.atomic
def answers_changed() -> None:
    """A bridge, objection or closing phrase was saved: its words correct typos from now on."""
    lexicon_add(texts=answer_texts())


def lexicon_add(*, texts) -> None:
    """Add the words of the texts (strings or tuples of strings) to the typo-correction list.

    Words only come in: a word an edit removed stays until the next full refresh, and at worst
    corrects a typo to a word that finds nothing.
    """
    words = set()
    for text in texts:
        words.update(search.lexicon_words(" ".join(text) if isinstance(text, tuple) else text))
    SearchWord.objects.bulk_create(
        [SearchWord(word=word) for word in sorted(words)], batch_size=1000, ignore_conflicts=True
    )
    version.bump()
    transaction.on_commit(version.bump)


def _review_due(article) -> datetime.datetime | None:
    start = article.verified_at or article.published_at
    if start is None:
        return None
    return start + datetime.timedelta(days=article.review_interval_days)


def _finish_save(article, *, tags=None, offers=None):
    if article.status == ArticleStatus.PUBLISHED and article.published_at is None:
        article.published_at = timezone.now()
    article.review_due_at = _review_due(article)
    article.full_clean(exclude=["search_vector"])
    article.save()
    if tags is not None:
        article.tags.set(tags)
    if offers is not None:
        article.offers.set(offers)
    article_refresh_search(article_ids=[article.pk])
    return article


@transaction.atomic
def article_create(*, title, category, body="", owner=None, tags=(), offers=(),
                   status=ArticleStatus.DRAFT, published_at=None, review_interval_days=180,
                   verified_at=None) -> Article:  # fmt: skip
    article = Article(
        title=title,
        category=category,
        body=body,
        owner=owner,
        status=status,
        published_at=published_at,
        review_interval_days=review_interval_days,
        verified_at=verified_at,
    )
    return _finish_save(article, tags=list(tags), offers=list(offers))


@transaction.atomic
def article_update(*, article, tags=None, offers=None, **fields) -> Article:
    """Change the given fields; a no-op (and no history row) when nothing changed."""
    unknown = set(fields) - set(ARTICLE_FIELDS)
    if unknown:
        raise TypeError("unknown article fields: {}".format(", ".join(sorted(unknown))))
    changed = {k: v for k, v in fields.items() if getattr(article, k) != v}
    m2m_changed = any(
        values is not None
        and {getattr(v, "pk", v) for v in values}
        != set(getattr(article, name).values_list("pk", flat=True))
        for name, values in (("tags", tags), ("offers", offers))
    )
    if not changed and not m2m_changed:
        return article
    for key, value in changed.items():
        setattr(article, key, value)
    return _finish_save(article, tags=tags, offers=offers)


@transaction.atomic
def article_save_from_admin(*, article, tags=None, offers=None) -> Article:
    """The admin's form has already set the fields; keep dates and the index consistent."""
    return _finish_save(article, tags=tags, offers=offers)


@transaction.atomic
def article_publish(*, article) -> Article:
    article.status = ArticleStatus.PUBLISHED
    article.published_at = article.published_at or timezone.now()
    return _finish_save(article)


@transaction.atomic
def article_verify(*, article, now=None) -> Article:
    """The owner confirms the article is still true: the review clock starts again."""
    article.verified_at = now or timezone.now()
    return _finish_save(article)


@transaction.atomic
def tag_get_or_create(*, name) -> Tag:
    return Tag.objects.get_or_create(name=name.strip())[0]


@transaction.atomic
def category_ensure(*, slug, name, parent=None) -> Category:
    """The category with this slug, created under `parent` (last among siblings) if missing."""
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        if parent is None:
            return Category.objects.add_root({"name": name, "slug": slug})
        return Category.objects.add_child(parent, {"name": name, "slug": slug})
    if category.name != name:
        category.name = name
        category.save(update_fields=["name"])
    return category


@transaction.atomic
def feedback_create(*, article, user, helpful: bool, comment: str = "") -> ArticleFeedback:
    comment = (comment or "").strip()
    if len(comment) > COMMENT_LIMIT:
        message = ERR_COMMENT_TOO_LONG % {"limit": COMMENT_LIMIT}
        raise ValidationError({"comment": ValidationError(message, code="comment_too_long")})
    if article.status != ArticleStatus.PUBLISHED:
        raise ValidationError(ERR_NOT_PUBLISHED, code="not_published")
    feedback = ArticleFeedback(article=article, user=user, helpful=helpful, comment=comment)
    feedback.full_clean()
    feedback.save()
    return feedback


@transaction.atomic
def feedback_resolve(*, feedback, now=None) -> ArticleFeedback:
    feedback.resolved_at = now or timezone.now()
    feedback.save(update_fields=["resolved_at"])
    return feedback


@transaction.atomic
def recent_view_record(*, user, article, now=None) -> None:
    """Remember the view; keep only the latest few per user."""
    now = now or timezone.now()
    RecentView.objects.update_or_create(user=user, article=article, defaults={"viewed_at": now})
    stale_ids = list(
        RecentView.objects.filter(user=user)
        .order_by("-viewed_at")
        .values_list("pk", flat=True)[RECENT_VIEWS_KEPT:]
    )
    if stale_ids:
        RecentView.objects.filter(pk__in=stale_ids).delete()

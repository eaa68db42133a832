"""The knowledge base (СУЗ): a category tree and the articles agents read during calls."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node

from offers.models import Offer


class Category(MP_Node):
    """A knowledge-base category; categories form an ordered tree of any depth (R13)."""

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=150, unique=True, allow_unicode=True)

    node_order_by = ["name"]

    class Meta:
        verbose_name = _("knowledge-base category")
        verbose_name_plural = _("knowledge-base categories")

    def __str__(self):
        return self.name


class Tag(models.Model):
    """A free label on articles, e.g. «Речевой Модуль»."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=ArticleStatus.PUBLISHED)

    def with_relations(self):
        return self.select_related("category", "owner").prefetch_related("tags")


class Article(models.Model):
    """A knowledge-base article: a script, an instruction, a table of offers."""

    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("body (Markdown)"), blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="articles", verbose_name=_("category")
    )
    tags = models.ManyToManyField(Tag, related_name="articles", blank=True, verbose_name=_("tags"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kb_articles",
        verbose_name=_("owner"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    review_interval_days = models.PositiveSmallIntegerField(_("review interval, days"), default=180)
    verified_at = models.DateTimeField(_("last verified"), null=True, blank=True)
    offers = models.ManyToManyField(
        Offer, related_name="articles", blank=True, verbose_name=_("related offers")
    )
    history = HistoricalRecords(m2m_fields=[tags])

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "title"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "title"], name="article_title_per_category"
            ),
            models.CheckConstraint(
                condition=~Q(status=ArticleStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="article_published_has_date",
            ),
            models.CheckConstraint(
                condition=Q(review_interval_days__gte=1), name="article_review_interval_positive"
            ),
        ]

    def __str__(self):
        return self.title

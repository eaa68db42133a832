"""The knowledge base (СУЗ): categories, articles, bridges, objections and closing phrases."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node

from offers.models import Offer, Service


class Category(MP_Node):
    """A knowledge-base category; categories form an ordered tree of any depth (R13)."""

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=150, unique=True, allow_unicode=True)

    # No node_order_by: siblings keep the order a manager gives them in the admin.

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

    def stale(self, now):
        """Articles whose review date has passed (drafts included: they rot too)."""
        return self.filter(review_due_at__lt=now)

    def with_relations(self):
        return self.select_related("category", "owner").prefetch_related("tags")


class Article(models.Model):
    """A knowledge-base article: a script, an instruction, a table of offers."""

    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(
        _("body (Markdown)"),
        blank=True,
        help_text=_("Markdown. Quoted paragraphs (lines starting with >) get a copy button."),
    )
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
    review_due_at = models.DateTimeField(
        _("review due"),
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text=_("Last verified (or published) date plus the review interval."),
    )
    offers = models.ManyToManyField(
        Offer, related_name="articles", blank=True, verbose_name=_("related offers")
    )
    # Filled by services.article_refresh_search on PostgreSQL (title weight A, body weight B).
    search_vector = SearchVectorField(null=True, editable=False)
    # The title alone (weight A): small enough to stay in the row, so ordering every match by it
    # is cheap, while the long search_vector is read only for the few best candidates.
    title_vector = SearchVectorField(null=True, editable=False)
    history = HistoricalRecords(
        m2m_fields=[tags],
        excluded_fields=["search_vector", "title_vector", "review_due_at", "updated_at"],
    )

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


class Bridge(models.Model):
    """A business bridge (R15): the customer's situation, the linking phrase and the offer it leads to."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    trigger = models.CharField(_("customer's situation"), max_length=255)
    phrase = models.TextField(
        _("linking phrase"),
        help_text=_(
            "Blanks filled from the account: {speed}, {tariff}, {offer}, {price_a_day}; "
            "[wording with a blank|wording without] when the account may not know it."
        ),
    )
    keywords = models.CharField(
        _("customer's words"),
        max_length=500,
        blank=True,
        help_text=_("Words a customer uses for this situation, separated by commas."),
    )
    offer = models.ForeignKey(
        Offer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bridges",
        verbose_name=_("offer"),
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bridges",
        verbose_name=_("article"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("business bridge")
        verbose_name_plural = _("business bridges")

    def __str__(self):
        return self.trigger


class ObjectionType(models.Model):
    """A kind of customer objection («дорого», «я подумаю»); results cite them by code (R4)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("objection type")
        verbose_name_plural = _("objection types")

    def __str__(self):
        return self.name


class VzorStep(models.TextChoices):
    LISTEN = "listen", _("Listen and show understanding")
    ASK = "ask", _("Ask clarifying questions")
    ANSWER = "answer", _("Answer on the merits")
    SUMMARISE = "summarise", _("Summarise")


VZOR_ORDER = [VzorStep.LISTEN, VzorStep.ASK, VzorStep.ANSWER, VzorStep.SUMMARISE]
VZOR_LETTERS = {
    VzorStep.LISTEN: "В",
    VzorStep.ASK: "З",
    VzorStep.ANSWER: "О",
    VzorStep.SUMMARISE: "Р",
}
STEP_ORDERING = Case(
    *(When(step=step, then=Value(i)) for i, step in enumerate(VZOR_ORDER)), default=Value(9)
).asc()


class ObjectionStep(models.Model):
    """One step of the В.З.О.Р. technique for an objection type, with the model phrase; for every
    offer, or only for one service's offers, or for one offer (the most specific one is read)."""

    objection = models.ForeignKey(
        ObjectionType, on_delete=models.CASCADE, related_name="steps", verbose_name=_("objection")
    )
    step = models.CharField(_("step"), max_length=10, choices=VzorStep.choices)
    phrase = models.TextField(
        _("model phrase"),
        help_text=_(
            "Markdown. Blanks filled on the agent's card: {price_a_day}, {offer}, {speed}, "
            "{tariff}; [wording with a blank|wording without] when a blank may be unknown."
        ),
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="objection_steps",
        verbose_name=_("only for offers of the service"),
    )
    offer = models.ForeignKey(
        Offer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="objection_steps",
        verbose_name=_("only for the offer"),
    )

    class Meta:
        ordering = ["objection", STEP_ORDERING, "offer", "service"]
        verbose_name = _("В.З.О.Р. step")
        verbose_name_plural = _("В.З.О.Р. steps")
        constraints = [
            models.UniqueConstraint(
                fields=["objection", "step"],
                condition=Q(service__isnull=True, offer__isnull=True),
                name="objection_step_once",
            ),
            models.UniqueConstraint(
                fields=["objection", "step", "service"],
                condition=Q(service__isnull=False),
                name="objection_step_once_per_service",
            ),
            models.UniqueConstraint(
                fields=["objection", "step", "offer"],
                condition=Q(offer__isnull=False),
                name="objection_step_once_per_offer",
            ),
            models.CheckConstraint(
                condition=Q(service__isnull=True) | Q(offer__isnull=True),
                name="objection_step_service_or_offer",
            ),
            models.CheckConstraint(
                condition=Q(step__in=VzorStep.values), name="objection_step_valid"
            ),
        ]

    def __str__(self):
        scope = self.offer or self.service
        suffix = f" ({scope})" if scope else ""
        return f"{self.objection}: {self.get_step_display()}{suffix}"

    def fits(self, offer) -> int | None:
        """How closely the step fits an offer: 2 its own, 1 its service's, 0 general, None not."""
        if self.offer_id is not None:
            return 2 if offer is not None and offer.pk == self.offer_id else None
        if self.service_id is not None:
            return 1 if offer is not None and offer.service_id == self.service_id else None
        return 0

    @property
    def letter(self):
        return VZOR_LETTERS.get(self.step, "")


class StockAnswer(models.Model):
    """The deck's ready answer to a customer's words, e.g. «Я подумаю» → «О чём Вы будете думать?»."""

    objection = models.ForeignKey(
        ObjectionType,
        on_delete=models.CASCADE,
        related_name="stock_answers",
        verbose_name=_("objection"),
    )
    customer_says = models.CharField(_("the customer says"), max_length=255)
    answer = models.TextField(_("answer"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["objection", "order", "id"]
        verbose_name = _("stock answer")
        verbose_name_plural = _("stock answers")
        constraints = [
            models.UniqueConstraint(
                fields=["objection", "customer_says"], name="stock_answer_once_per_objection"
            )
        ]

    def __str__(self):
        return self.customer_says


class ClosingStage(models.TextChoices):
    CHECK_QUESTIONS = "check_questions", _("Make sure no questions remain")
    REACT_POSITIVELY = "react_positively", _("No questions left: react positively")
    PROPOSE_NOW = "propose_now", _("Propose to connect now")
    FINISH = "finish", _("End on a positive note")


class ClosingPhrase(models.Model):
    """A phrase that leads the customer to a decision or closes the contact (R16)."""

    stage = models.CharField(_("stage"), max_length=20, choices=ClosingStage.choices)
    text = models.CharField(_("phrase"), max_length=500)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("closing phrase")
        verbose_name_plural = _("closing phrases")
        constraints = [
            models.UniqueConstraint(fields=["stage", "text"], name="closing_phrase_once"),
            models.CheckConstraint(
                condition=Q(stage__in=ClosingStage.values), name="closing_stage_valid"
            ),
        ]

    def __str__(self):
        return self.text


class ArticleFeedback(models.Model):
    """A reader's «was this helpful?» answer, with an optional comment for the article's owner."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("article")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="kb_feedback",
        verbose_name=_("reader"),
    )
    helpful = models.BooleanField(_("helpful"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("article feedback")
        verbose_name_plural = _("article feedback")

    def __str__(self):
        return "{}: {}".format(self.article, _("helpful") if self.helpful else _("not helpful"))


class RecentView(models.Model):
    """When a user last opened an article; the «recently viewed» list."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="kb_recent_views",
        verbose_name=_("user"),
    )
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="recent_views", verbose_name=_("article")
    )
    viewed_at = models.DateTimeField(_("viewed"))

    class Meta:
        ordering = ["-viewed_at"]
        verbose_name = _("recently viewed article")
        verbose_name_plural = _("recently viewed articles")
        constraints = [
            models.UniqueConstraint(fields=["user", "article"], name="recent_view_once"),
        ]
        indexes = [models.Index(fields=["user", "-viewed_at"], name="kb_recent_user_idx")]

    def __str__(self):
        return f"{self.user}: {self.article}"


class SearchWord(models.Model):
    """A distinct word of the articles' titles and bodies: misspelt query words are corrected to these."""

    word = models.CharField(_("word"), max_length=100, primary_key=True)

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")

    def __str__(self):
        return self.word

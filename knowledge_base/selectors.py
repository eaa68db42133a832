"""Reads for the knowledge base pages, the API and the admin."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from config.floor import roles
from knowledge_base import search
from knowledge_base.filling import Facts, fill
from knowledge_base.models import (
    VZOR_LETTERS,
    VZOR_ORDER,
    Article,
    ArticleFeedback,
    ArticleStatus,
    Bridge,
    Category,
    ClosingPhrase,
    ObjectionStep,
    ObjectionType,
    RecentView,
    VzorStep,
)

ARTICLE_SEARCH_LIMIT = 100


def can_see_drafts(user) -> bool:
    return roles.has_role(user, roles.MANAGERS)


def article_list(*, user):
    """Articles the user may read: managers see drafts too, everyone else published ones."""
    queryset = Article.objects.with_relations()
    if not can_see_drafts(user):
        queryset = queryset.published()
    return queryset


def visible_statuses(user) -> list[str]:
    """The article statuses the user may read, as plain strings (the search's SQL takes them)."""
    if can_see_drafts(user):
        return [ArticleStatus.PUBLISHED.value, ArticleStatus.DRAFT.value]
    return [ArticleStatus.PUBLISHED.value]


def kb_search(*, user, query: str, limit: int = search.unified.LIMIT) -> search.Result:
    """One ranked list of articles, bridges, objections and closing phrases that answer what
    the customer said (raises search.QueryTooLong)."""
    return search.search(query, statuses=visible_statuses(user), limit=limit)


def article_search(*, user, query: str, ids=None, limit: int = ARTICLE_SEARCH_LIMIT):
    """(the parsed query, ranked ArticleHits) of the articles the user may read, among `ids`
    when given (raises search.QueryTooLong)."""
    parsed = search.parse(query)
    if not parsed:
        return parsed, []
    parsed = search.lexicon.correct(parsed)
    statuses = visible_statuses(user)
    return parsed, search.articles.rank(parsed, statuses=statuses, ids=ids, limit=limit)


def article_detail(*, user, pk):
    return (
        article_list(user=user)
        .select_related("category")
        .prefetch_related("offers__service", "bridges")
        .filter(pk=pk)
        .first()
    )


@dataclass
class CategoryNode:
    category: Category
    count: int
    depth: int
    children: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.count + sum(child.total for child in self.children)


def category_tree(*, user) -> list[CategoryNode]:
    """The whole tree with article counts (a category's total includes its subcategories).

    Two queries whatever the depth: the nodes in path order, and one grouped count.
    """
    visible = Q() if can_see_drafts(user) else Q(articles__status=ArticleStatus.PUBLISHED)
    categories = Category.objects.annotate(article_count=Count("articles", filter=visible))
    roots, stack = [], []
    for category in categories.order_by("path"):
        node = CategoryNode(category, category.article_count, category.depth)
        while stack and stack[-1].depth >= node.depth:
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return roots


def category_with_ancestors(*, slug):
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        return None, []
    paths = [
        category.path[:i] for i in range(Category.steplen, len(category.path), Category.steplen)
    ]
    return category, list(Category.objects.filter(path__in=paths).order_by("path"))


def category_subtree_q(category) -> Q:
    return Q(category__path__startswith=category.path)


def bridge_list():
    return Bridge.objects.filter(is_active=True).select_related("offer__service", "article")


def bridge_search(*, query: str, bridges):
    """The bridges that answer the query, best first (raises search.QueryTooLong)."""
    parsed = search.parse(query)
    if not parsed:
        return list(bridges)
    parsed = search.lexicon.correct(parsed)
    scored = []
    for position, bridge in enumerate(bridges):
        title = f"{bridge.trigger}\n{bridge.keywords}"
        body = bridge.phrase + (f"\n{bridge.offer.name}" if bridge.offer else "")
        found = search.words.match(parsed, title, body)
        if found.matched:
            scored.append((-found.matched, -found.in_title, position, bridge))
    return [row[-1] for row in sorted(scored, key=lambda row: row[:3])]


def objection_list(*, active_only=True):
    steps = ObjectionStep.objects.select_related("service", "offer")
    queryset = ObjectionType.objects.prefetch_related(
        Prefetch("steps", queryset=steps.order_by(*ObjectionStep._meta.ordering)),
        "stock_answers",
    )
    return queryset.filter(is_active=True) if active_only else queryset


@dataclass(frozen=True)
class StepText:
    step: str
    letter: str
    label: str
    text: str


@dataclass(frozen=True)
class ObjectionAnswer:
    """An objection as it is answered on one card: the steps that fit the offer, filled."""

    code: str
    name: str
    steps: list[StepText]
    stock_answers: list[tuple[str, str]]


def objection_answers(*, offer, facts: Facts, objections=None) -> list[ObjectionAnswer]:
    """Each objection's В.З.О.Р. answer for an offer (None: no card): per step the phrase written
    for the offer itself, else for its service, else the general one; blanks filled from `facts`.
    `objections` (from objection_list) lets a page answer every card from one read."""
    answers = []
    for objection in objection_list() if objections is None else objections:
        steps = []
        for step in VZOR_ORDER:
            fitting = [(s.fits(offer), s) for s in objection.steps.all() if s.step == step]
            fitting = [(rank, s) for rank, s in fitting if rank is not None]
            if fitting:
                chosen = max(fitting, key=lambda pair: pair[0])[1]
                steps.append(
                    StepText(
                        step, chosen.letter, str(VzorStep(step).label), fill(chosen.phrase, facts)
                    )
                )
        stock = [(a.customer_says, fill(a.answer, facts)) for a in objection.stock_answers.all()]
        answers.append(ObjectionAnswer(objection.code, objection.name, steps, stock))
    return answers


@dataclass(frozen=True)
class ObjectionSheet:
    """An objection as the knowledge base shows it: the general steps and, under each, the
    wording written for a service's or one offer's cards (blanks in their neutral wording)."""

    objection: ObjectionType
    steps: list[tuple[StepText, list[tuple[str, str]]]]
    stock_answers: list[tuple[str, str]]


def objection_sheets(*, facts: Facts) -> list[ObjectionSheet]:
    objections = objection_list()
    sheets = []
    for objection in objections:
        steps = []
        for step in VZOR_ORDER:
            of_step = [s for s in objection.steps.all() if s.step == step]
            general = next((s for s in of_step if s.fits(None) == 0), None)
            variants = [
                (str(s.offer or s.service), fill(s.phrase, facts)) for s in of_step if s != general
            ]
            if general is None and not variants:
                continue
            text = fill(general.phrase, facts) if general else ""
            label = str(VzorStep(step).label)
            steps.append((StepText(step, VZOR_LETTERS[step], label, text), variants))
        stock = [(a.customer_says, fill(a.answer, facts)) for a in objection.stock_answers.all()]
        sheets.append(ObjectionSheet(objection, steps, stock))
    return sheets


def bridge_phrase(bridge, facts: Facts) -> str:
    """A bridge's linking phrase with its blanks filled (the account's speed, tariff, …)."""
    return fill(bridge.phrase, facts)


def closing_list():
    return ClosingPhrase.objects.filter(is_active=True)


def recently_viewed(*, user, limit=10):
    views = RecentView.objects.filter(user=user).select_related("article__category")
    if not can_see_drafts(user):
        views = views.filter(article__status=ArticleStatus.PUBLISHED)
    return [view.article for view in views.order_by("-viewed_at")[:limit]]


def stale_articles(*, owner=None, now=None):
    """Articles past their review date, the most overdue first."""
    queryset = Article.objects.stale(now or timezone.now()).select_related("owner", "category")
    if owner is not None:
        queryset = queryset.filter(owner=owner)
    return queryset.order_by("review_due_at")


def feedback_for_owner(*, owner, unresolved_only=True):
    queryset = ArticleFeedback.objects.filter(article__owner=owner).select_related(
        "article", "user"
    )
    if unresolved_only:
        queryset = queryset.filter(resolved_at__isnull=True)
    return queryset.order_by("-created_at")


def feedback_summary(*, article):
    return article.feedback.aggregate(
        helpful=Count("pk", filter=Q(helpful=True)), unhelpful=Count("pk", filter=Q(helpful=False))
    )


def articles_changed_since(*, since, limit=5):
    """Published articles published or updated since a moment, newest first (the home page)."""
    return (
        Article.objects.published()
        .filter(Q(published_at__gte=since) | Q(updated_at__gte=since))
        .only("pk", "title", "published_at", "updated_at")
        .order_by("-updated_at", "-pk")[:limit]
    )

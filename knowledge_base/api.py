"""`/api/v1/kb/...`: categories, articles (searchable), bridges, objections, closing phrases, and
one search across them all (`/kb/search/`)."""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Length, Substr
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, viewsets
from rest_framework.response import Response

from config.floor.api.schema import ERROR_RESPONSES
from knowledge_base import search, selectors
from knowledge_base.filters import ArticleFilter, BridgeFilter, CategoryFilter, ObjectionTypeFilter
from knowledge_base.models import (
    Article,
    ArticleStatus,
    Bridge,
    Category,
    ClosingPhrase,
    ObjectionStep,
    ObjectionType,
    StockAnswer,
)
from knowledge_base.rendering import render_markdown
from offers import pricing

SEARCH_PARAMETER = OpenApiParameter(
    "search", OpenApiTypes.STR, description="Plain Russian words; at most 200 characters."
)


def search_query(request) -> str:
    query = request.query_params.get("search", "").strip()
    if len(query) > search.MAX_QUERY_LENGTH:
        raise search.QueryTooLong
    return query


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(source="parent_id", allow_null=True, read_only=True)
    article_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Category
        fields = ["id", "name", "slug", "depth", "parent", "article_count"]


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """The category tree in tree order (depth-first); counts are of the category's own articles."""

    serializer_class = CategorySerializer
    filterset_class = CategoryFilter
    pagination_class = None

    def get_queryset(self):
        visible = (
            Q()
            if selectors.can_see_drafts(self.request.user)
            else Q(articles__status=ArticleStatus.PUBLISHED)
        )
        parent = Category.objects.filter(
            path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Category.steplen)
        ).values("pk")[:1]
        return Category.objects.annotate(
            article_count=Count("articles", filter=visible),
            parent_id=Subquery(parent, output_field=IntegerField()),
        ).order_by("path")


class CategoryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug"]


class OfferRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    monthly_price = serializers.DecimalField(max_digits=10, decimal_places=2)
    promo_days = serializers.IntegerField()
    price_per_day = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DecimalField(max_digits=10, decimal_places=2))
    def get_price_per_day(self, offer):
        return str(pricing.price_per_day(offer.monthly_price, on=timezone.localdate()))


class ArticleListSerializer(serializers.ModelSerializer):
    category = CategoryRefSerializer()
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    snippet = serializers.SerializerMethodField(help_text="HTML; matches are in <mark>.")
    is_stale = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "category",
            "tags",
            "status",
            "published_at",
            "updated_at",
            "verified_at",
            "review_due_at",
            "is_stale",
            "snippet",
        ]

    def get_snippet(self, article) -> str:
        query = self.context.get("search_query")
        if not query:
            return ""
        return search.snippets.snippet(query, article.body)

    def get_is_stale(self, article) -> bool:
        return article.review_due_at is not None and article.review_due_at < timezone.now()


class ArticleDetailSerializer(ArticleListSerializer):
    body_html = serializers.SerializerMethodField(help_text="Sanitized HTML of the Markdown body.")
    offers = OfferRefSerializer(many=True)
    owner = serializers.SerializerMethodField()

    class Meta(ArticleListSerializer.Meta):
        fields = [*ArticleListSerializer.Meta.fields, "body", "body_html", "offers", "owner"]

    def get_body_html(self, article) -> str:
        return str(render_markdown(article.body))

    def get_owner(self, article) -> str:
        return (
            article.owner.get_full_name() or article.owner.get_username() if article.owner else ""
        )


@extend_schema(
    parameters=[SEARCH_PARAMETER], responses={200: ArticleListSerializer, **ERROR_RESPONSES}
)
class ArticleViewSet(viewsets.ReadOnlyModelViewSet):
    """Articles; agents see published ones. `?search=` ranks by relevance (typos tolerated)."""

    filterset_class = ArticleFilter

    def get_serializer_class(self):
        return ArticleDetailSerializer if self.action == "retrieve" else ArticleListSerializer

    def get_queryset(self):
        queryset = selectors.article_list(user=self.request.user)
        if self.action == "retrieve":
            return queryset.prefetch_related("offers")
        return queryset

    def list(self, request, *args, **kwargs):
        query = search_query(request)
        if not query:
            return super().list(request, *args, **kwargs)
        # The search ranks within the filtered articles: filter first, then rank.
        ids = None
        if any(request.query_params.get(name) for name in self.filterset_class.base_filters):
            ids = list(self.filter_queryset(self.get_queryset()).values_list("pk", flat=True))
        parsed, hits = selectors.article_search(user=request.user, query=query, ids=ids)
        page = self.paginate_queryset(hits)
        found = self.get_queryset().in_bulk([hit.id for hit in page])
        articles = [found[hit.id] for hit in page if hit.id in found]
        context = {**self.get_serializer_context(), "search_query": parsed}
        serializer = self.get_serializer_class()(articles, many=True, context=context)
        return self.get_paginated_response(serializer.data)


class BridgeSerializer(serializers.ModelSerializer):
    offer = OfferRefSerializer(allow_null=True)
    keywords = serializers.SerializerMethodField()

    class Meta:
        model = Bridge
        fields = ["id", "code", "trigger", "phrase", "keywords", "offer", "article"]

    def get_keywords(self, bridge) -> list[str]:
        return [word.strip() for word in bridge.keywords.split(",") if word.strip()]


@extend_schema(parameters=[SEARCH_PARAMETER], responses={200: BridgeSerializer, **ERROR_RESPONSES})
class BridgeViewSet(viewsets.ReadOnlyModelViewSet):
    """Business bridges (R15); `?search=` matches the customer's words, typos tolerated."""

    serializer_class = BridgeSerializer
    filterset_class = BridgeFilter

    def get_queryset(self):
        return selectors.bridge_list().order_by("order", "code")

    def list(self, request, *args, **kwargs):
        query = search_query(request)
        if not query:
            return super().list(request, *args, **kwargs)
        rows = selectors.bridge_search(
            query=query, bridges=list(self.filter_queryset(self.get_queryset()))
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ObjectionStepSerializer(serializers.ModelSerializer):
    letter = serializers.CharField(read_only=True)
    label = serializers.CharField(source="get_step_display")

    class Meta:
        model = ObjectionStep
        fields = ["step", "letter", "label", "phrase"]


class ObjectionVariantSerializer(ObjectionStepSerializer):
    """A step's wording for one service's offers or for one offer (it replaces the general one
    on their cards)."""

    service = serializers.CharField(
        source="service.code", read_only=True, allow_null=True, help_text="The service's code."
    )
    offer = serializers.CharField(
        source="offer.code", read_only=True, allow_null=True, help_text="The offer's code."
    )

    class Meta(ObjectionStepSerializer.Meta):
        fields = [*ObjectionStepSerializer.Meta.fields, "service", "offer"]


class StockAnswerSerializer(serializers.ModelSerializer):
    class Meta:
        model = StockAnswer
        fields = ["customer_says", "answer"]


class ObjectionTypeSerializer(serializers.ModelSerializer):
    """The phrases as written: blanks in braces ({price_a_day}, …) are filled on the agent's
    cards (`/api/v1/accounts/{number}/recommendations/{id}/answers/`)."""

    steps = serializers.SerializerMethodField()
    variants = serializers.SerializerMethodField()
    stock_answers = StockAnswerSerializer(many=True)

    class Meta:
        model = ObjectionType
        fields = ["code", "name", "description", "order", "steps", "variants", "stock_answers"]

    @extend_schema_field(ObjectionStepSerializer(many=True))
    def get_steps(self, objection):
        general = [step for step in objection.steps.all() if step.fits(None) == 0]
        return ObjectionStepSerializer(general, many=True).data

    @extend_schema_field(ObjectionVariantSerializer(many=True))
    def get_variants(self, objection):
        variants = [step for step in objection.steps.all() if step.fits(None) is None]
        return ObjectionVariantSerializer(variants, many=True).data


class ObjectionTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """Objection types (R4) by `code`, with the В.З.О.Р. steps and stock answers."""

    serializer_class = ObjectionTypeSerializer
    filterset_class = ObjectionTypeFilter
    lookup_field = "code"

    def get_queryset(self):
        return selectors.objection_list().order_by("order", "code")


class ClosingPhraseSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClosingPhrase
        fields = ["stage", "text", "order"]


class ClosingPhraseViewSet(viewsets.ReadOnlyModelViewSet):
    """Phrases that lead to a decision and close the contact (R16)."""

    serializer_class = ClosingPhraseSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.closing_list().order_by("order", "id")


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["article", "bridge", "objection", "closing_phrase"],
        help_text="What was found; `id` and `key` identify it within its kind.",
    )
    id = serializers.IntegerField()
    key = serializers.CharField(
        help_text="The bridge's or objection's code (as in /kb/bridges/, /kb/objections/{code}/); "
        "the id, as text, for articles and closing phrases."
    )
    title = serializers.CharField(help_text="Plain text.")
    title_html = serializers.CharField(help_text="HTML: the title with the matches in <mark>.")
    snippet = serializers.CharField(
        help_text="HTML: the part of the text with the most query words, cut at word boundaries "
        "(«…» where the text goes on), matches in <mark>; everything else escaped."
    )
    url = serializers.CharField(help_text="The portal page that shows it.")
    score = serializers.FloatField(
        source="match.score",
        help_text="Query words contained, plus the share of them in the title (order of the list).",
    )
    matched_words = serializers.IntegerField(source="match.matched")
    all_words = serializers.BooleanField(source="match.all_words")
    category = serializers.CharField(help_text="An article's category; empty for other kinds.")


class SearchResultSerializer(serializers.Serializer):
    query = serializers.CharField(source="query.text")
    terms = serializers.SerializerMethodField(
        help_text="The words searched, after dropping common and framing words."
    )
    corrections = serializers.DictField(
        source="query.corrections",
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Misspelt words and the spellings searched for them.",
    )
    all_words = serializers.IntegerField(help_text="How many results contain every term.")
    results = SearchHitSerializer(source="hits", many=True)

    def get_terms(self, result) -> list[str]:
        return [term.word for term in result.query.terms]


class SearchParamsSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        default="",
        help_text="The customer's words, as typed; at most 200 characters.",
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=search.unified.MAX_LIMIT,
        default=search.unified.LIMIT,
    )


@extend_schema(
    parameters=[SearchParamsSerializer],
    responses={200: SearchResultSerializer, **ERROR_RESPONSES},
)
class SearchView(generics.GenericAPIView):
    """One ranked list of articles, business bridges, objections (В.З.О.Р.) and closing
    phrases for the customer's words: best partial matches too, every-word matches first,
    typos corrected. 400 `query_too_long` past 200 characters; an empty query finds nothing."""

    serializer_class = SearchResultSerializer
    pagination_class = None
    filter_backends = []

    def get(self, request):
        params = SearchParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query, limit = params.validated_data["q"], params.validated_data["limit"]
        result = selectors.kb_search(user=request.user, query=query, limit=limit)
        return Response(self.get_serializer(result).data)

"""`/api/v1/kb/...`: categories, articles (searchable), bridges, objections, closing phrases."""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Length, Substr
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets

from config.floor.api.schema import ERROR_RESPONSES
from config.floor.errors import DomainError
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
        raise DomainError(
            search.ERR_QUERY_TOO_LONG % {"limit": search.MAX_QUERY_LENGTH}, code="query_too_long"
        )
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
        words = self.context.get("search_words")
        if not words:
            return ""
        return search.snippet(article, words)

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
        query = search_query(self.request)
        if query:
            # The search chooses its candidates within the filtered articles: filter first.
            filtered = self.filterset_class(
                self.request.query_params, queryset=queryset, request=self.request
            ).qs
            return search.search_articles(filtered, search.words_of(query))
        return queryset

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action == "list":
            context["search_words"] = search.words_of(search_query(self.request))
        return context

    def filter_queryset(self, queryset):
        # Relevance order from the search must survive the ordering backend.
        if self.request.query_params.get("search", "").strip():
            return queryset  # filtered in get_queryset, before the search
        return super().filter_queryset(queryset)


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
        rows = search.rank_in_python(
            list(self.filter_queryset(self.get_queryset())),
            search.words_of(query),
            selectors.bridge_text,
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ObjectionStepSerializer(serializers.ModelSerializer):
    letter = serializers.CharField(read_only=True)
    label = serializers.CharField(source="get_step_display")

    class Meta:
        model = ObjectionStep
        fields = ["step", "letter", "label", "phrase"]


class StockAnswerSerializer(serializers.ModelSerializer):
    class Meta:
        model = StockAnswer
        fields = ["customer_says", "answer"]


class ObjectionTypeSerializer(serializers.ModelSerializer):
    steps = ObjectionStepSerializer(many=True)
    stock_answers = StockAnswerSerializer(many=True)

    class Meta:
        model = ObjectionType
        fields = ["code", "name", "description", "order", "steps", "stock_answers"]


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

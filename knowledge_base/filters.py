"""One FilterSet per model, shared by the API and the pages."""

import django_filters
from django.db.models import Q

from config.floor.ids import parse_id
from knowledge_base.models import Article, ArticleStatus, Bridge, Category, ObjectionType


class CategoryFilter(django_filters.FilterSet):
    parent = django_filters.CharFilter(method="filter_parent", label="parent slug")

    class Meta:
        model = Category
        fields = ["depth"]

    def filter_parent(self, queryset, name, value):
        parent = Category.objects.filter(slug=value).first()
        if parent is None:
            return queryset.none()
        return queryset.filter(path__startswith=parent.path, depth=parent.depth + 1)


class ArticleFilter(django_filters.FilterSet):
    """`category` (slug or id) includes its subcategories; `tag` is a tag name or id."""

    category = django_filters.CharFilter(method="filter_category")
    tag = django_filters.CharFilter(method="filter_tag")
    status = django_filters.ChoiceFilter(choices=ArticleStatus.choices)
    offer = django_filters.CharFilter(field_name="offers__code", distinct=True)

    class Meta:
        model = Article
        fields = ["category", "tag", "status", "offer"]

    def filter_category(self, queryset, name, value):
        pk = parse_id(value)
        lookup = Q(slug=value) | Q(pk=pk) if pk is not None else Q(slug=value)
        category = Category.objects.filter(lookup).first()
        if category is None:
            return queryset.none()
        return queryset.filter(category__path__startswith=category.path)

    def filter_tag(self, queryset, name, value):
        pk = parse_id(value)
        lookup = Q(tags__name=value) | Q(tags__pk=pk) if pk is not None else Q(tags__name=value)
        return queryset.filter(pk__in=Article.objects.filter(lookup).values("pk"))


class BridgeFilter(django_filters.FilterSet):
    offer = django_filters.CharFilter(field_name="offer__code")

    class Meta:
        model = Bridge
        fields = ["offer"]


class ObjectionTypeFilter(django_filters.FilterSet):
    code = django_filters.CharFilter()

    class Meta:
        model = ObjectionType
        fields = ["code"]

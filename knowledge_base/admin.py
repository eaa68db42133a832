"""The knowledge base in the admin: managers keep the tree, articles, bridges and objections true."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseNotAllowed, JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory
from unfold.admin import StackedInline, TabularInline
from unfold.decorators import action, display

from config.floor.admin import HistoryModelAdmin, PortalModelAdmin, owner_field
from knowledge_base import services
from knowledge_base.models import (
    Article,
    ArticleFeedback,
    Bridge,
    Category,
    ClosingPhrase,
    ObjectionStep,
    ObjectionType,
    StockAnswer,
    Tag,
)
from knowledge_base.rendering import render_markdown


@admin.register(Category)
class CategoryAdmin(TreeAdmin, PortalModelAdmin):
    """The tree: drag to reorder, or pick a position in the form."""

    form = movenodeform_factory(Category, exclude=["path", "depth", "numchild"])
    # treebeard's list draws no select-all box, which Django's actions script needs; a subtree is
    # deleted from its own page, where the confirmation lists what goes with it.
    actions = None
    list_display = ["name", "slug", "article_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_articles=Count("articles"))

    @display(description=_("articles"), ordering="n_articles")
    def article_count(self, obj):
        return obj.n_articles


@admin.register(Tag)
class TagAdmin(PortalModelAdmin):
    list_display = ["name", "article_count"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_articles=Count("articles"))

    @display(description=_("articles"), ordering="n_articles")
    def article_count(self, obj):
        return obj.n_articles


class ReviewFilter(admin.SimpleListFilter):
    """The stale list: articles whose review date has passed."""

    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Overdue")),
            ("mine_overdue", _("My overdue")),
            ("ok", _("Up to date")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "overdue":
            return queryset.stale(now)
        if self.value() == "mine_overdue":
            return queryset.stale(now).filter(owner=request.user)
        if self.value() == "ok":
            return queryset.filter(Q(review_due_at__gte=now) | Q(review_due_at__isnull=True))
        return queryset


@admin.register(Article)
class ArticleAdmin(HistoryModelAdmin):
    list_display = [
        "title",
        "category",
        "status",
        "owner",
        "published_at",
        "review_state",
        "feedback_counts",
    ]
    list_filter = ["status", ReviewFilter, "category", "tags", "owner"]
    list_select_related = ["category", "owner"]
    search_fields = ["title", "body"]
    filter_horizontal = ["tags", "offers"]
    autocomplete_fields = ["category"]
    readonly_fields = ["preview", "review_due_at", "updated_at"]

    class Media:
        js = ["portal/live_preview.js"]

    date_hierarchy = "published_at"
    actions = ["publish", "mark_verified"]
    fieldsets = [
        (None, {"fields": ["title", "category", "status", "owner", "tags"]}),
        (_("Text"), {"fields": ["body", "preview"]}),
        (_("Related"), {"fields": ["offers"]}),
        (
            _("Dates and review"),
            {
                "fields": [
                    "published_at",
                    "verified_at",
                    "review_interval_days",
                    "review_due_at",
                    "updated_at",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_helpful=Count("feedback", filter=Q(feedback__helpful=True)),
                n_unhelpful=Count("feedback", filter=Q(feedback__helpful=False)),
            )
        )

    def get_changeform_initial_data(self, request):
        return {"owner": request.user.pk, **super().get_changeform_initial_data(request)}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            kwargs = owner_field(db_field, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_urls(self):
        preview = path(
            "preview/",
            self.admin_site.admin_view(self.preview_view),
            name="knowledge_base_article_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request):
        """The Markdown being typed, rendered as readers will see it (admin/live_preview.js)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return JsonResponse({"html": str(render_markdown(request.POST.get("body", "")))})

    @display(description=_("preview"))
    def preview(self, obj):
        """Redrawn as the text is typed (admin/live_preview.js)."""
        body = render_markdown(obj.body) if obj is not None and obj.body else ""
        return format_html(
            '<div class="live-preview" data-url="{}" data-fields="body">'
            '<div class="live-preview-output kb-preview prose" aria-live="polite">{}</div></div>',
            reverse("admin:knowledge_base_article_preview"),
            body or _("Type the text to see it as readers will."),
        )

    @display(description=_("review"), ordering="review_due_at", label=True)
    def review_state(self, obj):
        if obj.review_due_at is None:
            return "—"
        if obj.review_due_at < timezone.now():
            return _("overdue since %(date)s") % {"date": obj.review_due_at.date().isoformat()}
        return obj.review_due_at.date().isoformat()

    @display(description=_("feedback 👍/👎"))
    def feedback_counts(self, obj):
        return f"{obj.n_helpful} / {obj.n_unhelpful}"

    def save_model(self, request, obj, form, change):
        # Dates and the search index are kept by the service; m2m come in save_related.
        services.article_save_from_admin(article=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.article_refresh_search(article_ids=[form.instance.pk])

    @action(description=_("Publish the selected articles"))
    def publish(self, request, queryset):
        for article in queryset:
            services.article_publish(article=article)
        self.message_user(request, _("Published."), messages.SUCCESS)

    @action(description=_("Mark as verified today"))
    def mark_verified(self, request, queryset):
        for article in queryset:
            services.article_verify(article=article)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%(count)d article verified.", "%(count)d articles verified.", count)
            % {"count": count},
            messages.SUCCESS,
        )


class AnswerWordsMixin:
    """Words of a saved answer join the typo-correction list (list edits save no text)."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.answers_changed()


@admin.register(Bridge)
class BridgeAdmin(AnswerWordsMixin, HistoryModelAdmin):
    list_display = ["trigger", "offer", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active"]
    list_select_related = ["offer"]
    search_fields = ["trigger", "phrase", "keywords", "code"]
    autocomplete_fields = ["offer", "article"]
    prepopulated_fields = {"code": ["trigger"]}


class ObjectionStepInline(StackedInline):
    """The four general steps, and any step written again for one service's or one offer's cards."""

    model = ObjectionStep
    extra = 0
    fields = ["step", "service", "offer", "phrase"]
    autocomplete_fields = ["offer"]


class StockAnswerInline(TabularInline):
    model = StockAnswer
    extra = 0


@admin.register(ObjectionType)
class ObjectionTypeAdmin(AnswerWordsMixin, HistoryModelAdmin):
    list_display = ["name", "code", "order", "is_active", "step_count"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code", "description"]
    inlines = [ObjectionStepInline, StockAnswerInline]

    def get_queryset(self, request):
        general = Q(steps__service__isnull=True, steps__offer__isnull=True)
        return super().get_queryset(request).annotate(n_steps=Count("steps", filter=general))

    @display(description=_("В.З.О.Р. steps"))
    def step_count(self, obj):
        return f"{obj.n_steps} / 4"


@admin.register(ClosingPhrase)
class ClosingPhraseAdmin(AnswerWordsMixin, PortalModelAdmin):
    list_display = ["text", "stage", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["stage", "is_active"]
    search_fields = ["text"]


class FeedbackOwnerFilter(admin.SimpleListFilter):
    title = _("article owner")
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        return [("me", _("My articles"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(article__owner=request.user)
        return queryset


class ResolvedFilter(admin.SimpleListFilter):
    title = _("resolved")
    parameter_name = "resolved"

    def lookups(self, request, model_admin):
        return [("no", pgettext_lazy("feedback", "Open")), ("yes", _("Resolved"))]

    def queryset(self, request, queryset):
        if self.value() in ("no", "yes"):
            return queryset.filter(resolved_at__isnull=self.value() == "no")
        return queryset


@admin.register(ArticleFeedback)
class ArticleFeedbackAdmin(PortalModelAdmin):
    """What readers said, for the articles' owners."""

    list_display = ["article", "helpful_label", "comment", "user", "created_at", "resolved_at"]
    list_filter = [FeedbackOwnerFilter, ResolvedFilter, "helpful"]
    list_select_related = ["article", "user"]
    search_fields = ["comment", "article__title"]
    readonly_fields = ["article", "user", "helpful", "comment", "created_at"]
    actions = ["resolve"]

    def has_add_permission(self, request):
        return False

    @display(description=_("helpful"), label={"👍": "success", "👎": "danger"})
    def helpful_label(self, obj):
        return "👍" if obj.helpful else "👎"

    @action(description=_("Mark as resolved"))
    def resolve(self, request, queryset):
        for feedback in queryset.filter(resolved_at__isnull=True):
            services.feedback_resolve(feedback=feedback)
        self.message_user(request, _("Marked as resolved."), messages.SUCCESS)

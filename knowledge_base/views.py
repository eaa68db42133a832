"""The agents' knowledge-base pages under /kb/: thin views over selectors and services."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from config.floor import roles
from knowledge_base import search, selectors, services
from knowledge_base.filling import fill, neutral
from knowledge_base.models import ClosingStage
from knowledge_base.rendering import render_markdown
from offers import pricing

READER_ROLES = (roles.AGENTS, roles.SUPERVISORS, roles.MANAGERS)
PANEL_LIMIT_MAX = search.unified.MAX_LIMIT
KIND_LABELS = {
    "article": _("Article"),
    "bridge": _("Business bridge"),
    "objection": _("Objection"),
    "closing_phrase": _("Closing phrase"),
}

MSG_FEEDBACK_THANKS = _("Thank you! The article's owner will see your answer.")


def reader_required(view):
    """Agents, supervisors and managers read the knowledge base."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not roles.has_role(request.user, *READER_ROLES):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _price_per_day(offer):
    return pricing.price_per_day(offer.monthly_price, on=timezone.localdate()) if offer else None


def _results(user, query, limit=search.unified.LIMIT):
    """One ranked list of what answers the query, or an error message."""
    try:
        result = selectors.kb_search(user=user, query=query, limit=limit)
    except search.QueryTooLong as error:
        return {"error": str(error)}
    today = timezone.localdate()
    hits = [
        {
            "hit": hit,
            "kind_label": KIND_LABELS[hit.kind],
            "price_per_day": pricing.price_per_day(hit.offer_price, on=today)
            if hit.offer_price is not None
            else None,
        }
        for hit in result.hits
    ]
    return {
        "hits": hits,
        "terms": [term.word for term in result.query.terms],
        "corrections": result.query.corrections,
        "all_words": result.all_words,
        "empty": not result.query,
    }


def _limit(value) -> int:
    """The number of results asked for, kept within 1–PANEL_LIMIT_MAX (a bad value: default)."""
    try:
        return min(max(int(value), 1), PANEL_LIMIT_MAX)
    except (TypeError, ValueError):
        return search.unified.LIMIT


@reader_required
@require_GET
def index(request):
    query = request.GET.get("q", "")
    context = {
        "query": query,
        "tree": selectors.category_tree(user=request.user),
        "recent": selectors.recently_viewed(user=request.user),
    }
    if query.strip():
        context["results"] = _results(request.user, query)
    else:
        bridges = list(selectors.bridge_list().order_by("order", "code"))
        blanks = neutral(timezone.localdate())
        for bridge in bridges:
            bridge.price_per_day = _price_per_day(bridge.offer)
            bridge.phrase_text = fill(bridge.phrase, blanks)
        context["bridges"] = bridges
        context["objections"] = list(selectors.objection_list())
    status = 400 if "error" in context.get("results", {}) else 200
    return render(request, "knowledge_base/index.html", context, status=status)


@reader_required
@require_GET
def search_partial(request):
    """The results fragment the search box fetches as the agent types; other pages (the
    account's knowledge-base panel) embed it too, with `limit` (1–50, default 20)."""
    query = request.GET.get("q", "")
    limit = _limit(request.GET.get("limit"))
    results = _results(request.user, query, limit) if query.strip() else {"empty": True}
    status = 400 if "error" in results else 200
    return render(
        request,
        "knowledge_base/_results.html",
        {"query": query, "results": results},
        status=status,
    )


@reader_required
@require_GET
def category(request, slug):
    current, ancestors = selectors.category_with_ancestors(slug=slug)
    if current is None:
        raise Http404
    articles = (
        selectors.article_list(user=request.user)
        .filter(selectors.category_subtree_q(current))
        .order_by("-published_at", "title")
    )
    return render(
        request,
        "knowledge_base/category.html",
        {
            "category": current,
            "ancestors": ancestors,
            "articles": articles,
            "tree": selectors.category_tree(user=request.user),
        },
    )


@reader_required
@require_GET
def article(request, pk):
    item = selectors.article_detail(user=request.user, pk=pk)
    if item is None:
        raise Http404
    services.recent_view_record(user=request.user, article=item)
    _current, ancestors = selectors.category_with_ancestors(slug=item.category.slug)
    offers = list(item.offers.all())
    for offer in offers:
        offer.price_per_day = _price_per_day(offer)
    return render(
        request,
        "knowledge_base/article.html",
        {
            "article": item,
            "ancestors": [*ancestors, item.category],
            "body_html": render_markdown(item.body),
            "offers": offers,
            "is_stale": item.review_due_at is not None and item.review_due_at < timezone.now(),
            "recent": [a for a in selectors.recently_viewed(user=request.user) if a.pk != item.pk],
        },
    )


@reader_required
@require_POST
def feedback(request, pk):
    item = selectors.article_detail(user=request.user, pk=pk)
    if item is None:
        raise Http404
    helpful = request.POST.get("helpful")
    if helpful not in ("yes", "no"):
        return redirect("kb:article", pk=pk)
    try:
        services.feedback_create(
            article=item,
            user=request.user,
            helpful=helpful == "yes",
            comment=request.POST.get("comment", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, MSG_FEEDBACK_THANKS)
    return redirect("kb:article", pk=pk)


@reader_required
@require_GET
def bridge(request, code):
    item = selectors.bridge_list().filter(code=code).first()
    if item is None:
        raise Http404
    item.price_per_day = _price_per_day(item.offer)
    item.phrase_text = fill(item.phrase, neutral(timezone.localdate()))
    others = [b for b in selectors.bridge_list().order_by("order", "code") if b.pk != item.pk]
    return render(request, "knowledge_base/bridge.html", {"bridge": item, "others": others})


@reader_required
@require_GET
def objections(request):
    closing = list(selectors.closing_list().order_by("order", "id"))
    stages = [
        (label, [phrase for phrase in closing if phrase.stage == value])
        for value, label in ClosingStage.choices
    ]
    return render(
        request,
        "knowledge_base/objections.html",
        {
            "objections": selectors.objection_sheets(facts=neutral(timezone.localdate())),
            "stages": stages,
        },
    )


@login_required
@require_GET
def mine(request):
    """An owner's to-do: their overdue articles and the feedback readers left."""
    if not roles.has_role(request.user, roles.MANAGERS):
        raise PermissionDenied
    return render(
        request,
        "knowledge_base/mine.html",
        {
            "stale": selectors.stale_articles(owner=request.user),
            "feedback": selectors.feedback_for_owner(owner=request.user),
        },
    )

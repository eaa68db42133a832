"""The supervisors' leaderboard (with its xlsx export and month lock) and the agent's `/me/` page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from config.floor import roles
from config.floor.api.errors import status_for
from config.floor.errors import DomainError
from config.floor.permissions import page_roles
from rewards import access, calendar, charts, exports, selectors, services
from rewards.disputes import selectors as disputes
from rewards.models import ConversionRun

PAGE_SIZE = 100
MONTHS_IN_PICKER = 12
MSG_LOCKED = _("%(month)s is locked for %(team)s: later changes will show as adjustments.")


def _error_page(request, error: DomainError):
    return render(request, "rewards/error.html", {"error": error}, status=status_for(error))


def _months(today):
    month, months = today.replace(day=1), []
    for _i in range(MONTHS_IN_PICKER):
        months.append(month)
        month = calendar.previous_month(month)
    return months


def _query(scope, **extra):
    params = {"month": calendar.month_key(scope.month)}
    if scope.team:
        params["team"] = scope.team.pk
    params.update(extra)
    return urlencode(params)


def _rows(request, scope):
    paginator = Paginator(selectors.leaderboard(scope.month, team_ids=scope.team_ids), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = selectors.with_overdue_callbacks(page.object_list)
    return page


@page_roles(*access.LEADERBOARD_ROLES)
def leaderboard(request):
    try:
        scope = access.leaderboard_scope(
            request.user, month=request.GET.get("month"), team=request.GET.get("team")
        )
    except DomainError as error:
        return _error_page(request, error)
    today = timezone.localdate()
    locked = selectors.locked_team_ids(scope.month, team_ids=scope.team_ids)
    context = {
        "scope": scope,
        "month_key": calendar.month_key(scope.month),
        "months": [(calendar.month_key(m), m) for m in _months(today)],
        "page": _rows(request, scope),
        "totals": selectors.leaderboard_totals(scope.month, team_ids=scope.team_ids),
        "chart": charts.column_chart(
            (day.day, n) for day, n in selectors.daily_orders(scope.month, team_ids=scope.team_ids)
        ),
        "run": ConversionRun.objects.filter(month=scope.month).first(),
        "locked": bool(scope.team and scope.team.pk in locked),
        "locked_count": len(locked),
        "can_lock": bool(scope.team) and scope.month < today.replace(day=1),
        "open_disputes": disputes.open_count(request.user),
        "query": _query(scope),
    }
    return render(request, "rewards/leaderboard.html", context)


@page_roles(*access.LEADERBOARD_ROLES)
def leaderboard_export(request):
    try:
        scope = access.leaderboard_scope(
            request.user, month=request.GET.get("month"), team=request.GET.get("team")
        )
    except DomainError as error:
        return _error_page(request, error)
    rows = selectors.with_overdue_callbacks(
        selectors.leaderboard(scope.month, team_ids=scope.team_ids)
    )
    response = HttpResponse(
        exports.leaderboard_xlsx(rows, scope=scope),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"leaderboard-{calendar.month_key(scope.month)}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@page_roles(*access.LEADERBOARD_ROLES)
def leaderboard_lock(request):
    try:
        scope = access.leaderboard_scope(
            request.user, month=request.POST.get("month"), team=request.POST.get("team")
        )
    except DomainError as error:
        return _error_page(request, error)
    if scope.team is None:
        return _error_page(request, DomainError(access.ERR_TEAM_FORMAT, code="invalid_team"))
    try:
        services.month_lock(team=scope.team, month=scope.month, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        raise PermissionDenied(str(error)) from error
    else:
        messages.success(
            request,
            MSG_LOCKED % {"month": calendar.month_key(scope.month), "team": scope.team.name},
        )
    return redirect(f"{reverse('leaderboard')}?{_query(scope)}")


@page_roles(roles.AGENTS, *access.LEADERBOARD_ROLES)
def me(request):
    try:
        month = access.month_or_error(request.GET.get("month"))
        agent = access.progress_agent(request.user, username=request.GET.get("agent"))
    except DomainError as error:
        return _error_page(request, error)
    services.agent_month_ensure(agent_id=agent.pk, month=month)
    progress = selectors.agent_progress(agent, month)
    today = timezone.localdate()
    context = {
        "agent": agent,
        "progress": progress,
        "month": month,
        "month_key": calendar.month_key(month),
        "months": [(calendar.month_key(m), m) for m in _months(today)],
        "is_own": agent.pk == request.user.pk,
        "running": month == today.replace(day=1),
        "disputes": list(disputes.disputes_of_month(agent_id=agent.pk, month=month)),
    }
    if progress is not None:
        row = progress.row
        context["percent"] = (
            min(100, round(100 * row.month_orders / row.target)) if row.target else None
        )
        context["funnel"] = charts.funnel_chart(
            [
                (_("Shown"), row.shown),
                (_("Offered"), row.offered),
                (_("Thinking"), row.thinking),
                (_("Agreed"), row.agreed),
                (_("Ordered"), row.ordered),
                (_("Connected"), row.ordered_connected),
            ]
        )
    return render(request, "rewards/me.html", context)

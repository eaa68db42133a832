"""The rewards API: `/rewards/rules/`, `/leaderboard/` and `/me/progress/`."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from config.floor.api.schema import ERROR_RESPONSES
from config.floor.errors import NotFound
from rewards import access, calendar, selectors, services
from rewards.filters import RewardRuleFilter
from rewards.models import AgentMonth, RewardBand, RewardRule
from rewards.selectors import reward_rule_list

ERR_NOT_STARTED = _("The agent had not started work in that month.")


class RewardBandSerializer(serializers.ModelSerializer):
    class Meta:
        model = RewardBand
        fields = ["min_increase", "max_increase", "amount"]


class RewardRuleSerializer(serializers.ModelSerializer):
    service = serializers.CharField(source="service.code")
    offers = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    bands = RewardBandSerializer(many=True, read_only=True)

    class Meta:
        model = RewardRule
        fields = [
            "id",
            "code",
            "name",
            "service",
            "kind",
            "amount",
            "arpu_share",
            "bands",
            "offers",
            "valid_from",
            "valid_to",
        ]


class RewardRuleViewSet(viewsets.ReadOnlyModelViewSet):
    """The reward catalogue of R11, filterable by kind, service, offer and the day it applies."""

    serializer_class = RewardRuleSerializer
    filterset_class = RewardRuleFilter

    def get_queryset(self):
        return reward_rule_list()


# Leaderboard and the agent's progress (issue 5) ---------------------------------------------------

MONTH_PARAMETER = OpenApiParameter(
    "month", OpenApiTypes.STR, description="YYYY-MM; the running month when left out."
)
TEAM_PARAMETER = OpenApiParameter(
    "team", OpenApiTypes.INT, description="A team the caller leads; all of them when left out."
)
AGENT_PARAMETER = OpenApiParameter(
    "agent",
    OpenApiTypes.STR,
    description="Username of an agent in the caller's teams (supervisors, managers).",
)


class LeaderboardRowSerializer(serializers.ModelSerializer):
    agent = serializers.CharField(source="agent.username")
    agent_name = serializers.CharField(source="agent.get_full_name")
    employee_number = serializers.CharField(source="agent.agent_profile.employee_number")
    team = serializers.CharField(source="team.name", allow_null=True)
    team_id = serializers.IntegerField(allow_null=True)
    target_met = serializers.BooleanField()
    has_target = serializers.BooleanField()
    rank = serializers.IntegerField()
    previous_orders = serializers.IntegerField(allow_null=True)
    trend = serializers.SerializerMethodField()
    overdue_callbacks = serializers.IntegerField(
        help_text="The agent's callbacks overdue now, whatever the month."
    )

    class Meta:
        model = AgentMonth
        fields = [
            "rank",
            "agent",
            "agent_name",
            "employee_number",
            "team",
            "team_id",
            "orders",
            "month_orders",
            "target",
            "has_target",
            "base_target",
            "prorated",
            "target_met",
            "connected",
            "cancelled",
            "reward_total",
            "reward_pending",
            "previous_orders",
            "trend",
            "locked",
            "adjustment_orders",
            "adjustment_reward",
            "overdue_callbacks",
            "computed_at",
        ]

    def get_trend(self, row) -> int | None:
        return None if row.previous_orders is None else row.month_orders - row.previous_orders


class LeaderboardView(generics.ListAPIView):
    """The month's agents of the caller's teams, ranked by orders, then connected.

    Ties share a rank (competition ranking: 1, 2, 2, 4). Supervisors see the teams they lead,
    managers every team; agents get 403. A row is an agent's month in one team (an agent who moved
    has a row in each); `orders` count for that team, `month_orders` are all of the agent's,
    which the target (0: none) is measured against; `overdue_callbacks` are the agent's callbacks
    overdue now. Figures are recomputed on every order event
    (`computed_at`); the nightly run reconciles them.
    """

    serializer_class = LeaderboardRowSerializer
    filter_backends = []

    def get_queryset(self):
        params = self.request.query_params
        scope = access.leaderboard_scope(
            self.request.user,
            month=params.get("month"),
            team=params.get("team"),
        )
        return selectors.leaderboard(scope.month, team_ids=scope.team_ids)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else selectors.with_overdue_callbacks(page)

    @extend_schema(
        operation_id="leaderboard",
        parameters=[MONTH_PARAMETER, TEAM_PARAMETER],
        responses={200: LeaderboardRowSerializer(many=True), **ERROR_RESPONSES},
        tags=["rewards"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class StatementLineSerializer(serializers.Serializer):
    order = serializers.IntegerField(source="order.pk")
    registered_at = serializers.DateTimeField(source="order.created_at")
    connected_at = serializers.DateTimeField(source="order.connected_at", allow_null=True)
    status = serializers.CharField(source="order.status")
    offer = serializers.SerializerMethodField()
    offer_code = serializers.CharField(source="item.code")
    team_id = serializers.SerializerMethodField()
    rule = serializers.CharField(source="rule.name", allow_null=True, default=None)
    rule_code = serializers.CharField(source="rule.code", allow_null=True, default=None)
    state = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    counted = serializers.BooleanField()

    def get_offer(self, line) -> str:
        return line.item.name if line.item is not None else ""

    def get_team_id(self, line) -> int | None:
        return line.team_id


class TeamPartSerializer(serializers.Serializer):
    """The agent's month in one team (the orders that count for it)."""

    team = serializers.CharField(source="team.name")
    team_id = serializers.IntegerField()
    orders = serializers.IntegerField()
    connected = serializers.IntegerField()
    reward_total = serializers.DecimalField(12, 2)
    locked = serializers.BooleanField()


class CallbackFiguresSerializer(serializers.Serializer):
    """The month's callbacks (one per «thinking»): made, made on time, agreed, overdue now."""

    opened = serializers.IntegerField()
    made = serializers.IntegerField()
    made_on_time = serializers.IntegerField()
    agreed = serializers.IntegerField()
    overdue = serializers.IntegerField()
    agreed_rate = serializers.FloatField(
        allow_null=True, help_text="«Thinking» → agreed, per cent of the callbacks opened."
    )
    on_time_rate = serializers.FloatField(
        allow_null=True, help_text="Per cent of the callbacks made that were made on time."
    )


class ProgressSerializer(serializers.Serializer):
    month = serializers.SerializerMethodField()
    agent = serializers.CharField(source="row.agent.username")
    orders = serializers.IntegerField(source="row.month_orders")
    target = serializers.IntegerField(source="row.target")
    has_target = serializers.BooleanField(source="row.has_target")
    base_target = serializers.IntegerField(source="row.base_target")
    prorated = serializers.BooleanField(source="row.prorated")
    target_met = serializers.BooleanField(source="row.target_met")
    connected = serializers.IntegerField(source="row.connected")
    cancelled = serializers.IntegerField(source="row.cancelled")
    reward_earned = serializers.DecimalField(12, 2, source="row.reward_earned")
    reward_clawed_back = serializers.DecimalField(12, 2, source="row.reward_clawed_back")
    reward_total = serializers.DecimalField(12, 2, source="row.reward_total")
    reward_pending = serializers.DecimalField(12, 2, source="row.reward_pending")
    projection = serializers.IntegerField(source="pace.projection")
    needed_per_day = serializers.DecimalField(6, 1, source="pace.needed_per_day", allow_null=True)
    working_days_left = serializers.IntegerField(source="pace.days_left")
    locked = serializers.BooleanField()
    adjustment_orders = serializers.IntegerField(source="row.adjustment_orders")
    adjustment_reward = serializers.DecimalField(12, 2, source="row.adjustment_reward")
    funnel = serializers.SerializerMethodField()
    callbacks = CallbackFiguresSerializer()
    teams = TeamPartSerializer(many=True)
    computed_at = serializers.DateTimeField(allow_null=True)
    stale = serializers.BooleanField()
    lines = StatementLineSerializer(source="statement.lines", many=True)

    def get_month(self, progress) -> str:
        return calendar.month_key(progress.month)

    def get_funnel(self, progress) -> dict[str, int]:
        row = progress.row
        return {
            "shown": row.shown,
            "offered": row.offered,
            "thinking": row.thinking,
            "agreed": row.agreed,
            "ordered": row.ordered,
            "connected": row.ordered_connected,
        }


class MyProgressView(APIView):
    """The caller's month: orders against the target, projection, rewards and the statement.

    Worked out now for a month still open (the job's own code, for one agent), as locked for a
    month a supervisor has locked. Supervisors and managers may pass `?agent=` for an agent of
    their teams; an agent asking for another agent gets 403.
    """

    @extend_schema(
        operation_id="me_progress",
        parameters=[MONTH_PARAMETER, AGENT_PARAMETER],
        responses={200: ProgressSerializer, **ERROR_RESPONSES},
        tags=["rewards"],
    )
    def get(self, request):
        params = request.query_params
        month = access.month_or_error(params.get("month"))
        agent = access.progress_agent(user=request.user, username=params.get("agent"))
        services.agent_month_ensure(agent_id=agent.pk, month=month)
        progress = selectors.agent_progress(agent, month)
        if progress is None:
            raise NotFound(ERR_NOT_STARTED, code="not_started")
        return Response(ProgressSerializer(progress).data)

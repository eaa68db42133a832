"""The portal's roles as Django groups, and what each may do.

The groups and their permissions are created by a data migration (portal 0001) and kept true by
`sync_roles()`, which `seed_demo` also calls; a model added later gets its permissions by adding
it here and writing a migration that calls `sync_roles`.
"""

from django.contrib.auth.management import create_permissions
from django.utils.translation import gettext_lazy as _

MANAGERS = "Marketing managers"
SUPERVISORS = "Supervisors"
AGENTS = "Agents"
CRM = "CRM integration"
# The fulfilment system posts order status changes back (a service login with an API token).
FULFILMENT = "Fulfilment system"

ROLE_LABELS = {
    MANAGERS: _("Marketing manager"),
    SUPERVISORS: _("Supervisor"),
    AGENTS: _("Agent"),
    CRM: _("CRM integration"),
    FULFILMENT: _("Fulfilment system"),
}

# Everything a marketing manager keeps in the admin: add, change, delete and view.
CATALOGUE_MODELS = [
    "offers.service",
    "offers.segment",
    "offers.offer",
    "campaigns.campaign",
    "campaigns.campaigntarget",
    "rewards.rewardrule",
    "rewards.rewardband",
    "knowledge_base.category",
    "knowledge_base.tag",
    "knowledge_base.article",
    "knowledge_base.bridge",
    "knowledge_base.objectiontype",
    "knowledge_base.objectionstep",
    "knowledge_base.stockanswer",
    "knowledge_base.closingphrase",
    "knowledge_base.articlefeedback",
]
ALL_ACTIONS = ("add", "change", "delete", "view")

ROLE_PERMISSIONS = {
    MANAGERS: {
        **dict.fromkeys(CATALOGUE_MODELS, ALL_ACTIONS),
        "campaigns.subscriberaccount": ALL_ACTIONS,
        "campaigns.peakhours": ALL_ACTIONS,
        "campaigns.outage": ALL_ACTIONS,
        "campaigns.appeal": ("view",),
        "campaigns.contacthistoryentry": ("view",),
        "campaigns.department": ("view",),
        "campaigns.team": ("view",),
        "campaigns.agentprofile": ("view",),
        "django_celery_results.taskresult": ("view",),
        "django_celery_beat.periodictask": ("view",),
        # Connection orders: managers keep the lists orders choose from and watch the hand-off;
        # they see orders only masked (no reveal) and change none of them.
        "offers.technology": ALL_ACTIONS,
        "campaigns.saleschannel": ALL_ACTIONS,
        "campaigns.installerslot": ALL_ACTIONS,
        "campaigns.connectionorder": ("view",),
        "campaigns.orderstatuschange": ("view",),
        "campaigns.orderoutboxmessage": ("view", "change"),
        "campaigns.personaldatareveal": ("view",),
        "campaigns.accountsearch": ("view",),
        "campaigns.personaldataview": ("view",),
        # Learning (issue 13): managers run the A/B script versions of their campaigns.
        "campaigns.scriptversion": ALL_ACTIONS,
        # Rewards (issue 5): managers set the monthly targets and read the job's figures and the
        # campaign funnel; they may unlock a month a supervisor locked.
        "rewards.monthlytarget": ALL_ACTIONS,
        "rewards.agentmonth": ("view",),
        "rewards.campaignmonth": ("view",),
        "rewards.conversionrun": ("view",),
        "rewards.monthlock": ("view", "delete"),
        "rewards.rewardline": ("view",),
        # Statement disputes (issue 12 §4): read in the admin with their history; decided on
        # the disputes page, as supervisors do.
        "rewards.statementdispute": ("view",),
    },
    # Supervisors look the catalogue up in the admin; they change nothing there.
    SUPERVISORS: {
        "offers.offer": ("view",),
        "campaigns.campaign": ("view",),
        "rewards.rewardrule": ("view",),
        "campaigns.team": ("view",),
        "campaigns.agentprofile": ("view",),
    },
    AGENTS: {},
    CRM: {"campaigns.subscriberaccount": ("add", "change", "view")},
    FULFILMENT: {},
}

# Logins of other systems: API only, never the pages (config.floor.middleware).
SERVICE_ROLES = frozenset({CRM, FULFILMENT})

# Roles that work in the admin (is_staff).
STAFF_ROLES = {MANAGERS, SUPERVISORS}


def sync_roles(group_model, permission_model):
    """Create the groups and give each exactly the permissions listed above."""
    for group_name, models in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=group_name)
        perms = []
        for label, actions in models.items():
            app_label, model = label.split(".")
            codenames = [f"{action}_{model}" for action in actions]
            found = permission_model.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
            perms.extend(found)
        group.permissions.set(perms)


def user_roles(user) -> set[str]:
    """The role names of a user; superusers count as managers."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        cached = remember_roles(user, user.groups.values_list("name", flat=True))
    return cached


def remember_roles(user, group_names) -> set[str]:
    """Keep the user's roles on it for the request (read with the user: the API's token)."""
    cached = set(group_names)
    if user.is_superuser:
        cached.add(MANAGERS)
    user._portal_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def migrate_roles(apps, schema_editor):
    """For data migrations: create the permissions of every model now, then sync the groups."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))

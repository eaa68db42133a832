"""Give marketing managers the permissions on the knowledge base's new models (config.roles)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def sync(apps, schema_editor):
    from config.floor.roles import sync_roles

    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge_base", "0003_search_indexes"),
        ("portal", "0001_roles"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]

"""Give marketing managers the new workspace models (peak hours, outages, appeals, history)."""

from django.db import migrations

from config.floor.roles import migrate_roles


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_workspace"),
        ("portal", "0002_idempotency_keys"),
    ]

    operations = [migrations.RunPython(migrate_roles, migrations.RunPython.noop)]

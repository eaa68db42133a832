"""The roles' permissions on the conversions models (targets, agents' months, locks, funnels)."""

from django.db import migrations

from config.floor.roles import migrate_roles


class Migration(migrations.Migration):
    dependencies = [
        ("rewards", "0002_conversions"),
        ("campaigns", "0005_order_roles"),
    ]

    operations = [migrations.RunPython(migrate_roles, migrations.RunPython.noop)]

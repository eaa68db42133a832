"""Connection orders: the roles' permissions on them, and the default sales channel of R8."""

from django.db import migrations

from config.floor.roles import migrate_roles

DEFAULT_CHANNEL = ("26-mc-ntt", "26 Обслуживание МЦ НТТ")


def default_channel(apps, schema_editor):
    SalesChannel = apps.get_model("campaigns", "SalesChannel")
    code, name = DEFAULT_CHANNEL
    if not SalesChannel.objects.filter(is_default=True).exists():
        SalesChannel.objects.update_or_create(
            code=code, defaults={"name": name, "is_default": True, "is_active": True}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0004_connection_orders"),
        ("offers", "0002_technologies"),
        ("portal", "0002_idempotency_keys"),
    ]

    operations = [
        migrations.RunPython(migrate_roles, migrations.RunPython.noop),
        migrations.RunPython(default_channel, migrations.RunPython.noop),
    ]

"""Agents' months per team (R10): an agent who moved has a row in each team of the month; the
agent's orders of the month in all teams (what the target is measured against) on each row;
statement lines name the item of the order and the team. Rows without a team (their team was
deleted) are dropped: the next run computes them again from the orders."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def backfill(apps, schema_editor):
    AgentMonth = apps.get_model("rewards", "AgentMonth")
    AgentMonth.objects.filter(team__isnull=True).delete()
    AgentMonth.objects.update(month_orders=models.F("orders"))


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0010_team_membership'),
        ('offers', '0002_technologies'),
        ('rewards', '0004_catalogue_consistency'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='agentmonth',
            name='agent_month_once',
        ),
        migrations.AddField(
            model_name='agentmonth',
            name='month_orders',
            field=models.PositiveIntegerField(default=0, help_text='What the target is measured against.', verbose_name='orders in the month, all teams'),
        ),
        migrations.AddField(
            model_name='rewardline',
            name='offer',
            field=models.ForeignKey(blank=True, help_text='The item of the order the line pays for: its main offer or an extra.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='offers.offer', verbose_name='item'),
        ),
        migrations.AddField(
            model_name='rewardline',
            name='team',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='campaigns.team', verbose_name='team'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='agentmonth',
            name='target',
            field=models.PositiveSmallIntegerField(help_text='0: no target (a starter with no working day left).', verbose_name='target'),
        ),
        migrations.AlterField(
            model_name='agentmonth',
            name='team',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='agent_months', to='campaigns.team', verbose_name='team'),
        ),
        migrations.AddConstraint(
            model_name='agentmonth',
            constraint=models.UniqueConstraint(fields=('agent', 'month', 'team'), name='agent_month_team_once'),
        ),
    ]

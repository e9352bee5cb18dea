"""LoggedVersion: which version of its object an admin change made (stories.locking)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("stories", "0005_attributions_to_origins"),
    ]

    operations = [
        migrations.CreateModel(
            name="LoggedVersion",
            fields=[
                (
                    "entry",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="logged_version",
                        serialize=False,
                        to="admin.logentry",
                    ),
                ),
                ("version", models.PositiveIntegerField()),
            ],
            options={
                "default_permissions": (),
            },
        ),
    ]

"""Jobs: long work off the request path, and the files uploaded for them (services.jobs)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0007_evidence_origin_replaces_attribution"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Job",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=50)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "Queued"),
                            ("running", "Running"),
                            ("succeeded", "Succeeded"),
                            ("failed", "Failed"),
                            ("interrupted", "Interrupted"),
                        ],
                        default="queued",
                        max_length=12,
                    ),
                ),
                ("arguments", models.JSONField(blank=True, default=dict)),
                (
                    "stage",
                    models.CharField(blank=True, help_text="What it is doing now.", max_length=100),
                ),
                ("done", models.PositiveIntegerField(default=0)),
                ("total", models.PositiveIntegerField(default=0)),
                ("summary", models.TextField(blank=True, help_text="The result in words.")),
                (
                    "result",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text="What the result links to: {'links': [...]}.",
                    ),
                ),
                ("error", models.TextField(blank=True, help_text="Why it failed, in words.")),
                (
                    "retryable",
                    models.BooleanField(
                        default=False,
                        help_text="Running it again may succeed: it stopped for a reason other than its input.",
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                (
                    "worker",
                    models.CharField(
                        blank=True, help_text="host:pid of the process that ran it.", max_length=300
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("heartbeat_at", models.DateTimeField(blank=True, null=True)),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="JobFile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=255)),
                (
                    "size",
                    models.PositiveBigIntegerField(
                        help_text="As uploaded; bytes beyond the importer's limit are not kept."
                    ),
                ),
                ("data", models.BinaryField()),
                (
                    "job",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="files",
                        to="stories.job",
                    ),
                ),
            ],
            options={
                "ordering": ["pk"],
                "default_permissions": (),
            },
        ),
        migrations.AddConstraint(
            model_name="job",
            constraint=models.CheckConstraint(
                condition=models.Q(("done__lte", models.F("total"))), name="job_done_within_total"
            ),
        ),
    ]

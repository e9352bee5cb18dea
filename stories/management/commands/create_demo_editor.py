"""Create (or reset) the demo editor login and print it."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Create or reset the 'editor' demo login with a fresh random password and print it. "
        "Refused unless the settings allow demo accounts (development only)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="editor")

    def handle(self, *args, username, **options):
        if not getattr(settings, "NEWSROOM_ALLOW_DEMO_ACCOUNTS", False):
            raise CommandError(
                "Demo accounts are disabled by these settings; create real accounts with "
                "'manage.py createsuperuser'."
            )
        password = secrets.token_urlsafe(12)
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@newsroom.invalid"}
        )
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        verb = "Created" if created else "Reset"
        self.stdout.write(self.style.SUCCESS(f"{verb} the demo editor login:"))
        self.stdout.write(f"  username: {username}\n  password: {password}")

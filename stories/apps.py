from django.apps import AppConfig
from django.db.models.signals import post_migrate


def sync_role_groups(sender, **kwargs):
    from django.contrib.auth.models import Group, Permission

    from .roles import sync_roles

    sync_roles(Group, Permission)


class StoriesConfig(AppConfig):
    name = "stories"
    verbose_name = "Newsroom"
    # The app's primary-key type is part of its migrations, so the app declares it rather
    # than the project's DEFAULT_AUTO_FIELD (which every other installed app overrides too).
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Connected after auth's handler, so the permissions exist when it runs.
        post_migrate.connect(sync_role_groups, sender=self, dispatch_uid="stories_sync_roles")
        from . import search

        search.connect()
        search.connect_after_migrate(self)

        from .caching import connect_signals

        connect_signals()

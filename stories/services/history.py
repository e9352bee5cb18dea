"""The desk's history: a service's write, recorded in the admin log as its editor's."""

from django.contrib.admin.models import CHANGE, LogEntry


def record(user, obj, message, flag=CHANGE):
    """Log ``message`` on ``obj``'s history as ``user``'s (nothing for no user: a script)."""
    if user is None:
        return
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[obj],
        action_flag=flag,
        change_message=message,
        single_object=True,
    )
